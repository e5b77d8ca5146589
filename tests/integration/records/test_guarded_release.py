"""A release timer announces only what is still due when its moment comes: the Step Functions
execution marks the record released on condition that it still names the timer and is not
withdrawn, and sends the email only then."""

from __future__ import annotations

import time

import boto3

from chalicelib import wiring
from chalicelib.records.domain import result_id
from chalicelib.release.policy import HELD_UNTIL
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.test_patient_results import SENDER, ana, feed, oru  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import notifications, set_policy

ORG = "albany-medical-center"
# The release delay of these tests. The timer's moment is whole seconds, so it fires up to a second
# early; what a test does before that (read the record, hold it) must fit in what is left, also on
# a busy machine running tests in parallel.
DELAY_SECONDS = 3


def finished(aws, seconds: float = 20) -> list[dict]:
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        executions = sfn.list_executions(stateMachineArn=aws.physical["DatedEventStateMachine"])["executions"]
        if executions and all(e["status"] != "RUNNING" for e in executions):
            return executions
        time.sleep(0.2)
    history = [sfn.get_execution_history(executionArn=e["executionArn"])["events"] for e in executions]
    raise AssertionError(f"the timer did not finish: {executions} {history}")


def test_the_timer_marks_a_due_result_released_and_announces_it(feed, ana, seeded, aws):
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    waiting = wiring.container().records.current(patient_id, result_id(ORG, SENDER, "ORD-1^LAB"))
    assert waiting.release_timer  # the record names its timer

    [execution] = finished(aws)

    assert execution["status"] == "SUCCEEDED"
    assert [n["template"] for n in notifications(aws)] == ["something_waiting"]
    assert wiring.container().records.current(patient_id, waiting.result_id).release_timer == ""  # done


def test_a_result_held_without_its_timer_stopped_is_not_announced(feed, ana, seeded, aws):
    # GIVEN a delayed result, held by staff, where stopping the timer failed after the hold
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    records = wiring.container().records
    waiting = records.current(patient_id, result_id(ORG, SENDER, "ORD-1^LAB"))
    records.set_release(waiting, HELD_UNTIL, "clinician_review", "")

    # WHEN its moment comes, THEN the timer finds the record no longer names it: no email
    [execution] = finished(aws)

    assert execution["status"] == "SUCCEEDED"
    assert notifications(aws) == []
    assert records.current(patient_id, waiting.result_id).release_at == HELD_UNTIL
