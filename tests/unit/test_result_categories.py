"""What category a report is, which lines are vital signs, and which lines are blank: decided in
interop.categories for HL7 v2 and FHIR alike, and read from messages by both readers."""

from __future__ import annotations

import json

import pytest

from chalicelib.interop.categories import VITAL_SIGNS_CATEGORY, categorize, split
from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.records.domain import Category, Coding, Observation, ResultReport, ResultStatus

LOINC = "LN"


def line(code: str, value: str = "1", system: str = LOINC, value_type: str = "numeric", **more) -> Observation:
    return Observation(code=Coding(code, code, system), value_type=value_type, number=value, **more)


def report(order: Coding, *lines: Observation, notes: tuple[str, ...] = ()) -> ResultReport:
    return ResultReport("R-1", order, Category.OTHER, ResultStatus.FINAL, observations=lines, notes=notes)


@pytest.mark.parametrize(
    "sections, order, lines, expected",
    [
        # the section the sender declared
        (("SP",), Coding("X1", "Specimen", "L"), (), Category.PATHOLOGY),
        (("CP",), Coding(), (), Category.PATHOLOGY),
        (("RAD",), Coding("XR1", "Chest", "L"), (), Category.IMAGING),
        (("CT",), Coding(), (), Category.IMAGING),
        (("HM",), Coding("718-7", "Hemoglobin", LOINC), (), Category.LAB),
        (("VR",), Coding(), (), Category.LAB),  # virology is a lab test, not an imaging one
        (("laboratory",), Coding(), (), Category.LAB),
        (("imaging",), Coding(), (), Category.IMAGING),
        (("vital-signs",), Coding("X", "Vitals", "L"), (), VITAL_SIGNS_CATEGORY),
        (("social-history",), Coding("72166-2", "Smoking", "http://loinc.org"), (), Category.OTHER),
        # no section: the report's own LOINC code
        ((), Coding("22637-3", "Pathology report final diagnosis", LOINC), (), Category.PATHOLOGY),
        ((), Coding("11526-1", "Pathology study", "http://loinc.org"), (), Category.PATHOLOGY),
        ((), Coding("24627-2", "CT chest", LOINC), (), Category.IMAGING),
        ((), Coding("85353-1", "Vital signs panel", LOINC), (), VITAL_SIGNS_CATEGORY),
        ((), Coding("8867-4", "Heart rate", "http://loinc.org"), (), VITAL_SIGNS_CATEGORY),
        # no section, a local order code: the lines' codes
        ((), Coding("SURG", "Tissue exam", "L"), (line("22634-0", value_type="text"),), Category.PATHOLOGY),
        ((), Coding("VS", "Vitals", "L"), (line("8867-4"), line("9279-1")), VITAL_SIGNS_CATEGORY),
        ((), Coding("CBC", "Blood count", "L"), (line("718-7"),), Category.LAB),
        # a pathology line wins over a lab section: showing pathology early is the mistake that matters
        (("LAB",), Coding(), (line("22637-3", value_type="text"),), Category.PATHOLOGY),
        # a declared lab section keeps its vital-sign lines (a blood gas's temperature)
        (("BG",), Coding("BG", "Blood gas", "L"), (line("8310-5"), line("2744-1")), Category.LAB),
        # a code that looks like a LOINC in a local system is not one
        ((), Coding("22637-3", "Local test", "99LOCAL"), (), Category.OTHER),
        # the order's name, as a last resort, and only towards waiting
        ((), Coding("SP1", "Surgical Pathology Report", "L"), (), Category.PATHOLOGY),
        ((), Coding("X", "Glucose", "L"), (line("G1", system="L"),), Category.LAB),
        ((), Coding("X", "Note", "L"), (line("N1", "", system="L", value_type="text"),), Category.OTHER),
    ],
)
def test_the_category_is_decided_from_section_codes_and_lines(sections, order, lines, expected):
    assert categorize(sections, order, lines) == expected


def test_a_vital_signs_report_becomes_readings_and_no_result():
    found = split(
        report(
            Coding("VS", "Vitals", "L"),
            line("8867-4", "72", units="/min", observed_at="2026-11-01T09:00"),
            line("8480-6", "120", units="mm[Hg]", observed_at="2026-11-01T09:00"),
        ),
        (),
        as_of="2026-11-01T09:05",
    )

    assert found.report is None
    pulse, systolic = found.vital_signs
    assert (pulse.kind, pulse.occurred_at, pulse.as_of) == ("vital_sign", "2026-11-01T09:00", "2026-11-01T09:05")
    assert pulse.content == {
        "code": {"code": "8867-4", "display": "8867-4", "system": "LN"},
        "value": "72",
        "numeric": True,
        "status": "final",
        "units": "/min",
        "observed_at": "2026-11-01T09:00",
    }
    # each reading is named by its report and code, so a resent report updates it
    assert pulse.source_id != systolic.source_id and pulse.source_id.startswith("R-1#")


def test_vital_signs_mixed_into_an_undeclared_lab_order_leave_it_and_the_labs_stay():
    found = split(report(Coding("PANEL", "Clinic panel", "L"), line("2345-7", "99"), line("29463-7", "70")), ())

    assert found.report is not None and found.report.category is Category.LAB
    assert [o.code.code for o in found.report.observations] == ["2345-7"]
    assert [e.content["code"]["code"] for e in found.vital_signs] == ["29463-7"]


def test_a_reading_that_is_not_a_plain_number_is_not_charted():
    found = split(
        report(Coding("85353-1", "Vitals", LOINC), line("59408-5", "", value_type="text", text="refused")), ()
    )
    [reading] = found.vital_signs
    assert (reading.content["value"], reading.content["numeric"]) == ("refused", False)


def test_a_vital_sign_still_waiting_for_its_value_is_no_reading():
    found = split(
        report(
            Coding("85353-1", "Vitals", LOINC),
            line("8867-4", "72"),
            line("9279-1", "", value_type="none", status=ResultStatus.PENDING),
        ),
        (),
    )
    assert [e.content["code"]["code"] for e in found.vital_signs] == ["8867-4"]


def test_a_cancelled_reading_is_withdrawn():
    found = split(report(Coding("85353-1", "Vitals", LOINC), line("8867-4", "72", status=ResultStatus.CANCELLED)), ())
    assert found.vital_signs[0].withdrawn


@pytest.mark.parametrize(
    "observation, blank",
    [
        (Observation(Coding("1"), "none"), True),
        (Observation(Coding("1"), "none", status=ResultStatus.PRELIMINARY), True),
        (Observation(Coding("1"), "none", notes=("See comment",)), False),
        (Observation(Coding("1"), "none", text="Unknown"), False),  # a data-absent reason says why
        (Observation(Coding("1"), "none", status=ResultStatus.PENDING), False),  # says it is coming
        (Observation(Coding("1"), "none", status=ResultStatus.CANCELLED), False),
        (Observation(Coding("1"), "numeric", number="0"), False),
    ],
)
def test_a_blank_line_has_no_value_no_text_no_note_and_a_status_that_says_nothing(observation, blank):
    assert observation.blank is blank


# -- read from messages ----------------------------------------------------------------------------

MSH = "MSH|^~\\&|EHR|AMC|PORTAL|AMC|20261101100000||ORU^R01|C-1|P|2.5.1"
PID = "PID|1||M-1^^^AMC-MRN^MR||Doe^Jane||19800102|F"


def test_hl7_pathology_without_obr_24_is_pathology_and_blank_lines_are_dropped():
    message = read_hl7(
        "\r".join(
            [
                MSH,
                PID,
                "OBR|1||S-1^LAB|88305^Surgical path^CPT|||20261101080000",
                "OBX|1|TX|22637-3^Final diagnosis^LN||Benign.||||||F",
                "OBX|2|TX|22637-3^Final diagnosis^LN||||||||F",
                "OBX|3|NM|2345-7^Glucose^LN||||||||F",
            ]
        )
    )
    [result] = message.results
    assert result.category is Category.PATHOLOGY
    assert [o.text for o in result.observations] == ["Benign."]


def test_hl7_vital_signs_in_an_adt_are_readings_of_the_visit():
    message = read_hl7(
        "\r".join(
            [
                MSH.replace("ORU^R01", "ADT^A01"),
                PID,
                "PV1|1|I|||||||||||||||||V-9",
                "OBX|1|NM|29463-7^Body weight^LN||70|kg|||||F|||20261101090000",
                "OBX|2|NM|8302-2^Body height^LN||170|cm|||||F",
                "OBX|3|ST|REASON^Reason^L||Fall||||||F",
            ]
        )
    )
    readings = [e for e in message.entries if e.kind == "vital_sign"]
    assert [(r.content["code"]["code"], r.content["value"], r.occurred_at) for r in readings] == [
        ("29463-7", "70", "2026-11-01T09:00:00"),
        ("8302-2", "170", "2026-11-01T10:00:00"),  # no time of its own, no admission time: the message's
    ]
    # an update of the visit resending the height (no time of its own) names the same reading
    again = read_hl7(
        "\r".join(
            [
                MSH.replace("ORU^R01", "ADT^A08").replace("20261101100000", "20261102100000"),
                PID,
                "PV1|1|I|||||||||||||||||V-9",
                "OBX|1|NM|8302-2^Body height^LN||170|cm|||||F",
            ]
        )
    )
    [height] = [e for e in again.entries if e.kind == "vital_sign"]
    assert height.source_id == readings[1].source_id


def test_fhir_an_observation_with_nothing_in_it_is_not_shown_as_a_blank_row():
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p", "identifier": [{"system": "urn:mrn", "value": "1"}]}},
            {
                "resource": {
                    "resourceType": "DiagnosticReport",
                    "id": "r",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "24323-8"}]},
                    "subject": {"reference": "Patient/p"},
                    "result": [{"reference": "Observation/a"}, {"reference": "Observation/b"}],
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "a",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
                    "subject": {"reference": "Patient/p"},
                    "valueQuantity": {"value": 99, "unit": "mg/dL"},
                }
            },
            {
                "resource": {
                    "resourceType": "Observation",
                    "id": "b",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2"}]},
                    "subject": {"reference": "Patient/p"},
                }
            },
        ],
    }
    [message] = read_fhir(json.loads(json.dumps(bundle)))
    [result] = message.results
    assert [o.code.code for o in result.observations] == ["2345-7"]
    assert result.category is Category.LAB  # LOINC coded, numeric: no category needed
