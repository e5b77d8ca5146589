"""When a visit's check-in is open: from ``policy.checkin_opens_days`` days before its start until
its start (chalicelib/checkin/ is the journey; the window is the appointment's, so an appointment
in the patient's list says it without reaching into check-in). Pure apart from the one batch read
of ``check_in_fields``; the caller passes the moment it calls now.

The days are the organization's calendar days, not multiples of 24 hours: a visit at 09:00 opens
at 09:00 three days before on the clinic's clock, also across a change of the clocks (then 71 or 73
hours before), because that is what a patient told "check-in opens three days before" expects.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Literal, Protocol

from chalicelib.access.service import AccessPorts
from chalicelib.appointments import domain
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.kernel.zones import UnknownZone, zone
from chalicelib.records.domain import StoredResult

WindowState = Literal["not_open", "open", "closed"]
# Statuses of a visit that will not happen: nothing to check in for.
NOT_HAPPENING = ("cancelled", "noshow", "entered-in-error")


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


def in_zone(moment: datetime, zone_name: str) -> str:
    """A moment as the API gives it: ISO 8601 with the organization's offset, whole seconds."""
    try:
        return moment.astimezone(zone(zone_name)).isoformat(timespec="seconds")
    except UnknownZone:
        return moment.isoformat(timespec="seconds")


def check_in_field(
    policy: AppointmentPolicy,
    content: dict[str, Any],
    zone_name: str,
    now: datetime,
    completed_at: datetime | None = None,
    withdrawn: bool = False,
) -> dict[str, Any] | None:
    """An appointment's ``check_in`` field: None when check-in does not apply (cancelled, past,
    no start known), else its state and window."""
    starts_at = domain.moment(str(content.get("starts_at") or ""), zone_name)
    status = domain.status_of(str(content.get("status") or ""))
    if (
        starts_at is None
        or withdrawn
        or status in NOT_HAPPENING
        or domain.when(str(content.get("starts_at") or ""), now, zone_name) == "past"
    ):
        return None
    state, opens_at, closes_at = window(policy, starts_at, now, zone_name)
    return {
        "state": "completed" if completed_at is not None else state,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "completed_at": in_zone(completed_at, zone_name) if completed_at else None,
    }


class CompletedCheckIns(Protocol):
    def completed(self, patient_id: str, appointment_ids: list[str]) -> dict[str, datetime]:
        """{appointment id: when its check-in was completed} of those completed, in batch reads
        (data/checkins.py)."""
        ...


class CheckInFieldPorts(AccessPorts, Protocol):
    @property
    def checkins(self) -> CompletedCheckIns: ...


def check_in_fields(
    ports: CheckInFieldPorts, patient_id: str, entries: list[StoredResult], zone_name: str, now: datetime
) -> dict[str, dict[str, Any] | None]:
    """{appointment id: its ``check_in`` field} of a page of the patient's appointments: the
    organization's policy read once and the check-ins of those still to come in one batch read."""
    patient = ports.patients.get(patient_id)
    policy = policy_of(ports.directory.organization(patient.organization_id) if patient else None)
    coming = [
        e.result_id for e in entries if domain.when(str(e.content.get("starts_at") or ""), now, zone_name) == "upcoming"
    ]
    completed = ports.checkins.completed(patient_id, coming) if coming else {}
    return {
        entry.result_id: check_in_field(
            policy, entry.content, zone_name, now, completed.get(entry.result_id), entry.withdrawn
        )
        for entry in entries
    }
