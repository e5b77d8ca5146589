"""The one table `make bench` prints: each benchmark module gives rows, each row a figure of the
portal beside the floor that does the same work (or a budget alone where there is no floor, such
as a package's size), and the issue's bar it is held to. Benchmarks measure and print; nothing
here passes or fails the test suite.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable


@dataclasses.dataclass(frozen=True)
class Row:
    measure: str  # what was measured, in words: "first request after a cold start, CPU"
    value: float  # the portal's figure (a median where it was sampled)
    unit: str  # "ms CPU", "ms wall", "calls", "msg/s", "MB", "read units"
    bar: str  # the bar it is held to, in words: "<= 1.25x floor", ">= 50 msg/s", "<= 30 MB"
    floor: float | None = None  # the floor's figure in the same unit, measured in the same run
    note: str = ""  # how it was measured, or what the figure leaves out

    @property
    def ratio(self) -> float | None:
        if self.floor is None or self.floor == 0:
            return None
        return self.value / self.floor


def _figure(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"


def render(rows: Iterable[Row]) -> str:
    """The rows as one aligned text table (then each row's note, numbered, under it)."""
    rows = list(rows)
    header = ("measure", "portal", "floor", "ratio", "unit", "bar")
    lines = [
        (
            row.measure + (f" [{index}]" if row.note else ""),
            _figure(row.value),
            _figure(row.floor),
            f"{row.ratio:.2f}x" if row.ratio is not None else "-",
            row.unit,
            row.bar,
        )
        for index, row in enumerate(rows, start=1)
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=False)]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(header, widths, strict=True))]
    out.append("  ".join("-" * width for width in widths))
    out += ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)) for line in lines]
    notes = [f"[{index}] {row.note}" for index, row in enumerate(rows, start=1) if row.note]
    return "\n".join(out + ([""] + notes if notes else []))
