"""Staff list their own organization's quarantine by its key: another organization's messages,
however many, are never read on the way (one Query page), and a sender registered later brings
its waiting messages onto its new owner's list."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import wiring
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.service import new_event
from chalicelib.data.feed_sources import org_status
from chalicelib.data.models import FeedMessageModel, FeedSourceModel
from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedSource, FeedStatus
from chalicelib.feeds.service import FEED_INTAKE
from tests.integration.dynamodb_calls import dynamodb_calls
from tests.integration.identity.conftest import call, seeded, staff_token  # noqa: F401  (fixtures)

OTHER = "other-hospital"


def quarantined(sender: str, control: str, at) -> FeedMessage:
    return FeedMessage(
        key=f"{sender}|{control}",
        sha256=control,
        format=FeedFormat.HL7V2,
        message_type="ORU^R01",
        sender=sender,
        control_id=control,
        status=FeedStatus.QUARANTINED,
        reason="No patient identifier the portal can match.",
        archive_key=f"inbound/{control}",
        received_at=at,
    )


def record(message: FeedMessage) -> None:
    event = new_event(
        actor=FEED_INTAKE,
        action=Action.CREATE,
        event_type="feed.message.received",
        outcome=Outcome.FAILURE,
        resource_type="FeedMessage",
        resource_id=message.key,
        reason="quarantined",
        recorded_at=message.received_at,
    )
    assert wiring.container().feed_messages.add(message, event)


def test_another_organizations_thousand_quarantined_messages_cost_one_query_page(clock, seeded, staff_token):
    container = wiring.container()
    container.records.add_feed_source(FeedSource("OTHER|LAB", OTHER, "OTH-MRN"))
    container.records.add_feed_source(FeedSource("LAB|AMC", "albany-medical-center", "AMC-MRN"))
    now = clock.now()
    # GIVEN two of this organization's messages in quarantine, and then 1,000 newer ones of another's
    record(quarantined("LAB|AMC", "amc-1", now - timedelta(hours=2)))
    record(quarantined("LAB|AMC", "amc-2", now - timedelta(hours=1)))
    with FeedMessageModel.batch_write() as batch:  # (as add() keys them, without 1,000 transactions)
        for number in range(1000):
            other = quarantined("OTHER|LAB", f"oth-{number}", now - timedelta(minutes=59) + timedelta(seconds=number))
            batch.save(
                FeedMessageModel(
                    message_key=other.key,
                    sha256=other.sha256,
                    format=other.format.value,
                    message_type=other.message_type,
                    sender=other.sender,
                    control_id=other.control_id,
                    status=other.status.value,
                    reason=other.reason,
                    archive_key=other.archive_key,
                    received_at=other.received_at,
                    org_status=org_status(OTHER, other.status.value),
                )
            )

    with dynamodb_calls() as calls:
        answer = call(seeded, "GET", "/v1/staff/feed/quarantine?limit=20", token=staff_token)

    # THEN staff see their two, newest first, read with one Query of their organization's key
    assert answer.status_code == 200, answer.json_body
    assert [m["control_id"] for m in answer.json_body["messages"]] == ["amc-2", "amc-1"]
    assert answer.json_body["next_cursor"] is None
    table = FeedMessageModel.Meta.table_name
    assert {c: n for c, n in calls.items() if c.startswith(f"Query:{table}:")} == {
        f"Query:{table}:by-organization-status": 1
    }


def test_a_sender_registered_later_brings_its_quarantined_messages_to_the_new_owner(clock, seeded, staff_token):
    container = wiring.container()
    FeedSourceModel("sender#*").delete()  # no catch-all: the sender is nobody's yet
    record(quarantined("NEWLAB|AMC", "new-1", clock.now()))
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []

    container.records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))

    [shown] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert shown["control_id"] == "new-1"
    # and a sender moved to another organization leaves this one's list
    container.records.add_feed_source(FeedSource("NEWLAB|AMC", OTHER, "OTH-MRN"))
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []


def test_the_backfill_keys_messages_quarantined_before_the_index(clock, seeded, staff_token):
    container = wiring.container()
    container.records.add_feed_source(FeedSource("LAB|AMC", "albany-medical-center", "AMC-MRN"))
    record(quarantined("LAB|AMC", "old-1", clock.now()))
    FeedMessageModel(message_key="LAB|AMC|old-1").update(actions=[FeedMessageModel.org_status.remove()])
    assert call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"] == []

    counted = container.feed_messages.backfill_organization_index(container.records.feed_source, write=False)
    done = container.feed_messages.backfill_organization_index(container.records.feed_source)
    again = container.feed_messages.backfill_organization_index(container.records.feed_source)

    assert (counted.missing, counted.added) == (1, 0)
    assert (done.missing, done.added, done.left) == (1, 1, 0)
    assert again.missing == 0
    [shown] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert shown["control_id"] == "old-1"
