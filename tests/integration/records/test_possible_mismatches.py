"""Overlay protection: a message whose identifier names a patient but whose birth date or family
name says someone else is held, nothing filed or overwritten, until staff decide: the same
patient, another patient, or not filed. Names written differently, a marriage and double-barrelled
names are not mismatches.

Messages in three styles: an EHR's ADT A08 (Epic-like), a reference lab's ORU (Quest-like, its
"MRN" declared as the organization's AMC-MRN) and a FHIR Patient; the patient is the seeded Ana
Núñez, AMC-MRN MRN-1001, born 1984-03-09."""

from __future__ import annotations

import json
import logging
import os

import boto3
import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource, FeedStatus
from chalicelib.feeds.quarantine import quarantine_id
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import PATIENT, call, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, QUEUE, all_records, deliver, find
from tests.integration.records.test_authorities import epic_adt, fhir_patient, quest_oru

EHR, QUEST, FHIR = "EPIC|AMC", "QUEST|QLAB", "https://ehr.amc.example/fhir"
LIST = "/v1/staff/feed/mismatches"


@pytest.fixture
def senders(seeded, container, staff_token):
    registered = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token)  # Ana, by staff
    assert registered.status_code == 201, registered.json_body
    container.records.add_feed_source(FeedSource(EHR, ORG, "AMC-MRN"))
    container.records.add_feed_source(FeedSource(QUEST, ORG, authorities=(("MRN", "AMC-MRN"),)))
    container.records.add_feed_source(FeedSource(FHIR, ORG, authorities=(("AMC-MRN", "AMC-MRN"),)))
    boto3.client("sqs").purge_queue(QueueUrl=os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"])  # (the demo feed)
    return seeded


def ana():
    return find(ORG, "AMC-MRN", "MRN-1001")


def results_of(patient_id: str) -> list:
    return [r for r in all_records() if r.patient_id == patient_id and r.kind == "result" and "#v" not in r.record_key]


def refile(api) -> int:
    """What a decision put back on the inbound queue, through the real handler."""
    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    )
    for message in messages:
        sender = message.get("MessageAttributes", {}).get("sender", {}).get("StringValue", "")
        api.lambda_.invoke(
            "on_clinical_feed_message",
            sqs_event(api, [message["Body"]], QUEUE, group_id="REFILE", attributes={"sender": sender}),
        )
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


def held(key: str):
    return wiring.container().feed_messages.get(key)


def test_a_lab_result_for_someone_else_under_anas_number_is_held_and_nothing_changes(senders, staff_token, caplog):
    before = ana()
    caplog.set_level(logging.DEBUG)

    deliver(senders, quest_oru("Q-1", "MRN-1001^^^MRN^MR", "Jones^Bob", "19900505", "M"), group_id="QUEST")

    record = held(f"{QUEST}|Q-1")
    assert record.status is FeedStatus.HELD and record.held_for == before.patient_id
    assert "birth date and the family name" in record.reason
    assert "Jones" not in record.reason and "1990" not in record.reason  # names fields, never values
    after = ana()
    assert (after.family_name, after.birth_date, after.sex, after.version) == (
        before.family_name,
        before.birth_date,
        before.sex,
        before.version,
    )
    assert results_of(before.patient_id) == []
    assert "Jones" not in caplog.text

    # Staff see both sides, and which differ; the view is on Ana's audit trail.
    answer = call(senders, "GET", LIST, token=staff_token)
    assert answer.status_code == 200, answer.json_body
    [item] = answer.json_body["mismatches"]
    assert item["id"] == quarantine_id(f"{QUEST}|Q-1")
    assert item["differs"] == ["birth_date", "family_name"]
    assert (item["patient"]["family_name"], item["patient"]["birth_date"]) == ("Núñez", "1984-03-09")
    sent = item["message_patient"]
    assert (sent["family_name"], sent["given_names"], sent["birth_date"], sent["sex"]) == (
        "Jones",
        ["Bob"],
        "1990-05-05",
        "male",
    )
    assert {"authority": "MRN", "value": "MRN-1001", "type": "MR"} in sent["identifiers"]
    events, _ = wiring.container().audit_log.for_patient(before.patient_id, 50)
    assert "feed.mismatch.read" in {e.event_type for e in events}
    # It is no quarantined message: that list stays for what cannot be read at all.
    assert call(senders, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []


def test_staff_confirm_the_same_patient_and_the_message_files_with_its_demographics(senders, staff_token):
    # The EHR corrects Ana's birth date: held, as any disagreement is, until staff confirm.
    deliver(senders, epic_adt("ADT-1", "MRN-1001^^^AMC-MRN^MR", "Núñez^Ana^^^^^L", "19840310", "F"), group_id="EHR")
    assert held(f"{EHR}|ADT-1").status is FeedStatus.HELD and ana().birth_date == "1984-03-09"
    [item] = call(senders, "GET", LIST, token=staff_token).json_body["mismatches"]
    assert item["differs"] == ["birth_date"]

    decided = call(senders, "POST", f"{LIST}/{item['id']}", {"decision": "same_patient"}, staff_token)
    assert decided.status_code == 200, decided.json_body
    assert decided.json_body == {"id": item["id"], "status": "refiled"}
    assert refile(senders) == 1

    assert held(f"{EHR}|ADT-1").status is FeedStatus.FILED
    assert ana().birth_date == "1984-03-10"
    assert call(senders, "GET", LIST, token=staff_token).json_body["mismatches"] == []
    again = call(senders, "POST", f"{LIST}/{item['id']}", {"decision": "same_patient"}, staff_token)
    assert again.status_code == 404
    events, _ = wiring.container().audit_log.for_patient(ana().patient_id, 50)
    assert ("feed.mismatch.decided", "same_patient") in {(e.event_type, e.reason) for e in events}


def test_staff_file_it_under_another_patient_without_moving_any_identifier(senders, staff_token, container):
    deliver(senders, epic_adt("ADT-9", "BOB-1^^^AMC-MRN^MR", "Jones^Bob^^^^^L", "19900505", "M"), group_id="EHR")
    bob = find(ORG, "AMC-MRN", "BOB-1")
    deliver(senders, quest_oru("Q-1", "MRN-1001^^^MRN^MR", "Jones^Bob", "19900505", "M"), group_id="QUEST")
    [item] = call(senders, "GET", LIST, token=staff_token).json_body["mismatches"]

    wrong = call(senders, "POST", f"{LIST}/{item['id']}", {"decision": "another_patient"}, staff_token)
    assert wrong.status_code == 400 and wrong.json_body["error"]["details"][0]["field"] == "patient_id"
    decided = call(
        senders,
        "POST",
        f"{LIST}/{item['id']}",
        {"decision": "another_patient", "patient_id": bob.patient_id},
        staff_token,
    )
    assert decided.status_code == 200, decided.json_body
    assert refile(senders) == 1

    assert held(f"{QUEST}|Q-1").status is FeedStatus.FILED
    assert [r.content["code"]["code"] for r in results_of(bob.patient_id)] == ["2345-7"]
    assert results_of(ana().patient_id) == []
    assert ana().family_name == "Núñez" and find(ORG, "AMC-MRN", "MRN-1001").patient_id == ana().patient_id
    assert [(i.authority, i.value) for i in container.patients.get(bob.patient_id).identifiers] == [
        ("AMC-MRN", "BOB-1")
    ]
    # The lab's number still names Ana: its next message for Bob is held again.
    deliver(senders, quest_oru("Q-2", "MRN-1001^^^MRN^MR", "Jones^Bob", "19900505", "M"), group_id="QUEST")
    assert held(f"{QUEST}|Q-2").status is FeedStatus.HELD
    for patient_id in (ana().patient_id, bob.patient_id):
        events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
        assert ("feed.mismatch.decided", "another_patient") in {(e.event_type, e.reason) for e in events}


def test_staff_decide_not_to_file_it(senders, staff_token):
    deliver(
        senders,
        fhir_patient({"system": "AMC-MRN", "value": "MRN-1001"}, "Berg", "Bo", "1970-05-05"),
        group_id="FHIR",
        attributes={"sender": FHIR},
    )
    [item] = call(senders, "GET", LIST, token=staff_token).json_body["mismatches"]
    assert item["message_patient"]["family_name"] == "Berg"

    decided = call(senders, "POST", f"{LIST}/{item['id']}", {"decision": "not_filed"}, staff_token)

    assert decided.json_body == {"id": item["id"], "status": "dismissed"}
    assert call(senders, "GET", LIST, token=staff_token).json_body["mismatches"] == []
    assert ana().family_name == "Núñez" and ana().birth_date == "1984-03-09"


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("NUNEZ^Ana^^^^^L", "case and accents"),
        ("Nunez-Garcia^Ana^^^^^L", "one part of a double-barrelled name"),
        ("Garcia^Ana^^^^^L~Núñez^Ana^^^^^M", "her earlier (maiden) name is the one held"),
    ],
)
def test_names_written_differently_or_changed_by_marriage_are_no_mismatch(senders, name, why):
    deliver(senders, epic_adt("ADT-1", "MRN-1001^^^AMC-MRN^MR", name, "19840309", "F"), group_id="EHR")
    assert held(f"{EHR}|ADT-1").status is FeedStatus.FILED, why


def test_another_organizations_staff_never_see_nor_decide_it(senders, staff_token, monkeypatch):
    from tests.integration.test_feed_sources_admin import other_organization_admin

    deliver(senders, quest_oru("Q-1", "MRN-1001^^^MRN^MR", "Jones^Bob", "19900505", "M"), group_id="QUEST")
    other = other_organization_admin(senders, monkeypatch)

    assert call(senders, "GET", LIST, token=other).json_body["mismatches"] == []
    item_id = quarantine_id(f"{QUEST}|Q-1")
    for decision in ("same_patient", "not_filed"):
        assert call(senders, "POST", f"{LIST}/{item_id}", {"decision": decision}, other).status_code == 404
    assert held(f"{QUEST}|Q-1").status is FeedStatus.HELD
    assert json.dumps(call(senders, "GET", LIST, token=staff_token).json_body).count("Jones") >= 1
