"""A patient's documents (discharge and visit summaries, reports, notes, the forms they signed at
check-in): the list by type, and a five-minute link to one. Only what the caller's scope covers
and the patient is shown; audited.

The chart's documents are in the patient's own partition, which only the feed writes; the forms
the patient signed are in their signed-forms partition, which the API writes (infra/template.yaml:
the API may not write the chart). Both are on the same by-category index with keys of the same
shape, so a page reads one page of each from the cursor and merges them by that key."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.paging import encode_cursor
from chalicelib.records.contract import DocumentsQuery
from chalicelib.records.domain import StoredResult
from chalicelib.records.links import FileLink, RecordFilesPorts, file_link
from chalicelib.records.visible import RecordView, record_view


class SignedDocuments(Protocol):
    """The forms a patient signed, as their documents (data/signed_forms.py)."""

    def documents_page(
        self, patient_id: str, released_by: datetime, limit: int, after: str = "", prefix: str = "document:"
    ) -> tuple[list[StoredResult], str]: ...

    def as_document(self, patient_id: str, document_id: str) -> StoredResult | None: ...


class DocumentPorts(RecordFilesPorts, Protocol):
    @property
    def signed_forms(self) -> SignedDocuments: ...


def _position(document: StoredResult) -> tuple[str, str]:
    """Where a document sits on the by-category index (both partitions key it alike)."""
    return f"{document.category}#{document.listed_at}", f"{document.kind}#{document.result_id}"


def documents_page(
    ports: DocumentPorts, patient_id: str, now: datetime, limit: int, after: str = "", prefix: str = "document:"
) -> tuple[list[StoredResult], str]:
    """A page of the chart's documents and the signed forms together, newest first. Each side's
    page holds its first ``limit`` items after the cursor, so the first ``limit`` of both merged
    are the page's; the next cursor is the last one's position, which both sides start after."""
    chart, more_chart = ports.records.page(patient_id, "", now, limit, after, prefix=prefix)
    signed, more_signed = ports.signed_forms.documents_page(patient_id, now, limit, after, prefix=prefix)
    merged = sorted(chart + signed, key=_position, reverse=True)
    shown = merged[:limit]
    if not shown or not (len(merged) > limit or more_chart or more_signed):
        return shown, ""
    listed_at, record_key = _position(shown[-1])
    return shown, encode_cursor({"category_listed_at": {"S": listed_at}, "record_key": {"S": record_key}})


def _current(ports: DocumentPorts, patient_id: str, document_id: str) -> StoredResult | None:
    """The current version of one of the chart's documents, else the signed form of that id."""
    if not RECORD_ID.fullmatch(document_id or ""):
        return None
    return ports.records.current(patient_id, document_id, kind="document") or ports.signed_forms.as_document(
        patient_id, document_id
    )


def list_documents(
    ports: DocumentPorts, caller: Caller, origin: Origin, patient_id: str, query: DocumentsQuery, now: datetime
) -> dict[str, Any]:
    kind = query.type
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.DOCUMENTS)
    documents, cursor = documents_page(
        ports, scope.patient_id, now, query.limit, query.cursor, prefix=f"document:{kind}#" if kind else "document:"
    )
    view = record_view(ports, scope)
    documents = view.only_shown(documents)
    parents = _parents(ports, scope.patient_id, documents)
    documents = [d for d in documents if not _cancelled_parent(d, parents)]
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "documents.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        reason=f"count:{len(documents)}",
    )
    return {
        "documents": [
            {**document_summary(d), "addendum_to_title": _parent_title(d, parents, now, view)} for d in documents
        ],
        "next_cursor": cursor or None,
    }


def _parents(ports: RecordFilesPorts, patient_id: str, documents: list[StoredResult]) -> dict[str, StoredResult | None]:
    """The current versions of the documents the addenda among ``documents`` add to (one read
    each, at most a page of them; None for one the sender has not sent)."""
    listed = {d.result_id: d for d in documents}
    wanted = {str(d.content.get("addendum_to") or "") for d in documents} - {""}
    return {
        parent_id: listed.get(parent_id) or ports.records.current(patient_id, parent_id, kind="document")
        for parent_id in wanted
    }


def _cancelled_parent(document: StoredResult, parents: dict[str, StoredResult | None]) -> bool:
    """An addendum to a document its sender cancelled goes with it: a document entered in error
    (on the wrong patient's chart, say) makes what was added to it as doubtful."""
    parent = parents.get(str(document.content.get("addendum_to") or ""))
    return parent is not None and parent.withdrawn and parent.content.get("hidden") == "cancelled"


def _parent_title(
    document: StoredResult, parents: dict[str, StoredResult | None], now: datetime, view: RecordView
) -> str | None:
    """The title of the document an addendum adds to, while the caller is shown that document."""
    parent = parents.get(str(document.content.get("addendum_to") or ""))
    if parent is None or not parent.shown_to_patient(now) or not view.shows_item(parent):
        return None
    return str(parent.content.get("title") or "") or None


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
        "revision": content.get("revision"),
        "addendum_to": content.get("addendum_to"),
    }


# The addenda of a document are looked for among this many of the patient's newest documents.
ADDENDA_PAGE = 50


def get_document(
    ports: DocumentPorts, caller: Caller, origin: Origin, patient_id: str, document_id: str, now: datetime
) -> dict[str, Any]:
    """One document the patient is shown, its earlier versions (those that were shown: never a
    draft or a cancelled one) and its addenda."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.DOCUMENTS)
    view = record_view(ports, scope)
    current, earlier = _shown_versions(ports, scope.patient_id, document_id, now, view)
    parents = _parents(ports, scope.patient_id, [current])
    page, _ = ports.records.page(scope.patient_id, "", now, ADDENDA_PAGE, prefix="document:")
    addenda = [d for d in view.only_shown(page) if d.content.get("addendum_to") == current.result_id]
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "document.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=document_id,
        reason=f"versions:{len(earlier)}",
    )
    return {
        **document_summary(current),
        "addendum_to_title": _parent_title(current, parents, now, view),
        "earlier_versions": [
            {
                "version": v.version,
                "status": v.status,
                "filed_at": iso(v.filed_at),
                "authored_at": v.content.get("authored_at"),
                "title": v.content.get("title"),
                "content_type": v.content.get("content_type") or "",
                "size": v.content.get("size") or 0,
            }
            for v in earlier
        ],
        "addenda": [{**document_summary(a), "addendum_to_title": current.content.get("title")} for a in addenda],
    }


def _shown_versions(
    ports: DocumentPorts, patient_id: str, document_id: str, now: datetime, view: RecordView
) -> tuple[StoredResult, list[StoredResult]]:
    """The current version, shown to the patient and in the caller's view (else NotFound), and
    the earlier ones they were shown, newest first: released and not withdrawn. (A signed form has
    one version.)"""
    current, kept = (
        ports.records.with_versions(patient_id, document_id, kind="document")
        if RECORD_ID.fullmatch(document_id or "")
        else (None, [])
    )
    if current is None:
        current = _current(ports, patient_id, document_id)
    if (
        current is None
        or not current.shown_to_patient(now)
        or not view.shows_item(current)
        or _cancelled_parent(current, _parents(ports, patient_id, [current]))
    ):
        raise NotFound("No such document.")
    earlier = [v for v in kept if v.version < current.version and v.shown_to_patient(now) and view.shows_item(v)]
    return current, sorted(earlier, key=lambda v: -v.version)


def version_link(
    ports: DocumentPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    document_id: str,
    version: str,
    now: datetime,
) -> FileLink:
    """A five-minute link to an earlier version's file, while the document is shown."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.DOCUMENTS)
    _, earlier = _shown_versions(ports, scope.patient_id, document_id, now, record_view(ports, scope))
    found = next((v for v in earlier if version.isdigit() and v.version == int(version)), None)
    if found is None or not found.object_key:
        raise NotFound("No such version.")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "document.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=document_id,
        reason=f"version:{found.version}",
    )
    return file_link(ports, found.object_key, str(found.content.get("content_type") or ""), now)


def document_link(
    ports: DocumentPorts, caller: Caller, origin: Origin, patient_id: str, document_id: str, now: datetime
) -> FileLink:
    """A link to the file that works for five minutes."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.DOCUMENTS)
    document = _current(ports, scope.patient_id, document_id)
    if (
        document is None
        or not document.shown_to_patient(now)
        or not document.object_key
        or not record_view(ports, scope).shows_item(document)
        or _cancelled_parent(document, _parents(ports, scope.patient_id, [document]))
    ):
        raise NotFound("No such document.")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "document.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=document_id,
    )
    # A signed form names the locked version of its PDF: a later object under the key is not it.
    version_id = str(document.content.get("object_version") or "")
    return file_link(ports, document.object_key, str(document.content.get("content_type") or ""), now, version_id)
