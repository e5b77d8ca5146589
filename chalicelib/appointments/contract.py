"""What the appointments routes take and give (see kernel/contract.py): the patient's
appointments to come or gone by, a page at a time, as the feeds sent them, each time in the
organization's zone; the patient's requests for a visit, staff's queue of them, and the
organization's appointment policy."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from chalicelib.access.acting_contract import ActingPerson
from chalicelib.kernel.contract import Day, QueryModel, RecordId, RequestModel, ResponseModel, WholeNumber
from chalicelib.records.contract import NEXT_CURSOR, RecordsPageQuery

MAX_REASON = 500
MAX_NOTE = 1000
MAX_SLOT_TEXT = 200
MAX_PREFERRED = 5
PREFERRED_DAYS_AHEAD = 90

Mode = Literal["in_person", "video"]
TimeOfDay = Literal["morning", "afternoon", "any"]
RequestKind = Literal["new", "reschedule"]
RequestStatus = Literal["requested", "proposed", "accepted", "booked", "scheduled", "declined", "withdrawn"]
Queue = Literal["to_do", "waiting", "done"]
CancelReason = Literal["past_cutoff", "started", "not_booked", "cancelled"]


def _text(value: str) -> str:
    """Text staff and patients read: no control, format or surrogate characters (they could hide
    or reorder what is shown); line breaks and tabs as typed."""
    for character in value:
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    return value


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON),
    AfterValidator(_text),
    AfterValidator(_required),
]
OptionalReason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REASON), AfterValidator(_text)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE), AfterValidator(_text)]
SlotText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_SLOT_TEXT), AfterValidator(_text)]
# The organization's wall clock to the minute ("2026-03-08T09:30"), or a moment with its offset.
SlotStart = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=40,
        pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$",
    ),
]


class AppointmentsQuery(RecordsPageQuery):
    when: Literal["upcoming", "past"] = Field(
        "upcoming",
        description="upcoming: starting now or later, soonest first (the default); past: started "
        "before now, newest first.",
    )


class AppointmentCheckIn(ResponseModel):
    """An appointment's check-in: its state, its window and when it was completed."""

    state: Literal["not_open", "open", "completed", "closed"]
    opens_at: str
    closes_at: str
    completed_at: str | None


class VideoWindow(ResponseModel):
    """When a video visit's join link can be had (never the link itself)."""

    opens_at: str = Field(description="15 minutes before the start (ISO 8601, the organization's offset).")
    closes_at: str = Field(description="The end: ends_at, else the start plus its minutes, else an hour after it.")
    state: Literal["not_yet", "open", "ended"]
    has_link: bool = Field(description="The scheduling system sent a link, or the organization has a link template.")


class VideoLink(ResponseModel):
    url: str = Field(
        description="The https address to join; open it in a new tab. Never stored or emailed by the portal."
    )
    closes_at: str = Field(description="When the window closes (ISO 8601, the organization's offset).")


class Cancellation(ResponseModel):
    can_cancel: bool = Field(description="Whether the patient may cancel it online now.")
    reason: CancelReason | None = Field(
        description="Why not (null when they may): past_cutoff (too close to the start: call the office), "
        "started (started or over), not_booked (not a booked visit), cancelled (cancelled already)."
    )
    cutoff_at: str | None = Field(
        description="Until when it may be cancelled online (ISO 8601, the organization's offset); null when its "
        "start is unknown."
    )
    office_phone: str = Field(description='The number to call past the cutoff ("" when the organization set none).')


class PatientAppointment(ResponseModel):
    """One appointment. Fields the sender did not give are empty."""

    id: str = Field(description="The appointment's id in the portal (its record entry's).")
    status: str = Field(
        description="As sent, in one spelling: proposed, pending, booked, arrived, checked-in, "
        "fulfilled, cancelled, noshow, entered-in-error, waitlist, or another word the sender used."
    )
    starts_at: str = Field("", description="ISO 8601 with the organization's offset; empty when not sent.")
    ends_at: str = Field("", description="ISO 8601 with the organization's offset; empty when not sent.")
    minutes: int | None = Field(None, description="How long, when sent.")
    time_zone: str = Field(description='The organization\'s time zone (IANA, e.g. "America/New_York").')
    type: str = Field("", description="What kind of visit, as sent.")
    description: str = ""
    services: list[str] = []
    specialties: list[str] = []
    instructions: str = ""
    clinicians: list[str] = Field([], description="Who the appointment is with, as sent.")
    places: list[str] = Field([], description="Where: the location names and addresses as sent.")
    mode: Literal["in_person", "video"] | None = Field(
        None, description="In person or by video, when the sender said; null when it did not."
    )
    cancellation: Cancellation = Field(description="Whether the patient may cancel it online now, and if not, why.")
    cancelled_by_patient: bool = Field(
        False,
        description="The patient cancelled it in the portal: its status reads cancelled at once, before the "
        "scheduling system confirms, and stays so whatever the feed sends later.",
    )
    cancelled_by: ActingPerson | None = Field(
        None,
        description="Who cancelled it in the portal, when someone acting for the patient under a proxy grant did; "
        "null when the patient did or it was not cancelled in the portal.",
    )
    request_id: str | None = Field(None, description="The portal request this booking closed, when it named one.")
    video: VideoWindow | None = Field(None, description="Null unless a video visit still to be held.")
    check_in: AppointmentCheckIn | None = Field(
        None,
        description="null when check-in does not apply (cancelled, past); else its state (not_open, open, "
        "completed, closed) and window (opens_at, closes_at: the start) and when it was completed.",
    )


class PatientAppointmentPage(ResponseModel):
    appointments: list[PatientAppointment]
    time_zone: str = Field(description="The organization's time zone, that the times are given in.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


# -- the patient's requests -----------------------------------------------------------------------


class PreferredTime(RequestModel):
    date: Day = Field(description=f"A day from today to {PREFERRED_DAYS_AHEAD} days ahead, in the organization's zone.")
    time_of_day: TimeOfDay = Field(
        description="morning 08:00-12:00, afternoon 12:00-17:00, any 08:00-17:00 (the organization's clock)."
    )


Preferred = Annotated[list[PreferredTime], Field(min_length=1, max_length=MAX_PREFERRED)]


class NewAppointmentRequest(RequestModel):
    """A visit the patient asks for: staff book it, propose another time, or decline it."""

    care_team_id: RecordId = Field(description="One of GET /v1/patients/{patient_id}/care-teams.")
    reason: Reason = Field(description=f"What the visit is for (1 to {MAX_REASON} characters).")
    mode: Mode
    preferred: Preferred = Field(description=f"1 to {MAX_PREFERRED} days and times the patient prefers.")


class RescheduleRequest(RequestModel):
    """A new time for a booked upcoming visit, asked of the care team that holds it."""

    reason: Reason = Field(description=f"Why it should move (1 to {MAX_REASON} characters).")
    mode: Mode
    preferred: Preferred = Field(description=f"1 to {MAX_PREFERRED} days and times the patient prefers.")


class RequestAnswer(RequestModel):
    accept: bool = Field(description="true: take the proposed time; false: turn it down (the request waits again).")


class CancelAppointment(RequestModel):
    reason: OptionalReason = Field(
        "", description=f"Why, if the patient wants to say (at most {MAX_REASON} characters)."
    )


class CareTeamRef(ResponseModel):
    care_team_id: str
    name: str


class PreferredTimeShown(ResponseModel):
    date: str = Field(description="YYYY-MM-DD")
    time_of_day: TimeOfDay


class Slot(ResponseModel):
    starts_at: str = Field(description="ISO 8601 with the organization's offset.")
    minutes: int
    clinician: str
    place: str
    mode: Mode


class AppointmentRequest(ResponseModel):
    request_id: str
    kind: RequestKind
    appointment_id: str | None = Field(description="The visit a reschedule moves (null for a new visit).")
    care_team: CareTeamRef | None
    reason: str
    mode: Mode
    preferred: list[PreferredTimeShown]
    status: RequestStatus = Field(
        description="requested (waiting for staff), proposed (staff offered a time: the patient answers), "
        "accepted (the patient took it: staff book it), booked (staff booked it: waiting for the scheduling "
        "system), scheduled (the booking arrived: closed), declined (by staff, with a reason), withdrawn "
        "(by the patient)."
    )
    proposal: Slot | None = Field(description="The time staff proposed, while proposed or accepted.")
    booking: Slot | None = Field(description="What staff booked.")
    decline_reason: str | None
    staff_note: str | None
    requested_at: str
    updated_at: str
    scheduled_appointment_id: str | None = Field(description="The visit the booking became, once scheduled.")
    requested_by: ActingPerson | None = Field(
        description="Who asked, when someone acting for the patient under a proxy grant did; null when the patient did."
    )


class AppointmentRequestPage(ResponseModel):
    appointment_requests: list[AppointmentRequest] = Field(description="Newest first.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class AppointmentRequestsQuery(QueryModel):
    limit: Annotated[WholeNumber, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=1024)] = ""


# -- staff ----------------------------------------------------------------------------------------


class RequestPatient(ResponseModel):
    patient_id: str
    name: str
    birth_date: str = Field(description='YYYY-MM-DD ("" when the record has none).')


class StaffAppointmentRequest(AppointmentRequest):
    patient: RequestPatient
    decided_by: str | None = Field(description="The display name of who last proposed, booked or declined it.")
    appointment: PatientAppointment | None = Field(description="The visit a reschedule moves, as it stands now.")


class StaffAppointmentRequestPage(ResponseModel):
    appointment_requests: list[StaffAppointmentRequest] = Field(
        description="to_do oldest first (the longest waiting on top); waiting and done newest first."
    )
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class StaffQueueQuery(QueryModel):
    queue: Queue = Field(
        "to_do",
        description="to_do: requested and accepted; waiting: proposed and booked; done: scheduled, declined "
        "and withdrawn.",
    )
    limit: Annotated[WholeNumber, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=1024)] = ""


class SlotChoice(RequestModel):
    """A time staff book or propose."""

    starts_at: SlotStart = Field(
        description='The organization\'s wall clock ("2026-03-09T09:30") or a moment with its offset; not in the past.'
    )
    minutes: Annotated[int, Field(ge=5, le=480)] = Field(description="How long, 5 to 480 minutes.")
    clinician: SlotText = Field("", description=f"Who with (at most {MAX_SLOT_TEXT} characters).")
    place: SlotText = Field("", description=f"Where (at most {MAX_SLOT_TEXT} characters).")
    mode: Mode
    note: Note = Field("", description=f"A note the patient reads (at most {MAX_NOTE} characters).")


class DeclineAppointmentRequest(RequestModel):
    reason: Reason = Field(description=f"Why: the patient reads it (1 to {MAX_REASON} characters).")


# -- the organization's policy --------------------------------------------------------------------


class AppointmentPolicyShown(ResponseModel):
    cancel_cutoff_hours: int = Field(description="Patients may cancel online until this many hours before the start.")
    reminder_hours: list[int] = Field(description="Reminders go this many hours before the start, largest first.")
    checkin_opens_days: int = Field(description="Check-in opens this many days before the start.")
    office_phone: str = Field(description='What the portal tells a patient to call past the cutoff ("": none).')
    video_link_template: str = Field(
        description='https://... with {appointment_id}: the link of a video visit the scheduler sent none for ("": none).'
    )


class AppointmentPolicyChange(RequestModel):
    """The whole policy (a field left out takes its default). Each field's limits are checked
    together and every wrong one is named (400)."""

    cancel_cutoff_hours: int = Field(24, description="0 to 336.")
    reminder_hours: list[int] = Field([72, 24], max_length=3, description="Up to 3 distinct, each 1 to 336.")
    checkin_opens_days: int = Field(3, description="0 to 14.")
    office_phone: Annotated[str, StringConstraints(max_length=40)] = ""
    video_link_template: Annotated[str, StringConstraints(max_length=500)] = ""
