"""The local stack's clock over real HTTP: moving it moves the API's time and the timers' waits.

A stack of its own (not the shared one): moving a clock days ahead would shift the time of every
other journey that shares a stack with it.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta

import pytest

from tests.e2e.conftest import RunningPortal, eventually, running_portal


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_portal(tmp_path_factory.mktemp("clock")) as running:
        yield running


def post(portal: RunningPortal, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        portal.api_url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def clock_now(portal: RunningPortal) -> datetime:
    status, _, body = portal.get("/dev/clock")
    assert status == 200
    return datetime.fromisoformat(json.loads(body)["now"])


def test_a_timer_fires_when_the_clock_moves_past_it_and_not_before(stack):
    # GIVEN a dated-event timer two hours ahead on the stack's clock, delivering to a queue
    environment = json.loads(open(stack.state_path, encoding="utf-8").read())["environment"]
    sqs, sfn = stack.client("sqs"), stack.client("stepfunctions")
    queue_url = sqs.create_queue(QueueName="clock-test")["QueueUrl"]
    start = clock_now(stack)
    fire_at = (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sfn.start_execution(
        stateMachineArn=environment["PORTAL_DATED_EVENT_STATE_MACHINE_ARN"],
        name="clock-test",
        input=json.dumps({"fire_at": fire_at, "queue_url": queue_url, "message_body": '{"hello":"clock"}'}),
    )

    # THEN it waits while the clock stands before its moment
    assert sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages") is None

    # WHEN the clock moves an hour: still waiting; then past the moment: it fires
    status, moved = post(stack, "/dev/clock", {"advance_minutes": 60})
    assert status == 200 and datetime.fromisoformat(moved["now"]) >= start + timedelta(hours=1)
    assert sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages") is None
    status, moved = post(stack, "/dev/clock", {"set": (start + timedelta(hours=2, minutes=1)).isoformat()})
    assert status == 200

    def delivered():
        return sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")

    messages = eventually(delivered, seconds=15)
    assert messages and json.loads(messages[0]["Body"]) == {"hello": "clock"}
    # AND the API reads the moved time too, which keeps running from there
    assert clock_now(stack) >= start + timedelta(hours=2, minutes=1)


def test_the_clock_only_moves_forward_and_refuses_a_bad_body(stack):
    now = clock_now(stack)
    status, body = post(stack, "/dev/clock", {"set": (now - timedelta(hours=1)).isoformat()})
    assert status == 400 and body["error"]["details"][0]["field"] == "set"
    status, body = post(stack, "/dev/clock", {"advance_minutes": 5, "set": now.isoformat()})
    assert status == 400
    status, body = post(stack, "/dev/clock", {"advance_minutes": -5})
    assert status == 400
