"""A FHIR document or transaction about several patients, one of whom cannot be filed: the
patients filed before it stay filed, and the quarantine record of the message says which, with
the resources filed under each by type and count (never a name or an id), so staff know what of
it went in; when nothing was filed, it says that. Sent again once the missing patient is known,
it files the rest and leaves what was filed unchanged. Written as an Epic-style document Bundle
(a Composition first, urn:uuid fullUrls) and a Cerner-style transaction (RESTful requests).
moto, the real feed handler, the real staff API."""

from __future__ import annotations

import json

from chalicelib.feeds.domain import FeedSource
from tests.integration.identity.conftest import call
from tests.integration.records.conftest import ORG, all_records, deliver, feed_records, find, patient_items
from tests.integration.records.test_health_summary import replay_quarantine

SENDER = "epic-fhir"
MRNS = "urn:oid:2.16.840.1.113883.19.5"


def patient(key: str, mrn: str, family: str) -> dict:
    return {
        "fullUrl": f"urn:uuid:{key}",
        "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": MRNS, "value": mrn}],
            "name": [{"family": family, "given": ["Test"]}],
            "birthDate": "1970-01-01",
        },
        "request": {"method": "POST", "url": "Patient"},
    }


def about(subject: str, resource: dict, n: int) -> dict:
    resource = {**resource, "subject": {"reference": subject}}
    return {
        "fullUrl": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }


def encounter(encounter_id: str) -> dict:
    return {
        "resourceType": "Encounter",
        "id": encounter_id,
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "period": {"start": "2026-11-20T09:00:00Z", "end": "2026-11-20T10:00:00Z"},
    }


def glucose(observation_id: str, value: int) -> dict:
    return {
        "resourceType": "Observation",
        "id": observation_id,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
        "effectiveDateTime": "2026-11-20T09:30:00Z",
        "valueQuantity": {"value": value, "unit": "mg/dL"},
    }


A = "11111111-1111-4111-8111-111111111111"
B = "22222222-2222-4222-8222-222222222222"


def document(kind: str, *, later: str = "Patient/not-sent-yet") -> str:
    """Patient A with a visit and two results, then results about ``later``: a patient only
    referred to, which this sender has not sent (or a Patient of the Bundle)."""
    entries = [
        patient(A, "E-100", "Alpha"),
        about(f"urn:uuid:{A}", encounter("enc-a"), 1),
        about(f"urn:uuid:{A}", glucose("glu-a1", 90), 2),
        about(f"urn:uuid:{A}", glucose("glu-a2", 95), 3),
        about(later, glucose("glu-b1", 120), 4),
    ]
    if kind == "document":
        composition = {
            "resourceType": "Composition",
            "status": "final",
            "type": {"coding": [{"system": "http://loinc.org", "code": "60591-5"}]},
            "subject": {"reference": f"urn:uuid:{A}"},
            "date": "2026-11-20T10:00:00Z",
            "author": [{"display": "Epic"}],
            "title": "Patient summary",
        }
        entries.insert(0, {"fullUrl": "urn:uuid:99999999-9999-4999-8999-999999999999", "resource": composition})
        for entry in entries:
            entry.pop("request", None)
        bundle = {
            "resourceType": "Bundle",
            "type": "document",
            "identifier": {"system": "urn:ietf:rfc:3986", "value": "urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0"},
            "timestamp": "2026-11-20T10:00:00Z",
            "entry": entries,
        }
    else:
        bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    return json.dumps(bundle)


def send(api, body: str) -> None:
    assert deliver(api, body, group_id=SENDER, attributes={"sender": SENDER}) == {"batchItemFailures": []}


def quarantined() -> list:
    return [item for item in feed_records().values() if item.status == "quarantined"]


def test_a_document_whose_later_patient_is_unknown_keeps_the_earlier_patient_filed_and_says_what_went_in(
    seeded, container, staff_token
):
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    send(seeded, document("document"))

    alpha = find(ORG, MRNS, "E-100")
    assert alpha is not None and len(patient_items()) == 1
    filed = sorted(r.kind for r in all_records() if r.patient_id == alpha.patient_id and "#v" not in r.record_key)
    assert filed == ["result", "result", "visit"]
    [message] = quarantined()
    assert message.reason.startswith("the patient sent earlier that Bundle.entry[5] refers to: The message refers to")
    assert (
        "Filed before it stopped, and kept: for Patient (at Bundle.entry[1]), Encounter 1, Observation 2, Patient 1."
        in message.reason
    )
    assert "Alpha" not in message.reason and "E-100" not in message.reason and "not-sent-yet" not in message.reason
    listed = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert ["Filed before it stopped" in item["reason"] for item in listed] == [True]


def test_a_transaction_sent_again_once_its_missing_patient_is_known_files_the_rest_and_changes_nothing_filed(
    seeded, container, staff_token
):
    """Cerner style: a transaction naming a second patient by a Patient id sent later."""
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    send(seeded, document("transaction", later="Patient/bravo"))
    [message] = quarantined()
    assert (
        "Filed before it stopped, and kept: for Patient (at Bundle.entry[0]), Encounter 1, Observation 2, Patient 1."
        in message.reason
    )
    versions = len(all_records())

    bravo = patient(B, "E-200", "Bravo")["resource"] | {"id": "bravo"}
    send(seeded, json.dumps(bravo))
    assert replay_quarantine(seeded, staff_token) == 1

    assert quarantined() == []
    bravo_id = find(ORG, MRNS, "E-200").patient_id
    assert [r.kind for r in all_records() if r.patient_id == bravo_id and "#v" not in r.record_key] == ["result"]
    assert len(all_records()) == versions + 2  # Bravo's result (current and kept): Alpha's are as they were


def test_a_document_whose_first_patient_cannot_be_filed_says_nothing_was_filed(seeded, container):
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    body = json.loads(document("transaction"))
    body["entry"] = [e for e in body["entry"] if e["resource"]["resourceType"] != "Patient"]
    for entry in body["entry"]:
        entry["resource"]["subject"] = {"reference": "Patient/not-sent-yet"}
    body["entry"].append(about("Patient/nor-this-one", glucose("glu-c", 100), 9))
    send(seeded, json.dumps(body))

    [message] = quarantined()
    assert message.reason.endswith("Nothing of the message was filed.")
    assert all_records() == [] and patient_items() == []


def test_a_document_with_an_unreadable_patient_says_nothing_was_filed(seeded, container):
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    body = json.loads(document("document"))
    body["entry"].append(patient(B, "E-200", "Bravo"))
    del body["entry"][-1]["resource"]["identifier"]

    send(seeded, json.dumps(body))

    [message] = quarantined()
    assert "Patient has no identifier with a system" in message.reason
    assert message.reason.endswith("Nothing of the message was filed.")
    assert all_records() == [] and patient_items() == []
