"""HL7 v2 messages read into the records domain, against the real public samples."""

from __future__ import annotations

import logging

import pytest

from chalicelib.access.sensitivity import DEFAULT_LISTS, is_sensitive
from chalicelib.feeds.domain import Unfileable
from chalicelib.feeds.envelope import read_messages
from chalicelib.interop.hl7v2 import iso_time, read_hl7
from chalicelib.records.domain import Category, ResultStatus, Unreadable, report_content
from tests.conftest import SAMPLES_DIR

HL7_DIR = SAMPLES_DIR / "hl7v2"


def message(name: str):
    [envelope] = read_messages((HL7_DIR / name).read_bytes())
    return read_hl7(envelope.text)


def test_a_lab_result_keeps_what_a_clinician_would_show():
    [report] = message("nist_ORU_R01_lead-high_v2.5.1.hl7").results
    [lead] = report.observations

    assert (report.code.code, report.code.display, report.code.is_loinc) == ("10368-9", "Lead BldC-mCnc", True)
    assert report.category is Category.LAB and report.status is ResultStatus.FINAL
    assert report.collected_at == "2008-08-15T10:30-07:00" and report.reported_at == "2008-08-18T18:00-07:00"
    assert report.ordering_provider == "Alan Admit" and report.source_id == "9700123^Lab"
    assert (lead.value_type, lead.number, lead.units, lead.flags) == (
        "numeric",
        "50",
        "micro-gram per deci-liter",
        ("H",),
    )
    assert lead.reference_range.startswith("<9 mcg/dL")


def test_the_patient_is_identified_by_identifier_and_assigning_authority():
    patient = message("elr_ORU_R01_hepC-SN-multiflag_v2.5.1.hl7").patient

    # (the sample also sends an SSN under the SSA's OID, its CX.5 type shifted to "ISO": dropped
    # by its authority whatever its type says)
    # Its assigning authority as written: the namespace id and the universal id (CX.4.2, an OID
    # as CX.4.3 "ISO" says), written one way so that a FHIR "urn:oid:" system is the same authority.
    assert [(i.namespace, i.universal_id, i.value, i.type) for i in patient.identifiers] == [
        ("MPI", "urn:oid:2.16.840.1.113883.19.3.2.1", "36363636", "MR")
    ]
    assert (patient.family_name, patient.given_names, patient.birth_date, patient.sex) == (
        "Everyman",
        ("Adam", "A"),
        "1980-06-02",
        "male",
    )


def test_an_identifier_without_authority_is_kept_for_the_filer_to_decide():
    patient = message("hl7org_ORU_R01_lab-panel_v2.3.1.hl7").patient
    assert [(i.spelled, i.value) for i in patient.identifiers] == [("", "PhilipsMRN1")]


def test_formatted_text_keeps_its_line_breaks_and_repetitions():
    [report] = message("nhapi_ORU_R01_FT-br-repetition_v2.5.1.hl7").results
    assert report.observations[0].text == "This\nis\nA Test\nMoreText\nSomeMoreText"


def test_a_reference_pointer_is_kept_as_text_and_coded_values_as_codes():
    [report] = message("ms_ORU_R01_RP-pointer-PRT_v2.5.1.hl7").results
    coded, pointer, _ = report.observations
    assert coded.value_type == "coded" and coded.coded.display == "Salmonella" and coded.notes
    assert pointer.value_type == "pointer" and pointer.pointer == "https://testurl.com"
    assert report.notes and report.performing_lab == "State Hygienic Laboratory"


def test_preliminary_and_empty_values_and_several_orders():
    first, second = message("ms_ORU_R01_prelim-empty-values_bom_v2.5.hl7").results
    statuses = {o.status for o in first.observations}
    assert ResultStatus.PENDING in statuses and ResultStatus.PRELIMINARY in statuses
    assert [o.value_type for o in first.observations][:2] == ["none", "numeric"]
    assert second.status is ResultStatus.PRELIMINARY  # no OBR-25: as final as its least final value


def test_corrected_results_and_notes_in_a_foreign_feed():
    reports = message("nhapi_ORU_R01_molis-multi-order-mojibake_v2.4.hl7").results
    assert [r.source_id for r in reports] == ["FA9999020000^MOLIS", "FA9999020018^MOLIS", "FA9999020026^MOLIS"]
    assert all(r.status is ResultStatus.CORRECTED for r in reports)
    igm = next(o for r in reports for o in r.observations if o.code.code == "ACLAM")
    assert (igm.number, igm.flags, igm.status) == ("111.3", ("H",), ResultStatus.CORRECTED) and igm.notes


def test_a_malformed_escape_in_a_value_never_reaches_the_log(caplog):
    # python-hl7 would log the field's text (PHI) for the lone backslashes in this feed.
    with caplog.at_level(logging.DEBUG):
        message("nhapi_ORU_R01_molis-multi-order-mojibake_v2.4.hl7")
    assert "Follikul" not in caplog.text and "Peak" not in caplog.text


def test_an_embedded_document_is_decoded_and_labelled():
    [report] = message("ms_MDM_T02_ED-pdf-empty_v2.8.hl7").results
    document = next(o.document for o in report.observations if o.document)
    assert document.content_type == "application/pdf"


def test_admissions_discharges_and_merges():
    assert message("nhapi_ADT_A03_discharge_v2.5.hl7").discharged_at == "2008-03-03T15:08"
    merge = message("hl7org_ADT_A40_merge_v2.5.1.hl7")
    assert merge.kind == "merge"
    assert [(i.spelled, i.value) for i in merge.patient.identifiers] == [("VHIS", "84168156")]
    assert [(i.spelled, i.value) for i in merge.merged_from] == [("VHIS", "77966847")]


def test_explicit_nulls_read_as_nothing():
    patient = message("pyhl7_ADT_A01_explicit-nulls_v2.3.hl7").patient
    assert all(value != '""' for value in (patient.family_name, patient.birth_date, patient.sex, *patient.given_names))


def test_every_sample_reads_or_is_refused_with_a_reason():
    read = refused = 0
    for path in sorted(HL7_DIR.iterdir()):
        try:
            items = read_messages(path.read_bytes())
        except Unfileable:
            refused += 1
            continue
        for item in items:
            if isinstance(item, Unfileable):
                refused += 1
                continue
            try:
                read_hl7(item.text)
                read += 1
            except Unreadable as error:
                assert str(error)
                refused += 1
    assert read >= 20 and refused >= 5


def test_an_unreadable_message_names_the_field_not_the_value():
    with pytest.raises(Unreadable) as refused:
        read_hl7("MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|1|P|2.5\rPID|1||\rOBR|1|||GLU^Glucose")
    assert "PID-3" in str(refused.value)
    with pytest.raises(Unreadable) as refused:
        read_hl7(
            "MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|1|P|2.5\rPID|1||SECRET-MRN^^^AMC\r"
            "OBR|1|||GLU^Glucose\rOBX|1|ED|DOC||^application^pdf^Base64^@@not base64@@"
        )
    assert "Base64" in str(refused.value) and "SECRET" not in str(refused.value)


@pytest.mark.parametrize(
    "ts, iso",
    [
        ("2008", "2008"),
        ("200808", "2008-08"),
        ("20080815", "2008-08-15"),
        ("200808151030", "2008-08-15T10:30"),
        ("20080815103012.5-0700", "2008-08-15T10:30:12.5-07:00"),
        ("garbage", ""),
        ("", ""),
    ],
)
def test_hl7_times_become_iso_8601_as_precise_as_sent(ts, iso):
    assert iso_time(ts) == iso


def test_a_twenty_result_panel_reads_every_result():
    # (how fast: bench/feed_intake.py measures it against python-hl7's own parse)
    obx = "".join(f"\rOBX|{n}|NM|{2000 + n}-0^Test {n}^LN||{n}.5|mmol/L|1-9|N|||F|||20260101" for n in range(1, 21))
    text = "MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|1|P|2.5\rPID|1||123^^^AMC-MRN\rOBR|1||F1^LAB|P^Panel^LN" + obx
    [report] = read_hl7(text).results
    assert len(report.observations) == 20
    assert [o.code.code for o in report.observations] == [f"{2000 + n}-0" for n in range(1, 21)]


@pytest.mark.parametrize(
    "pid3",
    [
        "P-1^^^AMC-MRN^MR~123-45-6789^^^SSA^SS",  # Epic-style: the SSN as a PID-3 repetition
        "123456789^^^GOV&2.16.840.1.113883.4.1&ISO~P-1^^^AMC-MRN^MR",  # by the SSA's OID
        "P-1^^^AMC-MRN^MR~D1234567^^^NY-DMV^DL~P555^^^USA^PPN",  # licence and passport
    ],
)
def test_sensitive_identifiers_in_pid3_are_dropped_and_pid19_is_never_read(pid3):
    text = "\r".join(
        [
            "MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240301120000||ADT^A04^ADT_A01|C-1|P|2.5.1",
            "EVN|A04|20240301120000",
            f"PID|1||{pid3}||Doe^Jane||19800102|F|||||||||||123-45-6789|D1234567^NY",
            "PV1|1|O",
        ]
    )

    patient = read_hl7(text).patient

    assert [(i.spelled, i.value) for i in patient.identifiers] == [("AMC-MRN", "P-1")]
    assert "6789" not in repr(patient) and "D1234567" not in repr(patient)


def test_a_pid3_of_only_a_social_security_number_is_unreadable_without_the_number():
    text = "\r".join(
        [
            "MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240301120000||ADT^A04^ADT_A01|C-1|P|2.5.1",
            "PID|1||123-45-6789^^^SSA^SS||Doe^Jane||19800102|F",
            "PV1|1|O",
        ]
    )

    with pytest.raises(Unreadable) as caught:
        read_hl7(text)

    assert "never kept" in str(caught.value) and "6789" not in str(caught.value)


def _a08(pid_29: str, pid_30: str, sent: str = "20261202101500") -> str:
    fields = ["PID", "1", "", "MRN-1^^^AMC-MRN^MR", "", "Doe^Jane", "", "19800102", "F"] + [""] * 22
    fields[29], fields[30] = pid_29, pid_30  # (the list index is the field's number)
    return f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|{sent}||ADT^A08|C-1|P|2.5.1\r" + "|".join(fields).rstrip("|")


@pytest.mark.parametrize(
    ("pid_29", "pid_30", "deceased", "on"),
    [
        ("20261201093000-0500", "Y", True, "2026-12-01"),  # date and indicator
        ("", "Y", True, ""),  # indicator alone: deceased, date unknown
        ("20261201", "", True, "2026-12-01"),  # a date alone says it too
        ("", "N", False, ""),  # a correction
        ("20261201", "N", False, ""),  # the indicator decides
        ('""', '""', False, ""),  # both deleted (HL7's explicit null): a correction
        ("", "", None, ""),  # absent: says nothing, most messages
    ],
)
def test_pid_29_and_30_say_whether_the_patient_died(pid_29, pid_30, deceased, on):
    patient = read_hl7(_a08(pid_29, pid_30)).patient

    assert (patient.deceased, patient.deceased_on) == (deceased, on)
    # Ordered by when it was sent, so a late replay cannot undo a newer statement.
    assert patient.as_of == ("2026-12-02T10:15:00" if deceased is not None else "")


def test_a_code_with_an_alternate_keeps_both_and_a_code_without_one_is_stored_as_before():
    # A lab's own code first and the LOINC code of an HIV test as its alternate (CE.4-6), on the
    # order and on the result; a plain glucose result coded once.
    text = (
        "MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|1|P|2.5\rPID|1||123^^^AMC-MRN"
        "\rOBR|1||F1^LAB|HIVAB^HIV 1/2 Ab^L^7918-6^HIV 1+2 Ab^LN"
        "\rOBX|1|ST|HIVAB^HIV 1/2 Ab^L^7918-6^HIV 1+2 Ab^LN||Nonreactive||||||F"
        "\rOBX|2|NM|2345-7^Glucose^LN||85|mg/dL|70-99|N|||F"
    )
    [report] = read_hl7(text).results
    content = report_content(report)

    both = [
        {"code": "HIVAB", "display": "HIV 1/2 Ab", "system": "L"},
        {"code": "7918-6", "display": "HIV 1+2 Ab", "system": "LN"},
    ]
    assert content["code"] == {**both[0], "codings": both}
    assert content["observations"][0]["code"] == {**both[0], "codings": both}
    assert content["observations"][1]["code"] == {"code": "2345-7", "display": "Glucose", "system": "LN"}
    assert is_sensitive(content, DEFAULT_LISTS)
    # (shown by the first, as before)
    assert (report.code.code, report.code.system) == ("HIVAB", "L")


def test_an_empty_first_triplet_is_shown_by_the_alternate_alone():
    text = "MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|1|P|2.5\rPID|1||123^^^AMC-MRN\rOBR|1||F1^LAB|^^^7918-6^HIV 1+2 Ab^LN"
    [report] = read_hl7(text).results
    assert report_content(report)["code"] == {"code": "7918-6", "display": "HIV 1+2 Ab", "system": "LN"}
