"""The FHIR R4 read API's logic: a read or a search of one type, for the one patient an app's
token names, within what the patient (or their proxy) let the app read and what the one check
lets that person see.

In order: the type must be one the token may read (its scope, within the consent) (else Forbidden: "This app may not read
Observation."); the areas of the record the type lives in (``apps.domain.RESOURCE_AREAS``; an
Observation is a result's or a vital sign's) are narrowed to those the caller's scope covers
(``access.service.readable_areas``: a proxy's grant, in force now, still decides); what is left is
collected with the portal's own filters (``records.everything``: released, not held, not
withdrawn, the proxy's cutoff, never sensitive care to a proxy) and written as FHIR by the one
writer (``interop.writer``). A search over areas the scope no longer covers finds nothing; a
read of an id the caller cannot see is NotFound, the answer an unknown id gets.

Each request reads only what it needs (``apps.fhir_api.needs``): a search the kinds of filed
item its type is written from, a read by id its one item through the same visibility view
(``records.everything.read_visible_item``). A search of a record larger than the collector reads
(``complete`` False) says so in an OperationOutcome entry and gives no ``total`` rather than a
wrong one.

Every answer is audited under the app (``scope_actor`` carries the authorization):
``fhir.read`` with the type and id, ``fhir.search`` with the type and the count found.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope, readable_areas
from chalicelib.apps.domain import resource_areas
from chalicelib.apps.fhir_api.needs import FRAME_TYPES, RESOURCE_KINDS, items_of, kinds_of, observation_areas
from chalicelib.apps.fhir_api.search import Search, matches
from chalicelib.apps.oauth.bearer import AppAccess
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, scope_actor, write_audit
from chalicelib.errors import Forbidden, NotFound
from chalicelib.interop import writer
from chalicelib.kernel.origin import Origin
from chalicelib.records.everything import (
    KIND_AREAS,
    EverythingPorts,
    VisibleRecord,
    read_visible_item,
    read_visible_record,
    record_frame,
)
from chalicelib.records.links import file_link


class FhirPorts(EverythingPorts, Protocol):
    """The record's stores, the one check and the audit trail."""


AttachmentUrl = Callable[[str, str], "str | None"]
# What a search of a record larger than the collector reads says beside its matches.
MORE_THAN_LISTED = "More results exist than this server lists: narrow the search (by date, say)."


def not_allowed(resource_type: str) -> str:
    return f"This app may not read {resource_type}."


def areas_of(resource_type: str, granted: Collection[str]) -> frozenset[Area]:
    """The areas of the record a type's resources come from (``apps.domain.resource_areas``). The
    frame (Practitioner, Organization, Provenance) comes with the items of every type the app may
    read (``granted``: the resource types the token may read); the Patient is the frame itself."""
    if resource_type not in FRAME_TYPES:
        return resource_areas(resource_type)
    types = [t for t in granted if t not in FRAME_TYPES]
    return frozenset().union(*(resource_areas(t) for t in types))


@dataclass(frozen=True)
class _Written:
    """A search's resources of its type, the scope they were read in (None when the caller's
    scope covers none of the type's areas: nothing is read), and whether the record was read whole."""

    resources: list[dict[str, Any]]
    scope: Any
    complete: bool = True


def _allowed(access: AppAccess, resource_type: str) -> None:
    if not access.allows(resource_type):  # the token's scope (narrowed on refresh), within the consent
        raise Forbidden(not_allowed(resource_type))


def _written(
    ports: FhirPorts,
    access: AppAccess,
    origin: Origin,
    resource_type: str,
    base_url: str,
    attachment_url: Any,
    needed: frozenset[Area] | None = None,
) -> _Written:
    """The resources of this type the app may read now, read from the kinds the type is written
    from, within ``needed`` (default: every area of the type)."""
    authorization = access.authorization
    _allowed(access, resource_type)
    caller, patient_id = access.caller, authorization.patient_id
    readable = readable_areas(ports, caller, patient_id)
    if resource_type == "Patient":
        if not readable:  # no standing left at all (a proxy's grant ended): the check answers
            patient_scope(ports, caller, origin, patient_id, area=Area.HEALTH_SUMMARY)
            raise NotFound("No such patient.")
        scope = patient_scope(ports, caller, origin, patient_id, area=sorted(readable, key=lambda a: a.value)[0])
        frame = record_frame(ports, scope, ports.clock.now())
        resources = writer.resources_of(frame, base_url=base_url, attachment_url=attachment_url)
        return _Written([r for r in resources if r.get("resourceType") == "Patient"], scope)
    areas = areas_of(resource_type, access.resource_types) & readable
    if needed is not None:
        areas &= needed
    if not areas:
        # Nothing of this type is the caller's to see now. Still within their standing (a proxy
        # whose grant leaves the area out), the audit says under which grant they searched.
        first = sorted(readable, key=lambda a: a.value)[:1]
        return _Written([], patient_scope(ports, caller, origin, patient_id, area=first[0]) if first else None)
    kinds = kinds_of(resource_type, access.resource_types)
    record = read_visible_record(ports, caller, origin, patient_id, areas=areas, audit=False, kinds=kinds)
    links = attachment_url if attachment_url is not None else file_links(ports, record)
    resources = writer.resources_of(record, base_url=base_url, attachment_url=links)
    found = [r for r in resources if r.get("resourceType") == resource_type]
    if resource_type == "Provenance":
        found = _provenance_within(found, access.resource_types)
    return _Written(found, record.scope, record.complete)


def _one_item(
    ports: FhirPorts,
    access: AppAccess,
    origin: Origin,
    resource_type: str,
    resource_id: str,
    base_url: str,
    attachment_url: AttachmentUrl | None,
) -> tuple[dict[str, Any] | None, Any]:
    """An item type's resource by id, read from its one item (``needs.items_of``) in the scope of
    the item's area, and that scope; (None, None) when it is unknown or not the caller's to see."""
    caller, patient_id = access.caller, access.authorization.patient_id
    readable = readable_areas(ports, caller, patient_id)
    now = ports.clock.now()
    for kind, item_id in items_of(resource_type, resource_id):
        if KIND_AREAS[kind] not in readable:
            continue
        scope = patient_scope(ports, caller, origin, patient_id, area=KIND_AREAS[kind])
        record = read_visible_item(ports, scope, kind, item_id, now)
        if record is None:
            continue
        links = attachment_url if attachment_url is not None else file_links(ports, record)
        written = writer.resources_of(record, base_url=base_url, attachment_url=links)
        found = next((r for r in written if r["resourceType"] == resource_type and r.get("id") == resource_id), None)
        return found, scope
    return None, None


def file_links(ports: FhirPorts, record: VisibleRecord) -> AttachmentUrl:
    """A DocumentReference's (and a result's embedded file's) attachment URL: a five-minute link
    to the file, as the portal's own pages hand out (records.links), for an item of this record
    only. The read that wrote it is the audited one (fhir.read / fhir.search)."""
    items = {item.result_id: item for item in (*record.results, *record.documents)}
    now = record.read_at

    def link(item_id: str, file: str) -> str | None:
        item = items.get(item_id)
        if item is None or not item.object_key:
            return None
        if not file:  # a document's own file (a signed form's locked version)
            content = item.content
            version_id = str(content.get("object_version") or "")
            return file_link(ports, item.object_key, str(content.get("content_type") or ""), now, version_id).url
        lines = item.content.get("observations") or []
        value = (lines[int(file)].get("value") or {}) if file.isdigit() and int(file) < len(lines) else {}
        if value.get("type") != "document" or not value.get("size"):
            return None
        return file_link(ports, f"{item.object_key}{int(file)}", str(value.get("content_type") or ""), now).url

    return link


def _provenance_within(provenances: list[dict[str, Any]], types: Iterable[str]) -> list[dict[str, Any]]:
    """Provenance says who wrote what: only of what the app may read."""
    allowed = frozenset(types)
    kept = []
    for provenance in provenances:
        targets = [t for t in provenance.get("target") or [] if str(t.get("reference", "")).split("/")[0] in allowed]
        if targets:
            kept.append({**provenance, "target": targets})
    return kept


def _audit(
    ports: FhirPorts, access: AppAccess, origin: Origin, scope: Any, event_type: str, resource_type: str, **what: Any
) -> None:
    actor = scope_actor(access.caller, scope) if scope is not None else caller_actor(access.caller)
    write_audit(
        ports,
        origin,
        actor,
        event_type,
        action=Action.READ,
        patient_id=access.authorization.patient_id,
        resource_type=resource_type,
        **what,
    )


def read(
    ports: FhirPorts,
    access: AppAccess,
    origin: Origin,
    resource_type: str,
    resource_id: str,
    *,
    base_url: str,
    attachment_url: AttachmentUrl | None = None,
) -> dict[str, Any]:
    """One resource by its id, or NotFound (unknown, or not the app's to see). An item's is read
    alone; the frame's (Practitioner, Organization, Provenance) from what may refer to it."""
    if resource_type in RESOURCE_KINDS:
        _allowed(access, resource_type)
        found, scope = _one_item(ports, access, origin, resource_type, resource_id, base_url, attachment_url)
    else:
        written = _written(ports, access, origin, resource_type, base_url, attachment_url)
        found, scope = next((r for r in written.resources if r.get("id") == resource_id), None), written.scope
    if found is None:
        raise NotFound(f"No {resource_type} with that id.")
    _audit(ports, access, origin, scope, "fhir.read", resource_type, resource_id=resource_id)
    return found


def search(
    ports: FhirPorts,
    access: AppAccess,
    origin: Origin,
    query: Search,
    *,
    base_url: str,
    attachment_url: AttachmentUrl | None = None,
) -> dict[str, Any]:
    """A searchset Bundle of one page of what matches, with its total and the next page's link.

    Every resource of the API is the token's patient's, so ``patient=`` naming anyone else finds
    nothing (an empty Bundle, as for any search that matches nothing: no id is confirmed or
    denied). The order is the portal's (newest first); the next link carries an opaque cursor."""
    needed = observation_areas(query) if query.resource_type == "Observation" else None
    written = _written(ports, access, origin, query.resource_type, base_url, attachment_url, needed)
    patient_reference = f"Patient/{access.authorization.patient_id}"
    matched = [r for r in written.resources if matches(query, r, patient_reference)]
    page = matched[query.offset : query.offset + query.count]
    self_link = f"{base_url}/{query.resource_type}?{query.query_string(query.offset)}"
    following = query.offset + len(page)
    next_link = (
        f"{base_url}/{query.resource_type}?{query.query_string(following)}" if following < len(matched) else None
    )
    _audit(ports, access, origin, written.scope, "fhir.search", query.resource_type, reason=f"count:{len(page)}")
    return writer.search_bundle(
        page,
        base_url=base_url,
        self_link=self_link,
        next_link=next_link,
        total=len(matched) if written.complete else None,
        outcome=None if written.complete else writer.operation_outcome("incomplete", MORE_THAN_LISTED, "warning"),
    )
