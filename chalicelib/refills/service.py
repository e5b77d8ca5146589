"""The patient's medications with whether each may be refilled online, refill requests, and the
staff's decisions on them.

A patient reaches a record only through the one access check (access.patient_scope): another
patient's medication or request is not found. Staff reach their own organization's queue only: a
request is read from the caller's organization's partition, so another's is simply not there.

Each change is one transaction with what it sets off (data/refills.py): the outbound FHIR Task
(requested, then accepted or rejected) and, for a decision, the notice to the account that asked.
Both are then sent at once; what a refused send leaves waits for the five-minute drain, so an
outage of SQS loses nothing and sends nothing twice (the Task's event id is SQS's deduplication
id; the notice's id is the notifications consumer's).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.access.acting import acted_by
from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, caller_actor, scope_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_patient
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import REFILL_REQUEST, InvalidOutboundEvent
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import StoredResult
from chalicelib.records.outbox import OutboxEntry
from chalicelib.records.stores import Records
from chalicelib.records.visible import RecordView, record_view
from chalicelib.refills.contract import NewRefillRequest, RefillDecision
from chalicelib.refills.controlled import controlled_substances
from chalicelib.refills.domain import (
    DECIDED,
    Medication,
    MedicationDetail,
    Pharmacy,
    RefillRequest,
    Status,
    eligibility,
    explanation,
)
from chalicelib.refills.stores import RefillRequests
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry

MEDICATION_KIND = "medication"
MEDICATIONS_AT_MOST = 500  # entries read for one list: a record holds far fewer
_PAGE = 100
NOTICE_TEMPLATE = "refill_request_decided"


class RefillPorts(AccessPorts, outbox.OutboxPorts, producer.OutboundPorts, Protocol):
    @property
    def patients(self) -> Patients: ...

    @property
    def records(self) -> Records: ...

    @property
    def refills(self) -> RefillRequests: ...


# -- the medication list ----------------------------------------------------------------------------


def medications(ports: RefillPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MEDICATIONS)
    patient = _patient(ports, scope.patient_id)
    organization = ports.directory.organization(patient.organization_id)
    today = _local_day(organization.time_zone if organization else "UTC", now)
    identified = _subject(patient, organization.mrn_authority if organization else "") is not None
    pending = ports.refills.pending(scope.patient_id)
    entries = record_view(ports, scope).only_shown(_entries(ports, scope.patient_id, now))
    listed = [Medication.from_entry(entry.result_id, entry.content) for entry in entries]
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "medications.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="MedicationRequest",
        reason=f"count:{len(listed)}",
    )
    listed.sort(key=lambda m: (not m.active, m.name.casefold(), m.medication_id))
    return {"medications": [_medication(m, today, pending.get(m.medication_id, ""), identified) for m in listed]}


def request_date(request: RefillRequest) -> datetime:
    """A refill request's date: when it was asked for (a proxy's cutoff hides later ones)."""
    return request.requested_at


def _shows_request(ports: RefillPorts, view: RecordView, request: RefillRequest, medications: dict[str, bool]) -> bool:
    """Whether a scope that filters (a proxy's) shows a refill request: asked for before its
    cutoff, and for a medication it shows (as /medications lists them). A request names its
    medication, so one for a medication that is sensitive care, or no longer on the record to
    be checked, is not shown at all."""
    if not view.shows(request_date(request)):
        return False
    if request.medication_id not in medications:
        stored = ports.records.current(request.patient_id, request.medication_id, MEDICATION_KIND)
        medications[request.medication_id] = stored is not None and view.shows_item(stored)
    return medications[request.medication_id]


def _entries(ports: RefillPorts, patient_id: str, now: datetime) -> list[StoredResult]:
    found: list[StoredResult] = []
    cursor = ""
    while len(found) < MEDICATIONS_AT_MOST:
        page, cursor = ports.records.page(patient_id, "", now, _PAGE, cursor, prefix=f"{MEDICATION_KIND}#")
        found += page
        if not cursor:
            break
    return found[:MEDICATIONS_AT_MOST]


def _medication(medication: Medication, today: date, pending_request_id: str, identified: bool) -> dict[str, Any]:
    verdict = eligibility(medication, controlled_substances(), today, pending_request_id, identified=identified)
    return {
        "medication_id": medication.medication_id,
        "name": medication.name,
        "dosage": list(medication.dosage),
        "prescriber": medication.prescriber,
        "authored_on": medication.authored_on,
        "status": medication.status,
        "refills_allowed": medication.refills_allowed,
        "expires_on": medication.expires_on or None,
        "refill": {
            "can_request": verdict.can_request,
            "reason": verdict.reason.value if verdict.reason else None,
            "schedule": verdict.schedule or None,
            "pending_request_id": verdict.pending_request_id or None,
        },
    }


# -- the patient's requests -------------------------------------------------------------------------


def request_refill(
    ports: RefillPorts, caller: Caller, origin: Origin, patient_id: str, body: NewRefillRequest, now: datetime
) -> dict[str, Any]:
    """Keep the request with its outbound Task, or refuse it (409) with the reason in words and as
    a code. The rules are those the list shows, checked again here: the list may be old."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MEDICATIONS, acts=True)
    stored = ports.records.current(scope.patient_id, body.medication_id, MEDICATION_KIND)
    if stored is None or not stored.shown_to_patient(now) or not record_view(ports, scope).shows_item(stored):
        raise NotFound("No such medication.")
    medication = Medication.from_entry(stored.result_id, stored.content)
    patient = _patient(ports, scope.patient_id)
    organization = ports.directory.organization(patient.organization_id)
    if organization is None:  # a record always belongs to a known organization
        raise NotFound("No such medication.")
    pending = ports.refills.pending(scope.patient_id).get(medication.medication_id, "")
    subject = _subject(patient, organization.mrn_authority)
    verdict = eligibility(
        medication,
        controlled_substances(),
        _local_day(organization.time_zone, now),
        pending,
        identified=subject is not None,
    )
    if verdict.reason is not None:
        write_audit(
            ports,
            origin,
            scope_actor(caller, scope),
            "refill.refused",
            action=Action.CREATE,
            patient_id=scope.patient_id,
            resource_type="MedicationRequest",
            resource_id=medication.medication_id,
            reason=verdict.reason.value,
        )
        raise Conflict(
            explanation(verdict.reason, verdict.schedule),
            [{"field": "medication_id", "issue": verdict.reason.value}],
        )
    request = RefillRequest(
        request_id=new_id(),
        patient_id=scope.patient_id,
        organization_id=patient.organization_id,
        medication_id=medication.medication_id,
        medication_name=medication.name,
        pharmacy=Pharmacy(body.pharmacy.name, body.pharmacy.phone or "", body.pharmacy.address or ""),
        note=body.note,
        status=Status.REQUESTED,
        requested_at=now,
        requested_by=caller.account_id,
        acted_by=acted_by(ports.proxy_grants, scope),
        subject_system=subject.system if subject else "",
        subject_value=subject.value if subject else "",
        patient_name=patient.shown_name,
        patient_birth_date=patient.birth_date,
        detail=MedicationDetail(
            medication.dosage, medication.prescriber, medication.refills_allowed, medication.expires_on
        ),
    )
    assert subject is not None  # eligibility refused the request otherwise
    event = _task_event(subject, patient.patient_id, medication, request, now)
    # The audit event is written with the request: an audit write failing after it would answer
    # 503 for a request that was kept, and its retry (the same Idempotency-Key, released with the
    # failure) would meet its own pending mark and be refused.
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "refill.requested",
        action=Action.CREATE,
        patient_id=scope.patient_id,
        resource_type="Task",
        resource_id=request.request_id,
    )
    try:
        ports.refills.add(request, event, audit)
    except Conflict as error:  # another request for it was kept a moment ago
        raise Conflict(error.message, [{"field": "medication_id", "issue": "request_pending"}]) from None
    producer.send_now(ports, event)
    return _shown(request)


def patient_requests(
    ports: RefillPorts, caller: Caller, origin: Origin, patient_id: str, limit: int, cursor: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MEDICATIONS)
    requests, next_cursor = ports.refills.patient_page(scope.patient_id, limit, cursor)
    view = record_view(ports, scope)
    if not view.everything:
        medications: dict[str, bool] = {}  # each medication read once a page
        requests = [r for r in requests if _shows_request(ports, view, r, medications)]
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "refill_requests.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Task",
        reason=f"count:{len(requests)}",
    )
    return {"refill_requests": [_shown(r) for r in requests], "next_cursor": next_cursor or None}


def patient_request(
    ports: RefillPorts, caller: Caller, origin: Origin, patient_id: str, request_id: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MEDICATIONS)
    found = ports.refills.of_patient(scope.patient_id, request_id) if RECORD_ID.fullmatch(request_id) else None
    view = record_view(ports, scope)
    if found is None or not (view.everything or _shows_request(ports, view, found, {})):
        raise NotFound("No such refill request.")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "refill_request.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Task",
        resource_id=request_id,
    )
    return _shown(found)


# -- the staff queue --------------------------------------------------------------------------------


def queue(ports: RefillPorts, caller: Caller, origin: Origin, status: str, limit: int, cursor: str) -> dict[str, Any]:
    requests, next_cursor = ports.refills.queue_page(caller.organization_id, Status(status), limit, cursor)
    shown = [_staff_shown(request) for request in requests]
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "refill_queue.read",
        action=Action.READ,
        resource_type="Task",
        reason=f"{status} count:{len(requests)}",
    )
    return {"refill_requests": shown, "next_cursor": next_cursor or None}


def staff_request(ports: RefillPorts, caller: Caller, origin: Origin, request_id: str) -> dict[str, Any]:
    request = _of_organization(ports, caller, request_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "refill_request.read",
        action=Action.READ,
        patient_id=request.patient_id,
        resource_type="Task",
        resource_id=request_id,
    )
    return _staff_shown(request)


def decide(
    ports: RefillPorts, caller: Caller, origin: Origin, request_id: str, body: RefillDecision, now: datetime
) -> dict[str, Any]:
    """Approve or deny a waiting request: the decision, the Task accepted or rejected, and the
    notice to the account that asked, in one write; then both sent."""
    request = _of_organization(ports, caller, request_id)
    if not request.waiting:
        raise Conflict(DECIDED)
    problems = Problems()
    if body.decision == "denied" and not body.reason:
        problems.add("reason", "required", "Say why the refill is denied: the patient reads it.")
    if body.decision == "approved" and body.reason:
        # The patient reads decision_reason as why it was denied: an approval carries none.
        problems.add("reason", "not_allowed", "An approval has no reason: leave it empty.")
    problems.raise_if_any("A denial needs its reason, and an approval has none.")
    account = ports.directory.account(caller.account_id)
    decided = dataclasses.replace(
        request,
        status=Status(body.decision),
        decided_at=now,
        decided_by=caller.account_id,
        decided_by_name=account.username if account is not None else "",
        decision_reason=body.reason or "",
    )
    stored = ports.records.current(request.patient_id, request.medication_id, MEDICATION_KIND)
    medication = (
        Medication.from_entry(stored.result_id, stored.content)
        if stored is not None
        else Medication(request.medication_id, request.medication_name, "active")
    )
    # The MRN the request was sent under, else the patient's current one: a decision is always
    # possible, and when neither is known it is kept without a Task (the care team decided in the
    # clinical system already, or will on the phone) rather than refused every time.
    subject = _request_subject(ports, request)
    event = _task_event(subject, request.patient_id, medication, decided, now) if subject is not None else None
    if event is None:
        logger.warning("refill decided without an outbound task: the patient has no MRN", request_id=request_id)
    notice = _notice(decided, now)
    clears_mark = ports.refills.pending(request.patient_id).get(request.medication_id) == request.request_id
    audit = audit_event(  # written with the decision, as a request's is (request_refill says why)
        ports,
        origin,
        caller_actor(caller),
        f"refill.{decided.status.value}",
        action=Action.UPDATE,
        patient_id=request.patient_id,
        resource_type="Task",
        resource_id=request_id,
    )
    ports.refills.decide(decided, event, notice, clears_mark, audit)
    if event is not None:
        producer.send_now(ports, event)
    outbox.send_now(ports, notice, now)
    return _staff_shown(decided)


# -- helpers --------------------------------------------------------------------------------------


def _patient(ports: RefillPorts, patient_id: str) -> Patient:
    patient = ports.patients.get(patient_id)
    if patient is None:  # merged away after the access check: as for any unknown patient
        raise NotFound("No such patient.")
    return patient


def _of_organization(ports: RefillPorts, caller: Caller, request_id: str) -> RefillRequest:
    found = (
        ports.refills.of_organization(caller.organization_id, request_id) if RECORD_ID.fullmatch(request_id) else None
    )
    if found is None:
        raise NotFound("No such refill request.")
    return found


def _local_day(time_zone: str, now: datetime) -> date:
    """The organization's date: a prescription good through a day is good until its midnight there."""
    try:
        return now.astimezone(ZoneInfo(time_zone)).date()
    except (KeyError, ValueError):
        return now.date()


def _subject(patient: Patient, mrn_authority: str) -> fhir.PatientIdentifier | None:
    """The patient as the clinical systems know them, or None when they have no MRN under the
    organization's authority (or it has none): a Task could not name them."""
    try:
        return fhir.patient_identifier(patient.identifiers, mrn_authority)
    except InvalidOutboundEvent:
        return None


def _request_subject(ports: RefillPorts, request: RefillRequest) -> fhir.PatientIdentifier | None:
    if request.subject_value:
        return fhir.PatientIdentifier(request.subject_system, request.subject_value)
    patient = ports.patients.get(request.patient_id)
    organization = ports.directory.organization(request.organization_id)
    if patient is None or organization is None:
        return None
    return _subject(patient, organization.mrn_authority)


def _task_event(
    subject: fhir.PatientIdentifier, patient_id: str, medication: Medication, request: RefillRequest, now: datetime
) -> Any:
    """The request's FHIR Task as it now stands, as an outbound event: one event id per status, so
    a resend of the same step is folded and each step is sent."""
    status = {Status.REQUESTED: "requested", Status.APPROVED: "accepted", Status.DENIED: "rejected"}[request.status]
    task = fhir.refill_task(
        request_id=request.request_id,
        patient=subject,
        prescription=fhir.Prescription(
            medication=request.medication_name or medication.name or "Medication",
            system=medication.prescription_system,
            value=medication.prescription_value,
            rxnorm=medication.rxnorm[0] if medication.rxnorm else "",
        ),
        status=status,
        authored=request.requested_at,
        changed=now,
        note=request.note,
        reason=request.decision_reason,
        pharmacy=fhir.Dispenser(request.pharmacy.name, request.pharmacy.phone, request.pharmacy.address),
    )
    return producer.event(
        f"refill-{request.request_id}-{status}", patient_id, REFILL_REQUEST, task, subject.system, now
    )


def _notice(request: RefillRequest, now: datetime) -> OutboxEntry:
    """The notice to the account that asked: that there is an update, nothing of what it is."""
    notice = {
        "notification_id": f"refill-{request.request_id}-decided",
        "template": NOTICE_TEMPLATE,
        "account_id": request.requested_by,
    }
    return notice_entry(notice, now, about_patient(request.patient_id))


def _shown(request: RefillRequest) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "medication": {"medication_id": request.medication_id, "name": request.medication_name},
        "pharmacy": {
            "name": request.pharmacy.name,
            "phone": request.pharmacy.phone or None,
            "address": request.pharmacy.address or None,
        },
        "note": request.note,
        "status": request.status.value,
        "requested_at": iso(request.requested_at),
        "decided_at": iso(request.decided_at) if request.decided_at else None,
        "decision_reason": request.decision_reason or None,
        "requested_by": request.acted_by.as_json() if request.acted_by else None,
    }


def _staff_shown(request: RefillRequest) -> dict[str, Any]:
    """From the queue copy alone: it holds the patient and medication as they were when asked."""
    detail = request.detail or MedicationDetail()
    return {
        **_shown(request),
        "patient": {
            "patient_id": request.patient_id,
            "name": request.patient_name,
            "birth_date": request.patient_birth_date,
        },
        "decided_by": request.decided_by_name or None,
        "medication_detail": {
            "dosage": list(detail.dosage),
            "prescriber": detail.prescriber,
            "refills_allowed": detail.refills_allowed,
            "expires_on": detail.expires_on or None,
        },
    }
