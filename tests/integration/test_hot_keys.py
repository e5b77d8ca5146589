"""Sharded keys read back whole (moto): what was spread over shards to spare one partition is
still found by its readers, every item once, newest first, page after page.

GIVEN many unknown users' failed sign-ins, many feed messages' audit events and many filed
messages, each written under a shard of its key, WHEN the trail or the feed store lists them,
THEN every one is there, in order, and the writes did land on many shards.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit import service as audit
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import ANONYMOUS
from chalicelib.data.models import AuditEventModel, FeedMessageModel
from chalicelib.errors import ValidationFailed
from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedStatus
from chalicelib.feeds.service import FEED_INTAKE
from chalicelib.kernel.shards import SHARDS
from tests.integration.dynamodb_calls import dynamodb_calls

START = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)


def all_pages(read, limit: int) -> list:
    found, cursor = read(limit, "")
    while cursor:
        more, cursor = read(limit, cursor)
        assert more, "a cursor leads to more"
        found += more
    return found


def failed_sign_in(audit_log, minute: int):
    return audit.append_event(
        audit_log,
        actor=ANONYMOUS,
        action=Action.EXECUTE,
        event_type="session.sign_in",
        outcome=Outcome.FAILURE,
        reason="unknown_user",
        recorded_at=START + timedelta(minutes=minute),
    )


def test_unknown_users_failed_sign_ins_are_spread_and_all_listed_newest_first(container):
    written = [failed_sign_in(container.audit_log, minute).event_id for minute in range(40)]

    by_actor = all_pages(lambda limit, after: container.audit_log.by_actor("anonymous", limit, after), 7)
    by_subject = all_pages(lambda limit, after: container.audit_log.for_patient("account#anonymous", limit, after), 9)

    assert [e.event_id for e in by_actor] == written[::-1]
    assert [e.event_id for e in by_subject] == written[::-1]
    assert by_actor[0].actor == ANONYMOUS and by_actor[0].reason == "unknown_user"
    partitions = {item.subject_id for item in AuditEventModel.scan(AuditEventModel.actor_id == "anonymous")}
    assert len(partitions) > SHARDS // 2


def test_an_actors_page_is_one_query_a_shard_and_one_batch_read(container):
    for minute in range(5):
        failed_sign_in(container.audit_log, minute)

    with dynamodb_calls() as calls:
        events, cursor = container.audit_log.by_actor("anonymous", 3)

    assert len(events) == 3 and cursor
    table = AuditEventModel.Meta.table_name
    assert calls == {f"Query:{table}:by-actor-key": SHARDS, "BatchGetItem::": 1}


def test_a_cursor_of_one_actor_does_not_continue_another(container):
    for minute in range(3):
        failed_sign_in(container.audit_log, minute)
    _, cursor = container.audit_log.by_actor("anonymous", 1)

    with pytest.raises(ValidationFailed):
        container.audit_log.by_actor("0f" * 16, 1, cursor)  # an account: one key, not sixteen


def message(number: int) -> FeedMessage:
    return FeedMessage(
        key=f"LAB|AMC|C-{number}",
        sha256=f"{number:064x}",
        format=FeedFormat.HL7V2,
        message_type="ORU^R01",
        sender="LAB|AMC",
        control_id=f"C-{number}",
        status=FeedStatus.ACCEPTED,
        reason="",
        archive_key=f"feeds/{number:064x}.hl7",
        received_at=START + timedelta(seconds=number),
    )


def intake_event(number: int):
    return audit.new_event(
        actor=FEED_INTAKE,
        action=Action.CREATE,
        event_type="feed.received",
        outcome=Outcome.SUCCESS,
        resource_type="FeedMessage",
        resource_id=f"LAB|AMC|C-{number}",
        recorded_at=START + timedelta(seconds=number),
    )


def test_filed_messages_are_spread_over_the_status_shards_and_all_listed(container):
    store = container.feed_messages
    for number in range(30):
        assert store.add(message(number), intake_event(number))
        assert store.mark(message(number).key, FeedStatus.FILED)

    filed = all_pages(lambda limit, after: store.in_status(FeedStatus.FILED, limit, after), 8)
    accepted, _ = store.in_status(FeedStatus.ACCEPTED, 50)

    assert [m.control_id for m in filed] == [f"C-{n}" for n in range(29, -1, -1)]
    assert accepted == []  # each left the accepted shards as it moved on
    shards = {item.status_shard for item in FeedMessageModel.scan()}
    assert len(shards) > SHARDS // 2 and all(s.startswith("filed#") for s in shards)
    # and every message's intake event is found under the feed's actor, across its shards
    events = all_pages(lambda limit, after: container.audit_log.by_actor(FEED_INTAKE.account_id, limit, after), 11)
    assert sorted(e.resource_id for e in events) == sorted(message(n).key for n in range(30))


def test_a_batchs_messages_received_at_one_moment_are_each_listed_once_page_after_page(container):
    # GIVEN an HL7 batch (BHS): every message recorded with the batch's one received_at
    store = container.feed_messages
    for number in range(40):
        assert store.add(dataclasses.replace(message(number), received_at=START), intake_event(number))

    # WHEN the operator pages through them two at a time
    listed = all_pages(lambda limit, after: store.in_status(FeedStatus.ACCEPTED, limit, after), 2)

    # THEN none is skipped and none shown twice
    assert sorted(m.control_id for m in listed) == sorted(f"C-{n}" for n in range(40))
    assert len(listed) == 40


def test_a_quarantined_message_is_found_on_whichever_shard_it_is(container):
    store = container.feed_messages
    for number in range(12):
        store.add(dataclasses.replace(message(number), sender=f"LAB|S{number}"), intake_event(number))
    store.mark(message(7).key, FeedStatus.QUARANTINED, "PID-3 has no identifier.")

    assert store.quarantined_from("LAB|S7")
    assert not store.quarantined_from("LAB|S3")


def test_messages_recorded_before_the_shards_are_keyed_by_the_backfill(container):
    store = container.feed_messages
    for number in range(6):
        store.add(message(number), intake_event(number))
        FeedMessageModel(message_key=message(number).key).update(actions=[FeedMessageModel.status_shard.remove()])
    assert store.in_status(FeedStatus.ACCEPTED, 10)[0] == []

    first = store.backfill_status_shards()
    again = store.backfill_status_shards()

    assert (first.missing, first.added, again.missing) == (6, 6, 0)
    assert len(store.in_status(FeedStatus.ACCEPTED, 10)[0]) == 6


def test_the_operators_backfill_keys_what_an_older_version_wrote(container, capsys):
    from infra import admin

    # GIVEN a feed message and its intake event as an older version wrote them (no shard keys)
    assert container.feed_messages.add(message(1), intake_event(1))
    FeedMessageModel(message_key=message(1).key).update(actions=[FeedMessageModel.status_shard.remove()])
    for item in AuditEventModel.scan(AuditEventModel.actor_id == FEED_INTAKE.account_id):
        item.update(actions=[AuditEventModel.actor_key.remove()])
    assert container.audit_log.by_actor(FEED_INTAKE.account_id, 10)[0] == []

    # WHEN the operator runs the backfill, twice
    assert admin.main(["backfill-hot-keys"]) == 0
    assert admin.main(["backfill-hot-keys"]) == 0

    # THEN both are found again, and the second run had nothing to do
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("2 feed messages and audit events were missing") and ": 2 added" in out[0]
    assert out[1].startswith("0 feed messages and audit events were missing")
    assert [m.key for m in container.feed_messages.in_status(FeedStatus.ACCEPTED, 10)[0]] == [message(1).key]
    assert [e.resource_id for e in container.audit_log.by_actor(FEED_INTAKE.account_id, 10)[0]] == [message(1).key]
