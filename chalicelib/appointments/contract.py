"""What the appointments routes take and give (see kernel/contract.py): the patient's
appointments to come or gone by, a page at a time, as the feeds sent them, each time in the
organization's zone."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.kernel.contract import ResponseModel
from chalicelib.records.contract import NEXT_CURSOR, RecordsPageQuery


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
    check_in: AppointmentCheckIn | None = Field(
        None,
        description="null when check-in does not apply (cancelled, past); else its state (not_open, open, "
        "completed, closed) and window (opens_at, closes_at: the start) and when it was completed.",
    )


class PatientAppointmentPage(ResponseModel):
    appointments: list[PatientAppointment]
    time_zone: str = Field(description="The organization's time zone, that the times are given in.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
