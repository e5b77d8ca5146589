"""FHIR R4 documents read into the records domain, against the real public samples.

Most US Core samples are single resources about "Patient/example" (uscore_patient-example.json):
on their own they name a patient who is not in the document, and the portal must not guess one,
so the tests put them in a collection Bundle with that Patient, as a sender's feed would.
"""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import pytest

from chalicelib.interop.fhir import read_fhir
from chalicelib.records.domain import FHIR_ID_AUTHORITY, Category, ResultStatus, Unreadable
from tests.conftest import PROJECT_DIR, SAMPLES_DIR

FHIR_DIR = SAMPLES_DIR / "fhir"
FHIR_SAMPLES = sorted(FHIR_DIR.glob("*.json"))

# What each sample does on its own: None reads, else a phrase of the quarantine reason.
EXPECTED = {
    "uscore_patient-example.json": None,
    "synthea_Alberto_Atencio.json": None,
    "msfhir_SmartPatientA.json": "Patient has no identifier with a system (assigning authority)",
    "r4spec_auditevent-example.json": "holds AuditEvent x1",
    # The rest name their patient by reference ("Patient/example"): they read as reference-only
    # patients, which filing finds among the patients the sender sent before, or quarantines.
    "r4spec_diagnosticreport-example-bundle101.json": None,
    "uscore_diagnosticreport-metabolic-panel.json": None,
    "uscore_DiagnosticReport-chest-xray-report.json": None,
    "uscore_observation-cbc-hemoglobin.json": None,
    "uscore_bp-data-absent.json": None,
    "r4spec_appointment-example.json": None,
    "r4spec_documentreference-example.json": None,
    "uscore_documentreference-discharge-summary.json": None,
    "uscore_encounter-1036.json": None,
    "uscore_medicationrequest-contained-oral-axid.json": None,
    "uscore_medicationrequest-self-tylenol.json": None,
    "uscore_allergyintolerance-provenance-example1.json": None,
}


def sample(name: str, **json_options) -> dict:
    return json.loads((FHIR_DIR / name).read_bytes(), **json_options)


def bundle(*resources: dict, bundle_type: str = "collection") -> dict:
    return {
        "resourceType": "Bundle",
        "type": bundle_type,
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r} for r in resources
        ],
    }


def with_patient(*names: str) -> dict:
    return bundle(sample("uscore_patient-example.json"), *(sample(name) for name in names))


def only(messages):
    [message] = messages
    return message


def reason(document) -> str:
    with pytest.raises(Unreadable) as caught:
        read_fhir(document)
    return str(caught.value)


# -- every sample ---------------------------------------------------------------------------------


def test_the_expectations_cover_every_sample():
    assert {path.name for path in FHIR_SAMPLES} == set(EXPECTED)


@pytest.mark.parametrize("path", FHIR_SAMPLES, ids=lambda p: p.name)
def test_every_sample_reads_or_is_unreadable_with_a_reason(path):
    # GIVEN a real FHIR sample, WHEN it is read on its own
    document = json.loads(path.read_bytes())
    expected = EXPECTED[path.name]
    if expected is None:
        # THEN it gives the patient it is about
        assert read_fhir(document)
    else:
        # THEN nothing else than Unreadable escapes, and the reason says what to fix
        assert expected in reason(document)


# -- Patient --------------------------------------------------------------------------------------


def test_a_patient_gives_identifiers_with_their_authority_and_the_demographics():
    message = only(read_fhir(sample("uscore_patient-example.json")))

    assert message.kind == "demographics" and message.results == ()
    patient = message.patient
    # (and its resource id, under which later resources that say "Patient/example" find it)
    assert [(i.spelled, i.value, i.type) for i in patient.identifiers] == [
        ("http://example.org/patient/identifiers", "1032702", "MR"),
        (FHIR_ID_AUTHORITY, "example", "RI"),
    ]
    # the name in use today (use=usual since 2020), not the old one listed first
    assert (patient.family_name, patient.given_names) == ("Baxter", ("Amy", "V."))
    assert (patient.birth_date, patient.email) == ("1987-02-20", "amy.shaw@example.com")
    assert patient.sex == ""  # the sample states gender only in an extension
    assert message.extra["ignored"] == {}


def test_gender_becomes_sex_and_the_official_name_wins():
    patient = sample("uscore_patient-example.json")
    patient["gender"] = "female"
    patient["name"].append({"use": "official", "family": "Baxter-Shaw", "given": ["Amy"]})

    facts = only(read_fhir(patient)).patient

    assert (facts.sex, facts.family_name, facts.given_names) == ("female", "Baxter-Shaw", ("Amy",))


def test_a_patient_without_an_identifier_system_cannot_be_matched():
    patient = sample("uscore_patient-example.json")
    del patient["identifier"][0]["system"]

    assert reason(patient) == "Patient has no identifier with a system (assigning authority)."


def test_identifiers_without_a_system_are_skipped_and_the_type_defaults_to_mr():
    patient = sample("uscore_patient-example.json")
    patient["identifier"] += [{"value": "no-authority"}, {"system": "urn:oid:1.2.3.4", "value": "999"}]

    identifiers = only(read_fhir(patient)).patient.identifiers

    assert [(i.spelled, i.value, i.type) for i in identifiers] == [
        ("http://example.org/patient/identifiers", "1032702", "MR"),
        ("urn:oid:1.2.3.4", "999", "MR"),
        (FHIR_ID_AUTHORITY, "example", "RI"),
    ]


def test_social_security_licence_and_passport_numbers_are_dropped_on_reading():
    patient = sample("uscore_patient-example.json")
    patient["identifier"] += [
        {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123-45-6789"},
        {"system": "urn:oid:2.16.840.1.113883.4.1", "value": "123456789"},
        {"type": {"coding": [{"code": "SB"}]}, "system": "urn:oid:1.2.3.9", "value": "SB-777"},
        {"type": {"coding": [{"code": "DL"}]}, "system": "urn:oid:2.16.840.1.113883.4.3.36", "value": "D1234567"},
        {"system": "http://hl7.org/fhir/sid/passport-USA", "value": "P9876543"},
        {"type": {"coding": [{"code": "PPN"}]}, "system": "urn:oid:1.2.3.10", "value": "P555"},
    ]

    identifiers = only(read_fhir(patient)).patient.identifiers

    assert [(i.spelled, i.value) for i in identifiers] == [
        ("http://example.org/patient/identifiers", "1032702"),
        (FHIR_ID_AUTHORITY, "example"),
    ]


def test_a_patient_known_only_by_a_social_security_number_is_unreadable_without_the_number():
    patient = sample("uscore_patient-example.json")
    patient["identifier"] = [{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123-45-6789"}]

    said = reason(patient)

    assert "never kept or matched on" in said and "123-45-6789" not in said


def test_a_reference_to_a_patient_by_social_security_number_is_not_followed():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["subject"] = {"identifier": {"system": "http://hl7.org/fhir/sid/us-ssn", "value": "123-45-6789"}}

    said = reason(observation)

    assert "social security" in said and "123-45-6789" not in said


# -- DiagnosticReport -----------------------------------------------------------------------------


def test_a_lab_panel_keeps_its_code_category_status_times_and_lab():
    message = only(read_fhir(with_patient("uscore_diagnosticreport-metabolic-panel.json")))

    [report] = message.results
    assert message.kind == "results" and message.patient.identifiers[0].value == "1032702"
    assert (report.code.code, report.code.is_loinc, report.code.display) == (
        "24321-2",
        True,
        "Basic Metabolic Panel (BMP)",
    )
    assert (report.category, report.status) == (Category.LAB, ResultStatus.FINAL)
    assert (report.collected_at, report.reported_at) == ("2005-07-04", "2005-07-06T11:45:33Z")
    assert report.performing_lab == "Acme Laboratory, Inc"
    assert report.source_id == "DiagnosticReport/metabolic-panel"
    # its eight Observations are not in the document: skipped, and counted for the sender
    assert report.observations == () and message.extra["unresolved_references"] == 8


def test_a_blood_count_bundle_gives_every_value_with_units_range_flags_and_status():
    # GIVEN the FHIR spec's report bundle "101", which holds no Patient: on its own it is about a
    # patient only referred to, whom filing must find among those sent before ...
    document = sample("r4spec_diagnosticreport-example-bundle101.json")
    alone = only(read_fhir(copy.deepcopy(document))).patient
    assert alone.reference_only and [(i.spelled, i.value) for i in alone.identifiers] == [(FHIR_ID_AUTHORITY, "pat2")]
    # ... WHEN the sender adds the Patient it is about (relative reference Patient/pat2)
    patient = sample("uscore_patient-example.json") | {"id": "pat2"}
    document["entry"].append({"fullUrl": "https://example.com/base/Patient/pat2", "resource": patient})

    [report] = only(read_fhir(document)).results

    # THEN the report is identified by its identifier, and each "Observation/rN" is found
    assert (report.source_id, report.category, report.status) == ("5234342", Category.LAB, ResultStatus.FINAL)
    assert (report.collected_at, report.reported_at) == ("2011-03-04T08:30:00+11:00", "2011-03-04T11:45:33+11:00")
    values = {o.code.code: o for o in report.observations if o.value_type == "numeric"}
    assert len(values) == 17
    hemoglobin, hematocrit = values["718-7"], values["4544-3"]
    assert (hemoglobin.code.display, hemoglobin.number, hemoglobin.units, hemoglobin.reference_range) == (
        "Haemoglobin",
        "176",
        "g/L",
        "135-180",
    )
    assert (hematocrit.number, hematocrit.units, hematocrit.flags) == ("55", "%", ("H",))
    assert values["789-8"].reference_range == "4.2-6.0"
    assert values["751-8"].flags == ("LL",) and values["711-2"].flags == ("HH",)
    assert values["704-7"].reference_range == "<=0.21"  # only a high bound
    assert all(o.status is ResultStatus.FINAL and o.performer == "Acme Laboratory, Inc" for o in values.values())
    assert report.critical  # LL and HH: a staff worklist item
    # AND the lab's own rendering comes along as an embedded document
    [document_row] = [o for o in report.observations if o.value_type == "document"]
    assert document_row.document.content_type == "application/pdf"
    assert document_row.document.data.startswith(b"%PDF")


def test_an_imaging_report_keeps_its_presented_form_as_a_document():
    [report] = only(read_fhir(with_patient("uscore_DiagnosticReport-chest-xray-report.json"))).results

    assert (report.category, report.code.code, report.performing_lab) == (Category.IMAGING, "30746-2", "Ronald Bone")
    assert report.collected_at == "2019-02-03T19:43:30.000Z"  # as precise as sent
    [presented] = report.observations
    assert presented.value_type == "document" and presented.document.content_type == "application/xhtml"
    assert presented.document.data.startswith(b"<!DOCTYPE html") and b"IMPRESSION" in presented.document.data


def test_a_presented_form_with_only_a_url_is_a_pointer_never_fetched():
    report = sample("uscore_DiagnosticReport-chest-xray-report.json")
    report["presentedForm"] = [
        {"contentType": "application/pdf", "url": "https://pacs.example.org/r/1.pdf", "title": "Chest X-ray report"}
    ]

    [presented] = only(read_fhir(bundle(sample("uscore_patient-example.json"), report))).results[0].observations

    assert (presented.value_type, presented.pointer, presented.text) == (
        "pointer",
        "https://pacs.example.org/r/1.pdf",
        "Chest X-ray report",
    )
    assert presented.document is None


def test_a_conclusion_becomes_a_note_and_pathology_is_its_own_category():
    report = sample("uscore_diagnosticreport-metabolic-panel.json")
    report["category"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "SP"}]}]
    report["conclusion"] = "Benign."

    [result] = only(read_fhir(bundle(sample("uscore_patient-example.json"), report))).results

    assert (result.category, result.notes) == (Category.PATHOLOGY, ("Benign.",))


# -- Observation ----------------------------------------------------------------------------------


def test_a_standalone_lab_observation_is_a_result_of_its_own():
    [report] = only(read_fhir(with_patient("uscore_observation-cbc-hemoglobin.json"))).results

    assert (report.source_id, report.category, report.code.code) == (
        "Observation/cbc-hemoglobin",
        Category.LAB,
        "718-7",
    )
    [value] = report.observations
    assert (value.value_type, value.number, value.units, value.reference_range, value.flags) == (
        "numeric",
        "17",
        "g/dL",
        "16.5-21.5",
        ("N",),
    )
    assert (value.observed_at, value.performer, value.critical) == ("2005-07-05", "Dr Ronald Bone", False)


def test_blood_pressure_components_are_vital_signs_one_by_one_and_an_absent_value_says_why():
    message = only(read_fhir(with_patient("uscore_bp-data-absent.json")))

    assert message.results == ()  # vital signs are the health summary's, not results
    systolic, diastolic = message.entries
    assert {systolic.kind, diastolic.kind} == {"vital_sign"}
    assert (systolic.content["code"]["code"], systolic.content["value"], systolic.content["units"]) == (
        "8480-6",
        "109",
        "mmHg",
    )
    assert systolic.content["numeric"] is True
    assert (diastolic.content["code"]["code"], diastolic.content["value"], diastolic.content["numeric"]) == (
        "8462-4",
        "Unknown",
        False,
    )
    assert systolic.content["observed_at"] == diastolic.content["observed_at"] == "1999-07-02"


@pytest.mark.parametrize(
    "status, expected",
    [
        ("final", ResultStatus.FINAL),
        ("preliminary", ResultStatus.PRELIMINARY),
        ("amended", ResultStatus.CORRECTED),
        ("corrected", ResultStatus.CORRECTED),
        ("cancelled", ResultStatus.CANCELLED),
        ("entered-in-error", ResultStatus.CANCELLED),
        ("registered", ResultStatus.PENDING),
    ],
)
def test_statuses_say_whether_a_result_is_final_corrected_withdrawn_or_pending(status, expected):
    observation = sample("uscore_observation-cbc-hemoglobin.json") | {"status": status}

    [report] = only(read_fhir(bundle(sample("uscore_patient-example.json"), observation))).results

    assert report.status is expected and report.observations[0].status is expected


def test_a_status_that_is_not_a_result_status_is_unreadable():
    observation = sample("uscore_observation-cbc-hemoglobin.json") | {"status": "bogus"}

    assert "status is missing or not a FHIR result status" in reason(
        bundle(sample("uscore_patient-example.json"), observation)
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            {"valueQuantity": {"value": 5, "comparator": "<", "unit": "mg/L"}},
            ("quantity", "mg/L", "", ("<", "5", "", "")),
        ),
        (
            {"valueRange": {"low": {"value": 2, "unit": "h"}, "high": {"value": 4, "unit": "h"}}},
            ("quantity", "h", "", ("", "2", "-", "4")),
        ),
        (
            {"valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 128}}},
            ("quantity", "", "", ("", "1", ":", "128")),
        ),
        ({"valueString": "Specimen hemolysed"}, ("text", "", "Specimen hemolysed", None)),
        (
            {
                "valueCodeableConcept": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "10828004", "display": "Positive"}]
                }
            },
            ("coded", "", "Positive", None),
        ),
    ],
    ids=["comparator", "range", "ratio", "string", "coded"],
)
def test_each_kind_of_value_is_kept_as_the_domain_expects(value, expected):
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    del observation["valueQuantity"]
    observation.update(value)

    [shown] = only(read_fhir(bundle(sample("uscore_patient-example.json"), observation))).results[0].observations

    quantity = shown.quantity and (
        shown.quantity.comparator,
        shown.quantity.number,
        shown.quantity.separator,
        shown.quantity.second,
    )
    assert (shown.value_type, shown.units, shown.text, quantity) == expected


def test_a_coded_value_keeps_its_code():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    del observation["valueQuantity"]
    observation["valueCodeableConcept"] = {"coding": [{"system": "http://snomed.info/sct", "code": "10828004"}]}

    [shown] = only(read_fhir(bundle(sample("uscore_patient-example.json"), observation))).results[0].observations

    assert (shown.coded.code, shown.coded.system) == ("10828004", "http://snomed.info/sct")


def test_decimals_keep_their_trailing_zeros_when_the_body_is_parsed_with_decimal():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["valueQuantity"]["value"] = Decimal("0.70")

    [shown] = only(read_fhir(bundle(sample("uscore_patient-example.json"), observation))).results[0].observations

    assert shown.number == "0.70"


# -- the patient of each result -------------------------------------------------------------------


def test_a_result_without_a_subject_is_unreadable():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    del observation["subject"]

    assert reason(bundle(sample("uscore_patient-example.json"), observation)) == (
        "Observation has no subject: the patient it is about (at Bundle.entry[1])."
    )


def test_a_result_about_a_patient_outside_the_bundle_never_goes_to_the_patient_in_it():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["subject"] = {"reference": "Patient/someone-else"}

    sent, referred = read_fhir(bundle(sample("uscore_patient-example.json"), observation))

    assert (sent.kind, sent.results, sent.patient.reference_only) == ("demographics", (), False)
    assert referred.patient.reference_only and len(referred.results) == 1
    assert [(i.spelled, i.value) for i in referred.patient.identifiers] == [(FHIR_ID_AUTHORITY, "someone-else")]


def test_a_subject_that_is_neither_in_the_bundle_nor_a_patient_reference_is_unreadable():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["subject"] = {"reference": "Group/everyone"}

    assert "Observation subject is neither a Patient in this bundle nor a reference to one" in reason(observation)


def test_an_observation_in_a_report_about_another_patient_is_unreadable():
    document = sample("r4spec_diagnosticreport-example-bundle101.json")
    for number, patient_id in enumerate(("pat2", "pat3")):
        patient = sample("uscore_patient-example.json") | {"id": patient_id}
        patient["identifier"] = [{"system": "http://example.org/mrn", "value": f"MRN-{number}"}]
        document["entry"].append({"fullUrl": f"https://example.com/base/Patient/{patient_id}", "resource": patient})
    document["entry"][5]["resource"]["subject"] = {"reference": "Patient/pat3"}

    assert "has a subject other than the report's patient" in reason(document)


def test_each_patient_of_a_bundle_gets_its_own_message():
    amy = sample("uscore_patient-example.json")
    other = copy.deepcopy(amy) | {"id": "other"}
    other["identifier"] = [{"system": "http://example.org/patient/identifiers", "value": "777"}]
    observation = sample("uscore_observation-cbc-hemoglobin.json")

    first, second = read_fhir(bundle(amy, other, observation))

    assert (first.kind, len(first.results), second.kind, second.results) == ("results", 1, "demographics", ())
    assert second.patient.identifiers[0].value == "777"


# -- Synthea --------------------------------------------------------------------------------------


def test_a_synthea_bundle_gives_one_patient_with_all_results():
    # (how fast: bench/feed_intake.py measures reading; a test asserts what is read)
    message = only(read_fhir(sample("synthea_Alberto_Atencio.json")))

    assert ("http://hospital.smarthealthit.org", "fc712d1f-5a2e-4407-9c55-a2a2bad623c2", "MR") in [
        (i.spelled, i.value, i.type) for i in message.patient.identifiers
    ]
    assert (message.patient.family_name, message.patient.birth_date, message.patient.sex) == (
        "Atencio",
        "1993-06-07",
        "male",
    )
    # its social security, driver's licence and passport numbers are dropped, and not even counted
    assert [i.type for i in message.patient.identifiers] == ["MR", "MR", "RI"]
    assert "unusable_identifiers" not in message.extra
    # one CBC report (its urn:uuid results resolved) and 4 smoking statuses of their own; the 20
    # vital-signs Observations are 24 readings of the health summary (a blood pressure is two)
    assert len(message.results) == 5
    [cbc] = [r for r in message.results if r.code.code == "58410-2"]
    assert (cbc.category, len(cbc.observations)) == (Category.LAB, 11)
    assert all(o.value_type == "numeric" and o.units for o in cbc.observations)
    readings = Counter(e.content["code"]["code"] for e in message.entries if e.kind == "vital_sign")
    assert readings == {c: 4 for c in ("8302-2", "72514-3", "29463-7", "39156-5", "8462-4", "8480-6")}
    [smoking, *_] = [r for r in message.results if r.code.code == "72166-2"]
    assert (smoking.observations[0].value_type, smoking.observations[0].text) == ("coded", "Former smoker")
    # the rest of the record: visits, conditions, medications and immunizations
    assert Counter(e.kind for e in message.entries) == {
        "visit": 6,
        "condition": 3,
        "medication": 2,
        "immunization": 7,
        "vital_sign": 24,
    }
    assert message.extra["ignored"] == {
        "Organization": 2,
        "Practitioner": 2,
        "Claim": 8,
        "ExplanationOfBenefit": 6,
        "Procedure": 3,
    }


# -- what the portal does not file yet ------------------------------------------------------------


def test_resources_the_portal_does_not_file_are_ignored_but_listed_for_the_sender():
    searchset = sample("uscore_allergyintolerance-provenance-example1.json")
    message = only(
        read_fhir(bundle(sample("uscore_patient-example.json"), *(entry["resource"] for entry in searchset["entry"])))
    )

    assert [e.kind for e in message.entries] == ["allergy"]
    assert message.extra["ignored"] == {"Provenance": 1}


def test_a_message_bundle_gives_its_event_and_its_header_is_not_ignored():
    document = with_patient("uscore_observation-cbc-hemoglobin.json")
    document["type"] = "message"
    document["entry"].insert(
        0,
        {
            "fullUrl": "urn:uuid:0b4f8c1a-6a8e-4d0c-9c7e-2d1e4f5a6b7c",
            "resource": {
                "resourceType": "MessageHeader",
                "id": "h1",
                "eventCoding": {"code": "observation-provide"},
                "source": {"endpoint": "https://lab.example.org/fhir"},
            },
        },
    )

    message = only(read_fhir(document))

    assert (message.event, message.extra["ignored"], len(message.results)) == ("observation-provide", {}, 1)


def test_a_history_bundle_is_not_filed():
    assert "history Bundle is not filed" in reason(with_patient() | {"type": "history"})


@pytest.mark.parametrize(
    "document",
    [[], "Patient", {}, {"resourceType": 7}, {"resourceType": "Amy Shaw"}],
    ids=["list", "text", "empty", "number", "not-a-type"],
)
def test_a_document_that_is_not_fhir_is_unreadable_without_echoing_it(document):
    assert "Amy" not in reason(document)


# -- validation never echoes a value --------------------------------------------------------------


def test_a_field_of_the_wrong_type_is_unreadable_and_the_reason_carries_no_value():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["valueQuantity"]["value"] = "Amy Shaw 555-0100"
    observation["effectiveDateTime"] = ["Shaw"]
    observation["AmyShawMRN1032702"] = "x"  # an unknown element whose very name is PHI

    text = reason(bundle(sample("uscore_patient-example.json"), observation))

    assert text.startswith("Observation (at Bundle.entry[1]) is not valid FHIR R4: ")
    assert "valueQuantity.value" in text and "effectiveDateTime" in text and "not in FHIR R4" in text
    for value in ("Amy", "Shaw", "555", "1032702"):
        assert value not in text


def test_a_patient_with_a_malformed_birth_date_is_unreadable_without_the_date():
    patient = sample("uscore_patient-example.json") | {"birthDate": "20/02/1987"}

    text = reason(patient)

    assert text == "Patient is not valid FHIR R4: birthDate has the wrong format or value." and "1987" not in text


def test_an_embedded_document_that_is_not_base64_is_unreadable():
    report = sample("uscore_DiagnosticReport-chest-xray-report.json")
    report["presentedForm"][0]["data"] = "QUJD@"

    text = reason(bundle(sample("uscore_patient-example.json"), report))

    assert "DiagnosticReport" in text and "presentedForm[0]" in text and "QUJD" not in text


def test_mangled_documents_never_raise_anything_but_unreadable():
    # GIVEN the documents that read, WHEN random elements are replaced by values of other shapes
    # (a light, seeded fuzz: the feed must quarantine, never crash), THEN only Unreadable escapes
    readable = [
        sample("synthea_Alberto_Atencio.json"),
        with_patient(
            "uscore_diagnosticreport-metabolic-panel.json",
            "uscore_observation-cbc-hemoglobin.json",
            "uscore_bp-data-absent.json",
            "uscore_DiagnosticReport-chest-xray-report.json",
        ),
    ]
    shapes = [
        None,
        0,
        -1.5,
        True,
        "",
        "PHI-Amy",
        [],
        {},
        [{}],
        {"PHI-key": 1},
        {"reference": "#x"},
        {"resourceType": "PHIType"},
        "Patient/example",
        [None],
    ]
    rng = random.Random(20240101)
    for _ in range(200):
        document = copy.deepcopy(rng.choice(readable))
        paths = list(_paths(document))
        for _ in range(rng.randint(1, 3)):
            *parents, last = rng.choice(paths)
            holder = document
            for step in parents:
                holder = holder[step]
            holder[last] = copy.deepcopy(rng.choice(shapes))
            paths = list(_paths(document))
        try:
            read_fhir(document)
        except Unreadable as error:
            assert "PHI" not in str(error)


def _paths(node, path=()):
    if path:
        yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, path + (index,))


def test_importing_the_reader_does_not_import_fhir_resources():
    # app.py imports the feed code; fhir.resources (~115 ms) is loaded on the first FHIR message only
    code = "import sys, chalicelib.interop.fhir; print('fhir.resources' in sys.modules, 'pydantic' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_the_ordering_provider_comes_from_the_order_when_the_bundle_carries_it():
    order = {
        "resourceType": "ServiceRequest",
        "id": "bmp",
        "status": "completed",
        "intent": "order",
        "code": {"text": "Basic Metabolic Panel"},
        "subject": {"reference": "Patient/example"},
        "requester": {"reference": "Practitioner/practitioner-1", "display": "Ronald Bone, MD"},
    }
    document = with_patient("uscore_diagnosticreport-metabolic-panel.json")
    document["entry"].append({"fullUrl": "https://example.org/fhir/ServiceRequest/bmp", "resource": order})

    [report] = only(read_fhir(document)).results

    assert report.ordering_provider == "Ronald Bone, MD"


def test_a_panel_observation_gathers_its_members_and_a_long_chain_does_not_exhaust_the_stack():
    # GIVEN a chain of panels, each listing the next (hasMember), the last one a value
    patient = sample("uscore_patient-example.json")
    chain = []
    for number in range(3000):
        observation = {
            "resourceType": "Observation",
            "id": f"o{number}",
            "status": "final",
            "code": {"text": f"panel {number}"},
            "subject": {"reference": "Patient/example"},
        }
        if number < 2999:
            observation["hasMember"] = [{"reference": f"Observation/o{number + 1}"}]
        else:
            observation["valueString"] = "end"
        chain.append(observation)

    [report] = only(read_fhir(bundle(patient, *chain))).results

    # THEN the first panel is the one result, and the value at the end of the chain is in it
    assert report.source_id == "Observation/o0"
    assert [o.text for o in report.observations] == ["end"]


def test_panels_that_only_list_each_other_are_unreadable_rather_than_lost():
    first, second = (sample("uscore_observation-cbc-hemoglobin.json") | {"id": name} for name in ("a", "b"))
    first["hasMember"], second["hasMember"] = [{"reference": "Observation/b"}], [{"reference": "Observation/a"}]

    assert "hasMember cycle" in reason(bundle(sample("uscore_patient-example.json"), first, second))


def test_a_subject_given_by_identifier_finds_the_patient_with_that_identifier_and_authority():
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["subject"] = {"identifier": {"system": "http://example.org/patient/identifiers", "value": "1032702"}}
    patient = sample("uscore_patient-example.json")

    assert len(only(read_fhir(bundle(patient, observation))).results) == 1
    observation["subject"]["identifier"]["system"] = "http://another.example.org/mrn"  # same value, other authority
    sent, referred = read_fhir(bundle(patient, observation))
    assert sent.results == () and referred.patient.reference_only
    assert [(i.spelled, i.value) for i in referred.patient.identifiers] == [
        ("http://another.example.org/mrn", "1032702")
    ]


@pytest.mark.parametrize(
    ("deceased", "expected"),
    [
        ({"deceasedDateTime": "2026-12-01T09:30:00-05:00"}, (True, "2026-12-01")),
        ({"deceasedDateTime": "2026-12"}, (True, "")),  # a partial date: deceased, the day unknown
        ({"deceasedBoolean": True}, (True, "")),
        ({"deceasedBoolean": False}, (False, "")),  # a correction
        ({}, (None, "")),  # absent: says nothing (most senders never fill it)
    ],
)
def test_deceased_x_says_whether_the_patient_died(deceased, expected):
    patient = sample("uscore_patient-example.json")
    patient["meta"] = {"lastUpdated": "2026-12-02T10:00:00Z"}
    patient.update(deceased)

    facts = only(read_fhir(patient)).patient

    assert (facts.deceased, facts.deceased_on) == expected
    assert facts.as_of == ("2026-12-02T10:00:00Z" if expected[0] is not None else "")
