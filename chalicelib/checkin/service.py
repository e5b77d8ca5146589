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
from datetime import datetime
from typing import Any

from chalicelib.access.acting import acted_under
from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.trail import audit_event, scope_actor, write_audit
from chalicelib.checkin import printable, responses
from chalicelib.checkin import shown as views
from chalicelib.checkin.checkin_contract import ConfirmDetails, GiveAnswers
from chalicelib.checkin.domain import CheckInRecord, RequestedChange, check_answers
from chalicelib.checkin.visit import CheckInPorts, Visit, asked_of, steps_of, visit_of
from chalicelib.checkin.window import WindowState, window
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.origin import Origin
from chalicelib.outbound import fhir, producer
from chalicelib.worklist.domain import WorklistItem

__all__ = ["CheckInPorts", "WindowState", "window"]

# The worklist task a demographic change becomes (staff/Worklist shows it with the patient).
CHANGE_TASK = "review_details_change"
EMPTY_CHANGES = "Fill in at least one change, or confirm your details."


# -- the patient's routes -------------------------------------------------------------------------


def check_in(
    ports: CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, Any]:
    """The check-in as it stands (also outside its window: its state says so). Audited."""
    visit, actor = _visit(ports, caller, origin, patient_id, appointment_id, acts=False)
    record = ports.checkins.get(visit.patient.patient_id, visit.appointment_id)
    shown = views.shown(visit, record, asked_of(ports, visit, record), now)
    write_audit(
        ports,
        origin,
        actor,
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
    visit, actor = _visit(ports, caller, origin, patient_id, appointment_id, acts=True)
    record = _changeable(ports, actor, origin, visit, now)
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
        actor,
        "checkin.change_requested" if change else "checkin.details_confirmed",
        action=Action.UPDATE,
        patient_id=visit.patient.patient_id,
        resource_type="Appointment",
        resource_id=visit.appointment_id,
    )
    saved = ports.checkins.save(changed, audit, to_staff=to_staff)
    return views.shown(visit, saved, asked_of(ports, visit, saved), now)


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
    visit, actor = _visit(ports, caller, origin, patient_id, appointment_id, acts=True)
    record = _changeable(ports, actor, origin, visit, now)
    # Once answered, answered again against the questionnaire answered (checkin/kept.py).
    asked = asked_of(ports, visit, record)
    if asked.questionnaire is None:
        raise Conflict("This visit has no questions to answer.", [{"field": "answers", "issue": "no_questionnaire"}])
    kept = check_answers(asked.questionnaire, [(a.link_id, a.value) for a in body.answers], printable.problem)
    revision = record.answer_revision + 1
    by = acted_under(ports.proxy_grants, visit.patient.patient_id, actor.proxy_grant_id)
    author = fhir.related_person_author(caller.account_id, by.label) if by else None
    response, event = responses.questionnaire_response(visit, asked.questionnaire, kept, revision, now, author)
    changed = dataclasses.replace(
        record,
        answers=kept,
        answered_at=now,
        answer_revision=revision,
        questionnaire_response=response,
        questionnaire=asked.questionnaire,
    )
    audit = audit_event(
        ports,
        origin,
        actor,
        "checkin.answered",
        action=Action.UPDATE,
        patient_id=visit.patient.patient_id,
        resource_type="QuestionnaireResponse",
        resource_id=visit.appointment_id,
    )
    saved = ports.checkins.save(changed, audit, event=event)
    if event is not None:
        producer.send_now(ports, event)
    return views.shown(visit, saved, asked, now)


def complete(
    ports: CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, Any]:
    """Finish: every step done, else 409 naming those that are not. Finishing again answers the
    check-in as it is (a retry after a lost answer is no error)."""
    visit, actor = _visit(ports, caller, origin, patient_id, appointment_id, acts=True)
    record = ports.checkins.get(visit.patient.patient_id, visit.appointment_id)
    asked = asked_of(ports, visit, record)
    if record is not None and record.completed_at is not None:
        return views.shown(visit, record, asked, now)
    record = _changeable(ports, actor, origin, visit, now, record)
    missing = [step for step, done in steps_of(record, asked).items() if not done]
    if missing:
        raise Conflict(
            "Finish these steps first: " + ", ".join(_STEP_WORDS[step] for step in missing) + ".",
            [{"field": step, "issue": "not_done"} for step in missing],
        )
    audit = audit_event(
        ports,
        origin,
        actor,
        "checkin.completed",
        action=Action.UPDATE,
        patient_id=visit.patient.patient_id,
        resource_type="Appointment",
        resource_id=visit.appointment_id,
    )
    # The forms listed now are what it was completed with, whatever the visit type asks later.
    completed_forms = tuple((str(form["form_id"]), int(form["version"])) for form in asked.forms)
    saved = ports.checkins.save(dataclasses.replace(record, completed_at=now, completed_forms=completed_forms), audit)
    return views.shown(visit, saved, asked, now)


_STEP_WORDS = {"details": "confirm your details", "questionnaire": "answer the questions", "forms": "sign the forms"}


# -- what the appointments list shows ------------------------------------------------------------


# -- helpers --------------------------------------------------------------------------------------


def _visit(
    ports: CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, *, acts: bool
) -> tuple[Visit, Actor]:
    """The visit, and who the audit names (a proxy with the grant they act under)."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=acts)
    return visit_of(ports, scope.patient_id, appointment_id, scope), scope_actor(caller, scope)


def _changeable(
    ports: CheckInPorts,
    actor: Actor,
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
            actor,
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
        # "Something changed" with nothing filled in is not a confirmation: taking it as one would
        # tell the patient their change was sent while staff hear nothing.
        raise ValidationFailed(EMPTY_CHANGES, [{"field": "changes", "issue": EMPTY_CHANGES}])
    return RequestedChange(
        address=changes.address,
        phone=changes.phone,
        email=changes.email,
        insurance=insurance,
        note=changes.note,
        requested_at=now,
    )
