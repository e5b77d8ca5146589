"""Pure rules of appointments: which side of now one falls on, its times in the organization's
zone, its status in one spelling, and whether the sender said it is a video visit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from chalicelib.kernel.zones import UnknownZone, with_offset, zone

When = Literal["upcoming", "past"]
Mode = Literal["in_person", "video"]

# The statuses the page has words for (FHIR Appointment.status, and what SIU events become);
# senders spell some of them differently ("canceled", "no-show"). Anything else is kept as sent.
KNOWN_STATUSES = (
    "proposed",
    "pending",
    "booked",
    "arrived",
    "checked-in",
    "fulfilled",
    "cancelled",
    "noshow",
    "entered-in-error",
    "waitlist",
)
_STATUS_SPELLINGS = {
    "canceled": "cancelled",
    "no-show": "noshow",
    "no show": "noshow",
    "checkedin": "checked-in",
    "checked in": "checked-in",
}

# Words by which a sender marks a visit held over video (an appointment type, a service, a
# location); and those by which it says the patient comes in. Nothing said: neither.
_VIDEO = re.compile(r"\b(video|telehealth|tele-health|telemedicine|virtual)\b", re.IGNORECASE)
_IN_PERSON = re.compile(r"\b(in[- ]person|office visit)\b", re.IGNORECASE)


def moment(text: str, zone_name: str) -> datetime | None:
    """The moment an ISO time names (a time without an offset is the organization's wall clock);
    None for a date alone, text, or nothing."""
    if not text or "T" not in text:
        return None
    try:
        parsed = datetime.fromisoformat(with_offset(text, zone_name).replace("Z", "+00:00"))
    except (ValueError, UnknownZone):
        return None
    return parsed if parsed.tzinfo is not None else None


def in_zone(text: str, zone_name: str) -> str:
    """An ISO time as the organization's clock reads it, with its offset ("2013-12-10T09:00:00Z"
    in New York is "2013-12-10T04:00:00-05:00"); what is not a time, as sent."""
    at = moment(text, zone_name)
    if at is None:
        return text
    try:
        return at.astimezone(zone(zone_name)).isoformat()
    except UnknownZone:
        return at.isoformat()


def when(starts_at: str, now: datetime, zone_name: str) -> When:
    """Upcoming from its start on (a visit starting this minute is still to come), past before;
    one whose start is unknown is past (nothing to come can be said of it)."""
    at = moment(starts_at, zone_name)
    return "upcoming" if at is not None and at >= now else "past"


def status_of(sent: str) -> str:
    """The status in the one spelling the page knows ("canceled" is "cancelled"); any other, as sent."""
    word = " ".join(str(sent or "").split()).lower()
    return _STATUS_SPELLINGS.get(word, word)


def mode_of(content: dict[str, Any]) -> Mode | None:
    """Video when the sender's type, services, description or locations say so; in person when
    they say that; None when the sender did not say (the page then says nothing of it)."""
    words = " ".join(
        [str(content.get("type") or ""), str(content.get("description") or "")]
        + [str(s) for s in content.get("services") or []]
        + [str(s) for s in content.get("locations") or []]
    )
    if _VIDEO.search(words):
        return "video"
    if _IN_PERSON.search(words):
        return "in_person"
    return None


@dataclass(frozen=True)
class AppointmentFiled:
    """An appointment the feed just filed (new, changed, or this same message again after a
    failure further on), as the steps of chalicelib.filing.appointments see it. ``ports`` is the
    container: each step declares, as a Protocol of its own, the ports it uses."""

    ports: Any
    organization_id: str
    patient_id: str
    entry_id: str  # the records entry (PatientAppointment.id)
    content: dict[str, Any]  # the version stored now: status, starts_at, ends_at, type ...
    withdrawn: bool  # the sender took it back (entered in error): as good as cancelled
    ids: tuple[Any, ...]  # the message's identifiers (interop SentIdentifier: scheduler's, placer's)
    now: datetime
    time_zone: str
