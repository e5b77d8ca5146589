"""Staff look after the possible mismatches: messages held because their identifiers name a
patient whose birth date or family name they contradict (filing/mismatch.py).

Staff see both sides (the patient the portal holds, and the patient as the message describes
them, read again from the archived original), then decide: the same patient after all (the
message is filed and its demographics taken, as the sender is the source of truth), another
patient of the organization (its records are filed under that one, no identifier or demographic
moves), or not filed (dismissed, kept archived). A decision is carried out as a replay is: the
archived body goes back on the inbound queue with the decision recorded on the message, and the
feed files it by the very path that held it. Every view and decision is audited with the patients
it concerns.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound, ValidationFailed
from chalicelib.feeds.contract import MismatchDecision
from chalicelib.feeds.domain import Envelope, FeedMessage, FeedStatus, Unfileable
from chalicelib.feeds.envelope import read_messages
from chalicelib.feeds.quarantine import QuarantinePorts, message_key, quarantine_id, send_back
from chalicelib.filing.matching import identifiers
from chalicelib.filing.mismatch import Decision, differences
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.patients import service as patients
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import PatientFacts, Unreadable

MAX_SHOWN = 50  # a queue staff work through; more wait for the next look


class HoldPorts(QuarantinePorts, Protocol):
    """The quarantine's ports (the held messages, their archived bodies, the feed sources that say
    whose they are, the inbound queue a decision is carried out through) and the patients on both
    sides."""

    @property
    def patients(self) -> Patients: ...


def list_held(ports: HoldPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    """The organization's held messages, newest first, each with both sides."""
    messages, _ = ports.feed_messages.in_status(FeedStatus.HELD, MAX_SHOWN, organization_id=caller.organization_id)
    shown = []
    for message in messages:
        patient = _held_patient(ports, caller, message)
        if patient is None:
            continue
        sent = _as_sent(ports, message, patient)
        shown.append(
            {
                "id": quarantine_id(message.key),
                "sender": message.sender,
                "control_id": message.control_id,
                "message_type": message.message_type or None,
                "received_at": iso(message.received_at),
                "differs": list(differences(patient, sent)) if sent else [],
                "patient": patients.summary(patient),
                "message_patient": _described(sent) if sent else None,
            }
        )
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "feed.mismatch.read",
            action=Action.READ,
            patient_id=patient.patient_id,
            resource_type="FeedMessage",
            resource_id=message.key,
        )
    if not shown:
        write_audit(
            ports, origin, caller_actor(caller), "feed.mismatch.read", action=Action.READ, resource_type="FeedMessage"
        )
    return {"mismatches": shown}


def decide(ports: HoldPorts, caller: Caller, origin: Origin, item_id: str, request: MismatchDecision) -> dict[str, Any]:
    message = ports.feed_messages.get(_key(item_id))
    held = _held_patient(ports, caller, message) if message is not None else None
    if message is None or held is None:
        raise NotFound("No such held message.")
    if request.decision == "not_filed":
        if request.patient_id:
            raise ValidationFailed("A message not filed goes under no patient.", [{"field": "patient_id"}])
        if not ports.feed_messages.move(message.key, FeedStatus.HELD, FeedStatus.DISMISSED):
            raise Conflict("The message was decided meanwhile.")
        _audit_decision(ports, caller, origin, message, held.patient_id, "not_filed")
        return {"id": item_id, "status": "dismissed"}
    decision = Decision(held.patient_id)
    if request.decision == "another_patient":
        target = ports.patients.get(request.patient_id or "") if request.patient_id else None
        if target is None or target.organization_id != caller.organization_id:
            raise ValidationFailed(
                "Name the patient of your organization to file this message under.", [{"field": "patient_id"}]
            )
        if target.patient_id == held.patient_id:
            raise ValidationFailed(
                "That is the matched patient: choose same_patient to file it there.", [{"field": "patient_id"}]
            )
        decision = Decision(held.patient_id, target.patient_id)
    elif request.patient_id:
        raise ValidationFailed("The same patient is the matched one: give no patient_id.", [{"field": "patient_id"}])
    body = ports.feed_archive.get(message.archive_key)
    # Decided first (HELD to ACCEPTED, with the decision), then sent: intake files a recorded
    # message that is "accepted" and still the same bytes, and filing reads the decision.
    if not ports.feed_messages.decide(message.key, decision.encode()):
        raise Conflict("The message was decided meanwhile.")
    try:
        send_back(ports, message, body, "decided")
    except DependencyUnavailable:
        ports.feed_messages.hold(message.key, message.reason, held.patient_id)  # as it was, to decide again
        raise
    _audit_decision(ports, caller, origin, message, held.patient_id, request.decision, decision.file_under)
    return {"id": item_id, "status": "refiled"}


def _audit_decision(
    ports: HoldPorts,
    caller: Caller,
    origin: Origin,
    message: FeedMessage,
    held_for: str,
    decision: str,
    file_under: str = "",
) -> None:
    # On the matched patient's trail, and on the other patient's when the records go there.
    for patient_id in filter(None, (held_for, file_under)):
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "feed.mismatch.decided",
            action=Action.EXECUTE,
            patient_id=patient_id,
            resource_type="FeedMessage",
            resource_id=message.key,
            reason=decision,
        )


def _key(item_id: str) -> str:
    try:
        return message_key(item_id)
    except NotFound:
        raise NotFound("No such held message.") from None


def _held_patient(ports: HoldPorts, caller: Caller, message: FeedMessage | None) -> Patient | None:
    """The patient a held message names, when the message and the patient are the caller's
    organization's (its sender files for it); None otherwise, as if it did not exist."""
    if message is None or message.status is not FeedStatus.HELD or not message.held_for:
        return None
    source = ports.records.feed_source(message.sender) if message.sender else None
    if source is None or source.organization_id != caller.organization_id:
        return None
    patient = ports.patients.get(message.held_for)
    return patient if patient is not None and patient.organization_id == caller.organization_id else None


def _as_sent(ports: HoldPorts, message: FeedMessage, patient: Patient) -> PatientFacts | None:
    """The patient as the archived message describes them: the one of its patients whose
    identifiers name ``patient``; None when the original can no longer be read."""
    from chalicelib.filing.service import read

    try:
        raw = ports.feed_archive.get(message.archive_key)
    except NotFound:
        return None
    envelope = next(
        (
            e
            for e in read_messages(raw, message.sender)
            if isinstance(e, Envelope) and f"{e.sender}|{e.control_id}" == message.key
        ),
        None,
    )
    source = ports.records.feed_source(message.sender)
    if envelope is None or source is None:
        return None
    try:
        described = [m.patient for m in read(envelope)[0]]
    except (Unreadable, Unfileable):
        return None
    for facts in described:
        try:
            claimed = identifiers(source, message.sender, facts)
        except Unreadable:
            continue
        owners = {ports.patients.claimed_by(source.organization_id, i) for i in claimed}
        if patient.patient_id in owners or any(_merged_into(ports, o) == patient.patient_id for o in owners if o):
            return facts
    return None


def _merged_into(ports: HoldPorts, patient_id: str) -> str:
    patient = ports.patients.get(patient_id)
    return patient.merged_into if patient is not None else ""


def _described(facts: PatientFacts) -> dict[str, Any]:
    """The message's patient as staff compare it: no identifier the portal never keeps (the
    readers dropped those already)."""
    return {
        "family_name": facts.family_name,
        "previous_family_names": list(facts.previous_family_names),
        "given_names": list(facts.given_names),
        "birth_date": facts.birth_date or None,
        "sex": facts.sex or None,
        "identifiers": [
            {"authority": i.spelled or None, "value": i.value, "type": i.type}
            for i in facts.identifiers
            if i.type != "RI"  # a FHIR resource id is no identifier staff know
        ],
    }
