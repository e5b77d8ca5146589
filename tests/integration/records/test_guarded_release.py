"""A release timer announces only what is still due when its moment comes: the Step Functions
execution marks the record released on condition that it still names the timer and is not
withdrawn, and sends the email only then. The moment comes when the test moves the clock there
(the ``timer_clock`` fixture: the portal's clock and the state machine's Wait state in one)."""

from __future__ import annotations

import time

import boto3

from chalicelib import wiring
from chalicelib.data.models import RecordModel
from chalicelib.records.domain import result_id
from chalicelib.release.policy import HELD_UNTIL
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.test_patient_results import SENDER, ana, feed, oru  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import notifications, set_policy

ORG = "albany-medical-center"
DELAY_SECONDS = 3600  # the release delay of these tests


def executions(aws) -> list[dict]:
    sfn = boto3.client("stepfunctions")
    return sfn.list_executions(stateMachineArn=aws.physical["DatedEventStateMachine"])["executions"]


def finished(aws, seconds: float = 10) -> list[dict]:
    """Once the clock reached its moment, the execution runs on its own thread: a bounded wait for
    that thread to end, not for time."""
    sfn = boto3.client("stepfunctions")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = executions(aws)
        if found and all(e["status"] != "RUNNING" for e in found):
            return found
        time.sleep(0.02)
    found = executions(aws)
    history = [sfn.get_execution_history(executionArn=e["executionArn"])["events"] for e in found]
    raise AssertionError(f"the timer did not finish: {found} {history}")


def test_the_timer_marks_a_due_result_released_and_announces_it(timer_clock, feed, ana, seeded, aws):
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    waiting = wiring.container().records.current(
        patient_id, result_id(wiring.container().record_id_key, ORG, SENDER, "ORD-1^LAB")
    )
    assert waiting.release_timer  # the record names its timer
    stored = RecordModel.get(patient_id, f"result#{waiting.result_id}")
    assert stored.waiting_pk == patient_id  # on the patient's list of what is on its way
    timer_clock.wait_for_waiting(1)
    timer_clock.advance(seconds=DELAY_SECONDS - 1)
    assert [e["status"] for e in executions(aws)] == ["RUNNING"]  # a second early: still waiting
    assert notifications(aws) == []

    timer_clock.advance(seconds=1)
    [execution] = finished(aws)

    assert execution["status"] == "SUCCEEDED"
    assert [n["template"] for n in notifications(aws)] == ["something_waiting"]
    assert wiring.container().records.current(patient_id, waiting.result_id).release_timer == ""  # done
    # and off the waiting index: the released item is no longer on its way
    released = RecordModel.get(patient_id, f"result#{waiting.result_id}")
    assert (released.waiting_pk, released.waiting_sk) == (None, None)


def test_a_result_held_without_its_timer_stopped_is_not_announced(timer_clock, feed, ana, seeded, aws):
    # GIVEN a delayed result, held by staff, where stopping the timer failed after the hold
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    records = wiring.container().records
    waiting = records.current(patient_id, result_id(wiring.container().record_id_key, ORG, SENDER, "ORD-1^LAB"))
    records.set_release(waiting, HELD_UNTIL, "clinician_review", "")

    # WHEN its moment comes, THEN the timer finds the record no longer names it: no email
    timer_clock.wait_for_waiting(1)
    timer_clock.advance(seconds=DELAY_SECONDS)
    [execution] = finished(aws)

    assert execution["status"] == "SUCCEEDED"
    assert notifications(aws) == []
    assert records.current(patient_id, waiting.result_id).release_at == HELD_UNTIL
