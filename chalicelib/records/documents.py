"""A patient's documents (discharge and visit summaries, reports, notes): the list by type, and a
five-minute link to one. Only what the caller's scope covers and the patient is shown; audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.records.contract import DocumentsQuery
from chalicelib.records.domain import StoredResult
from chalicelib.records.links import FileLink, RecordFilesPorts, file_link


def list_documents(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, query: DocumentsQuery, now: datetime
) -> dict[str, Any]:
    kind = query.type
    scope = patient_scope(ports, caller, origin, patient_id)
    documents, cursor = ports.records.page(
        scope.patient_id, "", now, query.limit, query.cursor, prefix=f"document:{kind}#" if kind else "document:"
    )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "documents.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        reason=f"count:{len(documents)}",
    )
    return {"documents": [document_summary(d) for d in documents], "next_cursor": cursor or None}


def document_summary(document: StoredResult) -> dict[str, Any]:
    content = document.content
    return {
        "document_id": document.result_id,
        "version": document.version,
        "type": content.get("type"),
        "title": content.get("title"),
        "status": document.status,
        "authored_at": content.get("authored_at"),
        "author": content.get("author"),
        "content_type": content.get("content_type"),
        "size": content.get("size"),
        "released_at": iso(document.release_at),
    }


def document_link(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, document_id: str, now: datetime
) -> FileLink:
    """A link to the file that works for five minutes."""
    scope = patient_scope(ports, caller, origin, patient_id)
    document = (
        ports.records.current(scope.patient_id, document_id, kind="document")
        if RECORD_ID.fullmatch(document_id or "")
        else None
    )
    if document is None or not document.shown_to_patient(now) or not document.object_key:
        raise NotFound("No such document.")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "document.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=document_id,
    )
    return file_link(ports, document.object_key, str(document.content.get("content_type") or ""), now)
