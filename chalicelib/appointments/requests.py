"""Pure rules of a patient's appointment requests: their states and the changes each side may
make, which staff queue each state sits in, the preferred days as periods of the organization's
clock, and a time staff choose read in that clock (standard library only: unit-tested without
storage or a clock)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from chalicelib.access.acting import ActedBy
from chalicelib.kernel.zones import zone

PREFERRED_DAYS_AHEAD = 90
# The clinic's day, as a patient's "morning", "afternoon" or "any time" is read.
PERIODS = {
    "morning": (time(8), time(12)),
    "afternoon": (time(12), time(17)),
    "any": (time(8), time(17)),
}


class Status(enum.Enum):
    REQUESTED = "requested"
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    BOOKED = "booked"
    SCHEDULED = "scheduled"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# Staff's three queues: what they must act on, what waits for someone else (the patient's answer,
# the scheduling system's feed), and what is closed.
QUEUES = {
    "to_do": (Status.REQUESTED, Status.ACCEPTED),
    "waiting": (Status.PROPOSED, Status.BOOKED),
    "done": (Status.SCHEDULED, Status.DECLINED, Status.WITHDRAWN),
}
CLOSED = frozenset(QUEUES["done"])
# Staff book, propose or decline a request that waits on them (a booked one waits for the feed:
# another booking would be a second visit).
STAFF_DECIDES = frozenset(QUEUES["to_do"])
PATIENT_WITHDRAWS = frozenset({Status.REQUESTED, Status.PROPOSED, Status.ACCEPTED})

NOT_OPEN = "This request is closed already."
NOT_PROPOSED = "There is no proposed time to answer on this request."
TIME_PASSED = "This time has passed. Your request is back with the clinic to offer another time."
NOT_FOR_STAFF = "This request is not waiting for staff: it was booked, declined, withdrawn or has a proposal out."
NOT_WITHDRAWABLE = "This request cannot be withdrawn now: it was booked or is closed."


def queue_of(status: Status) -> str:
    for name, statuses in QUEUES.items():
        if status in statuses:
            return name
    raise ValueError(status)


@dataclass(frozen=True)
class Preferred:
    day: date
    time_of_day: str  # morning, afternoon, any


@dataclass(frozen=True)
class Slot:
    """A time staff propose or book: a moment, and the visit's length, clinician, place and mode."""

    starts_at: datetime
    minutes: int
    clinician: str = ""
    place: str = ""
    mode: str = "in_person"


@dataclass(frozen=True)
class AppointmentRequest:
    request_id: str
    patient_id: str
    organization_id: str
    kind: str  # new, reschedule
    care_team_id: str
    care_team_name: str
    reason: str
    mode: str  # in_person, video
    preferred: tuple[Preferred, ...]
    status: Status
    requested_at: datetime
    updated_at: datetime
    requested_by: str  # the account that asked
    appointment_id: str = ""  # the visit a reschedule moves
    proposal: Slot | None = None
    booking: Slot | None = None
    decline_reason: str = ""
    staff_note: str = ""
    decided_by: str = ""  # the staff account that last proposed, booked or declined
    decided_by_name: str = ""
    scheduled_appointment_id: str = ""
    # What staff see beside it (the patient as they were when asked).
    patient_name: str = ""
    patient_birth_date: str = ""
    subject_system: str = ""  # the MRN the outbound Appointment named
    subject_value: str = ""
    version: int = 0  # each change is written on condition of the version it read
    acted_by: ActedBy | None = None  # asked by someone acting for the patient (requested_by is their account)

    @property
    def queue(self) -> str:
        return queue_of(self.status)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED


class RefusedChange(Exception):
    """A change the request's state does not allow (409): the message says why in words."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def answered(request: AppointmentRequest, accept: bool, now: datetime) -> AppointmentRequest:
    """The patient takes the proposed time (accepted: staff book it) or turns it down (the
    request waits for staff again, without the proposal)."""
    if request.status is not Status.PROPOSED:
        raise RefusedChange(NOT_PROPOSED)
    if accept:
        return replace(request, status=Status.ACCEPTED, updated_at=now)
    return replace(request, status=Status.REQUESTED, proposal=None, updated_at=now)


def proposal_passed(request: AppointmentRequest, now: datetime) -> bool:
    """The proposed time came while the patient had not answered: staff could no longer book it."""
    return request.status is Status.PROPOSED and request.proposal is not None and request.proposal.starts_at <= now


def withdrawn(request: AppointmentRequest, now: datetime) -> AppointmentRequest:
    if request.status not in PATIENT_WITHDRAWS:
        raise RefusedChange(NOT_WITHDRAWABLE)
    return replace(request, status=Status.WITHDRAWN, updated_at=now)


def _staff_may_decide(request: AppointmentRequest) -> None:
    if request.closed:
        raise RefusedChange(NOT_OPEN)
    if request.status not in STAFF_DECIDES:
        raise RefusedChange(NOT_FOR_STAFF)


def proposed(
    request: AppointmentRequest, slot: Slot, note: str, by: str, by_name: str, now: datetime
) -> AppointmentRequest:
    _staff_may_decide(request)
    return replace(
        request,
        status=Status.PROPOSED,
        proposal=slot,
        staff_note=note,
        decided_by=by,
        decided_by_name=by_name,
        updated_at=now,
    )


def booked(
    request: AppointmentRequest, slot: Slot, note: str, by: str, by_name: str, now: datetime
) -> AppointmentRequest:
    _staff_may_decide(request)
    return replace(
        request,
        status=Status.BOOKED,
        booking=slot,
        staff_note=note,
        decided_by=by,
        decided_by_name=by_name,
        updated_at=now,
    )


def declined(request: AppointmentRequest, reason: str, by: str, by_name: str, now: datetime) -> AppointmentRequest:
    """Staff decline an open request, even one booked that never came through the feed."""
    if request.closed:
        raise RefusedChange(NOT_OPEN)
    return replace(
        request,
        status=Status.DECLINED,
        decline_reason=reason,
        decided_by=by,
        decided_by_name=by_name,
        updated_at=now,
    )


def scheduled(request: AppointmentRequest, appointment_id: str, now: datetime) -> AppointmentRequest | None:
    """The booking arrived through the feed: the request closes from any open state (the
    scheduling system is the truth of what was booked). None when it is closed already (a
    redelivered message, or staff declined it first: a closed request stays as it was)."""
    if request.closed:
        return None
    return replace(request, status=Status.SCHEDULED, scheduled_appointment_id=appointment_id, updated_at=now)


# -- days and times -------------------------------------------------------------------------------


def today_in(zone_name: str, now: datetime) -> date:
    return now.astimezone(zone(zone_name)).date()


def preferred_problem(day: date, zone_name: str, now: datetime) -> str:
    """Why a preferred day cannot be asked for ("" when it can): from today to 90 days ahead, as
    the organization's calendar reads."""
    today = today_in(zone_name, now)
    if day < today:
        return "is in the past"
    if day > today + timedelta(days=PREFERRED_DAYS_AHEAD):
        return f"is more than {PREFERRED_DAYS_AHEAD} days ahead"
    return ""


def period_of(preferred: Preferred, zone_name: str) -> tuple[datetime, datetime]:
    """A preferred day and time of day as moments of the organization's clock (on a day the
    clocks change, each end carries the offset in force at it)."""
    start, end = PERIODS[preferred.time_of_day]
    tz = zone(zone_name)
    return (
        datetime.combine(preferred.day, start, tzinfo=tz),
        datetime.combine(preferred.day, end, tzinfo=tz),
    )


def slot_start(text: str, zone_name: str) -> datetime | None:
    """A time staff typed: the organization's wall clock ("2026-03-09T09:30") or a moment with its
    offset. None when it does not read as one."""
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(zone_name))
    return parsed


@dataclass(frozen=True)
class VisitMark:
    """What the portal keeps beside a filed appointment (data.models.AppointmentVisitModel)."""

    entry_id: str
    cancelled_at: datetime | None = None
    cancelled_by: str = ""
    request_id: str = ""
    cancelled_acted_by: ActedBy | None = None  # cancelled by someone acting for the patient
    scheduler_system: str = ""
    scheduler_value: str = ""


def in_zone(moment: datetime, zone_name: str) -> str:
    """A moment as the organization's clock reads it, with its offset, to the second."""
    return moment.astimezone(zone(zone_name)).replace(microsecond=0).isoformat()
