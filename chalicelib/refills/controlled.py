"""The portal's list of common controlled substances (controlled_substances.csv says where it
comes from), read once per container."""

from __future__ import annotations

import csv
import functools
from pathlib import Path

from chalicelib.refills.domain import SCHEDULES, Controlled

_LIST = Path(__file__).with_name("controlled_substances.csv")


@functools.cache
def controlled_substances() -> Controlled:
    by_rxcui: dict[str, str] = {}
    by_name: dict[str, str] = {}
    with _LIST.open(encoding="utf-8") as listed:
        rows = csv.DictReader(line for line in listed if not line.startswith("#"))
        for row in rows:
            schedule = row["schedule"].strip()
            if schedule not in SCHEDULES:
                raise ValueError(f"controlled_substances.csv: {row['name']!r} has no schedule II to V")
            if row["rxcui"].strip():
                by_rxcui[row["rxcui"].strip()] = schedule
            by_name[row["name"].strip().lower()] = schedule
    return Controlled(by_rxcui, by_name)
