"""Release by policy: at once by default; a delayed category waits for its moment (reads filter
on it, a Step Functions timer announces it); staff hold or release early; a correction of a
released result shows at once."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from chalicelib import wiring
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana, feed, oru  # noqa: F401  (fixtures)


def policy_body(delays: dict, exception: str = "preventing_harm") -> dict:
    """{key: seconds} as the policy API takes it, each delay naming the exception it relies on."""
    return {"delays": {key: {"seconds": seconds, "exception": exception} for key, seconds in delays.items()}}


def set_policy(api, delays: dict) -> None:
    admin = sign_in(api, ADMIN_USER, ADMIN_PASSWORD)
    answer = call(api, "PUT", "/v1/admin/release-policy", policy_body(delays), admin)
    assert answer.status_code == 200, answer.json_body


def results(api, patient_id: str, token: str) -> list[dict]:
    return call(api, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]


def notifications(aws) -> list[dict]:
    sqs = boto3.client("sqs")
    found = sqs.receive_message(QueueUrl=aws.physical["NotificationsQueue"], MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in found]


def test_a_delayed_category_waits_then_appears_and_is_announced(timer_clock, feed, ana, seeded, aws):
    patient_id, token = ana
    # (Ten minutes: the patient's session, idle meanwhile, lasts fifteen.)
    set_policy(seeded, {"category:pathology": 600})

    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))

    assert results(seeded, patient_id, token) == []
    [upcoming] = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert (upcoming["category"], upcoming["waiting_for_review"]) == ("pathology", False)
    assert "value" not in json.dumps(upcoming)
    assert notifications(aws) == []  # nothing said yet
    timer_clock.wait_for_waiting(1)  # the announcement's timer waits for the clock
    timer_clock.advance(seconds=599)
    assert results(seeded, patient_id, token) == []  # a second early: reads filter on the clock
    assert notifications(aws) == []

    timer_clock.advance(seconds=1)

    assert [r["name"] for r in results(seeded, patient_id, token)] == ["Pathology report"]
    deadline = time.monotonic() + 10
    announced = notifications(aws)
    while not announced and time.monotonic() < deadline:  # the execution runs on its own thread
        time.sleep(0.02)
        announced = notifications(aws)
    # the notice names the account: its address and preferences are read when the timer fires;
    # and when the result was released (a notice read before it shows unread again)
    account_id = wiring.container().directory.account_by_username("ana.nunez").account_id
    assert announced == [
        {
            "notification_id": announced[0]["notification_id"],
            "template": "something_waiting",
            "account_id": account_id,
            "released_at": timer_clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    ]


def test_other_categories_and_a_code_of_their_own(feed, ana, seeded):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": 3600, "code:LN|2345-7": 3600})

    feed(oru("c-1", "ORD-1", "85"), oru("c-2", "ORD-2", "7.1", section="HM", test="718-7^Hemoglobin^LN"))

    assert [r["name"] for r in results(seeded, patient_id, token)] == ["Hemoglobin"]  # glucose waits by code


def test_staff_hold_a_result_then_release_it_early(feed, ana, seeded, staff_token, aws):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": 3600})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    [waiting] = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/results", token=staff_token).json_body["results"]
    base = f"/v1/staff/results/{waiting['result_id']}"

    held = call(seeded, "POST", f"{base}/hold", {"reason": "clinician_review"}, staff_token)
    assert held.status_code == 200, held.json_body
    [upcoming] = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert upcoming["waiting_for_review"] is True and upcoming["release_at"] is None
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=aws.physical["DatedEventStateMachine"])
    assert [e["status"] for e in executions["executions"]] == ["ABORTED"]  # the announcement was stopped

    released = call(seeded, "POST", f"{base}/release", None, staff_token)

    assert released.status_code == 200, released.json_body
    assert [r["name"] for r in results(seeded, patient_id, token)] == ["Pathology report"]
    assert [n["template"] for n in notifications(aws)] == ["something_waiting"]
    again = call(seeded, "POST", f"{base}/release", None, staff_token)  # a retry: the same answer, no new notice
    assert (again.status_code, again.json_body) == (200, released.json_body)
    assert notifications(aws) == []
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    assert {"result.held", "result.released"} <= {e.event_type for e in events}


def test_a_correction_of_a_released_result_shows_at_once(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    set_policy(seeded, {"category:lab": 3600})  # a policy set later does not hide what is out

    feed(oru("c-2", "ORD-1", "58", status="C"))

    [shown] = results(seeded, patient_id, token)
    assert (shown["version"], shown["status"]) == (2, "corrected")


def test_a_patient_and_staff_cannot_set_the_policy_and_a_bad_one_is_refused(seeded, staff_token):
    assert call(seeded, "PUT", "/v1/admin/release-policy", {"delays": {}}, staff_token).status_code == 403
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    for bad in (
        policy_body({"category:astrology": 5}),
        policy_body({"category:lab": -1}),
        policy_body({"category:lab": 99 * 24 * 3600}),
        policy_body({"category:lab": True}),
        policy_body({"category:lab": "3600"}),
        policy_body({f"code:LN|{n}": 60 for n in range(201)}),
        policy_body({"category:lab": 60}, exception="patient_request"),  # the patient's to ask, not a policy
        policy_body({"category:lab": 60}, exception="clinician_review"),
        {"delays": {"category:lab": 60}},  # the form before exceptions were named
        {**policy_body({"category:lab": 60}), "wait": {}},
        {"wait": {}},
    ):
        assert call(seeded, "PUT", "/v1/admin/release-policy", bad, admin).status_code == 400, bad
    # a key the policy cannot name is explained in the policy's own words
    unknown = call(seeded, "PUT", "/v1/admin/release-policy", policy_body({"category:astrology": 5}), admin)
    assert "category:<lab|pathology|imaging|other>" in unknown.json_body["error"]["details"][0]["issue"]
    assert call(seeded, "GET", "/v1/admin/release-policy", token=admin).json_body == {
        "delays": {},
        "held_items": "say_being_reviewed",
    }


@pytest.mark.parametrize("reason", ["", "because I said so"])
def test_a_hold_needs_a_listed_reason(feed, ana, seeded, staff_token, reason):
    patient_id, _ = ana
    set_policy(seeded, {"category:lab": 3600})
    feed(oru("c-1", "ORD-1", "85"))
    [waiting] = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/results", token=staff_token).json_body["results"]
    answer = call(seeded, "POST", f"/v1/staff/results/{waiting['result_id']}/hold", {"reason": reason}, staff_token)
    assert answer.status_code == 400


def test_a_critical_value_puts_a_call_on_the_staff_worklist_at_once(feed, ana, seeded, staff_token):
    patient_id, token = ana
    set_policy(seeded, {"category:lab": 3600})  # even while the result itself waits

    feed(oru("c-1", "ORD-1", "22", flags="LL"))
    feed(oru("c-1", "ORD-1", "22", flags="LL"))  # a resend: still one call to make

    [item] = call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
    assert (item["task"], item["patient"]["patient_id"]) == ("call_patient", patient_id)
    assert call(seeded, "GET", "/v1/staff/worklist", token=token).status_code == 403  # not for patients
    done = call(seeded, "POST", f"/v1/staff/worklist/{item['item_id']}/done", {"outcome": "reached"}, staff_token)
    assert done.status_code == 200, done.json_body
    assert call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"] == []
    assert (
        call(
            seeded, "POST", f"/v1/staff/worklist/{item['item_id']}/done", {"outcome": "reached"}, staff_token
        ).status_code
        == 404
    )


def test_a_document_type_can_wait_too(feed, ana, seeded):
    from tests.integration.test_patient_documents import mdm

    patient_id, token = ana
    set_policy(seeded, {"document:discharge-summary": 3600})

    feed(
        mdm("d-1", "DOC-1", "DS^Discharge summary", "OBX|1|TX|DS^Discharge summary||Home today.||||||F"),
        mdm("d-2", "DOC-2", "PN^Progress note", "OBX|1|TX|PN^Progress note||Doing well.||||||F"),
    )

    shown = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]
    assert [d["type"] for d in shown] == ["note"]


def test_a_delay_must_name_its_information_blocking_exception_and_the_change_is_audited(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    refused = call(seeded, "PUT", "/v1/admin/release-policy", {"delays": {"category:lab": {"seconds": 3600}}}, admin)

    assert refused.status_code == 400
    assert [d["field"] for d in refused.json_body["error"]["details"]] == ["delays.category:lab.exception"]
    # "at once" is no delay: it needs no exception
    at_once = {"delays": {"category:lab": {"seconds": 0}}}
    assert call(seeded, "PUT", "/v1/admin/release-policy", at_once, admin).status_code == 200

    saved = call(seeded, "PUT", "/v1/admin/release-policy", policy_body({"category:pathology": 3600}, "privacy"), admin)

    assert saved.json_body == {
        "delays": {"category:pathology": {"seconds": 3600, "exception": "privacy"}},
        "held_items": "say_being_reviewed",
    }
    account_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    events, _ = wiring.container().audit_log.by_actor(account_id, 50)
    changes = sorted((e.recorded_at, e.reason) for e in events if e.event_type == "release_policy.changed")
    assert [reason for _, reason in changes] == ["none", "privacy:1"]


def test_a_policy_stored_before_exceptions_is_read_and_applied_naming_none_and_staff_see_the_ground(
    feed, ana, seeded, staff_token
):
    patient_id, _ = ana
    # GIVEN a policy saved in the earlier form ({key: seconds})
    wiring.container().directory.set_release_policy("albany-medical-center", {"delays": {"category:lab": 3600}})
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    read = call(seeded, "GET", "/v1/admin/release-policy", token=admin).json_body

    assert read == {
        "delays": {"category:lab": {"seconds": 3600, "exception": None}},
        "held_items": "say_being_reviewed",
    }
    feed(oru("c-1", "ORD-1", "85"))
    [waiting] = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/results", token=staff_token).json_body["results"]
    assert (waiting["delayed_by_policy"], waiting["delay_exception"], waiting["held_reason"]) == (True, None, None)
    # sent back as read, the admin must now name the exception
    again = call(seeded, "PUT", "/v1/admin/release-policy", read, admin)
    assert again.status_code == 400 and "delays.category:lab.exception" in json.dumps(again.json_body)

    set_policy(seeded, {"category:lab": 3600})  # (preventing_harm)
    feed(oru("c-2", "ORD-2", "90"))
    listed = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/results", token=staff_token).json_body["results"]
    assert sorted(str(r["delay_exception"]) for r in listed) == ["None", "preventing_harm"]
