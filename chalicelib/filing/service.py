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
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from chalicelib.audit.domain import SYSTEM_ACTOR, Action
from chalicelib.feeds.domain import Envelope, FeedFormat
from chalicelib.audit.trail import write_audit
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import (
    ClinicalEntry,
    ClinicalMessage,
    ResultReport,
    Unreadable,
)
from chalicelib.filing.aftereffects import NOTIFY_WINDOW_SECONDS, announce_later, call_the_patient, tell, withdraw_everywhere  # noqa: F401
from chalicelib.filing.matching import fhir_id_authority, match  # noqa: F401
from chalicelib.filing.merges import merge
from chalicelib.filing.versions import file_version, fits, instant, media_type, older
from chalicelib.release.policy import ReleasePolicy
from chalicelib.records.domain import StoredResult, content_hash, report_content, result_id

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
        patient = match(ports, source, envelope.sender, message.patient, now)
        if message.merged_from:
            merge(ports, source, envelope.sender, patient, message.merged_from, now)
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
                withdraw_everywhere(ports, stored)
                continue
            if report.critical:
                critical.append(stored.result_id)
                call_the_patient(ports, patient, stored, now)
            if stored.release_at <= now:
                released_now = True
            elif not stored.release_timer or outcome == "refiled":
                announce_later(ports, patient, stored)
        patients.append(patient.patient_id)
        if filed_here:
            # The patient's access log shows what the feeds added to the record, and when.
            write_audit(ports, Origin(correlation_id=message_key), SYSTEM_ACTOR, "records.filed", action=Action.CREATE,
                   patient_id=patient.patient_id, resource_type="Bundle", reason=f"count:{filed_here}")
        if released_now:
            tell(ports, patient, now)
    return Filed(tuple(patients), new, changed, tuple(critical), entries, stale)


def _file_result(ports, source, sender: str, patient: Patient, report: ResultReport, message_key: str,
                 now: datetime, policy: ReleasePolicy) -> tuple[str, StoredResult]:
    rid = result_id(source.organization_id, sender, report.source_id)
    content = report_content(report)
    fits(content)
    digest = content_hash(content)

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and older(report.reported_at, current.content.get("reported_at")):
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

    return file_version(ports, patient.patient_id, rid, "result", digest, message_key, next_version)



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
        ports.documents.put(f"{prefix}{index}", document.data, media_type(document.content_type),
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
        if current is not None and older(report.reported_at, current.content.get("reported_at")):
            return None
        version = (current.version + 1) if current else 1
        object_key = f"documents/{patient.patient_id}/{rid}/v{version:04d}"
        ports.documents.put(object_key, data, media_type(content_type), {"sha256": content["sha256"]})
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

    return file_version(ports, patient.patient_id, rid, "document", digest, message_key, next_version)


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
    discharged = instant(report.discharged_at)
    if discharged is None and report.visit_id:
        visit = ports.records.current(patient.patient_id, result_id(
            source.organization_id, _visit_sender(sender, report.visit_id), report.visit_id), kind="visit")
        discharged = instant(str(visit.content.get("ended_at") or "")) if visit is not None else None
    return min(discharged, now) if discharged else now


def _file_entry(ports, source, sender: str, patient: Patient, entry: ClinicalEntry, message_key: str,
                now: datetime) -> str:
    """An allergy, condition, medication, immunization, visit or appointment: shown at once
    (nothing about them waits for a clinician), versioned as results are, listed by when it
    happened (an appointment moved to another day moves in the list)."""
    rid = result_id(source.organization_id, _visit_sender(sender, entry.source_id), entry.source_id)
    digest = content_hash({"content": entry.content, "withdrawn": entry.withdrawn})

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and older(entry.as_of, current.content.get("as_of")):
            return None  # an older message (a replay, an A01 after its A03) never undoes a newer one
        content = dict(entry.content)
        if entry.kind == "visit" and current is not None and current.status != "cancelled":
            content = _visit_update(current.content, content, entry.reopens)
        if entry.as_of:
            content["as_of"] = entry.as_of
        fits(content)
        # (a visit update without the admission time keeps its place: the merged content has it)
        occurred = instant(str(content.get("started_at") or "")) if entry.kind == "visit" else None
        occurred = occurred or instant(entry.occurred_at)
        return StoredResult(
            patient_id=patient.patient_id, result_id=rid, version=(current.version + 1) if current else 1,
            # "cancelled" is the store's mark for withdrawn: a cancelled appointment is still shown,
            # with its own status in the content.
            category=entry.kind, status="cancelled" if entry.withdrawn else "current",
            content_sha256=digest, content=content, organization_id=source.organization_id, source=message_key,
            filed_at=now, release_at=now, kind=entry.kind,
            listed_at=(f"{occurred:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}" if occurred else current.listed_at if current
                       else f"{now:%Y-%m-%dT%H:%M:%S.%fZ}#{rid}"))

    outcome, _ = file_version(ports, patient.patient_id, rid, entry.kind, digest, message_key, next_version)
    return outcome


def describe(filed: Filed) -> dict[str, Any]:
    return {"patients": len(filed.patients), "results_new": filed.results_new,
            "results_changed": filed.results_changed, "critical": len(filed.critical),
            "entries_changed": filed.entries_changed, "stale": filed.stale}
