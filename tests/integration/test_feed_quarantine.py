"""Staff look after the feed's quarantine: see why a message was refused, replay it once the
cause is fixed (it is then filed by the normal path), or dismiss it."""

from __future__ import annotations

import os

import boto3

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource, FeedStatus
from chalicelib.feeds.quarantine import quarantine_id
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

    # Nobody's sender yet: the operator's, so no organization's staff or admin sees it.
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"] == []
    hidden = quarantine_id("NEWLAB|AMC|q-1")
    for verb in ("replay", "dismiss"):
        assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{hidden}/{verb}", None, admin).status_code == 404

    # The operator assigns the sender (docs/deploying.md); then it is the organization's to replay.
    container.records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert (item["sender"], item["control_id"], item["replayable"]) == ("NEWLAB|AMC", "q-1", True)
    assert "not registered" in item["reason"] and "Núñez" not in str(item)
    replayed = call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token)
    assert replayed.status_code == 200, replayed.json_body
    assert deliver_inbound(seeded) == 1

    assert container.feed_messages.get("NEWLAB|AMC|q-1").status.value == "filed"
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []
    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token).status_code == 404


def test_a_quarantined_message_is_dismissed_by_its_organization_and_an_unidentified_one_is_nobodys(seeded):
    send(seeded, "this is not a clinical message")
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    # No sender could be read: no organization owns it, so only the operator sees it (in the table).
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"] == []
    [unidentified] = [m for m in wiring.container().feed_messages.in_status(FeedStatus.QUARANTINED, 10)[0]]
    hidden = quarantine_id(unidentified.key)
    for verb in ("replay", "dismiss"):
        assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{hidden}/{verb}", None, admin).status_code == 404

    # Once the operator gives a quarantined message's sender to the organization, its admin may close it.
    from chalicelib.data.models import FeedSourceModel

    FeedSourceModel("sender#*").delete()
    send(seeded, unregistered_result())
    wiring.container().records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"]
    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/dismiss", None, admin).status_code == 200
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=admin).json_body["messages"] == []
    assert call(seeded, "POST", "/v1/staff/feed/quarantine/not-base64!/dismiss", None, admin).status_code == 404
    events, _ = wiring.container().audit_log.by_actor(
        wiring.container().directory.account_by_username(ADMIN_USER).account_id, 20
    )
    assert "feed.message.dismissed" in {e.event_type for e in events}


def test_another_organizations_admin_never_sees_nor_touches_its_quarantine_nor_the_unclaimed(seeded, monkeypatch):
    from chalicelib.data.models import FeedSourceModel
    from tests.integration.test_feed_sources_admin import other_organization_admin

    FeedSourceModel("sender#*").delete()
    container = wiring.container()
    container.records.add_feed_source(FeedSource("LAB|AMC", "albany-medical-center", "AMC-MRN"))
    send(seeded, oru("q-3", "ORD-Q3", "85", mrn="MRN-UNKNOWN").replace("|P|2.5.1", "|T|2.5.1", 1))  # Albany's
    send(seeded, unregistered_result())  # nobody's
    quarantined = {m.key for m in container.feed_messages.in_status(FeedStatus.QUARANTINED, 10)[0]}
    assert quarantined == {"LAB|AMC|q-3", "NEWLAB|AMC|q-1"}
    albany = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert [
        m["sender"] for m in call(seeded, "GET", "/v1/staff/feed/quarantine", token=albany).json_body["messages"]
    ] == ["LAB|AMC"]

    saratoga = other_organization_admin(seeded, monkeypatch)
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=saratoga).json_body["messages"] == []
    for key in quarantined:
        for verb in ("replay", "dismiss"):
            answer = call(seeded, "POST", f"/v1/staff/feed/quarantine/{quarantine_id(key)}/{verb}", None, saratoga)
            assert answer.status_code == 404, (key, verb)
            assert (
                answer.json_body
                == call(seeded, "POST", f"/v1/staff/feed/quarantine/absent/{verb}", None, saratoga).json_body
            )
    assert {m.status for m in container.feed_messages.in_status(FeedStatus.QUARANTINED, 10)[0]} == {
        FeedStatus.QUARANTINED
    }
    assert len(container.feed_messages.in_status(FeedStatus.QUARANTINED, 10)[0]) == 2


def test_a_sender_whose_messages_wait_unclaimed_is_assigned_by_the_operator_not_taken_by_an_admin(seeded, monkeypatch):
    from chalicelib.data.models import FeedSourceModel
    from chalicelib.feeds.sources import source_id
    from tests.integration.test_feed_sources_admin import other_organization_admin

    FeedSourceModel("sender#*").delete()
    send(seeded, unregistered_result())  # another hospital's patient, from a sender nobody registered
    albany = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    saratoga = other_organization_admin(seeded, monkeypatch)
    path = f"/v1/admin/feed-sources/{source_id('NEWLAB|AMC')}"

    for admin in (saratoga, albany):
        refused = call(seeded, "PUT", path, {"default_authority": "SH-MRN"}, admin)
        assert refused.status_code == 409
        assert "ask the portal's operator to assign this sender" in refused.json_body["error"]["message"]
    assert wiring.container().records.feed_source("NEWLAB|AMC") is None
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=saratoga).json_body["messages"] == []
    # A sender that sent nothing is the admin's to register.
    assert call(seeded, "PUT", f"/v1/admin/feed-sources/{source_id('LAB|SARATOGA')}", {}, saratoga).status_code == 200
    saratoga_id = wiring.container().directory.account_by_username("saratoga.admin").account_id
    events, _ = wiring.container().audit_log.by_actor(saratoga_id, 50)
    assert "unclaimed_messages_waiting" in {e.reason for e in events if e.event_type == "feed_source.changed"}

    # The operator assigns it; then its messages are that organization's, and its admin manages it.
    wiring.container().records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=albany).json_body["messages"]
    assert item["sender"] == "NEWLAB|AMC"
    assert call(seeded, "PUT", path, {"default_authority": "AMC-MRN"}, albany).status_code == 200
    assert call(seeded, "PUT", path, {"default_authority": "SH-MRN"}, saratoga).status_code == 409


def test_a_replay_files_into_the_organization_that_owns_the_sender_when_it_is_filed(seeded, staff_token):
    from chalicelib.accounts import service as accounts
    from chalicelib.data.models import FeedSourceModel
    from chalicelib.patients.domain import Identifier

    container = wiring.container()
    FeedSourceModel("sender#*").delete()
    boto3.client("sqs").purge_queue(QueueUrl=os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"])  # (the demo feed)
    accounts.ensure_organization(
        container.directory, "saratoga-hospital", "Saratoga Hospital", mrn_authority="SH-MRN", now=container.clock.now()
    )
    send(seeded, unregistered_result())
    container.records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token).status_code == 200

    # Before it is filed, the operator moves the sender to Saratoga: the replaying staff member's
    # organization is not what decides, the sender's owner when it is filed does.
    mrn = Identifier("AMC-MRN", "MRN-1001")
    albany_before = container.patients.claimed_by("albany-medical-center", mrn)
    container.records.add_feed_source(FeedSource("NEWLAB|AMC", "saratoga-hospital", "AMC-MRN"))
    assert deliver_inbound(seeded) == 1

    assert container.feed_messages.get("NEWLAB|AMC|q-1").status.value == "filed"
    saratoga_patient = container.patients.get(container.patients.claimed_by("saratoga-hospital", mrn))
    assert saratoga_patient is not None and saratoga_patient.organization_id == "saratoga-hospital"
    assert container.patients.claimed_by("albany-medical-center", mrn) == albany_before
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []
