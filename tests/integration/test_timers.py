"""Dated events run by the real state machine definition (moto executes it): at the moment,
one message lands on the target queue; a cancelled timer delivers nothing."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import boto3

from chalicelib.timers import service as timers


def wait_for_messages(queue_url: str, seconds: float) -> list[dict]:
    sqs = boto3.client("sqs")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if messages:
            return messages
        time.sleep(0.2)
    return []


def status_becomes(timers_adapter, handle: str, expected: str, seconds: float = 5) -> str:
    """Step Functions records the end of an execution a moment after its last state ran."""
    deadline = time.monotonic() + seconds
    status = timers_adapter.status(handle)
    while status != expected and time.monotonic() < deadline:
        time.sleep(0.1)
        status = timers_adapter.status(handle)
    return status


def test_a_due_timer_delivers_its_message(container, aws):
    message = {"notification_id": "t-1", "template": "something_waiting", "to_address": "p@example.org"}

    handle = timers.schedule(
        container.timers,
        timer_id="release-result-1",
        queue_url=aws.physical["NotificationsQueue"],
        fire_at=datetime.now(timezone.utc) + timedelta(seconds=1),
        message=message,
        now=datetime.now(timezone.utc),
    )

    [delivered] = wait_for_messages(aws.physical["NotificationsQueue"], 15)
    assert json.loads(delivered["Body"]) == message
    assert status_becomes(container.timers, handle, "SUCCEEDED") == "SUCCEEDED"


def test_starting_the_same_timer_twice_starts_it_once(container, aws):
    args = dict(
        timer_id="reminder-42",
        queue_url=aws.physical["NotificationsQueue"],
        fire_at=datetime.now(timezone.utc) + timedelta(hours=1),
        message={"n": 1},
        now=datetime.now(timezone.utc),
    )

    assert timers.schedule(container.timers, **args) == timers.schedule(container.timers, **args)
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=aws.physical["DatedEventStateMachine"])
    assert len(executions["executions"]) == 1
    timers.cancel(container.timers, executions["executions"][0]["executionArn"])


def test_a_cancelled_timer_delivers_nothing(container, aws):
    handle = timers.schedule(
        container.timers,
        timer_id="expiry-7",
        queue_url=aws.physical["NotificationsQueue"],
        fire_at=datetime.now(timezone.utc) + timedelta(seconds=5),
        message={"n": 7},
        now=datetime.now(timezone.utc),
    )

    # moto starts an execution's thread a moment after StartExecution returns, and a StopExecution
    # before that fails inside moto ('NoneType' has no 'set_stop'); real Step Functions has no
    # such gap. Wait until moto shows it running.
    status_becomes(container.timers, handle, "RUNNING")
    time.sleep(0.2)
    timers.cancel(container.timers, handle)

    assert wait_for_messages(aws.physical["NotificationsQueue"], 7) == []
    assert status_becomes(container.timers, handle, "ABORTED") == "ABORTED"
