"""What the patient's and staff's sides of appointment requests share: the ports, the patient and
organization a request is about, how a request is shown to each side, the FHIR Appointment each
step sends and the patient's notice. One place, so both sides show and send a request alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.service import AccessPorts
from chalicelib.appointments import requests
from chalicelib.appointments.check_in_window import CompletedCheckIns
from chalicelib.appointments.requests import AppointmentRequest, Slot
from chalicelib.appointments.stores import AppointmentRequests
from chalicelib.careteams.stores import CareTeams
from chalicelib.errors import NotFound
from chalicelib.kernel.clock import iso
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.notifications.deliveries import about_patient
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import APPOINTMENT, InvalidOutboundEvent, OutboundEvent
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.outbox import OutboxEntry
from chalicelib.records.stores import Records
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry

NO_REQUEST = "No such appointment request."
NO_APPOINTMENT = "No such appointment."
NOTICE_TEMPLATE = "appointment_request_update"
# The contract's words for a visit's mode, and FHIR's (outbound.fhir.VISIT_MODES).
FHIR_MODE = {"in_person": "in-person", "video": "video"}


class RequestPorts(AccessPorts, outbox.OutboxPorts, producer.OutboundPorts, Protocol):
    @property
    def patients(self) -> Patients: ...

    @property
    def records(self) -> Records: ...

    @property
    def care_teams(self) -> CareTeams: ...

    @property
    def appointment_requests(self) -> AppointmentRequests: ...

    @property
    def checkins(self) -> CompletedCheckIns: ...  # each appointment shown carries its check_in


def patient_of(ports: RequestPorts, patient_id: str) -> Patient:
    patient = ports.patients.get(patient_id)
    if patient is None:  # merged away after the access check: as for any unknown patient
        raise NotFound("No such patient.")
    return patient


def zone_of(ports: RequestPorts, organization_id: str) -> str:
    organization = ports.directory.organization(organization_id)
    return (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE


def subject_of(ports: RequestPorts, patient: Patient) -> fhir.PatientIdentifier | None:
    """The patient as the clinical systems know them (their MRN), or None when they have none
    under the organization's authority: the request is kept, staff see it, and nothing is sent
    that could not name its patient."""
    organization = ports.directory.organization(patient.organization_id)
    try:
        return fhir.patient_identifier(patient.identifiers, organization.mrn_authority if organization else "")
    except InvalidOutboundEvent:
        return None


def request_subject(request: AppointmentRequest) -> fhir.PatientIdentifier | None:
    """The MRN the request was first sent under: its later steps name the same patient."""
    if not request.subject_value:
        return None
    return fhir.PatientIdentifier(request.subject_system, request.subject_value)


def outbound(request: AppointmentRequest, step: str, resource: dict[str, Any], now: datetime) -> OutboundEvent:
    """One event id per request and step, so a resend of a step is folded and each step is sent."""
    return producer.event(
        f"appointment-request-{request.request_id}-{step}",
        request.patient_id,
        APPOINTMENT,
        resource,
        request.subject_system,
        now,
    )


def notice(request: AppointmentRequest, now: datetime) -> OutboxEntry:
    """To the account that asked: that there is an update, nothing of what it is. One id per
    version, so each update is told once, however often the change is retried."""
    entry = {
        "notification_id": f"appointment-request-{request.request_id}-{request.version}",
        "template": NOTICE_TEMPLATE,
        "account_id": request.requested_by,
    }
    return notice_entry(entry, now, about_patient(request.patient_id))


def slot_json(slot: Slot | None, zone_name: str) -> dict[str, Any] | None:
    if slot is None:
        return None
    return {
        "starts_at": requests.in_zone(slot.starts_at, zone_name),
        "minutes": slot.minutes,
        "clinician": slot.clinician,
        "place": slot.place,
        "mode": slot.mode,
    }


def shown(request: AppointmentRequest, zone_name: str) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "kind": request.kind,
        "appointment_id": request.appointment_id or None,
        "care_team": {"care_team_id": request.care_team_id, "name": request.care_team_name}
        if request.care_team_id
        else None,
        "reason": request.reason,
        "mode": request.mode,
        "preferred": [{"date": p.day.isoformat(), "time_of_day": p.time_of_day} for p in request.preferred],
        "status": request.status.value,
        # A proposal stands while the patient weighs it and once they take it (staff book it then).
        "proposal": slot_json(request.proposal, zone_name)
        if request.status in (requests.Status.PROPOSED, requests.Status.ACCEPTED)
        else None,
        "booking": slot_json(request.booking, zone_name),
        "decline_reason": request.decline_reason or None,
        "staff_note": request.staff_note or None,
        "requested_at": iso(request.requested_at),
        "updated_at": iso(request.updated_at),
        "scheduled_appointment_id": request.scheduled_appointment_id or None,
        "requested_by": request.acted_by.as_json() if request.acted_by else None,
    }


def staff_shown(request: AppointmentRequest, zone_name: str, appointment: dict[str, Any] | None) -> dict[str, Any]:
    """From the queue copy: it holds the patient as they were when they asked."""
    return {
        **shown(request, zone_name),
        "patient": {
            "patient_id": request.patient_id,
            "name": request.patient_name,
            "birth_date": request.patient_birth_date,
        },
        "decided_by": request.decided_by_name or None,
        "appointment": appointment,
    }
