"""Visits as US Core Encounters, appointments as Appointments; and the Appointment parts the
outbound events share (the visit's mode, cancellation reasons).

- Encounter: class from the visit's class as sent ("inpatient", "outpatient", "emergency" or
  HL7's codes) as v3 ActCode, else a data-absent-reason; type from the sender's words (US Core
  requires one: "unknown" when it gave none); the clinicians as Practitioners by name; the
  organization as serviceProvider.
- Appointment: US Core does not profile Appointment, so it carries no meta.profile. A video
  visit's join link is never written (the portal hands it out only inside its window, audited).
  Its start and end as sent (the end from the start and length when only those were sent); the
  status as sent, even when the sender gave no times (FHIR's app-3 then says the resource is
  incomplete: the portal does not invent a time).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.profiles import ACT_CODE, DATA_ABSENT_REASON, PROFILES
from chalicelib.interop.writer.values import date_time, instant, instant_of, one_of, profiled, texts
from chalicelib.records.domain import StoredResult

# In person or by video: R4's Appointment has no field for it (R5 adds virtualService) and no
# value set of R4 names it, so it travels as a serviceType coding under the portal's own system.
VISIT_MODE_SYSTEM = "urn:patient-portal:visit-mode"
VISIT_MODES = {"in-person": "In-person visit", "video": "Video visit"}
# R4's example code system of cancellation reasons; "pat": the patient cancelled.
CANCELLATION_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"


def visit_mode(mode: str) -> list[dict[str, Any]]:
    """An Appointment's serviceType naming its mode ("in-person" or "video")."""
    return [
        {
            "coding": [{"system": VISIT_MODE_SYSTEM, "code": mode, "display": VISIT_MODES[mode]}],
            "text": VISIT_MODES[mode],
        }
    ]


_ENCOUNTER_STATUSES = (
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "unknown",
)
# A visit's class as the feeds say it -> v3 ActCode.
_CLASSES = {
    "inpatient": ("IMP", "inpatient encounter"),
    "i": ("IMP", "inpatient encounter"),
    "imp": ("IMP", "inpatient encounter"),
    "outpatient": ("AMB", "ambulatory"),
    "ambulatory": ("AMB", "ambulatory"),
    "o": ("AMB", "ambulatory"),
    "amb": ("AMB", "ambulatory"),
    "recurring": ("AMB", "ambulatory"),
    "emergency": ("EMER", "emergency"),
    "e": ("EMER", "emergency"),
    "emer": ("EMER", "emergency"),
    "preadmit": ("PRENC", "pre-admission"),
    "observation": ("OBSENC", "observation encounter"),
    "obstetrics": ("IMP", "inpatient encounter"),
    "virtual": ("VR", "virtual"),
    "vr": ("VR", "virtual"),
    "home health": ("HH", "home health"),
    "hh": ("HH", "home health"),
}


def encounter_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    said = str(content.get("class") or "").strip().lower()
    visit_class = (
        {"system": ACT_CODE, "code": _CLASSES[said][0], "display": _CLASSES[said][1]}
        if said in _CLASSES
        else {"system": DATA_ABSENT_REASON, "code": "unknown", "display": "Unknown"}
    )
    types: list[dict[str, Any]] = [{"text": text} for text in texts(content.get("types"))] or [
        {"coding": [{"system": DATA_ABSENT_REASON, "code": "unknown", "display": "Unknown"}]}
    ]
    resource: dict[str, Any] = {
        "resourceType": "Encounter",
        "id": entry.result_id,
        **profiled(PROFILES["Encounter"]),
        "status": one_of(content.get("status"), _ENCOUNTER_STATUSES, "unknown"),
        "class": visit_class,
        "type": types,
        "subject": writing.patient(),
    }
    clinicians = [{"individual": writing.practitioner(name)} for name in texts(content.get("clinicians"))]
    if clinicians:
        resource["participant"] = clinicians
    period = {
        key: written
        for key, written in (
            ("start", date_time(content.get("started_at"))),
            ("end", date_time(content.get("ended_at"))),
        )
        if written
    }
    if period:
        resource["period"] = period
    reasons = [{"text": text} for text in texts(content.get("reasons"))]
    if reasons:
        resource["reasonCode"] = reasons
    if content.get("discharge_disposition"):
        resource["hospitalization"] = {"dischargeDisposition": {"text": str(content["discharge_disposition"])}}
    locations = [{"location": {"display": text}} for text in texts(content.get("locations"))]
    if locations:
        resource["location"] = locations
    resource["serviceProvider"] = writing.organization()
    return resource


_APPOINTMENT_STATUSES = (
    "proposed",
    "pending",
    "booked",
    "arrived",
    "fulfilled",
    "cancelled",
    "noshow",
    "checked-in",
    "waitlist",
)


def appointment_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "id": entry.result_id,
        "status": one_of(content.get("status"), _APPOINTMENT_STATUSES, "booked"),
    }
    services = [{"text": text} for text in texts(content.get("services"))]
    if services:
        resource["serviceType"] = services
    specialties = [{"text": text} for text in texts(content.get("specialties"))]
    if specialties:
        resource["specialty"] = specialties
    if content.get("type"):
        resource["appointmentType"] = {"text": str(content["type"])}
    if content.get("description"):
        resource["description"] = str(content["description"])
    start, end = instant_of(content.get("starts_at")), instant_of(content.get("ends_at"))
    minutes = content.get("minutes")
    minutes = minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0 else None
    if start and not end and minutes:
        end = instant(datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(minutes=minutes))
    if start:
        resource["start"] = start
    if end and end >= start:
        resource["end"] = end
    if minutes:
        resource["minutesDuration"] = minutes
    if content.get("instructions"):
        resource["patientInstruction"] = str(content["instructions"])
    participants: list[dict[str, Any]] = [{"actor": writing.patient(), "status": "accepted"}]
    participants += [{"actor": writing.practitioner(name), "status": "accepted"} for name in texts(content.get("with"))]
    participants += [{"actor": {"display": text}, "status": "accepted"} for text in texts(content.get("locations"))]
    resource["participant"] = participants
    return resource
