"""Staff look after the feed's quarantine: see why a message was refused, replay it once the
cause is fixed (it is then filed by the normal path), or dismiss it."""

from __future__ import annotations

import os

import boto3

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import QUEUE, oru


def send(api, body: str) -> None:
    api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, [body], QUEUE, group_id="NEWLAB"))


def deliver_inbound(api) -> int:
    """What the replay put back on the inbound queue, through the real handler."""
    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
        "Messages", []
    )
    for message in messages:
        api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, [message["Body"]], QUEUE, group_id="NEWLAB"))
        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return len(messages)


def unregistered_result() -> str:
    # (the seeded catch-all source is replaced by nothing: this sender belongs to no one yet)
    return oru("q-1", "ORD-Q1", "85").replace("|LAB|AMC|", "|NEWLAB|AMC|", 1)


def test_a_message_refused_for_an_unregistered_sender_is_replayed_once_it_is_registered(seeded, staff_token):
    container = wiring.container()
    from chalicelib.data.models import FeedSourceModel

    FeedSourceModel("sender#*").delete()  # no catch-all in this test
    boto3.client("sqs").purge_queue(QueueUrl=os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"])  # (the demo feed)
    send(seeded, unregistered_result())
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    # Nobody's sender yet: only admins see it, with the reason and no PHI.
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"]
    assert (item["sender"], item["control_id"], item["replayable"]) == ("NEWLAB|AMC", "q-1", True)
    assert "not registered" in item["reason"] and "Núñez" not in str(item)

    container.records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    replayed = call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token)
    assert replayed.status_code == 200, replayed.json_body
    assert deliver_inbound(seeded) == 1

    assert container.feed_messages.get("NEWLAB|AMC|q-1").status.value == "filed"
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []
    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token).status_code == 404


def test_a_quarantined_message_can_be_dismissed_and_an_unidentified_one_cannot_be_replayed(seeded):
    send(seeded, "this is not a clinical message")
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"]
    assert item["replayable"] is False

    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, admin).status_code == 409
    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/dismiss", None, admin).status_code == 200
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"] == []
    assert call(seeded, "POST", "/v1/staff/feed/quarantine/not-base64!/dismiss", None, admin).status_code == 404
    events, _ = wiring.container().audit_log.by_actor(
        wiring.container().directory.account_by_username(ADMIN_USER).account_id, 20
    )
    assert "feed.message.dismissed" in {e.event_type for e in events}
