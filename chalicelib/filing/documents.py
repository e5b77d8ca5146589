"""Documents: an MDM document (or a report carried as a document) filed as a new version, its
file in the documents bucket under a key the server makes up, released as the organization's
policy says for its type; a discharge summary's delay counts from the discharge.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from typing import Any

from chalicelib.filing.entries import visit_sender
from chalicelib.filing.filers import Delivery, Outcome, filer
from chalicelib.filing.versions import file_version, instant, media_type, older
from chalicelib.kernel.keys import timed_key
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import ResultReport, StoredResult, content_hash

# LOINC document types (the FHIR DocumentReference.type US Core uses) that are not reports.
_LOINC_DOCUMENT_TYPES = {
    "18842-5": "discharge-summary",
    "11490-0": "discharge-summary",
    "34105-7": "discharge-summary",
    "28655-9": "discharge-summary",
    "11488-4": "visit-summary",
    "34108-1": "visit-summary",
    "34133-9": "visit-summary",
    "11506-3": "note",
    "34117-2": "note",
    "28570-0": "note",
    "34109-9": "note",
}


@filer("document")
def file_document(delivery: Delivery, patient: Patient, report: ResultReport) -> Outcome:
    """A document (MDM, or a report carried as a document) goes to the documents bucket under a
    key the server makes up, and its description to the records table, versioned as results are."""
    ports, source, now, message_key = delivery.ports, delivery.source, delivery.now, delivery.message_key
    rid = delivery.record_id(delivery.sender, report.source_id)
    data, content_type = _document_file(report)
    kind = document_type(report)
    content: dict[str, Any] = {
        "title": report.code.display or report.code.code or None,
        "type": kind,
        "code": dataclasses.asdict(report.code),
        "status": report.status.value,
        "authored_at": report.collected_at or None,
        "reported_at": report.reported_at or None,
        "author": report.ordering_provider or None,
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    digest = content_hash(content)

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and older(report.reported_at, current.content.get("reported_at")):
            return None
        version = (current.version + 1) if current else 1
        object_key = f"documents/{patient.patient_id}/{rid}/v{version:04d}"
        ports.documents.put(object_key, data, media_type(content_type), {"sha256": content["sha256"]})
        # As for results: a new version of one still waiting keeps its moment, timer and hold.
        pending = current is not None and not current.released(now)
        return StoredResult(
            patient_id=patient.patient_id,
            result_id=rid,
            version=version,
            category=f"document:{kind}",
            status=report.status.value,
            content_sha256=digest,
            content=content,
            organization_id=source.organization_id,
            source=message_key,
            filed_at=now,
            release_at=(current.release_at if pending else now)
            if current
            else delivery.policy.release_at_document(report, kind, _release_anchor(delivery, patient, report, kind)),
            kind="document",
            object_key=object_key,
            listed_at=current.listed_at if current else timed_key(now, rid),
            release_timer=current.release_timer if current is not None and pending else "",
            held_reason=(current.held_reason if pending else "")
            if current
            else delivery.policy.document_reason(report, kind),
        )

    return file_version(ports, patient.patient_id, rid, "document", digest, message_key, next_version)


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
    text = "\n\n".join(
        [
            *(o.text for o in report.observations if o.text),
            *(
                f"The sender keeps this document at: {o.pointer}"
                for o in report.observations
                if o.value_type == "pointer" and o.pointer
            ),
        ]
    )
    return text.encode("utf-8"), "text/plain; charset=utf-8"


def _release_anchor(delivery: Delivery, patient: Patient, report: ResultReport, kind: str) -> datetime:
    """When a document's delay starts: a discharge summary's at the discharge (from the message,
    else from the visit an earlier ADT^A03 or Encounter filed), anything else's at filing."""
    now = delivery.now
    if kind != "discharge-summary":
        return now
    # (a discharge in the future is a mistake: the delay then counts from filing)
    discharged = instant(report.discharged_at)
    if discharged is None and report.visit_id:
        visit = delivery.ports.records.current(
            patient.patient_id,
            delivery.record_id(visit_sender(delivery.sender, report.visit_id), report.visit_id),
            kind="visit",
        )
        discharged = instant(str(visit.content.get("ended_at") or "")) if visit is not None else None
    return min(discharged, now) if discharged else now
