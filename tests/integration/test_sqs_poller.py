"""The local stand-in for Lambda's SQS event source mapping keeps Lambda's promises: successful
records are deleted, records named in batchItemFailures come back after the visibility timeout,
a crashed invocation keeps its whole batch, and SQS parks a message on the dead-letter queue
after maxReceiveCount receives."""

from __future__ import annotations

import json
import time

import boto3
import pytest
from moto import mock_aws

from infra.local.sqs_poller import SqsPoller


@pytest.fixture
def queues():
    with mock_aws():
        sqs = boto3.client("sqs")
        dead = sqs.create_queue(QueueName="work-dlq")["QueueUrl"]
        dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        live = sqs.create_queue(
            QueueName="work",
            Attributes={
                "VisibilityTimeout": "1",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 2}),
            },
        )["QueueUrl"]
        yield sqs, live, dead


def depth(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def visible_again(sqs, url: str, seconds: float = 10) -> None:
    """Wait until the queue's one message is visible again (its visibility timeout is 1 s), without
    receiving it: the poller's next receive is the one under test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        if int(attributes["Attributes"]["ApproximateNumberOfMessages"]):
            return
        time.sleep(0.05)
    raise AssertionError("the message did not become visible again")


def test_records_reported_failed_come_back_and_then_go_to_the_dead_letter_queue(queues):
    sqs, live, dead = queues
    for body in ("good", "bad", "good too"):
        sqs.send_message(
            QueueUrl=live, MessageBody=body, MessageAttributes={"kind": {"DataType": "String", "StringValue": body}}
        )
    seen: list[list[str]] = []

    def handler(event, context):
        seen.append([record["body"] for record in event["Records"]])
        assert all(
            r["eventSource"] == "aws:sqs" and r["messageAttributes"]["kind"]["stringValue"] == r["body"]
            for r in event["Records"]
        )
        assert context.get_remaining_time_in_millis() > 0
        return {
            "batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]
        }

    poller = SqsPoller(sqs, live, handler, batch_size=10, wait_seconds=0)

    assert poller.poll_once() == (3, 2)
    assert depth(sqs, live) == 1
    visible_again(sqs, live)  # after the visibility timeout
    assert poller.poll_once() == (1, 0)  # second receive: still failing
    visible_again(sqs, live)
    assert poller.poll_once() == (0, 0)  # maxReceiveCount reached: SQS moved it
    assert depth(sqs, live) == 0
    [parked] = sqs.receive_message(QueueUrl=dead)["Messages"]
    assert parked["Body"] == "bad"
    assert sorted(seen[0]) == ["bad", "good", "good too"] and seen[1] == ["bad"]


def test_a_crashed_invocation_keeps_the_whole_batch(queues):
    sqs, live, _ = queues
    sqs.send_message(QueueUrl=live, MessageBody="one")
    sqs.send_message(QueueUrl=live, MessageBody="two")

    def crashing(event, context):
        raise RuntimeError("handler crashed")

    assert SqsPoller(sqs, live, crashing, wait_seconds=0).poll_once() == (2, 0)
    assert depth(sqs, live) == 2


def test_the_poller_thread_delivers_until_stopped(queues):
    sqs, live, _ = queues
    delivered = []
    poller = SqsPoller(
        sqs, live, lambda event, context: delivered.extend(r["body"] for r in event["Records"]), wait_seconds=0
    )
    poller.start()
    try:
        sqs.send_message(QueueUrl=live, MessageBody="hello")
        deadline = time.monotonic() + 5
        while not delivered and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        poller.stop()
    assert delivered == ["hello"]
    assert depth(sqs, live) == 0
