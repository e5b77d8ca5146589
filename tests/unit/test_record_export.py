"""The pure parts of Download my record: the PDF summary laid out from FHIR resources (every
section, values with units, ranges and flags, unprintable text), and an export's rules (ids that
sort by time, a build past its deadline shown failed, files kept a week)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone

from pypdf import PdfReader

from chalicelib.access.domain import Area
from chalicelib.apps.export.domain import (
    BUNDLE,
    Export,
    ExportFile,
    ExportStatus,
    file_name,
    new_export_id,
    object_key,
)
from chalicelib.apps.export.summary_pdf import patient_name, render

MADE = datetime(2026, 12, 5, 14, 30, tzinfo=timezone.utc)

PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "name": [{"family": "Stone", "given": ["Emma"]}],
    "birthDate": "2014-12-06",
    "gender": "female",
}
GLUCOSE = {
    "resourceType": "Observation",
    "id": "o1",
    "status": "final",
    "category": [{"coding": [{"code": "laboratory"}]}],
    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
    "valueQuantity": {"value": 185, "unit": "mg/dL"},
    "referenceRange": [{"low": {"value": 70, "unit": "mg/dL"}, "high": {"value": 99, "unit": "mg/dL"}}],
    "interpretation": [{"coding": [{"code": "H", "display": "High"}]}],
}
PANEL = {
    "resourceType": "DiagnosticReport",
    "id": "r1",
    "status": "final",
    "code": {"text": "Basic metabolic panel"},
    "effectiveDateTime": "2026-11-01T10:00:00Z",
    "result": [{"reference": "Observation/o1"}],
}
PULSE = {
    "resourceType": "Observation",
    "id": "o2",
    "status": "final",
    "category": [{"coding": [{"code": "vital-signs"}]}],
    "code": {"text": "Heart rate"},
    "valueQuantity": {"value": 88, "unit": "/min"},
    "effectiveDateTime": "2026-11-01T09:00:00Z",
}
RECORD = [
    PATIENT,
    {"resourceType": "Organization", "id": "org", "name": "Albany Medical Center"},
    PANEL,
    GLUCOSE,
    PULSE,
    {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "code": {"text": "Penicillin"},
        "reaction": [{"manifestation": [{"text": "Hives"}]}],
    },
    {"resourceType": "Condition", "id": "c1", "code": {"text": "Asthma"}, "onsetDateTime": "2020-01-01"},
    {
        "resourceType": "MedicationRequest",
        "id": "m1",
        "status": "active",
        "medicationCodeableConcept": {"text": "Albuterol inhaler"},
        "dosageInstruction": [{"text": "2 puffs as needed"}],
    },
    {
        "resourceType": "Immunization",
        "id": "i1",
        "vaccineCode": {"text": "Influenza"},
        "occurrenceDateTime": "2026-10-01",
    },
    {
        "resourceType": "DocumentReference",
        "id": "d1",
        "description": "Outpatient visit note",
        "date": "2026-11-02T10:00:00Z",
    },
    {
        "resourceType": "Encounter",
        "id": "e1",
        "type": [{"text": "Check-up"}],
        "period": {"start": "2026-11-02T09:30:00Z"},
    },
]


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_summary_reads_every_section_with_values_units_ranges_and_flags():
    text = text_of(render(RECORD, made_at=MADE, made_for="Emma Stone"))

    for expected in (
        "Emma Stone",
        "Born 2014-12-06",
        "Albany Medical Center",
        "Penicillin",
        "Hives",
        "Asthma",
        "Albuterol inhaler",
        "2 puffs as needed",
        "Influenza",
        "Heart rate: 88 /min",
        "Basic metabolic panel",
        "Glucose: 185 mg/dL",
        "range 70 mg/dL - 99 mg/dL",
        "flag High",
        "Outpatient visit note",
        "Check-up",
        "Made 2026-12-05 14:30 UTC for Emma Stone",
        "Page 1 of",
    ):
        assert expected in text, expected
    # a value in a report is listed under it, once
    assert text.count("Glucose: 185") == 1


def test_an_empty_record_says_so_section_by_section():
    text = text_of(render([PATIENT], made_at=MADE, made_for="Emma Stone"))

    for empty in ("No allergies recorded.", "No problems recorded.", "No medications recorded.", "No results."):
        assert empty in text


def test_text_the_font_cannot_print_becomes_a_question_mark_instead_of_failing_the_summary():
    odd = {**PATIENT, "name": [{"text": "Emma 李 Stone"}]}
    allergy = {"resourceType": "AllergyIntolerance", "id": "a2", "code": {"text": "Latex \u202e\x07"}}

    text = text_of(render([odd, allergy], made_at=MADE, made_for="Emma 李 Stone"))

    assert "Emma ? Stone" in text and "Latex" in text


def test_a_visit_of_no_known_type_is_a_visit_and_times_are_in_utc_saying_so():
    unknown = [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
                    "code": "unknown",
                    "display": "Unknown",
                }
            ]
        }
    ]
    visit = {
        "resourceType": "Encounter",
        "id": "e2",
        "class": unknown[0]["coding"][0],
        "type": unknown,
        "period": {"start": "2026-11-03T09:30:00-05:00"},
    }

    text = text_of(render([PATIENT, visit], made_at=MADE, made_for="Emma Stone"))

    assert "Visit" in text and "Unknown" not in text
    assert "2026-11-03 14:30 UTC" in text


def test_the_same_resources_and_moment_give_the_same_bytes():
    assert render(RECORD, made_at=MADE, made_for="x") == render(RECORD, made_at=MADE, made_for="x")
    assert patient_name(RECORD) == "Emma Stone"


def _export(**changes) -> Export:
    base = Export(
        export_id=new_export_id(MADE),
        patient_id="a" * 32,
        requested_by="acct",
        requested_at=MADE,
        areas=frozenset({Area.RESULTS}),
    )
    return Export(**{**base.__dict__, **changes})


def test_export_ids_sort_by_the_moment_they_were_asked():
    earlier, later = new_export_id(MADE), new_export_id(MADE + timedelta(milliseconds=1))
    assert len(earlier) == 32 and int(earlier, 16) >= 0 and earlier < later


def test_a_build_past_its_deadline_shows_failed_and_a_ready_one_expires_after_a_week():
    building = _export()
    assert building.shown_status(MADE + timedelta(minutes=29)) is ExportStatus.BUILDING
    assert building.shown_status(MADE + timedelta(minutes=30)) is ExportStatus.FAILED

    files = (ExportFile(BUNDLE, object_key(building, BUNDLE), 10),)
    ready = building.made_ready(files, MADE + timedelta(minutes=1))
    assert ready.shown_status(MADE + timedelta(days=30)) is ExportStatus.READY
    assert ready.downloadable(MADE + timedelta(days=7)) and not ready.downloadable(MADE + timedelta(days=7, minutes=1))
    assert object_key(building, BUNDLE) == f"exports/{'a' * 32}/{building.export_id}/record.json"
    assert file_name(BUNDLE, MADE) == "health-record-2026-12-05.json"
