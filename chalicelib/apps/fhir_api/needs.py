"""What of a patient's record one FHIR request needs: the kinds of filed item a type is written
from, the areas an Observation search can find anything in (by its category), and where a read by
id finds its one item. Pure code: no I/O.

Reading only that keeps a read by id to one or two store reads and a search to its type's kinds,
where reading the whole record for every request made paging a large record slow (every page read
all of it again) and put it at risk of API Gateway's 29 s limit.
"""

from __future__ import annotations

from chalicelib.access.domain import Area
from chalicelib.apps.domain import OBSERVATION_AREAS, RESOURCE_AREAS, observation_area
from chalicelib.apps.fhir_api.search import Search
from chalicelib.interop.writer.ids import observation_of

# The kinds of filed item (records.everything.KIND_AREAS) each item type is written from (the
# writer's interop.writer.record.item_resources); the frame's types are written beside them.
RESOURCE_KINDS: dict[str, frozenset[str]] = {
    "Observation": frozenset({"result", "vital_sign"}),  # a result's lines, a vital sign
    "DiagnosticReport": frozenset({"result"}),
    "DocumentReference": frozenset({"document"}),
    "AllergyIntolerance": frozenset({"allergy"}),
    "Condition": frozenset({"condition"}),
    "Immunization": frozenset({"immunization"}),
    "MedicationRequest": frozenset({"medication"}),
    "Encounter": frozenset({"visit"}),
    "Appointment": frozenset({"appointment"}),
}
FRAME_TYPES = frozenset(t for t, area in RESOURCE_AREAS.items() if area is None and t != "Patient")


def kinds_of(resource_type: str, allowed: frozenset[str]) -> frozenset[str]:
    """The kinds a type's resources are written from; for the frame (Practitioner, Organization,
    Provenance), those of every item type the app may read (``allowed``); none for Patient."""
    if resource_type in FRAME_TYPES:
        return frozenset().union(*(RESOURCE_KINDS[t] for t in allowed if t in RESOURCE_KINDS))
    return RESOURCE_KINDS.get(resource_type, frozenset())


def observation_areas(query: Search) -> frozenset[Area]:
    """The areas an Observation search can find anything in: a category value (codes ORed by
    commas; repeated values ANDed) of vital signs only needs the health summary, one of results'
    categories only the results; ``system|`` (any code) or no category needs both."""
    areas = OBSERVATION_AREAS
    for value in query.values("category"):
        codes = [alternative.rpartition("|")[2] for alternative in value.split(",")]
        if all(codes):
            areas = areas & {observation_area(code) for code in codes}
    return areas


def items_of(resource_type: str, resource_id: str) -> list[tuple[str, str]]:
    """(kind, item id) where a read by id of an item type finds its item: an Observation of a
    result's line is ``<result id>-<line>`` (interop.writer.ids), a vital sign's its entry's id;
    any other type's id is its item's."""
    if resource_type == "Observation":
        line = observation_of(resource_id)
        return [("result", line[0])] if line is not None else [("vital_sign", resource_id)]
    return [(kind, resource_id) for kind in sorted(RESOURCE_KINDS.get(resource_type, ()))]
