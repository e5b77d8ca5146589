"""Filing: an accepted feed message becomes patient records.

1. The sender must be registered to an organization (a feed source); its bare identifiers get
   the source's default assigning authority, or the message goes to quarantine.
2. The patient is matched on identifier plus authority only, within that organization. An
   unknown patient is created from the message (the EHR is the source of truth); identifiers
   that name two different patients go to quarantine, never to a guessed one. A40 merges.
3. Each result is stored as a new version when its content changed (a resend changes nothing);
   a cancelled result is withdrawn. Results are released at once (the release policy with its
   delays and holds builds on ``release_at``).
4. The patient, if enrolled with a verified address and willing, is told by email that something
   new is waiting: one email per patient per ten minutes, however many results arrive.

Anything that makes a message impossible to file raises Unreadable (the caller quarantines it
with the reason); a failing dependency raises, and the queue delivers the message again, which
files it again: every step is idempotent.
"""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.errors import Conflict
from chalicelib.feeds.domain import Envelope, FeedFormat
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from chalicelib.records.domain import ClinicalMessage, PatientFacts, ResultReport, Unreadable
from chalicelib.records.release import HELD_UNTIL, ReleasePolicy
from chalicelib.records.store import StoredResult, content_hash, report_content, result_id

NOTIFY_WINDOW_SECONDS = 600


@dataclass(frozen=True)
class Filed:
    patients: tuple[str, ...]
    results_new: int = 0
    results_changed: int = 0
    critical: tuple[str, ...] = ()  # result ids with a critical value


def read(envelope: Envelope) -> list[ClinicalMessage]:
    if envelope.format is FeedFormat.HL7V2:
        from chalicelib.records.hl7 import read_hl7

        return [read_hl7(envelope.text)]
    from chalicelib.records.fhir import read_fhir  # fhir.resources is heavy: only the feed pays for it

    try:
        # Decimals as written: "0.70" must not become 0.7 on its way to the patient.
        document = json.loads(envelope.text, parse_float=Decimal)
    except ValueError:
        raise Unreadable("The FHIR document is not JSON.") from None
    return read_fhir(document)


def file_message(ports, envelope: Envelope, message_key: str, now: datetime) -> Filed:
    source = ports.records.feed_source(envelope.sender)
    if source is None:
        raise Unreadable("The sender is not registered to an organization (feed sources).")
    organization = ports.directory.organization(source.organization_id)
    policy = ReleasePolicy.from_json(organization.release_policy if organization else None)
    patients: list[str] = []
    new = changed = 0
    critical: list[str] = []
    for message in read(envelope):
        patient = _match(ports, source, message.patient, now)
        if message.merged_from:
            _merge(ports, source, patient, message.merged_from)
        released_now = False  # for this patient: the counts run over every patient of the document
        for report in message.results:
            file_one = _file_document if message.kind == "document" else _file_result
            outcome, stored = file_one(ports, source, envelope.sender, patient, report, message_key, now, policy)
            new += outcome == "new"
            changed += outcome == "changed"
            # "refiled": this message filed it before a failure further on, so what follows
            # (telling the patient, or setting the release timer) may not have happened yet.
            if outcome not in ("new", "changed", "refiled") or stored.status == "cancelled":
                continue  # (a withdrawn result: nothing to show, nobody to call)
            if report.critical:
                critical.append(stored.result_id)
                _call_the_patient(ports, patient, stored, now)
            if stored.release_at <= now:
                released_now = True
            elif not stored.release_timer:
                _announce_later(ports, patient, stored)
        patients.append(patient.patient_id)
        if released_now:
            tell(ports, patient, now)
    return Filed(tuple(patients), new, changed, tuple(critical))


MAX_IDENTIFIERS = 20  # claims go in one transaction (100 items at most); real records carry a handful


def _identifiers(source, facts: PatientFacts) -> tuple[Identifier, ...]:
    found: list[Identifier] = []
    for identifier in facts.identifiers:
        # The source's default authority is for its bare record numbers only, never an SSN or a
        # payer id sent without authority.
        authority = identifier.authority or (source.default_authority if identifier.type in ("MR", "") else "")
        # Claims are on authority and value: the same number sent twice with two type codes is one.
        if authority and not any((i.authority, i.value) == (authority, identifier.value) for i in found):
            found.append(Identifier(authority=authority, value=identifier.value, type=identifier.type))
    if len(found) > MAX_IDENTIFIERS:
        raise Unreadable(f"The patient carries more than {MAX_IDENTIFIERS} identifiers.")
    if not found:
        raise Unreadable("The patient has no identifier with an assigning authority, and the sender has no "
                         "default authority.")
    return tuple(found)


def _match(ports, source, facts: PatientFacts, now: datetime) -> Patient:
    identifiers = _identifiers(source, facts)
    claims = {identifier: ports.patients.claimed_by(source.organization_id, identifier) for identifier in identifiers}
    owners = {owner for owner in claims.values() if owner}
    if len(owners) > 1:
        raise Unreadable("The patient identifiers in the message belong to different patients.")
    unclaimed = tuple(identifier for identifier, owner in claims.items() if not owner)
    if not owners:
        patient = Patient(
            patient_id=uuid.uuid4().hex, organization_id=source.organization_id, identifiers=identifiers,
            family_name=facts.family_name or "", given_names=facts.given_names, birth_date=facts.birth_date,
            sex=facts.sex, email="", portal_status=PortalStatus.NOT_INVITED, account_id="", created_at=now)
        try:
            ports.patients.add(patient)
        except Conflict:  # created meanwhile by another delivery: file onto that one
            return _match(ports, source, facts, now)
        return patient
    patient = ports.patients.get(owners.pop())
    while patient is not None and patient.merged_into:
        patient = ports.patients.get(patient.merged_into)
    if patient is None:
        raise Unreadable("An identifier points at a patient record that no longer exists.")
    # The sender is the source of truth for demographics: take what it says, keep what it leaves out.
    updated = dataclasses.replace(
        patient, identifiers=patient.identifiers + unclaimed, family_name=facts.family_name or patient.family_name,
        given_names=facts.given_names or patient.given_names, birth_date=facts.birth_date or patient.birth_date,
        sex=facts.sex or patient.sex)
    if updated != patient:
        try:
            ports.patients.save_with_claims(updated, new=unclaimed)
        except Conflict:
            raise Unreadable("An identifier in the message was claimed by another patient meanwhile.") from None
        return dataclasses.replace(updated, version=(patient.version or 0) + 1)
    return patient


def _merge(ports, source, survivor: Patient, merged_from: tuple[Identifier, ...]) -> None:
    """A40: the prior record's identifiers now name the survivor; the prior record points at it.
    (Results filed under the prior record stay there: reading them through the survivor is a
    later step; the record is kept, never deleted.)"""
    bare = PatientFacts(identifiers=merged_from)
    prior_ids = {ports.patients.claimed_by(source.organization_id, i) for i in _identifiers(source, bare)}
    prior_ids.discard("")
    prior_ids.discard(survivor.patient_id)
    for prior_id in prior_ids:
        prior = ports.patients.get(prior_id)
        if prior is None:
            continue
        # Already marked by an earlier delivery that failed before its identifiers moved (they
        # still name it, or it would not be here): move them now.
        if prior.merged_into != survivor.patient_id:
            ports.patients.save(dataclasses.replace(prior, merged_into=survivor.patient_id))
        fresh = ports.patients.get(survivor.patient_id)
        ports.patients.save_with_claims(
            dataclasses.replace(fresh, identifiers=fresh.identifiers + tuple(
                i for i in prior.identifiers if i not in fresh.identifiers)),
            moved=tuple(i for i in prior.identifiers if i not in fresh.identifiers))


def _file_result(ports, source, sender: str, patient: Patient, report: ResultReport, message_key: str,
                 now: datetime, policy: ReleasePolicy) -> tuple[str, StoredResult]:
    rid = result_id(source.organization_id, sender, report.source_id)
    content = report_content(report)
    _fits(content)
    digest = content_hash(content)
    for _ in range(3):
        current = ports.records.current(patient.patient_id, rid)
        if current is not None and current.content_sha256 == digest:
            # a resend changes nothing; the same message again is a redelivery after a failure
            # further on (it was filed, but perhaps the patient was not told)
            return ("refiled" if current.source == message_key else "unchanged"), current
        # A new result waits as its policy says; a new version of one not yet released keeps its
        # moment, timer and hold; a correction of a released one is shown at once.
        pending = current is not None and current.release_at > now
        stored = StoredResult(
            patient_id=patient.patient_id, result_id=rid, version=(current.version + 1) if current else 1,
            category=report.category.value,
            status=report.status.value,
            content_sha256=digest, content=content, organization_id=source.organization_id, source=message_key,
            filed_at=now, release_at=(current.release_at if pending else now) if current
            else policy.release_at(report, now), critical=report.critical,
            listed_at=current.listed_at if current else f"{now:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}",
            release_timer=current.release_timer if pending else "", held_reason=current.held_reason if pending else "")
        try:
            ports.records.put_version(stored)
        except Conflict:
            continue  # another delivery filed a version meanwhile: compare again
        return ("changed" if current else "new"), stored
    raise Conflict("The result kept changing while it was filed.")


MAX_CONTENT_BYTES = 180_000  # stored twice per version (current and kept) in items of 400 KB at most


def _fits(content: dict) -> None:
    if len(json.dumps(content, separators=(",", ":")).encode()) > MAX_CONTENT_BYTES:
        raise Unreadable(f"The report is too large to file ({MAX_CONTENT_BYTES // 1000} KB of content at most): "
                         "send long text as a document (MDM).")


def document_type(report: ResultReport) -> str:
    """MDM TXA-2 (or a FHIR type) to the four kinds a patient browses by."""
    code, text = report.code.code.upper(), report.code.display.lower()
    if code in ("DS", "DISCH") or "discharge" in text:
        return "discharge-summary"
    if code in ("VS", "OV", "AVS", "CN") or "visit" in text or "consult" in text:
        return "visit-summary"
    if code in ("PN", "NOTE", "HP") or "note" in text or "progress" in text:
        return "note"
    return "report"


def _document_file(report: ResultReport) -> tuple[bytes, str]:
    """The document itself: an embedded file (HL7 ED / FHIR attachment), else its text."""
    for observation in report.observations:
        if observation.document is not None and observation.document.data:
            return observation.document.data, observation.document.content_type
    text = "\n\n".join(o.text for o in report.observations if o.text)
    return text.encode("utf-8"), "text/plain; charset=utf-8"


def _file_document(ports, source, sender: str, patient: Patient, report: ResultReport, message_key: str,
                   now: datetime, policy: ReleasePolicy) -> tuple[str, StoredResult]:
    """A document (MDM, or a report carried as a document) goes to the documents bucket under a
    key the server makes up, and its description to the records table, versioned as results are."""
    import hashlib

    rid = result_id(source.organization_id, sender, report.source_id)
    data, content_type = _document_file(report)
    kind = document_type(report)
    content = {"title": report.code.display or report.code.code or None, "type": kind,
               "code": dataclasses.asdict(report.code), "status": report.status.value,
               "authored_at": report.collected_at or None, "reported_at": report.reported_at or None,
               "author": report.ordering_provider or None, "content_type": content_type, "size": len(data),
               "sha256": hashlib.sha256(data).hexdigest()}
    digest = content_hash(content)
    for _ in range(3):
        current = ports.records.current(patient.patient_id, rid, kind="document")
        if current is not None and current.content_sha256 == digest:
            return ("refiled" if current.source == message_key else "unchanged"), current
        version = (current.version + 1) if current else 1
        object_key = f"documents/{patient.patient_id}/{rid}/v{version:04d}"
        media_type = content_type.split(";")[0].strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,63}", media_type):
            media_type = "application/octet-stream"  # whatever the sender wrote, S3 gets a clean one
        ports.documents.put(object_key, data, media_type, {"sha256": content["sha256"]})
        stored = StoredResult(
            patient_id=patient.patient_id, result_id=rid, version=version, category=f"document:{kind}",
            status=report.status.value, content_sha256=digest, content=content,
            organization_id=source.organization_id, source=message_key, filed_at=now,
            release_at=(current.release_at if current.release_at > now else now) if current
            else policy.release_at_document(report, kind, now), kind="document", object_key=object_key,
            listed_at=current.listed_at if current else f"{now:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}")
        try:
            ports.records.put_version(stored)
        except Conflict:
            continue
        return ("changed" if current else "new"), stored
    raise Conflict("The document kept changing while it was filed.")


def _call_the_patient(ports, patient: Patient, stored: StoredResult, now: datetime) -> None:
    """A critical value (HH, LL, AA ...): at once a staff worklist item to call the patient,
    whatever the release policy says; the patient's own notification follows the release."""
    from chalicelib.records.store import WorklistItem

    item_id = f"{stored.result_id}-v{stored.version}"
    ports.worklist.add(WorklistItem(
        item_id=item_id, organization_id=stored.organization_id, task="call_patient", patient_id=patient.patient_id,
        result_id=stored.result_id, result_version=stored.version, status="open", created_at=stored.filed_at,
        sort_key=f"{stored.filed_at:%Y-%m-%dT%H:%M:%S.%fZ}#{item_id}"))


def _waiting_email(ports, patient: Patient, at: datetime) -> dict[str, str] | None:
    """The "something waiting" email for a moment, if the patient should get one: enrolled, a
    verified address, and willing. Its id is the same for every result within ten minutes, so the
    notifications consumer's idempotency folds them into one email."""
    if patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id:
        return None
    account = ports.directory.account(patient.account_id)
    if account is None or not account.email_verified or not account.email:
        return None
    if not account.notification_preferences.get("email_new_results", True):
        return None
    window = int(at.timestamp()) // NOTIFY_WINDOW_SECONDS
    return {"notification_id": f"new-results-{patient.patient_id}-{window}", "template": "something_waiting",
            "to_address": account.email}


def tell(ports, patient: Patient, now: datetime) -> None:
    email = _waiting_email(ports, patient, now)
    if email is not None:
        ports.notifications_queue.send(email)


def _announce_later(ports, patient: Patient, stored: StoredResult) -> None:
    """A timer that sends the email when a delayed result is released (a hold has none). Its id
    names the result's version: a redelivery finds it started already (Step Functions returns the
    running execution for the same name and input)."""
    from chalicelib.timers import service as timers

    email = _waiting_email(ports, patient, stored.release_at) if stored.release_at < HELD_UNTIL else None
    if email is None:
        return
    handle = timers.schedule(ports.timers, timer_id=f"release-{stored.result_id}-v{stored.version}",
                             fire_at=stored.release_at, queue_url=ports.settings.notifications_queue_url,
                             message=email)
    ports.records.set_release(stored, stored.release_at, stored.held_reason, handle)


def describe(filed: Filed) -> dict[str, Any]:
    return {"patients": len(filed.patients), "results_new": filed.results_new,
            "results_changed": filed.results_changed, "critical": len(filed.critical)}
