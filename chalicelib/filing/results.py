"""Results: a lab or imaging report (and the files it carries) filed as a new version, released
as the organization's release policy and the patient's own choice say.
"""

from __future__ import annotations

import hashlib

from chalicelib.filing.filers import Delivery, FilingPorts, Outcome, filer
from chalicelib.filing.versions import file_version, fits, media_type, older
from chalicelib.kernel.keys import timed_key
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import ResultReport, StoredResult, content_hash, report_content


@filer("result")
def file_result(delivery: Delivery, patient: Patient, report: ResultReport) -> Outcome:
    ports, source, now, message_key = delivery.ports, delivery.source, delivery.now, delivery.message_key
    rid = delivery.record_id(delivery.sender, report.source_id)
    content = report_content(report)
    fits(content)
    digest = content_hash(content)

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and older(report.reported_at, current.content.get("reported_at"), delivery.time_zone):
            return None  # an older message (a replay, history resent) never replaces a correction
        # A new result waits as its policy says; a new version of one not yet released keeps its
        # moment, timer and hold; a correction of a released one is shown at once.
        pending = current is not None and not current.released(now)
        release_at, waits_for = delivery.policy.release_for(
            report, now, patient.wait_for_review, dict(patient.wait_days)
        )
        version = (current.version + 1) if current else 1
        return StoredResult(
            patient_id=patient.patient_id,
            result_id=rid,
            version=version,
            object_key=_store_files(ports, patient, rid, version, report),
            category=report.category.value,
            status=report.status.value,
            content_sha256=digest,
            content=content,
            organization_id=source.organization_id,
            source=message_key,
            filed_at=now,
            release_at=(current.release_at if pending else now) if current else release_at,
            critical=report.critical,
            listed_at=current.listed_at if current else timed_key(now, rid),
            release_timer=current.release_timer if current is not None and pending else "",
            held_reason=(current.held_reason if pending else "") if current else waits_for,
        )

    return file_version(ports, patient.patient_id, rid, "result", digest, message_key, next_version)


def _store_files(ports: FilingPorts, patient: Patient, rid: str, version: int, report: ResultReport) -> str:
    """The files a result carries (an ED in OBX-5, a FHIR presentedForm with data), put in the
    documents bucket before the version that names them is written: "<object_key><observation
    index>". They follow their result: shown, held and withdrawn with it. "" when none."""
    files = [
        (index, o.document)
        for index, o in enumerate(report.observations)
        if o.value_type == "document" and o.document is not None and o.document.data
    ]
    if not files:
        return ""
    prefix = f"results/{patient.patient_id}/{rid}/v{version:04d}/"
    for index, document in files:
        ports.documents.put(
            f"{prefix}{index}",
            document.data,
            media_type(document.content_type),
            {"sha256": hashlib.sha256(document.data).hexdigest()},
        )
    return prefix
