"""Everything of one patient's record that one caller may see: the collector behind the FHIR API,
"Download my record" and SMART Health Links.

It reads what the portal's own pages show, with the same filters: results, documents (the
chart's and the forms signed at check-in) and health-summary entries that are released and not
withdrawn (the store's ``page`` filters in DynamoDB, so a held or delayed item never comes back),
then the caller's scope (a proxy's cutoff, never sensitive care: ``records.visible``), and a
document's addenda go with a document its sender cancelled, as the documents list does.

Each area is decided by the one check, ``access.service.patient_scope``, but only for the areas
the caller's standing may cover (``readable_areas``): a proxy whose grant leaves results out gets
a record without results, and no denial is written for the areas it never asked. With
``audit=True`` each area read writes one event, ``<event_type>`` (default "record.read") with the
area's FHIR resource type and the count read, as a page's list does; a caller that audits in its
own words (the FHIR API's ``fhir.search``) passes ``audit=False`` and writes its own.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import PROXY_AREAS, Area, PatientScope
from chalicelib.access.service import patient_scope, readable_areas
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.records.documents import DocumentPorts, documents_page
from chalicelib.records.domain import StoredResult
from chalicelib.records.visible import record_view

# Items are read a page at a time; a record larger than this of one kind is cut (``complete``
# says so) rather than read without end in one request. A caller with time to read it all (the
# export job, on its queue) passes ``limit=None``.
PAGE = 100
MAX_ITEMS_PER_KIND = 5000

# The health-summary entry kinds (records.domain.ENTRY_KINDS) of each area, as the portal's
# sections file them (records.health_summary._SECTION_AREAS).
ENTRY_AREAS: dict[str, Area] = {
    "allergy": Area.HEALTH_SUMMARY,
    "condition": Area.HEALTH_SUMMARY,
    "immunization": Area.HEALTH_SUMMARY,
    "vital_sign": Area.HEALTH_SUMMARY,
    "medication": Area.MEDICATIONS,
    "visit": Area.APPOINTMENTS,
    "appointment": Area.APPOINTMENTS,
}
# The areas a record is collected from, in this order (the access log and the list of proxies
# are about the record, not in it).
RECORD_AREAS = (Area.RESULTS, Area.DOCUMENTS, Area.HEALTH_SUMMARY, Area.MEDICATIONS, Area.APPOINTMENTS)
# The FHIR resource type an area's read is audited under.
_AREA_RESOURCES = {
    Area.RESULTS: "DiagnosticReport",
    Area.DOCUMENTS: "DocumentReference",
    Area.HEALTH_SUMMARY: "Condition",
    Area.MEDICATIONS: "MedicationRequest",
    Area.APPOINTMENTS: "Encounter",
}


class _Organizations(Protocol):
    def organization(self, organization_id: str) -> Any: ...


class EverythingPorts(DocumentPorts, Protocol):
    """The record's stores, the one check, and the audit trail (wiring's ports are one)."""


@dataclass(frozen=True)
class VisibleRecord:
    """What the caller may see of one patient's record, read at ``read_at``.

    Each list is newest first, as the portal lists it. ``areas`` are those read (a proxy's
    grant's, or what was asked for); the lists of other areas are empty. ``complete`` is False
    when some kind held more than the read's ``limit`` items and was cut. ``scope`` is the caller's
    scope of the first area read (its cutoff and whether it hides sensitive care hold for all)."""

    patient: Any  # patients.domain.Patient
    organization: Any  # accounts.domain.Organization (None only if the organization is gone)
    read_at: datetime
    scope: PatientScope
    areas: frozenset[Area]
    results: tuple[StoredResult, ...] = ()
    documents: tuple[StoredResult, ...] = ()
    entries: tuple[StoredResult, ...] = ()  # the health summary's, every kind (ENTRY_AREAS)
    complete: bool = True

    @property
    def patient_id(self) -> str:
        return str(self.patient.patient_id)

    def of_kind(self, kind: str) -> tuple[StoredResult, ...]:
        """The health-summary entries of one kind (records.domain.ENTRY_KINDS)."""
        return tuple(entry for entry in self.entries if entry.kind == kind)

    @property
    def allergies(self) -> tuple[StoredResult, ...]:
        return self.of_kind("allergy")

    @property
    def problems(self) -> tuple[StoredResult, ...]:
        return self.of_kind("condition")

    @property
    def medications(self) -> tuple[StoredResult, ...]:
        return self.of_kind("medication")

    @property
    def immunizations(self) -> tuple[StoredResult, ...]:
        return self.of_kind("immunization")

    @property
    def vital_signs(self) -> tuple[StoredResult, ...]:
        return self.of_kind("vital_sign")

    @property
    def visits(self) -> tuple[StoredResult, ...]:
        return self.of_kind("visit")

    @property
    def appointments(self) -> tuple[StoredResult, ...]:
        return self.of_kind("appointment")


Pager = Callable[[str], tuple[list[StoredResult], str]]


def _all_pages(read_page: Pager, limit: int | None) -> tuple[list[StoredResult], bool]:
    """Every item a pager gives, page after page; False when cut at ``limit`` (None: never)."""
    items: list[StoredResult] = []
    cursor = ""
    while True:
        page, cursor = read_page(cursor)
        items.extend(page)
        if not cursor:
            return items, True
        if limit is not None and len(items) >= limit:
            return items[:limit], False


def _entry_pager(ports: EverythingPorts, patient_id: str, now: datetime, kind: str) -> Pager:
    return lambda after: ports.records.page(patient_id, "", now, PAGE, after, prefix=f"{kind}#")


def _without_cancelled_parents(
    ports: EverythingPorts, patient_id: str, documents: list[StoredResult]
) -> list[StoredResult]:
    """An addendum to a document its sender cancelled goes with it (records.documents)."""
    listed = {d.result_id: d for d in documents}
    wanted = {str(d.content.get("addendum_to") or "") for d in documents} - {""}
    cancelled = set()
    for parent_id in wanted:
        parent = listed.get(parent_id) or ports.records.current(patient_id, parent_id, kind="document")
        if parent is not None and parent.withdrawn and parent.content.get("hidden") == "cancelled":
            cancelled.add(parent_id)
    return [d for d in documents if str(d.content.get("addendum_to") or "") not in cancelled]


def read_visible_record(
    ports: EverythingPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    *,
    areas: Collection[Area] | None = None,
    audit: bool = True,
    event_type: str = "record.read",
    kinds: Collection[str] | None = None,
    limit: int | None = MAX_ITEMS_PER_KIND,
) -> VisibleRecord:
    """What the caller may see of the patient in each of ``areas`` (default: all of the record)
    that their scope covers, at most ``limit`` items of each kind (None: all of them). NotFound
    (audited by the check) when they may see none of it.

    ``kinds`` narrows what is read within those areas to these kinds of filed item ("result",
    "document", ENTRY_AREAS' kinds; default every kind): a FHIR search of Condition reads the
    health summary's conditions, not its allergies and vital signs too."""
    now = ports.clock.now()
    asked = frozenset(areas) if areas is not None else frozenset(RECORD_AREAS)
    wanted = [a for a in RECORD_AREAS if a in asked and a in readable_areas(ports, caller, patient_id)]
    if not wanted:
        # No standing for any asked area: the one check answers (and audits) as for any read.
        patient_scope(ports, caller, origin, patient_id, area=next(iter(asked & PROXY_AREAS), Area.HEALTH_SUMMARY))
        raise NotFound("No such patient.")  # the check above always refuses; this keeps mypy sure
    scopes = {area: patient_scope(ports, caller, origin, patient_id, area=area) for area in wanted}
    first = scopes[wanted[0]]
    results: list[StoredResult] = []
    documents: list[StoredResult] = []
    entries: list[StoredResult] = []
    complete = True
    for area, scope in scopes.items():
        view = record_view(ports, scope)  # two grants for one patient may differ by area
        if area is Area.RESULTS and (kinds is None or "result" in kinds):
            found, whole = _all_pages(lambda after: ports.records.page(patient_id, "", now, PAGE, after), limit)
            results = view.only_shown(found)
            complete = complete and whole
        elif area is Area.DOCUMENTS and (kinds is None or "document" in kinds):
            found, whole = _all_pages(lambda after: documents_page(ports, patient_id, now, PAGE, after), limit)
            documents = _without_cancelled_parents(ports, patient_id, view.only_shown(found))
            complete = complete and whole
        for kind, entry_area in ENTRY_AREAS.items():
            if entry_area is area and (kinds is None or kind in kinds):
                found, whole = _all_pages(_entry_pager(ports, patient_id, now, kind), limit)
                shown = view.only_shown(found)
                entries.extend(shown)
                complete = complete and whole
    frame = record_frame(ports, first, now)
    record = VisibleRecord(
        patient=frame.patient,
        organization=frame.organization,
        read_at=now,
        scope=first,
        areas=frozenset(wanted),
        results=tuple(results),
        documents=tuple(documents),
        entries=tuple(entries),
        complete=complete,
    )
    if audit:
        audit_read(ports, caller, origin, record, event_type)
    return record


def audit_read(
    ports: EverythingPorts,
    caller: Caller,
    origin: Origin,
    record: VisibleRecord,
    event_type: str,
) -> None:
    """One event per area read, with the area's FHIR resource type and the count of its items the
    record holds. A caller whose read may be tried again (the export job) reads with
    ``audit=False`` and calls this once, on the try that counts."""
    for area in (a for a in RECORD_AREAS if a in record.areas):
        count = {Area.RESULTS: len(record.results), Area.DOCUMENTS: len(record.documents)}.get(area, 0)
        count += sum(1 for entry in record.entries if ENTRY_AREAS.get(entry.kind) is area)
        write_audit(
            ports,
            origin,
            scope_actor(caller, record.scope),
            event_type,
            action=Action.READ,
            patient_id=record.patient_id,
            resource_type=_AREA_RESOURCES[area],
            reason=f"count:{count}",
        )


def record_frame(ports: EverythingPorts, scope: PatientScope, now: datetime) -> VisibleRecord:
    """The record with no items: the patient and their organization (what a Patient read needs),
    for a scope the one check gave."""
    patient = scope.record if scope.record is not None else ports.patients.get(scope.patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    organization_id = str(getattr(patient, "organization_id", "") or "")
    directory: _Organizations = ports.directory
    return VisibleRecord(
        patient=patient,
        organization=directory.organization(organization_id) if organization_id else None,
        read_at=now,
        scope=scope,
        areas=frozenset(),
    )


# The area each kind of filed item belongs to (results, documents, the health summary's kinds).
KIND_AREAS: dict[str, Area] = {"result": Area.RESULTS, "document": Area.DOCUMENTS, **ENTRY_AREAS}


def read_visible_item(
    ports: EverythingPorts, scope: PatientScope, kind: str, item_id: str, now: datetime
) -> VisibleRecord | None:
    """One filed item by its id, as read_visible_record would list it to ``scope`` (a scope of the
    kind's area, KIND_AREAS): its current version, shown to the patient, in the scope's view, and
    for a document not an addendum to one its sender cancelled. A record of the frame and that
    item (a document's shown parent beside it, so an addendum names it); None when the item is not
    the caller's to see, the answer an unknown id gets. One or two reads, not the whole record."""
    patient_id = scope.patient_id
    if not RECORD_ID.fullmatch(item_id or ""):
        return None
    item = ports.records.current(patient_id, item_id, kind=kind)
    if item is None and kind == "document":
        item = ports.signed_forms.as_document(patient_id, item_id)
    view = record_view(ports, scope)
    if item is None or item.kind != kind or not item.shown_to_patient(now) or not view.shows_item(item):
        return None
    frame = replace(record_frame(ports, scope, now), areas=frozenset({KIND_AREAS[kind]}))
    if kind == "result":
        return replace(frame, results=(item,))
    if kind != "document":
        return replace(frame, entries=(item,))
    parent_id = str(item.content.get("addendum_to") or "")
    parent = ports.records.current(patient_id, parent_id, kind="document") if parent_id else None
    kept = _without_cancelled_parents(ports, patient_id, [item] if parent is None else [item, parent])
    if item not in kept:
        return None
    shown_parent = parent is not None and parent.shown_to_patient(now) and view.shows_item(parent)
    return replace(frame, documents=(item, parent) if shown_parent and parent is not None else (item,))
