"""Time zones: an organization's wall-clock times as moments.

Clinical systems often send local wall-clock times with no offset (HL7 TS "20261201083000", a
FHIR dateTime without one). Such a time means the sending hospital's clock, so it is read in the
organization's zone (an IANA name, e.g. "America/New_York") and kept with the offset in force at
that moment: "2026-12-01T08:30:00-05:00" (UTC and its equals: "+00:00"). The text stays as precise as sent (no seconds are
invented), and a date alone (a birth date, "2026-12-01") is a calendar day, not a moment: it is
left as it is.

Around a change of the clocks a wall-clock time can be ambiguous (01:30 twice in November in New
York) or missing (02:30 in March): both are read with the offset in force before the change
(``fold=0``), the same choice most EHRs make when they send such a time, so the moment is never
off by more than the hour the clocks moved.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The zone of an organization that has none recorded, when the deployment does not say
# otherwise (settings: PORTAL_DEFAULT_TIME_ZONE).
DEFAULT_TIME_ZONE = "America/New_York"

# A name as the IANA database spells them ("America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"):
# checked before the database is asked, so a path ("../../etc/passwd") never reaches it.
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+-]{0,30}(/[A-Za-z0-9_+-]{1,30}){0,2}")

# An ISO 8601 date and time without an offset, at any precision from the minute on, as the feed
# readers write them ("2026-12-01T08:30", "2026-12-01T08:30:00.1234").
_LOCAL_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


def is_local_time(text: str) -> bool:
    """An ISO date and time without an offset (a wall-clock time)."""
    return isinstance(text, str) and _LOCAL_TIME.fullmatch(text) is not None


class UnknownZone(ValueError):
    """Not the name of a time zone the IANA database knows."""


@lru_cache(maxsize=64)
def zone(name: str) -> tzinfo:
    """The time zone of that IANA name; UnknownZone when it names none."""
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.lower() == "localtime":
        raise UnknownZone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownZone(name) from None


def is_zone_name(name: str) -> bool:
    try:
        zone(name)
    except UnknownZone:
        return False
    return True


def with_offset(text: str, zone_name: str) -> str:
    """A wall-clock time without an offset, given the offset of ``zone_name`` at that moment;
    anything else (a time with an offset or "Z", a date, a year, text, "") as it was."""
    if not is_local_time(text):
        return text
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:  # "2026-02-30T08:00": not a time; shown as sent
        return text
    offset = moment.replace(tzinfo=zone(zone_name)).utcoffset()
    if offset is None:  # (a ZoneInfo always has one)
        return text
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def values_with_offset(value: Any, zone_name: str) -> Any:
    """Every wall-clock time inside a JSON-like value (dicts, lists, strings) given its offset, as
    ``with_offset``; the rest as it was."""
    if isinstance(value, str):
        return with_offset(value, zone_name)
    if isinstance(value, dict):
        return {key: values_with_offset(item, zone_name) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(values_with_offset(item, zone_name) for item in value)
    return value
