"""When a visit's check-in is open: from ``policy.checkin_opens_days`` days before its start until
its start. Pure (no storage, no clock): the caller passes the moment it calls now.

The days are the organization's calendar days, not multiples of 24 hours: a visit at 09:00 opens
at 09:00 three days before on the clinic's clock, also across a change of the clocks (then 71 or 73
hours before), because that is what a patient told "check-in opens three days before" expects.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Literal

from chalicelib.kernel.zones import UnknownZone, zone

WindowState = Literal["not_open", "open", "closed"]


def window(
    policy: Any, starts_at: datetime, now: datetime, time_zone: str = ""
) -> tuple[WindowState, datetime, datetime]:
    """(state, opens_at, closes_at) of a visit starting at ``starts_at`` (an aware moment):
    not_open before it opens, open from then until the start, closed from the start on.
    ``policy`` is the organization's appointments.policy.AppointmentPolicy; ``time_zone`` the
    organization's zone (IANA), whose calendar the days are counted on (``starts_at``'s own
    zone when not given). Both moments are returned in that zone."""
    if starts_at.tzinfo is None:
        raise ValueError("a visit's start is a moment with its zone")
    local = starts_at.astimezone(_zone(time_zone, starts_at))
    # Aware arithmetic within one ZoneInfo is wall-clock arithmetic: the same time of day, N days
    # earlier, with the offset in force then.
    opens_wall = local.replace(tzinfo=None) - timedelta(days=int(policy.checkin_opens_days))
    opens_at = _at_wall_clock(opens_wall, local.tzinfo)
    closes_at = local
    if now < opens_at:
        return "not_open", opens_at, closes_at
    if now < closes_at:
        return "open", opens_at, closes_at
    return "closed", opens_at, closes_at


def _zone(time_zone: str, starts_at: datetime) -> tzinfo:
    if time_zone:
        try:
            return zone(time_zone)
        except UnknownZone:
            pass
    assert starts_at.tzinfo is not None
    return starts_at.tzinfo


def _at_wall_clock(wall: datetime, where: tzinfo | None) -> datetime:
    """A wall-clock time in a zone as a moment. A time the clocks skipped (02:30 on the spring
    change) is read with the offset before the change, as kernel.zones reads feed times; and the
    result is normalised, so it prints with the offset truly in force then."""
    at = wall.replace(tzinfo=where, fold=0)
    return at.astimezone(timezone.utc).astimezone(where)
