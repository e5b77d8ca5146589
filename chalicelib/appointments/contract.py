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
    video: VideoWindow | None = Field(None, description="Null unless a video visit still to be held.")


class PatientAppointmentPage(ResponseModel):
    appointments: list[PatientAppointment]
    time_zone: str = Field(description="The organization's time zone, that the times are given in.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)
