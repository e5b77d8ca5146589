"""Social security, driver's licence and passport numbers sent as patient identifiers: HL7 v2 in
two vendors' styles (the SSN as a PID-3 repetition typed SS, under the SSA's name or OID, and in
PID-19) and a FHIR Patient with the us-ssn system, through the real feed handler. After filing, the
number is in no DynamoDB item of any table, in no object but the archived original message, in
no answer of the staff or patient API and in no log line; the patient is still matched and filed
on their record number. moto in decorator mode, the real feed handler, the real API."""

from __future__ import annotations

import json
import logging

import boto3
import pytest

from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, adt, deliver, feed_records, find, obr, obx, segment
from tests.integration.records.test_health_summary import SECTIONS, enroll_feed_patient, sample

# Numbers no other part of a test run holds (a random hex key or a timestamp will not spell them).
SSN_DASHED, SSN_DIGITS = "078-05-1120", "078051120"
LICENCE = "D7305119"
FHIR_SSN = "219-09-9999"
FHIR_PASSPORT = "X73051190"

# Vendor one: an ADT with the SSN as a PID-3 repetition (^^^SSA^SS) and again in PID-19, the
# driver's licence in PID-20.
VENDOR_ONE_PID3 = f"P-700^^^AMC-MRN^MR~{SSN_DASHED}^^^SSA^SS"


def vendor_two_oru(control: str) -> str:
    """Vendor two: an ORU whose PID-3 names each authority by namespace and OID (HD), the SSN
    first, undashed, under the SSA's OID, and PID-19 undashed too."""
    pid3 = f"{SSN_DIGITS}^^^USSSA&2.16.840.1.113883.4.1&ISO^SS~P-700^^^AMC-MRN&2.16.840.1.113883.19.5&ISO^MR"
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|PORTAL|AMC|20240301120000||ORU^R01^ORU_R01|{control}|P|2.5.1",
            segment("PID", {1: "1", 3: pid3, 5: "Doe^Jane", 7: "19800102", 8: "F", 19: SSN_DIGITS}),
            obr(),
            obx(),
        ]
    )


def with_sensitive_fields(message: str) -> str:
    """The ADT's PID with PID-19 (SSN) and PID-20 (driver's licence) filled in."""
    lines = message.split("\r")
    lines = [
        line + "|" * (18 - line.count("|")) + f"|{SSN_DASHED}|{LICENCE}^NY" if line.startswith("PID|") else line
        for line in lines
    ]
    return "\r".join(lines)


@pytest.fixture
def sources(seeded, container):
    container.records.add_feed_source(FeedSource("LAB|AMC", ORG, "AMC-MRN"))
    container.records.add_feed_source(FeedSource("ADT|AMC", ORG, "AMC-MRN"))
    container.records.add_feed_source(FeedSource("ehr-fhir", ORG))
    return seeded


def dynamodb_items_holding(*values: str) -> dict[str, int]:
    """Every table of the moto account, scanned whole: how many items of each hold any value."""
    client = boto3.client("dynamodb")
    found: dict[str, int] = {}
    for table in client.list_tables()["TableNames"]:
        for page in client.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                text = json.dumps(item)
                if any(value in text for value in values):
                    found[table] = found.get(table, 0) + 1
    return found


def buckets_holding(*values: str) -> set[str]:
    s3 = boto3.client("s3")
    found = set()
    for bucket in (b["Name"] for b in s3.list_buckets()["Buckets"]):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                if any(value.encode() in body for value in values):
                    found.add(bucket)
    return found


def answers(api, staff_token: str, patient_id: str, token: str) -> list[str]:
    """What staff and the patient are shown about her: each answer's body as text."""
    reads = [
        call(api, "GET", f"/v1/staff/patients/{patient_id}", token=staff_token),
        call(api, "GET", "/v1/staff/feed/quarantine", token=staff_token),
        call(api, "GET", "/v1/me", token=token),
        call(api, "GET", f"/v1/patients/{patient_id}/results", token=token),
        call(api, "GET", f"/v1/patients/{patient_id}/access-log", token=token),
        *(call(api, "GET", f"/v1/patients/{patient_id}/health-summary/{s}", token=token) for s in SECTIONS),
    ]
    assert [r.status_code for r in reads] == [200] * len(reads), [r.json_body for r in reads]
    return [json.dumps(r.json_body) for r in reads]


def test_hl7_social_security_and_licence_numbers_are_kept_nowhere_but_the_archive(
    sources, staff_token, aws, caplog, capsys
):
    # Every logger at the level the functions are deployed with (POWERTOOLS_LOG_LEVEL).
    caplog.set_level(logging.INFO)
    api = sources
    admission = with_sensitive_fields(adt("A04", "ADT-1", VENDOR_ONE_PID3, family="Doe", given="Jane"))
    assert f"|{SSN_DASHED}|{LICENCE}^NY" in admission  # (PID-19 and PID-20 are really sent)
    deliver(api, admission, group_id="ADT")
    deliver(api, vendor_two_oru("LAB-1"))
    # A message whose only identifier is the SSN cannot be filed: quarantined, the number unsaid.
    deliver(api, adt("A04", "ADT-2", f"{SSN_DASHED}^^^SSA^SS"), group_id="ADT")

    records = feed_records()
    assert (records["ADT|AMC|ADT-1"].status, records["LAB|AMC|LAB-1"].status) == ("filed", "filed")
    assert records["ADT|AMC|ADT-2"].status == "quarantined"
    assert "never kept" in records["ADT|AMC|ADT-2"].reason
    # Both vendors' messages matched one patient on the record number alone.
    patient = find(ORG, "AMC-MRN", "P-700")
    assert [(i.authority, i.value) for i in patient.identifiers] == [("AMC-MRN", "P-700")]
    assert find(ORG, "SSA", SSN_DASHED) is None and find(ORG, "USSSA", SSN_DIGITS) is None
    token = enroll_feed_patient(api, staff_token, patient.patient_id, "1980-01-02", "Doe", "jane.doe")
    deliver_notifications(api)

    shown = answers(api, staff_token, patient.patient_id, token)

    sensitive = (SSN_DASHED, SSN_DIGITS, LICENCE)
    assert "P-700" in shown[0]  # (the staff view does show identifiers: the record number)
    assert not [text for text in shown if any(value in text for value in sensitive)]
    assert dynamodb_items_holding(*sensitive) == {}
    assert buckets_holding(*sensitive) == {aws.physical["FeedArchiveBucket"]}
    captured = capsys.readouterr()
    assert "feed message filed" in captured.out + caplog.text  # (the log lines were captured)
    for value in sensitive:
        assert value not in caplog.text and value not in captured.out and value not in captured.err


def test_a_fhir_patient_s_social_security_and_passport_numbers_are_kept_nowhere_but_the_archive(
    sources, staff_token, aws, caplog, capsys
):
    # Every logger at the level the functions are deployed with (POWERTOOLS_LOG_LEVEL).
    caplog.set_level(logging.INFO)
    api = sources
    patient = sample("uscore_patient-example.json")
    patient["identifier"] += [
        {
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS"}]},
            "system": "http://hl7.org/fhir/sid/us-ssn",
            "value": FHIR_SSN,
        },
        {"system": "urn:oid:2.16.840.1.113883.4.1", "value": FHIR_SSN.replace("-", "")},
        {"type": {"coding": [{"code": "PPN"}]}, "system": "urn:oid:1.2.3.4.5", "value": FHIR_PASSPORT},
    ]
    body = json.dumps(patient)
    assert deliver(api, body, group_id="ehr-fhir", attributes={"sender": "ehr-fhir"}) == {"batchItemFailures": []}
    # A resource that names its patient by SSN is not filed by it (and the number is not repeated).
    observation = sample("uscore_observation-cbc-hemoglobin.json")
    observation["subject"] = {"identifier": {"system": "http://hl7.org/fhir/sid/us-ssn", "value": FHIR_SSN}}
    deliver(api, json.dumps(observation), group_id="ehr-fhir", attributes={"sender": "ehr-fhir"})

    statuses = sorted((r.status, r.reason) for r in feed_records().values())
    assert [s for s, _ in statuses] == ["filed", "quarantined"]
    assert "social security" in statuses[1][1]
    found = find(ORG, "http://example.org/patient/identifiers", "1032702")
    assert found is not None
    assert {i.type for i in found.identifiers} == {"MR", "RI"}
    token = enroll_feed_patient(api, staff_token, found.patient_id)
    deliver_notifications(api)

    shown = answers(api, staff_token, found.patient_id, token)

    sensitive = (FHIR_SSN, FHIR_SSN.replace("-", ""), FHIR_PASSPORT)
    assert "1032702" in shown[0]
    assert not [text for text in shown if any(value in text for value in sensitive)]
    assert dynamodb_items_holding(*sensitive) == {}
    assert buckets_holding(*sensitive) == {aws.physical["FeedArchiveBucket"]}
    captured = capsys.readouterr()
    assert "feed message filed" in captured.out + caplog.text
    for value in sensitive:
        assert value not in caplog.text and value not in captured.out and value not in captured.err


def test_a_number_kept_before_the_rule_is_not_shown_to_staff(sources, staff_token, container):
    from chalicelib.patients.domain import Identifier, Patient, PortalStatus

    kept = Patient(
        patient_id="0" * 31 + "1",
        organization_id=ORG,
        identifiers=(Identifier("AMC-MRN", "P-800"), Identifier("SSA", SSN_DASHED, "SS")),
        family_name="Doe",
        given_names=("Jane",),
        birth_date="1980-01-02",
        sex="female",
        email="",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=container.clock.now(),
    )
    container.patients.add(kept)  # as a feed filed it before sensitive numbers were dropped

    shown = call(sources, "GET", f"/v1/staff/patients/{kept.patient_id}", token=staff_token)

    assert shown.status_code == 200, shown.json_body
    assert shown.json_body["patient"]["identifiers"] == [{"authority": "AMC-MRN", "value": "P-800", "type": "MR"}]
    assert SSN_DASHED not in json.dumps(shown.json_body)
