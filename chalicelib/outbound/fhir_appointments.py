"""The outbound Appointments: a visit the patient asks for ("proposed"), asks to move, or
cancels; staff's booking of a request; a request closed without a visit. R4 Appointments
validated as every outbound resource is (outbound.fhir_parts); the visit's mode and R4's
cancellation reasons are the FHIR writer's (interop.writer.visits), as the record's appointments
are written with them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from chalicelib.interop.writer.values import CARE_TEAM_SYSTEM, PatientIdentifier, identified
from chalicelib.interop.writer.visits import CANCELLATION_REASON_SYSTEM, VISIT_MODES, visit_mode
from chalicelib.outbound.domain import InvalidOutboundEvent
from chalicelib.outbound.fhir_parts import checked_text, instant_at, validated

# The portal's id of a patient's request for a visit (the scheduling system's own id of a booked
# appointment is sent under the system the feed gave it with).
APPOINTMENT_REQUEST_SYSTEM = "urn:patient-portal:appointment-request"
MAX_PREFERRED = 20  # preferred periods of an appointment request: a patient's choices, not a calendar


def appointment_request(
    *,
    request_id: str,
    patient: PatientIdentifier,
    care_team_id: str,
    reason: str,
    preferred: Sequence[tuple[datetime, datetime]],
    mode: str,
    created: datetime,
    moves: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A patient's request for a visit: an Appointment "proposed", without start or end (staff
    book the time), the days and times the patient prefers as ``requestedPeriod``. The patient
    takes part ("accepted": they asked); the care team is asked ("needs-action"), as a
    HealthcareService, since R4 does not let a CareTeam be an Appointment's participant. ``mode``
    is "in-person" or "video". A request to move a booked visit names that visit by the scheduling
    system's id, ``moves`` = (system, value), as ``supportingInformation``, and has no care team
    when the visit named none (``care_team_id`` "": the scheduler knows whose visit it is)."""
    if mode not in VISIT_MODES:
        raise InvalidOutboundEvent(f"an appointment's mode is one of {', '.join(VISIT_MODES)}")
    if not preferred or len(preferred) > MAX_PREFERRED:
        raise InvalidOutboundEvent(f"an appointment request has 1 to {MAX_PREFERRED} preferred periods")
    periods = []
    for start, end in preferred:
        if instant_at(end) <= instant_at(start):
            raise InvalidOutboundEvent("a preferred period ends after it starts")
        periods.append({"start": instant_at(start), "end": instant_at(end)})
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": APPOINTMENT_REQUEST_SYSTEM, "value": request_id}],
        "status": "proposed",
        "serviceType": visit_mode(mode),
        "reasonCode": [{"text": checked_text(reason, "an appointment's reason")}],
        "created": instant_at(created),
        "requestedPeriod": periods,
        "participant": [{"actor": patient.reference(), "required": "required", "status": "accepted"}],
    }
    if care_team_id:
        resource["participant"].append(
            {
                "actor": identified("HealthcareService", CARE_TEAM_SYSTEM, care_team_id),
                "required": "required",
                "status": "needs-action",
            }
        )
    if moves is not None:
        system, value = moves
        if not system.strip() or not value.strip():
            raise InvalidOutboundEvent("the visit a request moves is named by its scheduling system and id")
        resource["supportingInformation"] = [identified("Appointment", system, value)]
    return validated(resource)


def appointment_cancellation(
    *,
    appointment: tuple[str, str],
    patient: PatientIdentifier,
    reason: str,
) -> dict[str, Any]:
    """The patient cancels a booked visit: an Appointment "cancelled", identified by the
    scheduling system's own id, ``appointment`` = (system, value) as the feed gave it, so the
    engine finds its booking. ``cancelationReason``: R4's code "pat" (the patient cancelled) and the
    patient's words as its text. The patient "declined"."""
    system, value = appointment
    if not system.strip() or not value.strip() or len(system) > 256 or len(value) > 100:
        raise InvalidOutboundEvent("a cancelled appointment is named by its scheduling system and id")
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": system, "value": value}],
        "status": "cancelled",
        "cancelationReason": {
            "coding": [{"system": CANCELLATION_REASON_SYSTEM, "code": "pat", "display": "Patient"}],
            "text": checked_text(reason, "a cancellation's reason"),
        },
        "participant": [{"actor": patient.reference(), "status": "declined"}],
    }
    return validated(resource)


def appointment_booking(
    *,
    request_id: str,
    patient: PatientIdentifier,
    care_team_id: str,
    start: datetime,
    minutes: int,
    mode: str,
    clinician: str = "",
    place: str = "",
    note: str = "",
) -> dict[str, Any]:
    """Staff booked a patient's request: an Appointment "booked" with the request's identifier
    (the one its "proposed" carried, so the engine updates that resource) and the slot. The
    clinician and place are staff's words, so they travel as text (``participant.actor.display``
    and a Location by display): the portal has no ids of the scheduler's people or rooms. The
    booking is made in the scheduling system too; its feed message closes the request."""
    if mode not in VISIT_MODES:
        raise InvalidOutboundEvent(f"an appointment's mode is one of {', '.join(VISIT_MODES)}")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        raise InvalidOutboundEvent("a booked appointment lasts 1 to 1440 minutes")
    participants: list[dict[str, Any]] = [{"actor": patient.reference(), "required": "required", "status": "accepted"}]
    if care_team_id:
        participants.append(
            {
                "actor": identified("HealthcareService", CARE_TEAM_SYSTEM, care_team_id),
                "required": "required",
                "status": "accepted",
            }
        )
    if clinician.strip():
        participants.append(
            {
                "actor": {"type": "Practitioner", "display": clinician[:200]},
                "required": "required",
                "status": "accepted",
            }
        )
    if place.strip():
        participants.append(
            {"actor": {"type": "Location", "display": place[:200]}, "required": "required", "status": "accepted"}
        )
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": APPOINTMENT_REQUEST_SYSTEM, "value": request_id}],
        "status": "booked",
        "serviceType": visit_mode(mode),
        "start": instant_at(start),
        "end": instant_at(start + timedelta(minutes=minutes)),
        "minutesDuration": minutes,
        "participant": participants,
    }
    if note.strip():
        resource["comment"] = checked_text(note, "a booking's note")
    return validated(resource)


# Who closed a request without a visit: the patient withdrew it, or the clinic declined it (R4's
# appointment cancellation reasons "pat" and "prov").
_CLOSED_BY = {"patient": ("pat", "Patient", "declined"), "clinic": ("prov", "Provider", "declined")}


def appointment_request_closed(
    *,
    request_id: str,
    patient: PatientIdentifier,
    care_team_id: str,
    by: str,
    reason: str = "",
) -> dict[str, Any]:
    """A patient's request that will not become a visit: the Appointment its "proposed" began,
    now "cancelled", with who ended it as ``cancelationReason`` ("pat": the patient withdrew it;
    "prov": the clinic declined it, its reason as text) and that side's participation "declined".
    So the engine closes what it opened for the request instead of leaving it proposed for good."""
    if by not in _CLOSED_BY:
        raise InvalidOutboundEvent("a request is closed by the patient or the clinic")
    code, display, declined = _CLOSED_BY[by]
    cancelation: dict[str, Any] = {"coding": [{"system": CANCELLATION_REASON_SYSTEM, "code": code, "display": display}]}
    if reason.strip():
        cancelation["text"] = checked_text(reason, "a request's closing reason")
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": APPOINTMENT_REQUEST_SYSTEM, "value": request_id}],
        "status": "cancelled",
        "cancelationReason": cancelation,
        "participant": [{"actor": patient.reference(), "status": declined if by == "patient" else "accepted"}],
    }
    if care_team_id:
        resource["participant"].append(
            {
                "actor": identified("HealthcareService", CARE_TEAM_SYSTEM, care_team_id),
                "status": declined if by == "clinic" else "accepted",
            }
        )
    return validated(resource)
