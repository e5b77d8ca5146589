"""A sender's confidentiality flags read from real public samples, each with a flag added as a
sender would put it, and kept on the filed item's content: what keeps sensitive care from anyone
acting for the patient."""

from __future__ import annotations

import copy
import json

from chalicelib.access.sensitivity import sensitivity_content
from chalicelib.feeds.envelope import read_messages
from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.records.domain import report_content
from tests.conftest import SAMPLES_DIR

FHIR_DIR = SAMPLES_DIR / "fhir"
HL7_DIR = SAMPLES_DIR / "hl7v2"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"


def hl7_text(name: str) -> str:
    [envelope] = read_messages((HL7_DIR / name).read_bytes())
    return envelope.text


def segments_edited(text: str, name: str, number: int, value: str) -> str:
    """The message with field ``number`` of its first ``name`` segment set to ``value``."""
    lines = text.split("\r")
    for index, line in enumerate(lines):
        if line.startswith(name + "|"):
            fields = line.split("|")
            fields += [""] * (number + 1 - len(fields))
            fields[number] = value
            lines[index] = "|".join(fields)
            break
    return "\r".join(lines)


def after_segment(text: str, name: str, segment: str) -> str:
    lines = text.split("\r")
    at = next(i for i, line in enumerate(lines) if line.startswith(name + "|"))
    return "\r".join([*lines[: at + 1], segment, *lines[at + 1 :]])


def fhir(name: str) -> dict:
    return json.loads((FHIR_DIR / name).read_bytes())


def with_patient(*resources: dict) -> dict:
    patient = fhir("uscore_patient-example.json")
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"https://example.org/fhir/{r['resourceType']}/{r['id']}", "resource": r}
            for r in (patient, *resources)
        ],
    }


# -- HL7 v2 ---------------------------------------------------------------------------------------


def test_an_unflagged_document_and_result_keep_no_confidentiality_so_their_content_is_unchanged():
    [document] = read_hl7(hl7_text("hl7org_MDM_T02_text-with-line-breaks_v2.3.1.hl7")).results
    [result] = read_hl7(hl7_text("hl7org_ORU_R01_lab-panel_v2.3.1.hl7")).results

    assert (document.confidentiality, document.security_labels) == ("", ())
    assert "confidentiality" not in report_content(result) and "security_labels" not in report_content(result)


def test_txa_18_restricted_marks_an_mdm_document_restricted():
    text = segments_edited(hl7_text("hl7org_MDM_T02_text-with-line-breaks_v2.3.1.hl7"), "TXA", 18, "R")

    [document] = read_hl7(text).results

    assert document.confidentiality == "R"


def test_an_arv_segment_restricts_every_result_of_the_message_and_labels_the_kind_of_care():
    text = after_segment(hl7_text("hl7org_ORU_R01_lab-panel_v2.3.1.hl7"), "PID", "ARV|1|A|HIV^HIV^HL70717")

    [result] = read_hl7(text).results

    assert (result.confidentiality, result.security_labels) == ("R", ("HIV",))
    assert report_content(result)["confidentiality"] == "R"
    assert report_content(result)["security_labels"] == ["HIV"]


def test_an_arv_segment_that_deletes_a_restriction_or_says_none_restricts_nothing():
    text = hl7_text("hl7org_ORU_R01_lab-panel_v2.3.1.hl7")
    for segment in ("ARV|1|D|PSY", "ARV|1|A|NO"):
        [result] = read_hl7(after_segment(text, "PID", segment)).results
        assert result.confidentiality == ""


def test_orc_28_confidentiality_code_flags_the_order_that_follows_it():
    text = after_segment(hl7_text("hl7org_ORU_R01_lab-panel_v2.3.1.hl7"), "PV1", "ORC|RE|||||||||||||||||||||||||||PSY")

    [result] = read_hl7(text).results

    assert (result.confidentiality, result.security_labels) == ("", ("PSY",))


# -- FHIR -----------------------------------------------------------------------------------------


def test_a_document_reference_security_label_very_restricted_is_kept():
    # The R4 specification's own example carries securityLabel V (very restricted).
    [document] = read_fhir(fhir("r4spec_documentreference-example.json"))[0].results

    assert document.confidentiality == "V"


def test_meta_security_on_one_observation_restricts_its_whole_report():
    document = fhir("r4spec_diagnosticreport-example-bundle101.json")
    patient = fhir("uscore_patient-example.json") | {"id": "pat2"}
    document["entry"].append({"fullUrl": "https://example.com/base/Patient/pat2", "resource": patient})
    observation = next(e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == "Observation")
    observation["meta"] = {"security": [{"system": ACT_CODE, "code": "HIV"}, {"system": CONFIDENTIALITY, "code": "R"}]}

    [report] = read_fhir(document)[0].results

    assert (report.confidentiality, report.security_labels) == ("R", ("HIV",))


def test_a_health_summary_entry_keeps_its_sensitivity_label():
    searchset = fhir("uscore_allergyintolerance-provenance-example1.json")
    allergy = copy.deepcopy(searchset["entry"][0]["resource"])
    allergy["meta"] = {"security": [{"system": ACT_CODE, "code": "SUD"}, {"system": ACT_CODE, "code": "NOPE"}]}

    [entry] = read_fhir(with_patient(allergy))[0].entries

    assert entry.content["security_labels"] == ["SUD"] and "confidentiality" not in entry.content


def test_normal_confidentiality_is_not_kept():
    assert sensitivity_content("", ["N", "HIV", "hiv"]) == {"security_labels": ["HIV"]}
