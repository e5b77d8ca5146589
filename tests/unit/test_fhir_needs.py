"""What one FHIR request reads of a record (apps/fhir_api/needs.py): each type's kinds of filed
item are exactly those the writer writes it from, a read by id finds the item its resource was
written from, and an Observation search by category needs only its category's area. A search of
a record cut at the collector's cap says so in a valid searchset Bundle without a total."""

from __future__ import annotations

import pytest

from chalicelib.access.domain import Area
from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.apps.fhir_api.needs import FRAME_TYPES, RESOURCE_KINDS, items_of, kinds_of, observation_areas
from chalicelib.apps.fhir_api.search import parse_search
from chalicelib.apps.fhir_api.service import MORE_THAN_LISTED
from chalicelib.interop.writer import item_resources, operation_outcome, search_bundle, validate, writing_for
from tests.writer_records import sample_record

BASE = "https://portal.example.org/fhir/R4"


@pytest.fixture(scope="module")
def written_items():
    """(item, the resources written from it) of every item of the sample record."""
    record = sample_record()
    writing = writing_for(record)
    listed = [d.result_id for d in record.documents]
    return [
        (item, item_resources(item, writing, listed)) for item in (*record.results, *record.documents, *record.entries)
    ]


def test_each_type_is_read_from_exactly_the_kinds_the_writer_writes_it_from(written_items):
    written_from: dict[str, set[str]] = {}
    for item, resources in written_items:
        for resource in resources:
            written_from.setdefault(resource["resourceType"], set()).add(item.kind)

    assert {t: frozenset(kinds) for t, kinds in written_from.items()} == RESOURCE_KINDS
    assert set(RESOURCE_KINDS) | FRAME_TYPES | {"Patient"} == set(RESOURCE_TYPES)


def test_a_read_by_id_looks_for_the_very_item_its_resource_was_written_from(written_items):
    for item, resources in written_items:
        for resource in resources:
            assert (item.kind, item.result_id) in items_of(resource["resourceType"], resource["id"])


def test_the_frame_is_read_from_the_kinds_of_the_types_the_app_may_read_and_the_patient_from_none():
    assert kinds_of("Practitioner", frozenset({"Condition", "DocumentReference", "Provenance"})) == {
        "condition",
        "document",
    }
    assert kinds_of("Patient", frozenset(RESOURCE_TYPES)) == frozenset()
    assert kinds_of("Condition", frozenset(RESOURCE_TYPES)) == {"condition"}


@pytest.mark.parametrize(
    ("category", "areas"),
    [
        ([], {Area.RESULTS, Area.HEALTH_SUMMARY}),
        (["vital-signs"], {Area.HEALTH_SUMMARY}),
        (["http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"], {Area.HEALTH_SUMMARY}),
        (["laboratory"], {Area.RESULTS}),
        (["laboratory,vital-signs"], {Area.RESULTS, Area.HEALTH_SUMMARY}),
        (["laboratory", "vital-signs"], set()),  # both at once: nothing is both
        (["http://terminology.hl7.org/CodeSystem/observation-category|"], {Area.RESULTS, Area.HEALTH_SUMMARY}),
    ],
)
def test_an_observation_search_by_category_needs_only_that_categorys_area(category, areas):
    query = parse_search("Observation", {"category": category} if category else {})
    assert observation_areas(query) == areas


def test_a_page_of_a_cut_record_warns_in_an_outcome_entry_and_gives_no_total():
    warning = operation_outcome("incomplete", MORE_THAN_LISTED, "warning")
    page = search_bundle([], base_url=BASE, self_link=f"{BASE}/Observation", outcome=warning)

    validate(page)
    assert "total" not in page
    [entry] = page["entry"]
    assert entry["search"] == {"mode": "outcome"}
    assert entry["resource"]["issue"][0]["severity"] == "warning"
