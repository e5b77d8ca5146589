"""The clock as a port: services are handed the time (or a Clock), never read it themselves, so a
test pins one clock for the whole call chain instead of patching modules one by one."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC (every moment the portal stores or compares is UTC)."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class PinnedClock:
    """A clock that moves only when told: tests, and the benchmarks that replay a day."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def iso(moment: datetime | int) -> str:
    """A moment as the API shows it: UTC, whole seconds, ``Z`` (an int is a Unix time)."""
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
