"""An inbound message through an outage of the feed archive: the local stack's own SQS poller runs
the real feed handler against moto's FIFO queue, whose redrive policy parks the body on the
dead-letter queue after its fifth failed try. On that last try it shows in the staff quarantine as
waiting on the dead-letter queue; once the archive is back, the operator's one redrive command puts
it back in its sender's group and it is filed. (The queue's visibility timeout is set to nothing,
so each poll is the next try, without waiting.)"""

from __future__ import annotations

import os

import boto3

from chalicelib import wiring
from infra import admin
from infra.local.sqs_poller import SqsPoller
from tests.integration.identity.conftest import call, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import oru


def empty_and_delete(bucket: str) -> None:
    s3 = boto3.client("s3")
    versions = s3.list_object_versions(Bucket=bucket)
    for version in versions.get("Versions", []) + versions.get("DeleteMarkers", []):
        s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=bucket)


def test_a_message_that_dead_letters_waits_in_quarantine_and_is_filed_after_one_redrive(seeded, staff_token, capsys):
    import app as app_module

    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    sqs.purge_queue(QueueUrl=url)  # (the demo feed)
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    poller = SqsPoller(sqs, url, app_module.on_clinical_feed_message, wait_seconds=0, function_name="feed")
    bucket = os.environ["PORTAL_FEED_ARCHIVE_BUCKET"]
    empty_and_delete(bucket)  # the archive is down: every try fails before anything is recorded

    sqs.send_message(
        QueueUrl=url,
        MessageBody=oru("dl-1", "ORD-DL1", "85"),
        MessageGroupId="LAB|AMC",
        MessageDeduplicationId="dl-1",
        MessageAttributes={"sender": {"DataType": "String", "StringValue": "LAB|AMC"}},
    )
    for _ in range(4):
        assert poller.poll_once() == (1, 0)
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []
    assert poller.poll_once() == (1, 0)  # the last try the queue allows

    [waiting] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert (waiting["sender"], waiting["control_id"], waiting["message_type"]) == ("LAB|AMC", "dl-1", "ORU^R01")
    assert waiting["reason"].startswith("Waits on the dead-letter queue after 5 failed tries")
    assert waiting["replayable"] is False
    assert poller.poll_once() == (0, 0)  # SQS moved it to the dead-letter queue

    assert admin.main(["dead-letters", "--queue", "inbound"]) == 0
    listing = capsys.readouterr().out
    assert "ORU^R01  sender LAB|AMC  control id dl-1" in listing
    assert "MRN-1001" not in listing and "Glucose" not in listing

    boto3.client("s3").create_bucket(Bucket=bucket)  # repaired
    assert admin.main(["redrive", "--queue", "inbound"]) == 0
    assert "inbound: 1 moved back" in capsys.readouterr().out
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []

    assert poller.poll_once() == (1, 1)
    assert wiring.container().feed_messages.get("LAB|AMC|dl-1").status.value == "filed"
