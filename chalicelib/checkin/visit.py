"""A visit as check-in sees it: the appointment entry of the patient's record with its
organization's zone and policy, what its visit type asks (questionnaire, forms and the patient's
signatures of them), and the state and steps shown for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import PatientScope
from chalicelib.access.service import AccessPorts
from chalicelib.appointments import domain as appointments
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.appointments.stores import AppointmentRequests
from chalicelib.checkin import forms as visit_forms
from chalicelib.checkin import kept, signing
from chalicelib.checkin.domain import CheckInRecord, Questionnaire, read_questionnaire
from chalicelib.checkin.stores import CheckIns
from chalicelib.checkin.window import NOT_HAPPENING, window
from chalicelib.errors import NotFound
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.outbound import producer
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import StoredResult
from chalicelib.records.stores import Records
from chalicelib.records.visible import record_view

APPOINTMENT_KIND = "appointment"
NO_SUCH_VISIT = "No such appointment."


class CheckInPorts(AccessPorts, producer.OutboundPorts, visit_forms.FormPorts, signing.SignaturePorts, Protocol):
    @property
    def patients(self) -> Patients: ...

    @property
    def records(self) -> Records: ...

    @property
    def checkins(self) -> CheckIns: ...

    @property
    def appointment_requests(self) -> AppointmentRequests: ...


@dataclass(frozen=True)
class Visit:
    """An appointment of the patient's record, with what check-in needs around it."""

    patient: Patient
    entry: StoredResult
    zone_name: str
    policy: AppointmentPolicy
    starts_at: datetime | None
    status: str
    mrn_authority: str
    # The patient cancelled it in the portal: the feed may still say booked until the scheduling
    # system files the cancellation, but there is nothing to check in for from the moment it is kept.
    cancelled_by_patient: bool = False

    @property
    def appointment_id(self) -> str:
        return self.entry.result_id

    @property
    def type(self) -> str:
        return str(self.entry.content.get("type") or "")

    @property
    def happening(self) -> bool:
        return not self.entry.withdrawn and self.status not in NOT_HAPPENING and not self.cancelled_by_patient


@dataclass(frozen=True)
class Asked:
    """What the visit type asks: its questionnaire (None: none) and its forms with their signatures."""

    questionnaire: Questionnaire | None
    forms: list[dict[str, Any]]

    @property
    def forms_signed(self) -> bool:
        return all(form["signed"] is not None for form in self.forms)


def visit_of(ports: CheckInPorts, patient_id: str, appointment_id: str, scope: PatientScope | None = None) -> Visit:
    """The appointment of a patient already in the caller's scope, or NotFound (also when the
    scope's view does not show it: a visit from a parent's cutoff on)."""
    patient = ports.patients.get(patient_id)
    entry = (
        ports.records.current(patient_id, appointment_id, APPOINTMENT_KIND)
        if RECORD_ID.fullmatch(appointment_id or "")
        else None
    )
    if patient is None or entry is None or (scope is not None and not record_view(ports, scope).shows_item(entry)):
        raise NotFound(NO_SUCH_VISIT)
    organization = ports.directory.organization(patient.organization_id)
    zone_name = (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE
    mark = ports.appointment_requests.visit_mark(patient_id, appointment_id)
    return Visit(
        patient=patient,
        entry=entry,
        zone_name=zone_name,
        policy=policy_of(organization),
        starts_at=appointments.moment(str(entry.content.get("starts_at") or ""), zone_name),
        status=appointments.status_of(str(entry.content.get("status") or "")),
        mrn_authority=organization.mrn_authority if organization else "",
        cancelled_by_patient=mark is not None and mark.cancelled_at is not None,
    )


def state_of(visit: Visit, record: CheckInRecord | None, now: datetime) -> tuple[str, str, str]:
    """(state, opens_at, closes_at) shown: completed once finished; closed for a visit that will
    not happen or whose start is unknown; else the window's."""
    if visit.starts_at is None:
        return ("completed" if record and record.completed_at else "closed"), "", ""
    state, opens_at, closes_at = window(visit.policy, visit.starts_at, now, visit.zone_name)
    if record is not None and record.completed_at is not None:
        state = "completed"  # type: ignore[assignment]
    elif not visit.happening:
        state = "closed"
    return state, opens_at.isoformat(), closes_at.isoformat()


def asked_of(ports: CheckInPorts, visit: Visit, record: CheckInRecord | None = None) -> Asked:
    """What the check-in asks: the visit type's questionnaire and forms (current versions), with
    what the patient signed for this visit; but what the check-in was done against where it kept
    it (checkin/kept.py: the questionnaire answered, the forms listed at completion, and every
    form signed for the visit)."""
    organization_id = visit.patient.organization_id
    visit_type = visit_forms.visit_type_for(ports, organization_id, visit.type)
    questionnaire = read_questionnaire(visit_type.questionnaire, visit_type.visit_type_id) if visit_type else None
    forms = visit_forms.current_forms(ports, organization_id, visit_type.form_ids) if visit_type else []
    return Asked(
        kept.questionnaire_of(record, questionnaire),
        kept.forms_of(ports, organization_id, visit.patient.patient_id, visit.appointment_id, record, forms),
    )


def steps_of(record: CheckInRecord | None, asked: Asked) -> dict[str, bool]:
    return {
        "details": record is not None and record.confirmed_at is not None,
        "questionnaire": asked.questionnaire is None or (record is not None and record.answers is not None),
        "forms": asked.forms_signed,
    }
