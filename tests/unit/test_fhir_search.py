"""FHIR searches as an app sends them (apps/fhir_api/search.py): parameters a type does not take
are refused by name, dates with prefixes and precision match as FHIR says, tokens match by code
or system|code, and a next link's cursor works only for the search that made it."""

from __future__ import annotations

import pytest

from chalicelib.apps.fhir_api.search import (
    MAX_COUNT,
    SearchRefused,
    encode_cursor,
    matches,
    parse_search,
)

PATIENT = "Patient/p1"
GLUCOSE = {
    "resourceType": "Observation",
    "id": "obs-1",
    "status": "final",
    "category": [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
    ],
    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
    "subject": {"reference": PATIENT},
    "effectiveDateTime": "2026-03-09T10:30:00+00:00",
}


def search(resource_type: str = "Observation", **parameters: str | list[str]):
    return parse_search(resource_type, {k: v if isinstance(v, list) else [v] for k, v in parameters.items()})


def finds(resource: dict, **parameters: str | list[str]) -> bool:
    return matches(search(resource["resourceType"], **parameters), resource, PATIENT)


def test_a_parameter_the_type_does_not_take_is_refused_by_name():
    with pytest.raises(SearchRefused, match="Observation cannot be searched by _sort, name"):
        search(name="x", _sort="date")
    with pytest.raises(SearchRefused, match="intent"):
        search("Observation", intent="order")
    assert search("MedicationRequest", intent="order").values("intent") == ("order",)


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("2026", True),
        ("2026-03", True),
        ("2026-03-09", True),
        ("2026-03-10", False),
        ("ge2026-03-09", True),
        ("gt2026-03-09", False),
        ("le2026-03-08", False),
        ("lt2026-03-10", True),
        ("ne2026-03-09", False),
        ("ge2026-03-09T10:00:00Z", True),
    ],
)
def test_a_date_matches_by_its_prefix_and_precision(value, found):
    assert finds(GLUCOSE, date=value) is found


def test_a_repeated_date_is_a_range_and_a_comma_is_either():
    assert finds(GLUCOSE, date=["ge2026-01-01", "lt2026-04-01"])
    assert not finds(GLUCOSE, date=["ge2026-01-01", "lt2026-03-01"])
    assert finds(GLUCOSE, date="2025-01-01,2026-03-09")


def test_an_unreadable_date_is_refused():
    with pytest.raises(SearchRefused, match="A date is YYYY"):
        search(date="yesterday")


def test_tokens_match_by_code_or_system_and_code():
    assert finds(GLUCOSE, category="laboratory")
    assert finds(GLUCOSE, code="http://loinc.org|2345-7")
    assert finds(GLUCOSE, code="http://loinc.org|")
    assert not finds(GLUCOSE, code="http://snomed.info/sct|2345-7")
    assert not finds(GLUCOSE, category="vital-signs")
    assert finds(GLUCOSE, status="final,amended")


def test_patient_must_be_the_tokens_patient():
    assert finds(GLUCOSE, patient="p1")
    assert finds(GLUCOSE, patient="Patient/p1")
    assert finds(GLUCOSE, patient="https://portal.example/fhir/R4/Patient/p1")
    assert not finds(GLUCOSE, patient="p2")


def test_count_defaults_to_50_and_is_held_to_the_maximum():
    assert search().count == 50
    assert search(_count="500").count == MAX_COUNT
    with pytest.raises(SearchRefused, match="_count"):
        search(_count="ten")


def test_a_cursor_works_only_for_the_search_that_made_it():
    first = search(category="laboratory", _count="2")
    cursor = encode_cursor(first, 4)
    assert search(category="laboratory", _count="2", _cursor=cursor).offset == 4
    with pytest.raises(SearchRefused, match="_cursor"):
        search(category="vital-signs", _count="2", _cursor=cursor)
    with pytest.raises(SearchRefused, match="_cursor"):
        search(_cursor="not-a-cursor")


def test_next_links_carry_every_parameter_and_the_cursor():
    query = search(date=["ge2026-01-01", "lt2027-01-01"], _count="10")
    link = query.query_string(10)
    assert link.startswith("date=ge2026-01-01&date=lt2027-01-01&_count=10&_cursor=")
    assert query.query_string(0) == "date=ge2026-01-01&date=lt2027-01-01&_count=10"
