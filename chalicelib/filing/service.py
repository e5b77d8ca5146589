"""Filing: an accepted feed message becomes patient records.

1. The sender must be registered to an organization (a feed source); its bare identifiers get
   the source's default assigning authority, or the message goes to quarantine.
2. The patient is matched on identifier plus authority only, within that organization. An
   unknown patient is created from the message (the EHR is the source of truth), never from a
   mere reference (FHIR "Patient/<id>" of a patient the sender has not sent); identifiers that
   name two different patients go to quarantine, never to a guessed one. A40 merges, and copies
   the merged record's records under the survivor.
3. Each result, document or entry (allergy, condition, medication, immunization, visit,
   appointment) is stored as a new version when its content changed (a resend changes nothing;
   an older message never replaces newer data); a cancelled one is withdrawn. Results and
   documents are released as the organization's policy and the patient's own choice say
   (records.release); entries at once.
4. The patient, if enrolled, is told that something new is waiting (portal inbox, and email by
   their preference at sending time): one notice per patient per ten minutes, however many
   results arrive; a delayed release is announced by a guarded Step Functions timer.

Anything that makes a message impossible to file raises Unreadable (the caller quarantines it
with the reason); a failing dependency raises, and the queue delivers the message again, which
files it again: every step is idempotent.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from chalicelib.audit.domain import SYSTEM_ACTOR, Action
from chalicelib.errors import Conflict
from chalicelib.feeds.domain import Envelope, FeedFormat
from chalicelib.audit.trail import write_audit
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from chalicelib.records.domain import (
    FHIR_ID_AUTHORITY,
    ClinicalEntry,
    ClinicalMessage,
    PatientFacts,
    ResultReport,
    Unreadable,
)
from chalicelib.release.policy import HELD_UNTIL, ReleasePolicy
from chalicelib.records.domain import StoredResult, content_hash, report_content, result_id

NOTIFY_WINDOW_SECONDS = 600


@dataclass(frozen=True)
class Filed:
    patients: tuple[str, ...]
    results_new: int = 0
    results_changed: int = 0
    critical: tuple[str, ...] = ()  # result ids with a critical value
    entries_changed: int = 0  # allergies, visits, appointments ... new or changed
    stale: int = 0  # older than what the portal holds: nothing changed


def read(envelope: Envelope) -> list[ClinicalMessage]:
    if envelope.format is FeedFormat.HL7V2:
        from chalicelib.interop.hl7v2 import read_hl7

        return [read_hl7(envelope.text, envelope.parsed)]
    from chalicelib.interop.fhir import read_fhir  # fhir.resources is heavy: only the feed pays for it

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
    new = changed = entries = stale = 0
    critical: list[str] = []
    for message in read(envelope):
        patient = _match(ports, source, envelope.sender, message.patient, now)
        if message.merged_from:
            _merge(ports, source, envelope.sender, patient, message.merged_from, now)
        released_now = False  # for this patient: the counts run over every patient of the document
        filed_here = 0
        for entry in message.entries:
            outcome = _file_entry(ports, source, envelope.sender, patient, entry, message_key, now)
            filed_here += outcome in ("new", "changed")
            entries += outcome in ("new", "changed")
            stale += outcome == "stale"
        for report in message.results:
            file_one = _file_document if message.kind == "document" or report.is_document else _file_result
            outcome, stored = file_one(ports, source, envelope.sender, patient, report, message_key, now, policy)
            new += outcome == "new"
            changed += outcome == "changed"
            stale += outcome == "stale"
            filed_here += outcome in ("new", "changed")
            # "refiled": this message filed it before a failure further on, so what follows
            # (telling the patient, or setting the release timer) may not have happened yet.
            if outcome not in ("new", "changed", "refiled"):
                continue
            if stored.status == "cancelled":  # a withdrawn result: nothing to show, nobody to call
                _withdraw_everywhere(ports, stored)
                continue
            if report.critical:
                critical.append(stored.result_id)
                _call_the_patient(ports, patient, stored, now)
            if stored.release_at <= now:
                released_now = True
            elif not stored.release_timer or outcome == "refiled":
                _announce_later(ports, patient, stored)
        patients.append(patient.patient_id)
        if filed_here:
            # The patient's access log shows what the feeds added to the record, and when.
            write_audit(ports, Origin(correlation_id=message_key), SYSTEM_ACTOR, "records.filed", action=Action.CREATE,
                   patient_id=patient.patient_id, resource_type="Bundle", reason=f"count:{filed_here}")
        if released_now:
            tell(ports, patient, now)
    return Filed(tuple(patients), new, changed, tuple(critical), entries, stale)


MAX_IDENTIFIERS = 20  # claims go in one transaction (100 items at most); real records carry a handful


def fhir_id_authority(sender: str) -> str:
    """The authority under which a sender's FHIR Patient ids are claimed: the ids are the
    sender's own, so another sender's "Patient/1" is another patient."""
    name = f"fhir:{sender}"
    if len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9 ._:/-]+", name):
        name = "fhir:" + hashlib.sha256(sender.encode()).hexdigest()[:32]
    return name


def _identifiers(source, sender: str, facts: PatientFacts) -> tuple[Identifier, ...]:
    found: list[Identifier] = []
    for identifier in facts.identifiers:
        # The source's default authority is for its bare record numbers only, never an SSN or a
        # payer id sent without authority.
        authority = identifier.authority or (source.default_authority if identifier.type in ("MR", "") else "")
        if authority == FHIR_ID_AUTHORITY:
            authority = fhir_id_authority(sender)
        # Claims are on authority and value: the same number sent twice with two type codes is one.
        if authority and not any((i.authority, i.value) == (authority, identifier.value) for i in found):
            found.append(Identifier(authority=authority, value=identifier.value, type=identifier.type))
    if len(found) > MAX_IDENTIFIERS:
        raise Unreadable(f"The patient carries more than {MAX_IDENTIFIERS} identifiers.")
    if not found:
        raise Unreadable("The patient has no identifier with an assigning authority, and the sender has no "
                         "default authority.")
    return tuple(found)


def _match(ports, source, sender: str, facts: PatientFacts, now: datetime) -> Patient:
    identifiers = _identifiers(source, sender, facts)
    claims = {identifier: ports.patients.claimed_by(source.organization_id, identifier) for identifier in identifiers}
    owners = {owner for owner in claims.values() if owner}
    if len(owners) > 1:
        raise Unreadable("The patient identifiers in the message belong to different patients.")
    alias = fhir_id_authority(sender)
    if not facts.reference_only and any(i.authority == alias and owner for i, owner in claims.items()):
        # A Patient resource is matched on its real identifiers; its id only lets later resources
        # refer to it. An id that named another patient (a sender reusing ids), or a known id with
        # none of its known identifiers, is not trusted to say who this is.
        if not any(owner for i, owner in claims.items() if i.authority != alias):
            raise Unreadable("The sender's Patient id names a patient that none of the message's identifiers "
                             "name: a FHIR Patient id must stay with one person.")
    unclaimed = tuple(identifier for identifier, owner in claims.items() if not owner)
    if not owners and facts.reference_only:
        raise Unreadable("The message refers to a patient the portal has not received from this sender: send "
                         "the Patient first, or in the same Bundle.")
    if not owners:
        patient = Patient(
            patient_id=uuid.uuid4().hex, organization_id=source.organization_id, identifiers=identifiers,
            family_name=facts.family_name or "", given_names=facts.given_names, birth_date=facts.birth_date,
            sex=facts.sex, email="", portal_status=PortalStatus.NOT_INVITED, account_id="", created_at=now)
        try:
            ports.patients.add(patient)
        except Conflict:  # created meanwhile by another delivery: file onto that one
            return _match(ports, source, sender, facts, now)
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


def _merge(ports, source, sender: str, survivor: Patient, merged_from: tuple[Identifier, ...], now: datetime) -> None:
    """A40: the prior record's identifiers now name the survivor, the prior record points at it,
    and its records are copied under the survivor (the prior record and its items are kept,
    never deleted). A portal account of the prior record is not moved here (the feed cannot end
    sessions): a staff worklist item asks for it (portal-access "follow_merge")."""
    bare = PatientFacts(identifiers=merged_from)
    prior_ids = {ports.patients.claimed_by(source.organization_id, i) for i in _identifiers(source, sender, bare)}
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
        # The prior record's results, documents and the rest show under the survivor: copied
        # before the identifiers move, since a redelivery finds the prior record by them.
        ports.records.copy_records(prior.patient_id, survivor.patient_id)
        if prior.account_id:
            # Its portal account still opens the merged record, where nothing new is filed: staff
            # move it to the survivor (portal-access "follow_merge"), or settle two accounts. Asked
            # before the identifiers move (a redelivery finds the prior record only until then),
            # once: the item's key is the merged record's, not this delivery's.
            from chalicelib.worklist.domain import WorklistItem

            ports.worklist.add(WorklistItem(
                item_id=f"merge-{prior.patient_id}", organization_id=prior.organization_id,
                task="move_portal_account", patient_id=prior.patient_id, result_id="", result_version=0,
                status="open", created_at=now,
                sort_key=f"{prior.created_at:%Y-%m-%dT%H:%M:%S.%fZ}#merge-{prior.patient_id}"))
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

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and _older(report.reported_at, current.content.get("reported_at")):
            return None  # an older message (a replay, history resent) never replaces a correction
        # A new result waits as its policy says; a new version of one not yet released keeps its
        # moment, timer and hold; a correction of a released one is shown at once.
        pending = current is not None and current.release_at > now
        release_at, waits_for = policy.release_for(report, now, patient.wait_for_review)
        version = (current.version + 1) if current else 1
        return StoredResult(
            patient_id=patient.patient_id, result_id=rid, version=version,
            object_key=_store_files(ports, patient, rid, version, report),
            category=report.category.value, status=report.status.value,
            content_sha256=digest, content=content, organization_id=source.organization_id, source=message_key,
            filed_at=now, release_at=(current.release_at if pending else now) if current else release_at,
            critical=report.critical, listed_at=current.listed_at if current else f"{now:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}",
            release_timer=current.release_timer if pending else "",
            held_reason=(current.held_reason if pending else "") if current else waits_for)

    return _file_version(ports, patient.patient_id, rid, "result", digest, message_key, next_version)


def _file_version(ports, patient_id: str, rid: str, kind: str, digest: str, message_key: str,
                  next_version) -> tuple[str, StoredResult]:
    """Compare with what is stored and write the next version, on condition nobody wrote one
    meanwhile (then compare again). Outcomes: "new", "changed"; "unchanged" (a resend);
    "refiled" (this very message again: a redelivery after a failure further on, so what
    follows may not have happened yet); "stale" (``next_version`` answers None: older than what
    is stored)."""
    for _ in range(3):
        current = ports.records.current(patient_id, rid, kind=kind)
        if current is not None and current.content_sha256 == digest:
            return ("refiled" if current.source == message_key else "unchanged"), current
        stored = next_version(current)
        if stored is None:
            return "stale", current
        try:
            ports.records.put_version(stored)
        except Conflict:
            continue  # another delivery filed a version meanwhile: compare again
        return ("changed" if current else "new"), stored
    raise Conflict(f"The {kind} kept changing while it was filed.")


MAX_CONTENT_BYTES = 180_000  # stored twice per version (current and kept) in items of 400 KB at most


def _fits(content: dict) -> None:
    if len(json.dumps(content, separators=(",", ":")).encode()) > MAX_CONTENT_BYTES:
        raise Unreadable(f"The report is too large to file ({MAX_CONTENT_BYTES // 1000} KB of content at most): "
                         "send long text as a document (MDM).")


def _media_type(content_type: str) -> str:
    media_type = content_type.split(";")[0].strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,63}", media_type):
        return "application/octet-stream"  # whatever the sender wrote, S3 gets a clean one
    return media_type


def _store_files(ports, patient: Patient, rid: str, version: int, report: ResultReport) -> str:
    """The files a result carries (an ED in OBX-5, a FHIR presentedForm with data), put in the
    documents bucket before the version that names them is written: "<object_key><observation
    index>". They follow their result: shown, held and withdrawn with it. "" when none."""
    files = [(index, o.document) for index, o in enumerate(report.observations)
             if o.value_type == "document" and o.document is not None and o.document.data]
    if not files:
        return ""
    prefix = f"results/{patient.patient_id}/{rid}/v{version:04d}/"
    for index, document in files:
        ports.documents.put(f"{prefix}{index}", document.data, _media_type(document.content_type),
                            {"sha256": hashlib.sha256(document.data).hexdigest()})
    return prefix


# LOINC document types (the FHIR DocumentReference.type US Core uses) that are not reports.
_LOINC_DOCUMENT_TYPES = {"18842-5": "discharge-summary", "11490-0": "discharge-summary",
                         "34105-7": "discharge-summary", "28655-9": "discharge-summary",
                         "11488-4": "visit-summary", "34108-1": "visit-summary", "34133-9": "visit-summary",
                         "11506-3": "note", "34117-2": "note", "28570-0": "note", "34109-9": "note"}


def document_type(report: ResultReport) -> str:
    """MDM TXA-2 (or a FHIR type) to the four kinds a patient browses by."""
    code, text = report.code.code.upper(), report.code.display.lower()
    if code in _LOINC_DOCUMENT_TYPES:
        return _LOINC_DOCUMENT_TYPES[code]
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
    # Text, and where the sender keeps a document it only points at (shown, never fetched).
    text = "\n\n".join([*(o.text for o in report.observations if o.text),
                         *(f"The sender keeps this document at: {o.pointer}" for o in report.observations
                           if o.value_type == "pointer" and o.pointer)])
    return text.encode("utf-8"), "text/plain; charset=utf-8"


def _file_document(ports, source, sender: str, patient: Patient, report: ResultReport, message_key: str,
                   now: datetime, policy: ReleasePolicy) -> tuple[str, StoredResult]:
    """A document (MDM, or a report carried as a document) goes to the documents bucket under a
    key the server makes up, and its description to the records table, versioned as results are."""
    rid = result_id(source.organization_id, sender, report.source_id)
    data, content_type = _document_file(report)
    kind = document_type(report)
    content = {"title": report.code.display or report.code.code or None, "type": kind,
               "code": dataclasses.asdict(report.code), "status": report.status.value,
               "authored_at": report.collected_at or None, "reported_at": report.reported_at or None,
               "author": report.ordering_provider or None, "content_type": content_type, "size": len(data),
               "sha256": hashlib.sha256(data).hexdigest()}
    digest = content_hash(content)

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and _older(report.reported_at, current.content.get("reported_at")):
            return None
        version = (current.version + 1) if current else 1
        object_key = f"documents/{patient.patient_id}/{rid}/v{version:04d}"
        ports.documents.put(object_key, data, _media_type(content_type), {"sha256": content["sha256"]})
        # As for results: a new version of one still waiting keeps its moment, timer and hold.
        pending = current is not None and current.release_at > now
        return StoredResult(
            patient_id=patient.patient_id, result_id=rid, version=version, category=f"document:{kind}",
            status=report.status.value, content_sha256=digest, content=content,
            organization_id=source.organization_id, source=message_key, filed_at=now,
            release_at=(current.release_at if pending else now) if current
            else policy.release_at_document(report, kind, _release_anchor(ports, source, sender, patient, report,
                                                                            kind, now)),
            kind="document", object_key=object_key,
            listed_at=current.listed_at if current else f"{now:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}",
            release_timer=current.release_timer if pending else "", held_reason=current.held_reason if pending else "")

    return _file_version(ports, patient.patient_id, rid, "document", digest, message_key, next_version)


_VISIT_STEPS = ("planned", "arrived", "in-progress", "finished")


def _visit_update(before: dict, after: dict, reopens: bool) -> dict:
    """ADT messages each tell part of a visit (an A03 may leave the admission time out): what a
    message leaves out is kept. A visit only moves forward (an A01 resent after the A03 does not
    undo the discharge) unless the message takes it back on purpose (A11, A12, A13)."""
    merged = {**{k: v for k, v in before.items() if k != "as_of"}, **after}
    if reopens:
        if "ended_at" not in after:
            merged.pop("ended_at", None)
        return merged
    old, new = before.get("status"), after.get("status")
    if old in _VISIT_STEPS and new in _VISIT_STEPS and _VISIT_STEPS.index(new) < _VISIT_STEPS.index(old):
        merged["status"] = old
    return merged


def _visit_sender(sender: str, visit_id: str) -> str:
    """HL7 visit numbers (PV1-19) are the organization's: its ADT and its transcription system
    name one visit alike, so they are kept per organization. FHIR Encounter ids are the sender's."""
    return "" if visit_id.startswith("visit@") else sender


def _release_anchor(ports, source, sender: str, patient: Patient, report: ResultReport, kind: str,
                    now: datetime) -> datetime:
    """When a document's delay starts: a discharge summary's at the discharge (from the message,
    else from the visit an earlier ADT^A03 or Encounter filed), anything else's at filing."""
    if kind != "discharge-summary":
        return now
    # (a discharge in the future is a mistake: the delay then counts from filing)
    discharged = _instant(report.discharged_at)
    if discharged is None and report.visit_id:
        visit = ports.records.current(patient.patient_id, result_id(
            source.organization_id, _visit_sender(sender, report.visit_id), report.visit_id), kind="visit")
        discharged = _instant(str(visit.content.get("ended_at") or "")) if visit is not None else None
    return min(discharged, now) if discharged else now


def _file_entry(ports, source, sender: str, patient: Patient, entry: ClinicalEntry, message_key: str,
                now: datetime) -> str:
    """An allergy, condition, medication, immunization, visit or appointment: shown at once
    (nothing about them waits for a clinician), versioned as results are, listed by when it
    happened (an appointment moved to another day moves in the list)."""
    rid = result_id(source.organization_id, _visit_sender(sender, entry.source_id), entry.source_id)
    digest = content_hash({"content": entry.content, "withdrawn": entry.withdrawn})

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and _older(entry.as_of, current.content.get("as_of")):
            return None  # an older message (a replay, an A01 after its A03) never undoes a newer one
        content = dict(entry.content)
        if entry.kind == "visit" and current is not None and current.status != "cancelled":
            content = _visit_update(current.content, content, entry.reopens)
        if entry.as_of:
            content["as_of"] = entry.as_of
        _fits(content)
        # (a visit update without the admission time keeps its place: the merged content has it)
        occurred = _instant(str(content.get("started_at") or "")) if entry.kind == "visit" else None
        occurred = occurred or _instant(entry.occurred_at)
        return StoredResult(
            patient_id=patient.patient_id, result_id=rid, version=(current.version + 1) if current else 1,
            # "cancelled" is the store's mark for withdrawn: a cancelled appointment is still shown,
            # with its own status in the content.
            category=entry.kind, status="cancelled" if entry.withdrawn else "current",
            content_sha256=digest, content=content, organization_id=source.organization_id, source=message_key,
            filed_at=now, release_at=now, kind=entry.kind,
            listed_at=(f"{occurred:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}" if occurred else current.listed_at if current
                       else f"{now:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}"))

    outcome, _ = _file_version(ports, patient.patient_id, rid, entry.kind, digest, message_key, next_version)
    return outcome


def _older(reported_at: str, current_reported_at: Any) -> bool:
    incoming, current = _instant(reported_at), _instant(current_reported_at or "")
    return incoming is not None and current is not None and incoming < current


def _instant(text: str) -> datetime | None:
    """An ISO 8601 date or time as sent (any precision, with or without a zone) as a UTC moment;
    None when it is not one. A time without a zone is taken as UTC: good enough to order by."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _call_the_patient(ports, patient: Patient, stored: StoredResult, now: datetime) -> None:
    """A critical value (HH, LL, AA ...): at once a staff worklist item to call the patient,
    whatever the release policy says; the patient's own notification follows the release."""
    from chalicelib.worklist.domain import WorklistItem

    item_id = f"{stored.result_id}-v{stored.version}"
    ports.worklist.add(WorklistItem(
        item_id=item_id, organization_id=stored.organization_id, task="call_patient", patient_id=patient.patient_id,
        result_id=stored.result_id, result_version=stored.version, status="open", created_at=stored.filed_at,
        sort_key=f"{stored.filed_at:%Y-%m-%dT%H:%M:%S.%fZ}#{item_id}"))


def _withdraw_everywhere(ports, stored: StoredResult) -> None:
    """A result or document the sender withdrew: also off the lists of the records an A40 merged
    away (their accounts may still read their copies), and no "call the patient" about it."""
    for patient_id, kind in ports.records.locate(stored.result_id):
        if patient_id != stored.patient_id and kind == stored.kind:
            ports.records.withdraw(patient_id, kind, stored.result_id)
    for item in ports.worklist.open_items(stored.organization_id):
        if item.result_id == stored.result_id:
            ports.worklist.close(stored.organization_id, item.sort_key, "system", "result_withdrawn", stored.filed_at)


def _waiting_notice(patient: Patient, at: datetime) -> dict[str, str] | None:
    """The "something waiting" notice for a moment, if the patient has portal access. It names the
    account, not an address: the notifications consumer looks the account up when it sends (a
    timer may fire days later), keeps the notice in the portal inbox, and emails a verified address
    if the patient wants result emails. Its id is the same for every result within ten minutes, so
    the consumer's idempotency folds them into one notice and one email."""
    if patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id:
        return None
    window = int(at.timestamp()) // NOTIFY_WINDOW_SECONDS
    # The id is shown in the inbox and its URLs: it names the patient only through a digest.
    digest = hashlib.sha256(patient.patient_id.encode()).hexdigest()[:20]
    return {"notification_id": f"new-results-{digest}-{window}", "template": "something_waiting",
            "account_id": patient.account_id}


def tell(ports, patient: Patient, now: datetime) -> None:
    notice = _waiting_notice(patient, now)
    if notice is not None:
        ports.notifications_queue.send(notice)


def _announce_later(ports, patient: Patient, stored: StoredResult) -> None:
    """A timer that sends the notice when a delayed result is released (a hold has none).

    Guarded: when the moment comes the timer announces only a record that still names it (not
    held, released early or withdrawn meanwhile) and takes itself off it. So the record names the
    timer (by its name, which names the result's version) before the timer starts, however soon it
    fires. A redelivery starts it again: Step Functions returns the running execution for the same
    name and input, and refuses a finished one (then it has announced already)."""
    from chalicelib.timers import service as timers

    notice = _waiting_notice(patient, stored.release_at) if stored.release_at < HELD_UNTIL else None
    if notice is None:
        return
    timer_id = f"release-{stored.result_id}-v{stored.version}"
    if stored.release_timer != timer_id:
        ports.records.set_release(stored, stored.release_at, stored.held_reason, timer_id)
    try:
        timers.schedule(ports.timers, timer_id=timer_id, fire_at=stored.release_at,
                        queue_url=ports.settings.notifications_queue_url, message=notice,
                        now=stored.filed_at, guard=ports.records.release_guard(stored))
    except Conflict:
        pass  # it ran already: a redelivery of a message whose timer has fired


def describe(filed: Filed) -> dict[str, Any]:
    return {"patients": len(filed.patients), "results_new": filed.results_new,
            "results_changed": filed.results_changed, "critical": len(filed.critical),
            "entries_changed": filed.entries_changed, "stale": filed.stale}
