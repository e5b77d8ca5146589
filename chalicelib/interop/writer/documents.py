"""A document of the patient's record (a discharge summary, a visit summary, a report, a note, a
form they signed) as a US Core DocumentReference.

- type: the sender's code with, when it is not LOINC, the LOINC document code of the portal's
  kind of document (discharge summary 18842-5 ...); a report of no known kind says "unknown" (US
  Core's value set allows it).
- category: US Core's "clinical-note".
- the file: ``content.attachment`` with its media type, title, size and where to read it
  (``Writing.attachment``: the caller's link, else the portal's name of the file). Never the
  bytes: a record may hold large files, and the link is read only when the reader wants it.
- an addendum ``relatesTo`` ("appends") the document it adds to, when that one is in the record
  being written too (the writer never names a document the reader is not shown).
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.profiles import DOCUMENT_CATEGORY, FORMAT_CODE, LOINC, PROFILES
from chalicelib.interop.writer.values import (
    absent_concept,
    concept,
    date_time,
    instant,
    instant_of,
    profiled,
    reference,
)
from chalicelib.interop.writer.vitals import loinc_code
from chalicelib.records.domain import StoredResult

# The portal's kinds of document (records.domain.DOCUMENT_TYPES and the signed forms) as LOINC.
DOCUMENT_CODES = {
    "discharge-summary": ("18842-5", "Discharge summary"),
    "visit-summary": ("34133-9", "Summary of episode note"),
    "note": ("11506-3", "Progress note"),
    "signed-form": ("59284-0", "Consent Document"),
}
# The portal's status of a document -> DocumentReference.docStatus.
_DOC_STATUSES = {"preliminary": "preliminary", "final": "final", "corrected": "amended"}
MIME_SUFFICIENT = {
    "system": FORMAT_CODE,
    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
    "display": "mimeType Sufficient",
}


def document_type(document: StoredResult) -> dict[str, Any]:
    content = document.content
    kind = str(content.get("type") or "") or document.category.removeprefix("document:").split("#")[0]
    sent = concept(content.get("code"), str(content.get("title") or ""))
    if loinc_code(content.get("code")) and sent:
        return sent
    mapped = DOCUMENT_CODES.get(kind)
    if mapped is None:
        written = absent_concept()
        if content.get("title"):
            written["text"] = str(content["title"])
        return written
    code, display = mapped
    written = {"coding": [*(sent or {}).get("coding", []), {"system": LOINC, "code": code, "display": display}]}
    written["text"] = str(content.get("title") or display)
    return written


def attachment(
    content_type: str, *, url: str = "", title: str = "", size: Any = None, creation: str = "", sha1: str = ""
) -> dict[str, Any]:
    """A document's file as an Attachment: its media type, where it is read (``url``, when it
    may be read there), title, size in bytes, when it was made, and its SHA-1 (lower-case hex,
    written base64 as R4 wants) when the reader checks the bytes against it."""
    written: dict[str, Any] = {"contentType": content_type or "application/octet-stream"}
    if url:
        written["url"] = url
    if isinstance(size, int) and not isinstance(size, bool) and size > 0:
        written["size"] = size
    if sha1:
        written["hash"] = base64.b64encode(bytes.fromhex(sha1)).decode("ascii")
    if title:
        written["title"] = title
    if creation:
        written["creation"] = creation
    return written


def document_resource(document: StoredResult, writing: Writing, listed: Collection[str] = ()) -> dict[str, Any]:
    """``listed``: the ids of the documents written beside it (an addendum names its parent only then)."""
    content = document.content
    authored = date_time(content.get("authored_at"))
    file = attachment(
        str(content.get("content_type") or ""),
        url=writing.attachment(document.result_id),
        title=str(content.get("title") or ""),
        size=content.get("size"),
        creation=authored,
    )
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": document.result_id,
        **profiled(PROFILES["DocumentReference"]),
        "status": "current",
    }
    doc_status = _DOC_STATUSES.get(str(content.get("status") or document.status))
    if doc_status:
        resource["docStatus"] = doc_status
    resource.update(
        {
            "type": document_type(document),
            "category": [
                {"coding": [{"system": DOCUMENT_CATEGORY, "code": "clinical-note", "display": "Clinical Note"}]}
            ],
            "subject": writing.patient(),
            "date": instant_of(content.get("reported_at")) or instant(document.filed_at),
        }
    )
    if content.get("type") == "signed-form":
        resource["author"] = [writing.patient()]
    elif str(content.get("author") or "").strip():
        resource["author"] = [writing.practitioner(str(content["author"]))]
    resource["custodian"] = writing.organization()
    parent = str(content.get("addendum_to") or "")
    if parent and parent in listed:
        resource["relatesTo"] = [{"code": "appends", "target": reference("DocumentReference", parent)}]
    resource["content"] = [{"attachment": file, "format": dict(MIME_SUFFICIENT)}]
    if authored:
        resource["context"] = {"period": {"start": authored}}
    return resource
