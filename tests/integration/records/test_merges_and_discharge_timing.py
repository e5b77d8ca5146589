"""What was still waiting when records change shape: after an A40 merge, a result waiting under
the merged record is announced to the survivor's account when it is released; a discharge summary
filed before its discharge (the MDM before the ADT^A03) is re-timed from the discharge when the
A03 comes. Time moves only when the test moves the clock (the real Step Functions timers wait on
it), and notices are read from the real notifications queue."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from chalicelib import wiring
from chalicelib.records.domain import result_id
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    ADMIN_PASSWORD,
    ADMIN_USER,
    call,
    enrolled,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.records.conftest import find, segment
from tests.integration.records.test_guarded_release import executions, finished
from tests.integration.test_patient_results import SENDER, ana, feed  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import notifications, set_policy

ORG = "albany-medical-center"
ANA = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"
WAIT = 600  # ten minutes: the patient's session, idle meanwhile, lasts fifteen


def pathology(control: str, order: str, pid: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125080000||ORU^R01|{control}|P|2.5.1",
            pid,
            segment("OBR", {1: "1", 3: f"{order}^LAB", 4: "22637-3^Pathology report^LN", 22: "20261125075500"})
            + "||SP|F",
            "OBX|1|TX|22637-3^Pathology report^LN||Benign.||||||F",
        ]
    )


def a40(control: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125090000||ADT^A40^ADT_A39|{control}|P|2.5.1",
            "EVN|A40|20261125090000",
            ANA,
            "MRG|MRN-9^^^AMC-MRN^MR",
        ]
    )


def account_of(patient_id: str) -> str:
    return wiring.container().patients.get(patient_id).account_id


def upcoming(seeded, patient_id: str, token: str) -> list[dict]:
    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["upcoming"]


def test_a_merged_patients_waiting_result_is_announced_to_the_survivors_account(timer_clock, feed, ana, seeded, aws):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": WAIT})
    # GIVEN a pathology report waiting ten minutes under an earlier record of Ana's (no account)
    feed(pathology("p-1", "PATH-1", "PID|1||MRN-9^^^AMC-MRN^MR||Nunez^Ana M||19840309|F"))
    prior = find(ORG, "AMC-MRN", "MRN-9")
    assert prior.patient_id != patient_id and not prior.account_id
    assert executions(aws) == []  # nobody to tell under that record: no timer

    # WHEN the ADT^A40 merges that record into Ana's, and is delivered twice
    feed(a40("m-1"))
    feed(a40("m-1"))

    # THEN Ana sees it on its way, and nothing is told before its moment
    [waiting] = upcoming(seeded, patient_id, token)
    assert (waiting["category"], waiting["release_at"] is not None) == ("pathology", True)
    timer_clock.wait_for_waiting(1)  # one timer, however often the merge came
    timer_clock.advance(seconds=WAIT - 1)
    assert notifications(aws) == []

    # AND when it is released, Ana's own account is told
    timer_clock.advance(seconds=1)
    [execution] = finished(aws)
    assert execution["status"] == "SUCCEEDED"
    [notice] = notifications(aws)
    assert (notice["template"], notice["account_id"]) == ("something_waiting", account_of(patient_id))
    results = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    assert [r["category"] for r in results] == ["pathology"]


def test_a_result_staff_hold_after_the_merge_is_not_announced_to_the_survivor(
    timer_clock, feed, ana, seeded, aws, staff_token
):
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": WAIT})
    feed(pathology("p-1", "PATH-1", "PID|1||MRN-9^^^AMC-MRN^MR||Nunez^Ana M||19840309|F"))
    feed(a40("m-1"))
    timer_clock.wait_for_waiting(1)
    rid = result_id(wiring.container().record_id_key, ORG, SENDER, "PATH-1^LAB")

    held = call(seeded, "POST", f"/v1/staff/results/{rid}/hold", {"reason": "clinician_review"}, staff_token)

    assert held.status_code == 200, held.json_body
    timer_clock.advance(seconds=WAIT)
    assert notifications(aws) == []
    assert [e["status"] for e in executions(aws)] == ["ABORTED"]


def wall_clock(moment, zone: str = "America/New_York") -> str:
    """An HL7 time as the hospital's ADT sends it: its own wall clock, without an offset."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y%m%d%H%M%S")


def test_a_discharge_summary_filed_before_its_discharge_is_released_a_day_after_the_discharge(
    timer_clock, feed, ana, seeded, aws
):
    patient_id, _ = ana
    set_policy(seeded, {"document:discharge-summary": 86400})
    filed_at = timer_clock.now()
    # GIVEN the summary of visit V-7 filed while the visit is open (no discharge known yet)
    feed(
        "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|||20261125090000||MDM^T02|d-1|P|2.5.1",
                "EVN|T02|20261125090000",
                ANA,
                segment("PV1", {1: "1", 2: "I", 19: "V-7"}),
                "TXA|1|DS^Discharge summary|TX|20261125080000|||||^Okoro^Grace|||DOC-7^EHR|||||AU",
                "OBX|1|TX|DS^Discharge summary||Home today.||||||F",
            ]
        )
    )
    records = wiring.container().records
    doc = result_id(wiring.container().record_id_key, ORG, SENDER, "DOC-7^EHR")
    assert records.current(patient_id, doc, kind="document").release_at == filed_at + timedelta(days=1)
    timer_clock.wait_for_waiting(1)

    # WHEN the A03 comes six hours later, saying the discharge was five hours after filing
    timer_clock.advance(hours=6)
    discharged = filed_at + timedelta(hours=5)
    a03 = "\r".join(
        [
            "MSH|^~\\&|LAB|AMC|||20261125150000||ADT^A03^ADT_A03|a-1|P|2.5.1",
            "EVN|A03|20261125150000",
            ANA,
            segment("PV1", {1: "1", 2: "I", 19: "V-7", 44: wall_clock(filed_at - timedelta(days=2))})
            + "|"
            + wall_clock(discharged),
        ]
    )
    feed(a03)
    feed(a03)  # resent: nothing moves again

    # THEN the summary is released a day after the discharge, and only its new timer waits
    summary = records.current(patient_id, doc, kind="document")
    assert summary.release_at == discharged + timedelta(days=1)
    assert sorted(e["status"] for e in executions(aws)) == ["ABORTED", "RUNNING"]
    timer_clock.wait_for_waiting(1)
    timer_clock.advance(hours=18)  # a day after filing: not yet
    assert notifications(aws) == []
    timer_clock.advance(hours=5)  # a day after the discharge
    finished(aws)
    [notice] = notifications(aws)
    assert (notice["template"], notice["account_id"]) == ("something_waiting", account_of(patient_id))


def test_a_result_held_for_legal_reasons_is_shown_to_the_patient_only_as_something_being_reviewed(
    feed, ana, seeded, staff_token
):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": WAIT})
    feed(pathology("p-1", "PATH-1", ANA), pathology("p-2", "PATH-2", ANA))
    key = wiring.container().record_id_key
    for order, reason in (("PATH-1^LAB", "legal_hold"), ("PATH-2^LAB", "clinician_review")):
        rid = result_id(key, ORG, SENDER, order)
        held = call(seeded, "POST", f"/v1/staff/results/{rid}/hold", {"reason": reason}, staff_token)
        assert held.status_code == 200, held.json_body

    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token)

    shown = {item["result_id"]: item for item in answer.json_body["upcoming"]}
    legal = shown[result_id(key, ORG, SENDER, "PATH-1^LAB")]
    assert (legal["name"], legal["category"], legal["type"], legal["being_reviewed"]) == (None, None, None, True)
    assert legal["release_at"] is None
    # a hold for a clinician's review still says what it is
    review = shown[result_id(key, ORG, SENDER, "PATH-2^LAB")]
    assert (review["name"], review["category"], review["being_reviewed"]) == ("Pathology report", "pathology", False)


def test_an_organization_that_chose_to_show_nothing_of_legal_holds_lists_only_the_others(
    feed, ana, seeded, staff_token
):
    patient_id, token = ana
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    wait = {"seconds": WAIT, "exception": "preventing_harm"}
    chosen = call(
        seeded,
        "PUT",
        "/v1/admin/release-policy",
        {"delays": {"category:pathology": wait}, "held_items": "show_nothing"},
        admin,
    )
    assert chosen.status_code == 200, chosen.json_body
    assert call(seeded, "GET", "/v1/admin/release-policy", token=admin).json_body["held_items"] == "show_nothing"
    feed(pathology("p-1", "PATH-1", ANA), pathology("p-2", "PATH-2", ANA))
    key = wiring.container().record_id_key
    legal, review = (result_id(key, ORG, SENDER, order) for order in ("PATH-1^LAB", "PATH-2^LAB"))
    for rid, reason in ((legal, "harm_exception"), (review, "clinician_review")):
        held = call(seeded, "POST", f"/v1/staff/results/{rid}/hold", {"reason": reason}, staff_token)
        assert held.status_code == 200, held.json_body

    upcoming = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]

    # THEN the list, and so its count, has the clinician's review alone: nothing says a hold exists
    assert [item["result_id"] for item in upcoming] == [review]
    assert upcoming[0]["being_reviewed"] is False

    # WHEN the admin goes back to saying something is being reviewed, the patient sees that line again
    call(seeded, "PUT", "/v1/admin/release-policy", {"delays": {"category:pathology": wait}}, admin)
    again = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert {item["result_id"]: item["being_reviewed"] for item in again} == {legal: True, review: False}


def test_a_result_released_after_the_patient_read_the_notice_makes_it_unread_again(timer_clock, feed, ana, seeded, aws):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": 60})
    # GIVEN a glucose result shown at once and a pathology report a minute later (the same ten minutes)
    glucose = "\r".join(
        [
            "MSH|^~\\&|LAB|AMC|||20261125080000||ORU^R01|g-1|P|2.5.1",
            ANA,
            "OBR|1||GLU-1^LAB|2345-7^Glucose^LN|||20261125070000||||||||||||||20261125075500||CH|F",
            "OBX|1|NM|2345-7^Glucose^LN||85|mg/dL|70-99|N|||F",
        ]
    )
    feed(glucose, pathology("p-1", "PATH-1", ANA))
    deliver_notifications(seeded)
    [notice] = call(seeded, "GET", "/v1/me/notifications", token=token).json_body["notifications"]
    # AND Ana read the notice of the glucose
    read = call(seeded, "POST", f"/v1/me/notifications/{notice['notification_id']}/read", token=token)
    assert read.json_body["read_at"] is not None

    # WHEN the pathology report is released
    timer_clock.wait_for_waiting(1)
    timer_clock.advance(seconds=60)
    finished(aws)
    deliver_notifications(seeded)

    # THEN the one notice is unread again
    inbox = call(seeded, "GET", "/v1/me/notifications", token=token).json_body
    assert [(n["notification_id"], n["read_at"]) for n in inbox["notifications"]] == [(notice["notification_id"], None)]
    assert inbox["unread_count"] == 1
    # AND the same notice delivered again (the queue's redelivery) after she reads it changes nothing
    call(seeded, "POST", f"/v1/me/notifications/{notice['notification_id']}/read", token=token)
    timer_clock.advance(seconds=5)
    import json

    import boto3

    boto3.client("sqs").send_message(
        QueueUrl=aws.physical["NotificationsQueue"],
        MessageBody=json.dumps(
            {
                "notification_id": notice["notification_id"],
                "template": "something_waiting",
                "account_id": account_of(patient_id),
                "released_at": (timer_clock.now() - timedelta(seconds=5)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        ),
    )
    deliver_notifications(seeded)
    again = call(seeded, "GET", "/v1/me/notifications", token=token).json_body
    assert again["unread_count"] == 0
