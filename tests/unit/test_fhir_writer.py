"""The one FHIR writer: every resource of a patient's record, written from what the chart holds
(items read by the real feed readers from the sample messages), is valid FHIR R4 (fhir.resources)
and carries its US Core profile; ids are stable; references resolve inside the record."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.interop.writer import (
    InvalidResource,
    collection_bundle,
    operation_outcome,
    resources_of,
    search_bundle,
    validate,
)
from chalicelib.interop.writer.ids import FHIR_ID, observation_of
from chalicelib.interop.writer.profiles import PROFILES, US_CORE
from tests.writer_records import PATIENT_ID, Record, a_patient, sample_record, stored

BASE = "https://portal.example.org/fhir/R4"


@pytest.fixture(scope="module")
def record() -> Record:
    return sample_record()


@pytest.fixture(scope="module")
def written(record) -> list[dict]:
    return resources_of(record, base_url=BASE)


def test_every_resource_validates_and_carries_its_us_core_profile(written):
    for resource in written:
        validate(resource)
        if resource["resourceType"] == "Appointment":
            assert "meta" not in resource  # US Core does not profile Appointment
            continue
        profiles = resource["meta"]["profile"]
        assert profiles and all(p.startswith(US_CORE) for p in profiles), resource["resourceType"]


def test_the_record_holds_every_kind_of_resource_the_api_serves(written):
    kinds = Counter(r["resourceType"] for r in written)
    assert set(kinds) == set(RESOURCE_TYPES) == set(PROFILES)
    assert written[0]["resourceType"] == "Patient" and written[0]["id"] == PATIENT_ID


def test_ids_are_fhir_ids_unique_per_type_and_the_same_when_written_again(record, written):
    assert all(FHIR_ID.fullmatch(r["id"]) for r in written)
    keys = [(r["resourceType"], r["id"]) for r in written]
    assert len(keys) == len(set(keys))
    assert json.dumps(resources_of(record, base_url=BASE), sort_keys=True) == json.dumps(written, sort_keys=True)


def test_every_reference_names_a_resource_of_the_record(written):
    present = {f"{r['resourceType']}/{r['id']}" for r in written}

    def references(value):
        if isinstance(value, dict):
            if isinstance(value.get("reference"), str):
                yield value["reference"]
            for item in value.values():
                yield from references(item)
        elif isinstance(value, list):
            for item in value:
                yield from references(item)

    found = {ref for r in written for ref in references(r)}
    assert found and found <= present


def test_a_lab_result_is_a_lab_report_with_its_lines_as_lab_observations(record, written):
    lab = next(r for r in record.results if r.content["category"] == "lab")
    report = next(r for r in written if r["resourceType"] == "DiagnosticReport" and r["id"] == lab.result_id)
    assert report["meta"]["profile"] == [f"{US_CORE}us-core-diagnosticreport-lab"]
    assert report["category"][0]["coding"][0]["code"] == "LAB"
    lines = [r for r in written if r["resourceType"] == "Observation" and r["id"].startswith(lab.result_id)]
    assert [{"reference": f"Observation/{o['id']}"} for o in lines] == report["result"]
    assert all(o["category"][0]["coding"][0]["code"] == "laboratory" for o in lines)
    assert observation_of(lines[0]["id"]) == (lab.result_id, 0)
    # a numeric line keeps its value and units
    numeric = [o for o in lines if "valueQuantity" in o]
    assert numeric and all(isinstance(o["valueQuantity"]["value"], int | float) for o in numeric)


def test_vital_signs_carry_the_vital_signs_profiles_and_their_units_in_ucum(written):
    vitals = [
        r
        for r in written
        if r["resourceType"] == "Observation" and r["category"][0]["coding"][0]["code"] == "vital-signs"
    ]
    assert vitals and all(f"{US_CORE}us-core-vital-signs" in v["meta"]["profile"] for v in vitals)
    weights = [v for v in vitals if f"{US_CORE}us-core-body-weight" in v["meta"]["profile"]]
    assert weights and all(w["valueQuantity"]["system"] == "http://unitsofmeasure.org" for w in weights)
    assert {w["valueQuantity"]["code"] for w in weights} == {"kg"}
    # a reading with no value says why, in the sender's words, and makes up no number
    unknown = [v for v in vitals if "dataAbsentReason" in v]
    assert unknown and all("valueQuantity" not in v for v in unknown)


def test_a_blood_pressure_sent_as_one_text_is_the_panel_with_its_two_parts():
    reading = stored(
        "vital_sign",
        "vital_sign",
        {
            "code": {"code": "85354-9", "display": "Blood pressure", "system": "LN"},
            "value": "128/84",
            "numeric": False,
            "status": "final",
            "units": "mmHg",
            "observed_at": "2026-11-19T08:15:00-05:00",
        },
        "feeds/hl7/vitals",
        "bp-1",
    )
    written = resources_of(Record(a_patient(), entries=[reading]), base_url=BASE)
    pressure = next(r for r in written if r["resourceType"] == "Observation")
    validate(pressure)
    assert pressure["meta"]["profile"][0] == f"{US_CORE}us-core-blood-pressure"
    assert [(c["code"]["coding"][0]["code"], c["valueQuantity"]["value"]) for c in pressure["component"]] == [
        ("8480-6", 128),
        ("8462-4", 84),
    ]
    assert pressure["effectiveDateTime"] == "2026-11-19T08:15:00-05:00"


def test_a_document_points_at_its_file_through_the_callers_link(record):
    document = record.documents[0]
    links = []

    def link(item_id: str, file: str) -> str:
        links.append((item_id, file))
        return f"https://files.example.org/{item_id}?signed"

    written = resources_of(record, base_url=BASE, attachment_url=link)
    reference = next(r for r in written if r["resourceType"] == "DocumentReference" and r["id"] == document.result_id)
    attachment = reference["content"][0]["attachment"]
    assert attachment["url"] == f"https://files.example.org/{document.result_id}?signed"
    assert attachment["contentType"] == document.content["content_type"]
    assert (document.result_id, "") in links
    # without a link, the portal's own name of the file
    plain = next(r for r in resources_of(record, base_url=BASE) if r["id"] == document.result_id)
    assert plain["content"][0]["attachment"]["url"] == f"urn:patient-portal:attachment:{document.result_id}"


def test_the_writer_writes_only_what_it_is_given(record):
    # GIVEN a record without its documents and health summary (a proxy whose grant covers only results)
    only_results = Record(record.patient, results=record.results)

    written = resources_of(only_results, base_url=BASE)

    kinds = {r["resourceType"] for r in written}
    assert kinds <= {"Patient", "Organization", "Practitioner", "DiagnosticReport", "Observation", "Provenance"}
    shown = {r.result_id for r in record.results}
    for resource in written:
        if resource["resourceType"] in ("DiagnosticReport", "Observation"):
            assert resource["id"].split("-")[0] in shown


def test_a_patient_without_a_name_or_sex_still_makes_a_valid_us_core_patient():
    written = resources_of(Record(a_patient(family_name="", given_names=(), sex="", birth_date="")), base_url=BASE)
    patient = written[0]
    validate(patient)
    assert patient["gender"] == "unknown"
    assert patient["name"][0]["extension"][0]["valueCode"] == "unknown"
    assert {"system": "urn:patient-portal:patient", "value": PATIENT_ID} in patient["identifier"]


def test_one_provenance_per_source_names_the_organization_as_author(record, written):
    provenances = [r for r in written if r["resourceType"] == "Provenance"]
    sources = {item.source for item in (*record.results, *record.documents, *record.entries)}
    assert len(provenances) == len(sources)
    targeted = [t["reference"] for p in provenances for t in p["target"]]
    assert len(targeted) == len(set(targeted))
    assert all(p["agent"][0]["who"]["reference"] == "Organization/albany-medical-center" for p in provenances)
    assert not any("feeds/" in json.dumps(p) for p in provenances)  # the message's key is not written


def test_bundles_give_each_entry_its_absolute_url():
    resources = resources_of(Record(a_patient()), base_url=BASE)
    page = search_bundle(
        resources[:1], base_url=BASE, self_link=f"{BASE}/Patient?_id=x", next_link=f"{BASE}/Patient?page=2", total=3
    )
    validate(page)
    assert page["entry"][0]["fullUrl"] == f"{BASE}/Patient/{PATIENT_ID}"
    assert page["entry"][0]["search"] == {"mode": "match"}
    assert [link["relation"] for link in page["link"]] == ["self", "next"]
    collection = collection_bundle(resources, base_url=BASE)
    validate(collection)
    assert [e["resource"] for e in collection["entry"]] == resources


def test_an_operation_outcome_names_the_problem():
    outcome = operation_outcome("forbidden", "This app may not read Observation.")
    validate(outcome)
    assert outcome["issue"] == [
        {"severity": "error", "code": "forbidden", "diagnostics": "This app may not read Observation."}
    ]
    with pytest.raises(ValueError):
        operation_outcome("nope", "x")


def test_validate_names_the_fields_never_the_values():
    with pytest.raises(InvalidResource) as refused:
        validate({"resourceType": "Patient", "birthDate": "Ana Rivera"})
    assert "birthDate" in str(refused.value) and "Ana" not in str(refused.value)
