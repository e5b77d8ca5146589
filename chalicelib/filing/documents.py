"""Documents: an MDM document (or a report carried as a document) filed as a new version, its
file in the documents bucket under a key the server makes up, released as the organization's
policy says for its type; a discharge summary's delay counts from the discharge.

The sender's document lifecycle decides versions: an edit or a replacement is a new version of
the document (earlier ones kept), an addendum a document of its own beside its parent, and a
cancel, a draft or an unavailable document a withdrawn version (the patient sees none of it).
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from typing import Any

from chalicelib.access.sensitivity import sensitivity_content
from chalicelib.errors import Conflict
from chalicelib.filing import entry_ids
from chalicelib.filing.filers import Delivery, Outcome, filer
from chalicelib.filing.versions import file_version, instant, media_type
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.zones import with_offset
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import WITHDRAWN, ResultReport, StoredResult, content_hash

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
    key the server makes up, and its description to the records table, versioned as results are.

    Where it goes: a replacement (or an edit under a new number) is the next version of the
    document it replaces; an addendum is a document of its own that names its parent; anything
    else is the next version of itself. A document the patient must not see (cancelled, a draft,
    unavailable, announced without content) is filed withdrawn, so it leaves every list and link."""
    ports, source, now, message_key = delivery.ports, delivery.source, delivery.now, delivery.message_key
    own = delivery.record_id(delivery.sender, report.source_id)
    own_current = ports.records.current(patient.patient_id, own, kind="document")
    rid = _alias_of(own_current) or own
    if report.relation == "replaces" and rid == own:
        rid = _followed(delivery, patient, report.parent_id)
    addendum_to = _followed(delivery, patient, report.parent_id) if report.relation == "appends" else ""
    kind = document_type(report)
    hidden = report.hidden
    data: bytes | None = None
    held = ports.records.current(patient.patient_id, rid, kind="document") if rid != own else own_current
    if hidden == "cancelled":
        file_fields: dict[str, Any] = {"content_type": "", "size": 0, "sha256": ""}  # nothing kept to show
    elif report.has_content:
        data, content_type = _document_file(report)
        file_fields = {"content_type": content_type, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    elif held is not None and held.object_key:
        # A status change without the document (T03 ...): the file already filed stays the file.
        file_fields = {key: held.content.get(key) for key in ("content_type", "size", "sha256")}
    else:
        file_fields = {"content_type": "", "size": 0, "sha256": ""}
        hidden = hidden or "no-content"
    content: dict[str, Any] = {
        "title": report.code.display or report.code.code or None,
        "type": kind,
        "code": report.code.content(),
        "status": report.status.value,
        "authored_at": report.collected_at or None,
        "reported_at": report.reported_at or None,
        "author": report.ordering_provider or None,
        **file_fields,
        **sensitivity_content(report.confidentiality, report.security_labels),
    }
    if hidden:
        # the reader's reason, or "no-content" (announced without the document); an alias's is "replaced"
        content["hidden"] = hidden
    if addendum_to:
        content["addendum_to"] = addendum_to
    # What tells versions apart is what the patient would see: not when the message was sent (a
    # resend is the same document), nor how it came to be (below).
    digest = content_hash(content)
    anchor, awaits = _release_anchor(delivery, patient, report, kind)

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and _stale(report, hidden, current, delivery.time_zone):
            return None
        version = (current.version + 1) if current else 1
        object_key = ""
        if data is not None and hidden != "cancelled":
            object_key = f"documents/{patient.patient_id}/{rid}/v{version:04d}"
            ports.documents.put(
                object_key, data, media_type(file_fields["content_type"]), {"sha256": file_fields["sha256"]}
            )
        elif current is not None and not report.has_content and hidden != "cancelled":
            object_key = current.object_key
        was_hidden = current is not None and current.withdrawn
        stored_content = {
            **content,
            "as_of": report.as_of or None,
            # "replacement": the sender replaced the document (its earlier versions are kept);
            # "updated": a new version of a document the patient could already see.
            "revision": "replacement"
            if report.relation == "replaces"
            else "updated"
            if current is not None and not was_hidden and current.object_key
            else None,
            # once replaced, always: the sender's later "obsolete" of any of its numbers is old news
            "replaced": report.relation == "replaces" or bool(current is not None and current.content.get("replaced")),
        }
        if awaits:
            # Filed before its discharge was known: the A03 re-times it (filing/discharges.py).
            delay = delivery.policy.release_at_document(report, kind, now) - now
            stored_content["awaits_discharge"] = {"visit": awaits, "delay_seconds": int(delay.total_seconds())}
        # As for results: a new version of one still waiting keeps its moment, timer and hold. One
        # the patient could not see (a draft, announced without content) is released as new.
        pending = current is not None and not was_hidden and not current.released(now)
        return StoredResult(
            patient_id=patient.patient_id,
            result_id=rid,
            version=version,
            category=f"document:{kind}",
            status=WITHDRAWN if hidden else report.status.value,
            content_sha256=digest,
            content=stored_content,
            organization_id=source.organization_id,
            source=message_key,
            filed_at=now,
            release_at=(current.release_at if pending else now)
            if current is not None and not was_hidden
            else delivery.policy.release_at_document(report, kind, anchor),
            kind="document",
            object_key=object_key,
            listed_at=current.listed_at if current else timed_key(now, rid),
            release_timer=current.release_timer if current is not None and pending else "",
            held_reason=(current.held_reason if pending else "")
            if current
            else delivery.policy.document_reason(report, kind),
        )

    outcome = file_version(ports, patient.patient_id, rid, "document", digest, message_key, next_version)
    if rid != own and own_current is None and outcome[0] in ("new", "changed", "refiled"):
        _alias(delivery, patient, own, rid, outcome[1])
    return outcome


def _stale(report: ResultReport, hidden: str, current: StoredResult, time_zone: str = "UTC") -> bool:
    """Whether the message changes nothing: it is older than what is stored; or the document was
    cancelled and the sender does not date this after the cancel (a replayed original, a cancel
    that overtook its original: never brought back); or it marks obsolete a document already
    replaced (its replacement is one of its versions, and the patient should see it)."""
    order = _order(report, current.content, time_zone)
    if order < 0:
        return True
    if current.content.get("hidden") == "cancelled" and order == 0:
        return True
    return hidden == "obsolete" and bool(current.content.get("replaced"))


def _order(report: ResultReport, content: dict[str, Any], time_zone: str = "UTC") -> int:
    """1 when the message is newer than the stored version, -1 older, 0 the same or unknown: by
    the document's own time (authenticated, edited or dated), else by when the message was sent.
    ``time_zone``: the organization's, for a stored time without an offset (filed before times
    were read in it, filing/zones.py)."""
    for incoming, stored in ((report.reported_at, content.get("reported_at")), (report.as_of, content.get("as_of"))):
        mine, theirs = instant(incoming), instant(with_offset(str(stored or ""), time_zone))
        if mine is not None and theirs is not None and mine != theirs:
            return 1 if mine > theirs else -1
    return 0


def _alias_of(stored: StoredResult | None) -> str:
    """The document a replacement's own number was filed under (see _alias), or ""."""
    return str(stored.content.get("alias_of") or "") if stored is not None and stored.withdrawn else ""


def _followed(delivery: Delivery, patient: Patient, parent_id: str) -> str:
    """The id of the document the sender's ``parent_id`` names: itself, or the document it
    replaced when it was a replacement."""
    parent = delivery.record_id(delivery.sender, parent_id)
    return _alias_of(delivery.ports.records.current(patient.patient_id, parent, kind="document")) or parent


def _alias(delivery: Delivery, patient: Patient, own: str, rid: str, stored: StoredResult) -> None:
    """A replacement is filed under the document it replaces; its own number is kept as a
    withdrawn pointer to it, so a later edit, replacement, addendum or cancel that names the
    replacement reaches the same document."""
    content = {"alias_of": rid, "hidden": "replaced"}
    try:
        delivery.ports.records.put_version(
            dataclasses.replace(
                stored,
                result_id=own,
                version=1,
                status=WITHDRAWN,
                content_sha256=content_hash(content),
                content=content,
                object_key="",
                listed_at=timed_key(delivery.now, own),
                release_timer="",
                held_reason="",
            )
        )
    except Conflict:
        pass  # written by an earlier delivery of this message, or a concurrent one


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


def _release_anchor(delivery: Delivery, patient: Patient, report: ResultReport, kind: str) -> tuple[datetime, str]:
    """When a document's delay starts: a discharge summary's at the discharge (from the message,
    else from the visit an earlier ADT^A03 or Encounter filed), anything else's at filing. And,
    for a discharge summary whose visit has no discharge yet, that visit's record id (the
    summary counts from filing until the A03 comes), else ""."""
    now = delivery.now
    if kind != "discharge-summary":
        return now, ""
    # (a discharge in the future is a mistake: the delay then counts from filing)
    discharged = instant(report.discharged_at)
    visit_id = ""
    if discharged is None and report.visit_id:
        # The visit as the ADT filed it (filing/entry_ids.py), else the id it will be filed under.
        keys = entry_ids.entry_keys(delivery.source, delivery.sender, "visit", report.visit_ids)
        legacy = entry_ids.legacy_key(delivery.sender, report.visit_id)
        visit_id = entry_ids.awaited_visit(delivery, patient.patient_id, keys, legacy)
        visit = delivery.ports.records.current(patient.patient_id, visit_id, kind="visit")
        # (a visit filed before times were read in the organization's zone has none on its end)
        ended = with_offset(str(visit.content.get("ended_at") or ""), delivery.time_zone) if visit else ""
        discharged = instant(ended)
    if discharged is None:
        return now, visit_id
    return min(discharged, now), ""
