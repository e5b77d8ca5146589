"""The patient's check-in for an upcoming visit: read it, confirm the details (a change is a
request to staff), answer the visit type's questionnaire, and finish.

Every read and change goes through the one access check (access.patient_scope): another patient's
visit is not found. A change is allowed only while the check-in is open (``window``), for a visit
not cancelled and not yet completed; each refusal is a 409 naming the reason, audited.

A change is one transaction with what it sets off (data/checkins.py): the answers with their FHIR
QuestionnaireResponse on the outbound outbox, a demographic change with its item on staff's
worklist, each with its audit event. The outbound event is then sent at once; what SQS refuses
waits for the drain.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.appointments import domain as appointments
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.checkin import forms as visit_forms
from chalicelib.checkin import signing
from chalicelib.checkin.checkin_contract import ConfirmDetails, GiveAnswers
from chalicelib.checkin.domain import CheckInRecord, Questionnaire, RequestedChange, check_answers, read_questionnaire
from chalicelib.checkin.stores import CheckIns
from chalicelib.checkin.window import WindowState, window
from chalicelib.errors import Conflict, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID, timed_key
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE, UnknownZone, zone
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import QUESTIONNAIRE_RESPONSE, InvalidOutboundEvent
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import StoredResult
from chalicelib.records.stores import Records
from chalicelib.worklist.domain import WorklistItem

__all__ = ["WindowState", "window"]

APPOINTMENT_KIND = "appointment"
# Statuses of a visit that will not happen: nothing to check in for.
NOT_HAPPENING = ("cancelled", "noshow", "entered-in-error")
# The worklist task a demographic change becomes (staff/Worklist shows it with the patient).
CHANGE_TASK = "review_details_change"
NO_SUCH_VISIT = "No such appointment."


class CheckInPorts(AccessPorts, producer.OutboundPorts, visit_forms.FormPorts, signing.SignaturePorts, Protocol):
    @property
    def patients(self) -> Patients: ...

    @property
    def records(self) -> Records: ...

    @property
    def checkins(self) -> CheckIns: ...


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

    @property
    def appointment_id(self) -> str:
        return self.entry.result_id

    @property
    def type(self) -> str:
        return str(self.entry.content.get("type") or "")

    @property
    def happening(self) -> bool:
        return not self.entry.withdrawn and self.status not in NOT_HAPPENING


@dataclass(frozen=True)
class Asked:
    """What the visit type asks: its questionnaire (None: none) and its forms with their signatures."""

    questionnaire: Questionnaire | None
    forms: list[dict[str, Any]]

    @property
    def forms_signed(self) -> bool:
        return all(form["signed"] is not None for form in self.forms)


# -- the patient's routes -------------------------------------------------------------------------


def check_in(
    ports: CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, Any]:
    """The check-in as it stands (also outside its window: its state says so). Audited."""
    visit = _visit(ports, caller, origin, patient_id, appointment_id)
    record = ports.checkins.get(visit.patient.patient_id, visit.appointment_id)
    shown = _shown(visit, record, _asked(ports, visit), now)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "checkin.read",
        action=Action.READ,
        patient_id=visit.patient.patient_id,
        resource_type="Appointment",
        resource_id=visit.appointment_id,
    )
    return shown


def confirm_details(
    ports: CheckInPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    appointment_id: str,
    body: ConfirmDetails,
    now: datetime,
) -> dict[str, Any]:
    """The patient read their details; what they say is wrong goes to staff's worklist as a
    request (the chart is never changed here: staff check and change it in the clinical system)."""
    visit = _visit(ports, caller, origin, patient_id, appointment_id)
    record = _changeable(ports, caller, origin, visit, now)
    change = _change(body, now)
    changed = dataclasses.replace(
        record,
        confirmed_at=now,
        change=change or record.change,
        changes_requested=record.changes_requested + (1 if change else 0),
    )
    to_staff = None
    if change is not None:
        item_id = f"checkin-{visit.appointment_id}-{changed.changes_requested}"
        to_staff = WorklistItem(
            item_id=item_id,
            organization_id=visit.patient.organization_id,
            task=CHANGE_TASK,
            patient_id=visit.patient.patient_id,
            result_id=visit.appointment_id,  # the visit whose check-in holds the change
            result_version=changed.changes_requested,
            status="open",
            created_at=now,
            sort_key=timed_key(now, item_id),
        )
    audit = audit_event(
        ports,
        origin,
        caller_actor(caller),
        "checkin.change_requested" if change else "checkin.details_confirmed",
        action=Action.UPDATE,
        patient_id=visit.patient.patient_id,
        resource_type="Appointment",
        resource_id=visit.appointment_id,
    )
    saved = ports.checkins.save(changed, audit, to_staff=to_staff)
    return _shown(visit, saved, _asked(ports, visit), now)


def answer(
    ports: CheckInPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    appointment_id: str,
    body: GiveAnswers,
    now: datetime,
) -> dict[str, Any]:
    """The answers, checked against the visit type's questionnaire, kept as a FHIR
    QuestionnaireResponse and sent to the clinical systems with them."""
    visit = _visit(ports, caller, origin, patient_id, appointment_id)
    record = _changeable(ports, caller, origin, visit, now)
    asked = _asked(ports, visit)
    if asked.questionnaire is None:
        raise Conflict("This visit has no questions to answer.", [{"field": "answers", "issue": "no_questionnaire"}])
    kept = check_answers(asked.questionnaire, [(a.link_id, a.value) for a in body.answers])
    revision = record.answer_revision + 1
    response, event = _questionnaire_response(visit, asked.questionnaire, kept, revision, now)
    changed = dataclasses.replace(
        record, answers=kept, answered_at=now, answer_revision=revision, questionnaire_response=response
    )
    audit = audit_event(
        ports,
        origin,
        caller_actor(caller),
        "checkin.answered",
        action=Action.UPDATE,
        patient_id=visit.patient.patient_id,
        resource_type="QuestionnaireResponse",
        resource_id=visit.appointment_id,
    )
    saved = ports.checkins.save(changed, audit, event=event)
    if event is not None:
        producer.send_now(ports, event)
    return _shown(visit, saved, asked, now)


def complete(
    ports: CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, Any]:
    """Finish: every step done, else 409 naming those that are not. Finishing again answers the
    check-in as it is (a retry after a lost answer is no error)."""
    visit = _visit(ports, caller, origin, patient_id, appointment_id)
    record = ports.checkins.get(visit.patient.patient_id, visit.appointment_id)
    asked = _asked(ports, visit)
    if record is not None and record.completed_at is not None:
        return _shown(visit, record, asked, now)
    record = _changeable(ports, caller, origin, visit, now, record)
    missing = [step for step, done in _steps(record, asked).items() if not done]
    if missing:
        raise Conflict(
            "Finish these steps first: " + ", ".join(_STEP_WORDS[step] for step in missing) + ".",
            [{"field": step, "issue": "not_done"} for step in missing],
        )
    audit = audit_event(
        ports,
        origin,
        caller_actor(caller),
        "checkin.completed",
        action=Action.UPDATE,
        patient_id=visit.patient.patient_id,
        resource_type="Appointment",
        resource_id=visit.appointment_id,
    )
    saved = ports.checkins.save(dataclasses.replace(record, completed_at=now), audit)
    return _shown(visit, saved, asked, now)


_STEP_WORDS = {"details": "confirm your details", "questionnaire": "answer the questions", "forms": "sign the forms"}


# -- what the appointments list shows ------------------------------------------------------------


def appointment_check_in(
    policy: AppointmentPolicy,
    content: dict[str, Any],
    zone_name: str,
    now: datetime,
    completed_at: datetime | None = None,
    withdrawn: bool = False,
) -> dict[str, Any] | None:
    """An appointment's ``check_in`` field: None when check-in does not apply (cancelled, past,
    no start known), else its state and window."""
    starts_at = appointments.moment(str(content.get("starts_at") or ""), zone_name)
    status = appointments.status_of(str(content.get("status") or ""))
    if (
        starts_at is None
        or withdrawn
        or status in NOT_HAPPENING
        or appointments.when(str(content.get("starts_at") or ""), now, zone_name) == "past"
    ):
        return None
    state, opens_at, closes_at = window(policy, starts_at, now, zone_name)
    return {
        "state": "completed" if completed_at is not None else state,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "completed_at": in_zone(completed_at, zone_name) if completed_at else None,
    }


# -- helpers --------------------------------------------------------------------------------------


def visit_of(ports: CheckInPorts, patient_id: str, appointment_id: str) -> Visit:
    """The appointment of a patient already in the caller's scope, or NotFound."""
    patient = ports.patients.get(patient_id)
    entry = (
        ports.records.current(patient_id, appointment_id, APPOINTMENT_KIND)
        if RECORD_ID.fullmatch(appointment_id or "")
        else None
    )
    if patient is None or entry is None:
        raise NotFound(NO_SUCH_VISIT)
    organization = ports.directory.organization(patient.organization_id)
    zone_name = (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE
    return Visit(
        patient=patient,
        entry=entry,
        zone_name=zone_name,
        policy=policy_of(organization),
        starts_at=appointments.moment(str(entry.content.get("starts_at") or ""), zone_name),
        status=appointments.status_of(str(entry.content.get("status") or "")),
        mrn_authority=organization.mrn_authority if organization else "",
    )


def _visit(ports: CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str) -> Visit:
    scope = patient_scope(ports, caller, origin, patient_id)
    return visit_of(ports, scope.patient_id, appointment_id)


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


def _changeable(
    ports: CheckInPorts,
    caller: Caller,
    origin: Origin,
    visit: Visit,
    now: datetime,
    record: CheckInRecord | None = None,
) -> CheckInRecord:
    """The check-in to change, or a 409 saying why it cannot be changed now (audited)."""
    record = record or ports.checkins.get(visit.patient.patient_id, visit.appointment_id)
    issue, message = "", ""
    if not visit.happening:
        issue, message = "cancelled", "This visit is cancelled: there is nothing to check in for."
    elif record is not None and record.completed_at is not None:
        issue, message = "completed", "Check-in for this visit is finished already."
    elif visit.starts_at is None:
        issue, message = "closed", "This visit has no start time: check in at the front desk."
    else:
        state, opens_at, _ = window(visit.policy, visit.starts_at, now, visit.zone_name)
        if state == "not_open":
            issue, message = "not_open_yet", f"Check-in opens on {_in_words(opens_at)}."
        elif state == "closed":
            issue, message = "closed", "Check-in has closed: the visit has started. Please see the front desk."
    if issue:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "checkin.refused",
            Outcome.DENIED,
            action=Action.UPDATE,
            patient_id=visit.patient.patient_id,
            resource_type="Appointment",
            resource_id=visit.appointment_id,
            reason=issue,
        )
        raise Conflict(message, [{"field": "appointment", "issue": issue}])
    return record or CheckInRecord(visit.patient.patient_id, visit.appointment_id, visit.patient.organization_id)


def _in_words(moment: datetime) -> str:
    """A moment as an English sentence reads it, on the clinic's clock ("Monday, March 9, 2026 at
    9:00 AM (UTC-04:00)"): the page shows it in the reader's language from opens_at."""
    offset = moment.strftime("%z")
    return f"{moment:%A, %B} {moment.day}, {moment.year} at {moment.hour % 12 or 12}:{moment:%M %p} (UTC{offset[:3]}:{offset[3:]})"


def _change(body: ConfirmDetails, now: datetime) -> RequestedChange | None:
    changes = body.changes
    if changes is None:
        return None
    insurance = (
        {
            "payer": changes.insurance.payer,
            "member_id": changes.insurance.member_id,
            "group_number": changes.insurance.group_number,
        }
        if changes.insurance
        else None
    )
    if not (changes.address or changes.phone or changes.email or insurance or changes.note):
        return None  # an empty form of changes: nothing for staff to do
    return RequestedChange(
        address=changes.address,
        phone=changes.phone,
        email=changes.email,
        insurance=insurance,
        note=changes.note,
        requested_at=now,
    )


def _asked(ports: CheckInPorts, visit: Visit) -> Asked:
    """The visit type's questionnaire and its forms (current versions) with what the patient
    signed for this visit."""
    visit_type = visit_forms.visit_type_for(ports, visit.patient.organization_id, visit.type)
    if visit_type is None:
        return Asked(None, [])
    questionnaire = read_questionnaire(visit_type.questionnaire, visit_type.visit_type_id)
    forms = visit_forms.current_forms(ports, visit.patient.organization_id, visit_type.form_ids)
    signed = signing.signatures(ports, visit.patient.patient_id, visit.appointment_id) if forms else {}
    shown = []
    for form in forms:
        signature = signed.get(form.form_id)
        # A signature of an older version does not sign the current one: the patient reads it again.
        current = signature if signature is not None and signature.get("version") == form.version else None
        shown.append(
            {
                "form_id": form.form_id,
                "title": form.title,
                "kind": form.kind,
                "version": form.version,
                "sha256": form.sha256,
                "body": form.body,
                "signed": current,
            }
        )
    return Asked(questionnaire, shown)


def _steps(record: CheckInRecord | None, asked: Asked) -> dict[str, bool]:
    return {
        "details": record is not None and record.confirmed_at is not None,
        "questionnaire": asked.questionnaire is None or (record is not None and record.answers is not None),
        "forms": asked.forms_signed,
    }


def _questionnaire_response(
    visit: Visit, questionnaire: Questionnaire, kept: tuple[tuple[str, Any], ...], revision: int, now: datetime
) -> tuple[dict[str, Any] | None, Any]:
    """The FHIR QuestionnaireResponse of the answers and its outbound event; (None, None) when the
    patient cannot be named to the clinical systems (no MRN under the organization's authority):
    the answers are kept for staff all the same."""
    try:
        subject = fhir.patient_identifier(visit.patient.identifiers, visit.mrn_authority)
    except InvalidOutboundEvent:
        logger.warning(
            "check-in answers kept without a QuestionnaireResponse: no MRN", appointment_id=visit.appointment_id
        )
        return None, None
    items = {item.link_id: item for item in questionnaire.asked}
    answers = [
        fhir.Answer(link_id, [_fhir_value(items[link_id], value)], items[link_id].text) for link_id, value in kept
    ]
    if not answers:  # every item optional and none answered: nothing to send
        return None, None
    resource = fhir.questionnaire_response(
        response_id=f"{visit.appointment_id}-{revision}",
        questionnaire=questionnaire.canonical,
        patient=subject,
        authored=now,
        answers=answers,
    )
    event = producer.event(
        f"questionnaire-response-{visit.appointment_id}-{revision}",
        visit.patient.patient_id,
        QUESTIONNAIRE_RESPONSE,
        resource,
        subject.system,
        now,
    )
    return resource, event


def _fhir_value(item: Any, value: Any) -> Any:
    from datetime import date

    if item.type == "date":
        return date.fromisoformat(value)
    if item.type == "choice":
        option = next(o for o in item.options if o.code == value)
        if option.system:
            return fhir.Coded(option.system, option.code, option.display)
        return value
    return value


def in_zone(moment: datetime, zone_name: str) -> str:
    try:
        return moment.astimezone(zone(zone_name)).isoformat(timespec="seconds")
    except UnknownZone:
        return moment.isoformat(timespec="seconds")


def _shown(visit: Visit, record: CheckInRecord | None, asked: Asked, now: datetime) -> dict[str, Any]:
    state, opens_at, closes_at = state_of(visit, record, now)
    patient = visit.patient
    change = record.change if record else None
    questionnaire = asked.questionnaire
    return {
        "appointment_id": visit.appointment_id,
        "state": state,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "completed_at": in_zone(record.completed_at, visit.zone_name) if record and record.completed_at else None,
        "details": {
            "name": patient.shown_name,
            "birth_date": patient.birth_date,
            # The record keeps no address, phone or insurance of its own yet: what the feeds send
            # of them would be shown here (getattr: a record without them shows none).
            "address": str(getattr(patient, "address", "") or ""),
            "phone": str(getattr(patient, "phone", "") or ""),
            "email": patient.email,
            "insurance": getattr(patient, "insurance", None) or None,
            "confirmed_at": in_zone(record.confirmed_at, visit.zone_name) if record and record.confirmed_at else None,
            "change_requested": bool(record and record.changes_requested),
            "requested_change": _shown_change(change, visit.zone_name) if change else None,
        },
        "questionnaire": {
            "questionnaire_id": questionnaire.questionnaire_id,
            "title": questionnaire.title,
            "items": [
                {
                    "link_id": item.link_id,
                    "text": item.text,
                    "type": item.type,
                    "required": item.required,
                    "options": [{"code": o.code, "display": o.display} for o in item.options],
                }
                for item in questionnaire.items
            ],
        }
        if questionnaire
        else None,
        "answers": [{"link_id": link_id, "value": value} for link_id, value in record.answers]
        if record and record.answers is not None
        else None,
        "answered_at": in_zone(record.answered_at, visit.zone_name) if record and record.answered_at else None,
        "forms": asked.forms,
        "steps": _steps(record, asked),
    }


def _shown_change(change: RequestedChange, zone_name: str) -> dict[str, Any]:
    shown = change.as_json()
    shown["requested_at"] = in_zone(change.requested_at, zone_name) if change.requested_at else None
    return shown


class CheckInFieldPorts(AccessPorts, Protocol):
    @property
    def checkins(self) -> CheckIns: ...


def appointment_check_ins(
    ports: CheckInFieldPorts, patient_id: str, entries: list[StoredResult], zone_name: str, now: datetime
) -> dict[str, dict[str, Any] | None]:
    """{appointment id: its ``check_in`` field} of a page of the patient's appointments: the
    organization's policy read once and the check-ins of those still to come in one batch read."""
    patient = ports.patients.get(patient_id)
    policy = policy_of(ports.directory.organization(patient.organization_id) if patient else None)
    coming = [
        e for e in entries if appointments.when(str(e.content.get("starts_at") or ""), now, zone_name) == "upcoming"
    ]
    records = ports.checkins.many([(patient_id, e.result_id) for e in coming]) if coming else {}
    return {
        entry.result_id: appointment_check_in(
            policy,
            entry.content,
            zone_name,
            now,
            records[entry.result_id].completed_at if entry.result_id in records else None,
            entry.withdrawn,
        )
        for entry in entries
    }
