"""Staff hold or release a delayed result or document by its id alone (POST /v1/staff/results/
{result_id}/hold|release): the id is located to its patient through the sparse by-record-id
index; another organization's staff, a withdrawn record or an unknown id get 404, a patient 403;
every change is audited as the record's FHIR type."""

from __future__ import annotations

import boto3

from chalicelib import wiring
from chalicelib.audit.domain import Outcome
from chalicelib.data.models import RecordModel
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.identity.test_staff_and_admin import other_organization_staff
from tests.integration.test_patient_documents import mdm
from tests.integration.test_patient_results import ana, feed, oru  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import set_policy

SUMMARY = mdm("d-1", "DOC-1", "DS^Discharge summary", "OBX|1|TX|DS^Discharge summary||Home today.||||||F")


def documents(api, patient_id: str, token: str) -> list[dict]:
    return call(api, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]


def upcoming(api, patient_id: str, token: str) -> list[dict]:
    return call(api, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]


def executions(aws) -> list[str]:
    found = boto3.client("stepfunctions").list_executions(stateMachineArn=aws.physical["DatedEventStateMachine"])
    return [e["status"] for e in found["executions"]]


def audit_events(patient_id: str) -> list:
    events, _ = wiring.container().audit_log.for_patient(patient_id, 100)
    return events


def test_a_delayed_document_is_listed_as_upcoming_without_its_content(feed, ana, seeded):
    patient_id, token = ana
    set_policy(seeded, {"document:discharge-summary": 3600, "category:pathology": 3600})

    feed(SUMMARY, oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))

    assert documents(seeded, patient_id, token) == []
    waiting = upcoming(seeded, patient_id, token)
    assert sorted((w["kind"], w["type"], w["category"], w["name"]) for w in waiting) == [
        ("document", "discharge-summary", "document:discharge-summary", "Discharge summary"),
        ("result", None, "pathology", "Pathology report"),
    ]
    assert all(w["release_at"] and w["waiting_for_review"] is False for w in waiting)
    assert "Home today" not in str(waiting) and "benign" not in str(waiting)


def test_staff_hold_a_delayed_document_then_release_it_early(feed, ana, seeded, staff_token, aws):
    patient_id, token = ana
    set_policy(seeded, {"document:discharge-summary": 3600})
    feed(SUMMARY)
    [waiting] = upcoming(seeded, patient_id, token)
    path = f"/v1/staff/results/{waiting['result_id']}"

    held = call(seeded, "POST", f"{path}/hold", {"reason": "clinician_review"}, staff_token)

    assert held.status_code == 200, held.json_body
    assert held.json_body == {
        "result_id": waiting["result_id"],
        "kind": "document",
        "held": True,
        "held_reason": "clinician_review",
    }
    [still] = upcoming(seeded, patient_id, token)
    assert (still["waiting_for_review"], still["release_at"]) == (True, None)
    assert documents(seeded, patient_id, token) == []
    assert executions(aws) == ["ABORTED"]  # the document's announcement was stopped

    released = call(seeded, "POST", f"{path}/release", None, staff_token)

    assert released.status_code == 200, released.json_body
    assert released.json_body["kind"] == "document"
    [shown] = documents(seeded, patient_id, token)
    assert (shown["document_id"], shown["type"]) == (waiting["result_id"], "discharge-summary")
    link = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{shown['document_id']}/content", token=token)
    assert link.status_code == 302
    assert upcoming(seeded, patient_id, token) == []
    again = call(seeded, "POST", f"{path}/release", None, staff_token)  # a retry: the same answer
    assert (again.status_code, again.json_body) == (200, released.json_body)
    changes = [
        (e.event_type, e.resource_type, e.resource_id, e.reason)
        for e in audit_events(patient_id)
        if e.event_type.startswith("document.") and e.outcome is Outcome.SUCCESS and e.action.value == "U"
    ]
    assert sorted(changes) == [
        ("document.held", "DocumentReference", waiting["result_id"], "clinician_review"),
        ("document.released", "DocumentReference", waiting["result_id"], "early"),
    ]


def test_a_corrected_delayed_result_is_found_once_by_its_id(feed, ana, seeded, staff_token):
    patient_id, token = ana
    set_policy(seeded, {"category:lab": 3600})
    feed(oru("c-1", "ORD-1", "85"))
    feed(oru("c-2", "ORD-1", "58", status="C"))  # version 2: version 1 is kept, and not in the index
    [waiting] = upcoming(seeded, patient_id, token)

    held = call(
        seeded, "POST", f"/v1/staff/results/{waiting['result_id']}/hold", {"reason": "patient_request"}, staff_token
    )

    assert held.status_code == 200, held.json_body
    assert held.json_body["kind"] == "result"
    indexed = list(RecordModel.by_record_id.query(waiting["result_id"]))
    assert [item.record_key for item in indexed] == [f"result#{waiting['result_id']}"]
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"] == []
    released = call(seeded, "POST", f"/v1/staff/results/{waiting['result_id']}/release", None, staff_token)
    assert released.status_code == 200, released.json_body
    [shown] = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    assert (shown["result_id"], shown["version"]) == (waiting["result_id"], 2)
    assert {"result.held", "result.released"} <= {
        e.event_type for e in audit_events(patient_id) if e.resource_type == "DiagnosticReport"
    }


def test_another_organizations_staff_an_unknown_id_and_a_patient_are_refused(
    feed, ana, seeded, staff_token, monkeypatch
):
    patient_id, token = ana
    set_policy(seeded, {"category:lab": 3600, "document:discharge-summary": 3600})
    feed(oru("c-1", "ORD-1", "85"), SUMMARY)
    waiting = upcoming(seeded, patient_id, token)
    other = other_organization_staff(seeded, monkeypatch)

    for item in waiting:
        for action, body in (("hold", {"reason": "other"}), ("release", None)):
            path = f"/v1/staff/results/{item['result_id']}/{action}"
            refused = call(seeded, "POST", path, body, other)
            assert refused.status_code == 404, (item["kind"], action, refused.json_body)
            assert refused.json_body["error"]["message"] == "No such result."
            assert call(seeded, "POST", path, body, token).status_code == 403  # not for patients
    for unknown in ("0" * 32, "not-an-id", "A" * 32):
        assert call(seeded, "POST", f"/v1/staff/results/{unknown}/release", None, staff_token).status_code == 404

    # Nothing changed: both still wait on their policy, not held, and the denials are on record.
    assert {(w["kind"], w["waiting_for_review"]) for w in upcoming(seeded, patient_id, token)} == {
        ("result", False),
        ("document", False),
    }
    other_id = wiring.container().directory.account_by_username("saratoga.staff").account_id
    denied, _ = wiring.container().audit_log.by_actor(other_id, 50)
    assert sum(e.outcome is Outcome.DENIED and e.event_type in ("result.held", "result.released") for e in denied) == 4


def test_a_withdrawn_result_cannot_be_held_or_released(feed, ana, seeded, staff_token):
    patient_id, token = ana
    set_policy(seeded, {"category:lab": 3600})
    feed(oru("c-1", "ORD-1", "85"))
    [waiting] = upcoming(seeded, patient_id, token)

    feed(oru("c-2", "ORD-1", "85", status="X"))  # cancelled by the lab

    for action, body in (("hold", {"reason": "other"}), ("release", None)):
        answer = call(seeded, "POST", f"/v1/staff/results/{waiting['result_id']}/{action}", body, staff_token)
        assert answer.status_code == 404, (action, answer.json_body)
    assert upcoming(seeded, patient_id, token) == []


def test_a_document_released_as_it_was_filed_cannot_be_held(feed, ana, seeded, staff_token):
    patient_id, token = ana
    feed(SUMMARY)  # the default policy: shown at once
    [shown] = documents(seeded, patient_id, token)

    answer = call(
        seeded, "POST", f"/v1/staff/results/{shown['document_id']}/hold", {"reason": "legal_hold"}, staff_token
    )

    assert answer.status_code == 409
    assert answer.json_body["error"]["message"] == "This document is released already; it cannot be held back."
    assert [d["document_id"] for d in documents(seeded, patient_id, token)] == [shown["document_id"]]
