"""The FHIR R4 read API's logic: a read or a search of one type, for the one patient an app's
token names, within what the patient (or their proxy) let the app read and what the one check
lets that person see.

In order: the type must be one the authorization allows (else Forbidden: "This app may not read
Observation."); the areas of the record the type lives in (``apps.domain.RESOURCE_AREAS``; an
Observation is a result's or a vital sign's) are narrowed to those the caller's scope covers
(``access.service.readable_areas``: a proxy's grant, in force now, still decides); what is left is
collected with the portal's own filters (``records.everything``: released, not held, not
withdrawn, the proxy's cutoff, never sensitive care to a proxy) and written as FHIR by the one
writer (``interop.writer``). A search over areas the scope no longer covers finds nothing; a
read of an id the caller cannot see is NotFound, the answer an unknown id gets.

Every answer is audited under the app (``scope_actor`` carries the authorization):
``fhir.read`` with the type and id, ``fhir.search`` with the type and the count found.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope, readable_areas
from chalicelib.apps.domain import RESOURCE_AREAS, AppAuthorization
from chalicelib.apps.fhir_api.search import Search, matches
from chalicelib.apps.oauth.bearer import AppAccess
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, scope_actor, write_audit
from chalicelib.errors import Forbidden, NotFound
from chalicelib.interop import writer
from chalicelib.kernel.origin import Origin
from chalicelib.records.everything import EverythingPorts, VisibleRecord, read_visible_record, record_frame
from chalicelib.records.links import file_link


class FhirPorts(EverythingPorts, Protocol):
    """The record's stores, the one check and the audit trail."""


AttachmentUrl = Callable[[str, str], "str | None"]

# Types that are the record's frame, not items of it: written for the items that refer to them.
_FRAME_TYPES = frozenset(t for t, area in RESOURCE_AREAS.items() if area is None and t != "Patient")


def not_allowed(resource_type: str) -> str:
    return f"This app may not read {resource_type}."


def areas_of(resource_type: str, authorization: AppAuthorization) -> frozenset[Area]:
    """The areas of the record a type's resources come from. The frame (Practitioner,
    Organization, Provenance) comes with the items of every type the app may read."""
    if resource_type == "Observation":
        return frozenset({Area.RESULTS, Area.HEALTH_SUMMARY})  # by category: results, vital signs
    if resource_type == "Patient":
        return frozenset()
    area = RESOURCE_AREAS[resource_type]
    if area is not None:
        return frozenset({area})
    types = [t for t in authorization.resource_types if t not in _FRAME_TYPES]
    return frozenset().union(*(areas_of(t, authorization) for t in types))


def _written(
    ports: FhirPorts, access: AppAccess, origin: Origin, resource_type: str, base_url: str, attachment_url: Any
) -> tuple[list[dict[str, Any]], Any]:
    """The resources of this type the app may read now, and the scope they were read in (None
    when the caller's scope covers none of the type's areas: nothing is read)."""
    authorization = access.authorization
    if not access.allows(resource_type):  # the token's scope (narrowed on refresh), within the consent
        raise Forbidden(not_allowed(resource_type))
    caller, patient_id = access.caller, authorization.patient_id
    readable = readable_areas(ports, caller, patient_id)
    if resource_type == "Patient":
        if not readable:  # no standing left at all (a proxy's grant ended): the check answers
            patient_scope(ports, caller, origin, patient_id, area=Area.HEALTH_SUMMARY)
            raise NotFound("No such patient.")
        scope = patient_scope(ports, caller, origin, patient_id, area=sorted(readable, key=lambda a: a.value)[0])
        frame = record_frame(ports, scope, ports.clock.now())
        resources = writer.resources_of(frame, base_url=base_url, attachment_url=attachment_url)
        return [r for r in resources if r.get("resourceType") == "Patient"], scope
    areas = areas_of(resource_type, authorization) & readable
    if not areas:
        # Nothing of this type is the caller's to see now. Still within their standing (a proxy
        # whose grant leaves the area out), the audit says under which grant they searched.
        first = sorted(readable, key=lambda a: a.value)[:1]
        return [], patient_scope(ports, caller, origin, patient_id, area=first[0]) if first else None
    record = read_visible_record(ports, caller, origin, patient_id, areas=areas, audit=False)
    links = attachment_url if attachment_url is not None else file_links(ports, record)
    resources = writer.resources_of(record, base_url=base_url, attachment_url=links)
    found = [r for r in resources if r.get("resourceType") == resource_type]
    if resource_type == "Provenance":
        found = _provenance_within(found, authorization.resource_types)
    return found, record.scope


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
    """One resource by its id, or NotFound (unknown, or not the app's to see)."""
    resources, scope = _written(ports, access, origin, resource_type, base_url, attachment_url)
    found = next((r for r in resources if r.get("id") == resource_id), None)
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
    resources, scope = _written(ports, access, origin, query.resource_type, base_url, attachment_url)
    patient_reference = f"Patient/{access.authorization.patient_id}"
    matched = [r for r in resources if matches(query, r, patient_reference)]
    page = matched[query.offset : query.offset + query.count]
    self_link = f"{base_url}/{query.resource_type}?{query.query_string(query.offset)}"
    following = query.offset + len(page)
    next_link = (
        f"{base_url}/{query.resource_type}?{query.query_string(following)}" if following < len(matched) else None
    )
    _audit(ports, access, origin, scope, "fhir.search", query.resource_type, reason=f"count:{len(page)}")
    return writer.search_bundle(page, base_url=base_url, self_link=self_link, next_link=next_link, total=len(matched))
