"""Dated events run by the real state machine definition (moto executes it, its Wait state on the
test's clock: tests/integration/timer_clock.py): at the moment, one message lands on the target
queue, not a second before; a cancelled timer delivers nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import boto3

from chalicelib.timers import service as timers


def messages_on(queue_url: str) -> list[dict]:
    return boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])


def wait_for_messages(queue_url: str, seconds: float = 10) -> list[dict]:
    """The execution sends on its own thread once the clock reaches its moment: a bounded wait for
    that thread, not for time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = messages_on(queue_url)
        if messages:
            return messages
        time.sleep(0.02)
    return []


def status_becomes(timers_adapter, handle: str, expected: str, seconds: float = 5) -> str:
    """Step Functions records the end of an execution a moment after its last state ran."""
    deadline = time.monotonic() + seconds
    status = timers_adapter.status(handle)
    while status != expected and time.monotonic() < deadline:
        time.sleep(0.02)
        status = timers_adapter.status(handle)
    return status


def test_a_due_timer_delivers_its_message(timer_clock, container, aws):
    queue = aws.physical["NotificationsQueue"]
    message = {"notification_id": "t-1", "template": "something_waiting", "to_address": "p@example.org"}

    handle = timers.schedule(
        container.timers,
        timer_id="release-result-1",
        queue_url=queue,
        fire_at=timer_clock.now() + timedelta(hours=1),
        message=message,
        now=timer_clock.now(),
    )
    timer_clock.wait_for_waiting(1)  # the execution is in its Wait state

    timer_clock.advance(minutes=59, seconds=59)
    assert messages_on(queue) == []  # a second early: nothing yet
    assert container.timers.status(handle) == "RUNNING"

    timer_clock.advance(seconds=1)
    [delivered] = wait_for_messages(queue)
    assert json.loads(delivered["Body"]) == message
    assert status_becomes(container.timers, handle, "SUCCEEDED") == "SUCCEEDED"


def test_starting_the_same_timer_twice_starts_it_once(timer_clock, container, aws):
    args = dict(
        timer_id="reminder-42",
        queue_url=aws.physical["NotificationsQueue"],
        fire_at=timer_clock.now() + timedelta(hours=1),
        message={"n": 1},
        now=timer_clock.now(),
    )

    assert timers.schedule(container.timers, **args) == timers.schedule(container.timers, **args)
    executions = boto3.client("stepfunctions").list_executions(stateMachineArn=aws.physical["DatedEventStateMachine"])
    assert len(executions["executions"]) == 1
    timers.cancel(container.timers, executions["executions"][0]["executionArn"])


def test_a_cancelled_timer_delivers_nothing(timer_clock, container, aws):
    queue = aws.physical["NotificationsQueue"]
    handle = timers.schedule(
        container.timers,
        timer_id="expiry-7",
        queue_url=queue,
        fire_at=timer_clock.now() + timedelta(hours=1),
        message={"n": 7},
        now=timer_clock.now(),
    )
    timer_clock.wait_for_waiting(1)

    timers.cancel(container.timers, handle)

    assert status_becomes(container.timers, handle, "ABORTED") == "ABORTED"
    timer_clock.wait_for_waiting(0)  # its thread left the Wait state without firing
    timer_clock.advance(hours=2)  # well past its moment
    assert messages_on(queue) == []
