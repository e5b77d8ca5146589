"""The International Patient Summary a SMART Health Link carries: a valid FHIR document Bundle
whose Composition comes first, whose sections carry IPS's LOINC codes, whose every entry is in
the Bundle, and whose required sections say why they are empty when they are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.interop.writer import ips_document, validate
from chalicelib.interop.writer.profiles import IPS_PROFILES
from tests.writer_records import Record, a_patient, sample_record

BASE = "https://portal.example.org/fhir/R4"
NOW = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def document():
    return ips_document(sample_record(), base_url=BASE, now=NOW)


def sections(document) -> dict[str, dict]:
    return {s["code"]["coding"][0]["code"]: s for s in document["entry"][0]["resource"]["section"]}


def test_the_summary_is_a_valid_document_bundle_with_the_composition_first(document):
    validate(document)
    assert document["type"] == "document"
    assert document["meta"]["profile"] == [IPS_PROFILES["Bundle"]]
    assert document["identifier"]["value"].startswith("urn:uuid:")
    assert document["timestamp"] == "2026-12-05T14:00:00Z"
    composition = document["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert composition["type"]["coding"][0]["code"] == "60591-5"
    assert document["entry"][1]["resource"]["resourceType"] == "Patient"
    for entry in document["entry"]:
        validate(entry["resource"])


def test_each_section_carries_its_loinc_code_and_every_entry_is_in_the_bundle(document):
    present = {e["fullUrl"] for e in document["entry"]}
    found = sections(document)
    assert set(found) == {"11450-4", "48765-2", "10160-0", "11369-6", "30954-2", "8716-3"}
    for section in found.values():
        assert section["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
        for entry in section.get("entry", []):
            assert f"{BASE}/{entry['reference']}" in present
    kinds = {s: {e["reference"].split("/")[0] for e in found[s]["entry"]} for s in found}
    assert kinds["48765-2"] == {"AllergyIntolerance"}
    assert kinds["10160-0"] == {"MedicationRequest"}
    assert kinds["30954-2"] == {"DiagnosticReport"}
    assert kinds["8716-3"] == {"Observation"}


def test_every_reference_inside_the_document_resolves_in_it_and_nothing_else_is_carried(document):
    present = {e["fullUrl"] for e in document["entry"]}

    def references(value):
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                yield value["reference"]
            for item in value.values():
                yield from references(item)
        elif isinstance(value, list):
            for item in value:
                yield from references(item)

    for entry in document["entry"]:
        for name in references(entry["resource"]):
            assert f"{BASE}/{name}" in present
    carried = {e["resource"]["resourceType"] for e in document["entry"]}
    assert not carried & {"DocumentReference", "Encounter", "Appointment", "Provenance"}


def test_resources_claim_their_ips_profiles_beside_us_cores(document):
    for entry in document["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] in ("Patient", "AllergyIntolerance", "MedicationRequest", "Condition"):
            assert IPS_PROFILES[resource["resourceType"]] in resource["meta"]["profile"]


def test_no_resource_claims_a_profile_twice(document):
    composition = document["entry"][0]["resource"]
    assert composition["meta"]["profile"] == [IPS_PROFILES["Composition"]]
    for entry in document["entry"]:
        profiles = entry["resource"].get("meta", {}).get("profile", [])
        assert len(profiles) == len(set(profiles)), entry["resource"]["resourceType"]


def test_an_empty_record_still_has_the_three_required_sections_each_saying_why():
    document = ips_document(Record(a_patient(birth_date="")), base_url=BASE, now=NOW)
    validate(document)
    found = sections(document)
    assert set(found) == {"11450-4", "48765-2", "10160-0"}
    assert all(s["emptyReason"]["coding"][0]["code"] == "unavailable" for s in found.values())
    assert all("entry" not in s for s in found.values())
    patient = document["entry"][1]["resource"]
    assert patient["_birthDate"]["extension"][0]["valueCode"] == "unknown"


def test_a_section_the_reader_may_not_see_is_withheld_not_written():
    document = ips_document(sample_record(), base_url=BASE, now=NOW, withheld=("medications",))
    medications = sections(document)["10160-0"]
    assert "entry" not in medications and medications["emptyReason"]["coding"][0]["code"] == "withheld"
    assert not any(e["resource"]["resourceType"] == "MedicationRequest" for e in document["entry"])


def test_the_same_record_at_the_same_moment_makes_the_same_document(document):
    assert ips_document(sample_record(), base_url=BASE, now=NOW) == document
