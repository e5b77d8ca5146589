"""The small parts of the writer a reader would notice: a value as sent becomes the right FHIR
value (a number stays a number, "<5" a comparator, "2-8" a range, "1:128" a ratio), a time as
sent becomes a FHIR dateTime without inventing a zone, a code system named the HL7 v2 way becomes
its URI, and the ids of things known by name are stable and say nothing of the name."""

from __future__ import annotations

import pytest

from chalicelib.interop.writer.ids import FHIR_ID, fhir_id, practitioner_id
from chalicelib.interop.writer.observations import value_of
from chalicelib.interop.writer.values import concept, date_time, instant_of, system_uri


@pytest.mark.parametrize(
    ("value", "units", "expected"),
    [
        (
            {"type": "numeric", "number": "0.70"},
            "mg/dL",
            {"valueQuantity": {"value": 0.7, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL"}},
        ),
        ({"type": "numeric", "number": "12"}, "furlongs", {"valueQuantity": {"value": 12, "unit": "furlongs"}}),
        (
            {"type": "quantity", "comparator": "<", "number": "5"},
            "U/L",
            {
                "valueQuantity": {
                    "value": 5,
                    "comparator": "<",
                    "unit": "U/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "U/L",
                }
            },
        ),
        (
            {"type": "quantity", "number": "2", "separator": "-", "second": "8"},
            "",
            {"valueRange": {"low": {"value": 2}, "high": {"value": 8}}},
        ),
        (
            {"type": "quantity", "number": "1", "separator": ":", "second": "128"},
            "",
            {"valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 128}}},
        ),
        (
            {"type": "coded", "code": "260373001", "display": "Detected", "system": "SCT"},
            "",
            {
                "valueCodeableConcept": {
                    "coding": [{"system": "http://snomed.info/sct", "code": "260373001", "display": "Detected"}],
                    "text": "Detected",
                }
            },
        ),
        ({"type": "text", "text": "Clear, yellow"}, "", {"valueString": "Clear, yellow"}),
    ],
)
def test_a_value_as_sent_becomes_the_fhir_value_a_reader_expects(value, units, expected):
    assert value_of(value, units, "final") == expected


def test_a_line_without_a_value_says_why():
    assert value_of({"type": "none"}, "", "cancelled")["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    assert value_of({"type": "none"}, "", "pending")["dataAbsentReason"]["coding"][0]["code"] == "unknown"


@pytest.mark.parametrize(
    ("sent", "written"),
    [
        ("2026-11-19T08:15-05:00", "2026-11-19T08:15:00-05:00"),
        ("2026-11-19T08:15:30.25Z", "2026-11-19T08:15:30.25Z"),
        ("2026-11-19T08:15", "2026-11-19"),  # no zone: the day, never an invented zone
        ("2026-11", "2026-11"),
        ("2026", "2026"),
        ("last spring", ""),
        ("2026-13-01", ""),
        ("", ""),
    ],
)
def test_a_time_as_sent_becomes_a_fhir_date_time(sent, written):
    assert date_time(sent) == written


def test_an_instant_needs_a_time_with_its_zone():
    assert instant_of("2026-11-19T08:15-05:00") == "2026-11-19T08:15:00-05:00"
    assert instant_of("2026-11-19") == ""


@pytest.mark.parametrize(
    ("sent", "uri"),
    [
        ("LN", "http://loinc.org"),
        ("http://loinc.org", "http://loinc.org"),
        ("RXNORM", "http://www.nlm.nih.gov/research/umls/rxnorm"),
        ("I10", "http://hl7.org/fhir/sid/icd-10-cm"),
        ("urn:oid:2.16.840.1.113883.6.1", "urn:oid:2.16.840.1.113883.6.1"),
        ("99LAB", ""),
    ],
)
def test_code_systems_named_the_hl7_v2_way_become_their_uris(sent, uri):
    assert system_uri(sent) == uri


def test_every_coding_the_sender_gave_is_kept_and_a_local_system_is_dropped():
    written = concept(
        {
            "code": "GLU",
            "display": "Glucose",
            "system": "99LAB",
            "codings": [
                {"code": "GLU", "display": "Glucose", "system": "99LAB"},
                {"code": "2345-7", "display": "Glucose [Mass/volume] in Serum or Plasma", "system": "LN"},
            ],
        }
    )
    assert written == {
        "coding": [
            {"code": "GLU", "display": "Glucose"},
            {"system": "http://loinc.org", "code": "2345-7", "display": "Glucose [Mass/volume] in Serum or Plasma"},
        ],
        "text": "Glucose",
    }
    assert concept({}) is None


def test_ids_of_things_known_by_name_are_stable_per_organization_and_hide_the_name():
    one = practitioner_id("albany", "Sharon J Rawlings MD")
    assert one == practitioner_id("albany", "  sharon j rawlings md ")
    assert one != practitioner_id("troy", "Sharon J Rawlings MD")
    assert FHIR_ID.fullmatch(one) and "rawlings" not in one.lower()
    assert fhir_id("albany-medical-center", "org") == "albany-medical-center"
    assert FHIR_ID.fullmatch(fhir_id("Albany Medical Center!", "org"))
