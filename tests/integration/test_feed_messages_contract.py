"""One contract, two feed stores: FakeFeedMessages (service tests) and DynamoFeedMessages.

The contract: a message is recorded once per key, together with its audit event, or neither is
written. A record moves on from status to status only from the status it is expected in (``mark``
from accepted, ``move`` from the one named), and of two moves the first wins. Records are listed by
status, newest received first, in pages whose opaque cursors lead through each record once and
refuse what is not one of theirs.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit.domain import SYSTEM_ACTOR, Action, AuditEvent, Outcome
from chalicelib.data.feed_messages import DynamoFeedMessages
from chalicelib.errors import DependencyUnavailable, ValidationFailed
from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedStatus
from chalicelib.kernel.paging import encode_cursor
from tests.fakes import FakeFeedMessages

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
ACCEPTED, FILED, QUARANTINED, DISMISSED = (
    FeedStatus.ACCEPTED,
    FeedStatus.FILED,
    FeedStatus.QUARANTINED,
    FeedStatus.DISMISSED,
)


@pytest.fixture(params=["fake", "dynamodb"])
def feed_messages(request):
    if request.param == "fake":
        return FakeFeedMessages()
    feed_messages = request.getfixturevalue("container").feed_messages
    assert isinstance(feed_messages, DynamoFeedMessages)
    return feed_messages


@pytest.fixture
def audited(request, feed_messages):
    """What the store's audit trail holds, oldest first."""

    def audit_trail() -> list[AuditEvent]:
        if isinstance(feed_messages, FakeFeedMessages):
            return list(feed_messages.audit_events)
        events, _ = request.getfixturevalue("container").audit_log.by_actor(SYSTEM_ACTOR.account_id, 50)
        return events[::-1]

    return audit_trail


def message(number: int, minute: float, status: FeedStatus = ACCEPTED, **changes) -> FeedMessage:
    """Message ``number`` of the lab, received ``minute`` minutes after START."""
    return dataclasses.replace(
        FeedMessage(
            key=f"LAB|AMC|CTRL-{number}",
            sha256=f"{number:064x}",
            format=FeedFormat.HL7V2,
            message_type="ORU^R01",
            sender="LAB|AMC",
            control_id=f"CTRL-{number}",
            status=status,
            reason="PID-3 has no identifier." if status is QUARANTINED else "",
            archive_key=f"feeds/2026/11/25/{number:064x}.hl7",
            received_at=START + timedelta(minutes=minute, microseconds=number),
        ),
        **changes,
    )


def moved(record: FeedMessage, status: FeedStatus) -> FeedMessage:
    return dataclasses.replace(record, status=status)


def unreadable(number: int, minute: float) -> FeedMessage:
    """A quarantined body of which nothing could be read: no sender, control id or type."""
    sha = f"{number:064x}"
    return message(
        number,
        minute,
        QUARANTINED,
        key=f"quarantine|{sha}",
        format=FeedFormat.UNKNOWN,
        message_type="",
        sender="",
        control_id="",
        reason="The body is neither HL7 v2 nor FHIR.",
    )


def event(number: int, recorded: FeedMessage) -> AuditEvent:
    return AuditEvent(
        event_id=f"event-{number}",
        recorded_at=recorded.received_at,
        actor=SYSTEM_ACTOR,
        action=Action.CREATE,
        event_type="feed.received",
        outcome=Outcome.SUCCESS,
        resource_type="MessageHeader",
        resource_id=recorded.key,
    )


def add(feed_messages, *messages: FeedMessage) -> None:
    for number, each in enumerate(messages, start=1):
        assert feed_messages.add(each, event(1000 + number, each)) is True


def every_page(feed_messages, status: FeedStatus, limit: int) -> list[FeedMessage]:
    records, cursor = feed_messages.in_status(status, limit)
    while cursor:
        assert len(records) < 100, "cursors must come to an end"
        assert len(records) % limit == 0, "a page with a cursor is full"
        more, cursor = feed_messages.in_status(status, limit, cursor)
        assert more, "a cursor must lead to more"
        records += more
    return records


class TestFeedMessagesContract:
    def test_a_message_is_recorded_once_with_its_audit_event(self, feed_messages, audited):
        # GIVEN a message recorded, and a body nothing could be read of
        first, nameless = message(1, 0), unreadable(2, 1)
        assert feed_messages.add(first, event(1, first)) is True
        assert feed_messages.add(nameless, event(2, nameless)) is True

        # WHEN the sender delivers the first again (another copy, another audit event)
        again = dataclasses.replace(first, sha256="f" * 64, received_at=START + timedelta(hours=1))
        added = feed_messages.add(again, event(3, again))

        # THEN the second delivery writes neither its record nor its event
        assert added is False
        assert feed_messages.get(first.key) == first
        assert feed_messages.get(nameless.key) == nameless  # (empty fields read back empty)
        assert feed_messages.get("LAB|AMC|CTRL-9") is None
        assert audited() == [event(1, first), event(2, nameless)]

    def test_a_record_whose_audit_event_cannot_be_written_is_not_written(self, feed_messages, audited):
        # GIVEN a message recorded with its audit event
        first, second = message(1, 0), message(2, 1)
        feed_messages.add(first, event(1, first))

        # WHEN another message comes with an audit event already in the trail
        with pytest.raises(DependencyUnavailable):
            feed_messages.add(second, event(1, first))

        # THEN neither is written: the record waits for a redelivery
        assert feed_messages.get(second.key) is None
        assert audited() == [event(1, first)]
        assert feed_messages.add(second, event(2, second)) is True

    def test_mark_moves_a_record_on_from_accepted_once(self, feed_messages):
        # GIVEN two accepted messages and a quarantined one
        add(feed_messages, message(1, 0), message(2, 1), message(3, 2, QUARANTINED))

        # WHEN filing marks the first filed, and a redelivery racing it quarantines it
        filed = feed_messages.mark(message(1, 0).key, FILED)
        raced = feed_messages.mark(message(1, 0).key, QUARANTINED, "PID-3 has no identifier.")
        # ... filing quarantines the second, and marks the quarantined one and one not there
        quarantined = feed_messages.mark(message(2, 1).key, QUARANTINED, "OBX-5 is empty.")
        not_accepted = feed_messages.mark(message(3, 2).key, FILED)
        missing = feed_messages.mark("LAB|AMC|CTRL-9", FILED)

        # THEN only moves from accepted happen, the first of two wins, and a reason is kept
        assert (filed, raced, quarantined, not_accepted, missing) == (True, False, True, False, False)
        assert feed_messages.get(message(1, 0).key) == message(1, 0, FILED)
        assert feed_messages.get(message(2, 1).key) == message(2, 1, QUARANTINED, reason="OBX-5 is empty.")
        assert feed_messages.get(message(3, 2).key) == message(3, 2, QUARANTINED)
        assert feed_messages.get("LAB|AMC|CTRL-9") is None

    def test_mark_without_a_reason_keeps_the_one_there(self, feed_messages):
        # GIVEN an accepted message that carries a reason (replayed from quarantine)
        replayed = message(1, 0, reason="PID-3 has no identifier.")
        add(feed_messages, replayed)

        # WHEN filing it marks it filed, saying nothing
        assert feed_messages.mark(replayed.key, FILED) is True

        # THEN its reason stays
        assert feed_messages.get(replayed.key) == dataclasses.replace(replayed, status=FILED)

    def test_move_only_from_the_status_named_and_the_first_wins(self, feed_messages):
        # GIVEN two quarantined messages and a filed one
        add(feed_messages, message(1, 0, QUARANTINED), message(2, 1, QUARANTINED), message(3, 2, FILED))

        # WHEN staff replay the first while another dismisses it, and dismiss the second
        replayed = feed_messages.move(message(1, 0).key, QUARANTINED, ACCEPTED)
        dismissed_late = feed_messages.move(message(1, 0).key, QUARANTINED, DISMISSED)
        dismissed = feed_messages.move(message(2, 1).key, QUARANTINED, DISMISSED)
        # ... and moves are asked from a status a record is not in, and of one not there
        wrong_status = feed_messages.move(message(3, 2).key, QUARANTINED, DISMISSED)
        missing = feed_messages.move("LAB|AMC|CTRL-9", QUARANTINED, ACCEPTED)

        # THEN each move happens from its status only, keeping the reason
        assert (replayed, dismissed_late, dismissed, wrong_status, missing) == (True, False, True, False, False)
        assert feed_messages.get(message(1, 0).key) == moved(message(1, 0, QUARANTINED), ACCEPTED)
        assert feed_messages.get(message(2, 1).key) == moved(message(2, 1, QUARANTINED), DISMISSED)
        assert feed_messages.get(message(3, 2).key) == message(3, 2, FILED)
        assert feed_messages.get("LAB|AMC|CTRL-9") is None

        # (a failed replay puts it back: from accepted, to quarantined)
        assert feed_messages.move(message(1, 0).key, ACCEPTED, QUARANTINED) is True
        assert feed_messages.get(message(1, 0).key) == message(1, 0, QUARANTINED)

    def test_a_status_lists_its_records_newest_first_each_once(self, feed_messages):
        # GIVEN five quarantined messages received out of order, and others in other statuses
        quarantined = [message(1, 30, QUARANTINED), unreadable(2, 5), message(3, 50, QUARANTINED)]
        quarantined += [message(4, 10, QUARANTINED), message(5, 40, QUARANTINED)]
        add(feed_messages, *quarantined, message(6, 20), message(7, 60, FILED))

        # THEN staff see the quarantined ones newest first, each once, whatever the page size
        newest_first = sorted(quarantined, key=lambda m: m.received_at, reverse=True)
        assert [m.control_id or m.key for m in newest_first][:2] == ["CTRL-3", "CTRL-5"]
        for limit in (1, 2, 3, 5, 10):
            assert every_page(feed_messages, QUARANTINED, limit) == newest_first
        first_page, cursor = feed_messages.in_status(QUARANTINED, 2)
        assert first_page == newest_first[:2] and cursor
        assert feed_messages.in_status(QUARANTINED, 5) == (newest_first, "")  # (a full last page has no cursor)
        assert feed_messages.in_status(ACCEPTED, 10) == ([message(6, 20)], "")
        assert feed_messages.in_status(DISMISSED, 10) == ([], "")

    def test_a_record_moved_on_leaves_its_list_for_the_next(self, feed_messages):
        # GIVEN three quarantined messages
        add(feed_messages, *(message(number, number, QUARANTINED) for number in (1, 2, 3)))

        # WHEN staff dismiss the middle one
        feed_messages.move(message(2, 2).key, QUARANTINED, DISMISSED)

        # THEN it is listed as dismissed, and no longer in quarantine
        assert feed_messages.in_status(QUARANTINED, 10) == (
            [message(3, 3, QUARANTINED), message(1, 1, QUARANTINED)],
            "",
        )
        assert feed_messages.in_status(DISMISSED, 10) == ([moved(message(2, 2, QUARANTINED), DISMISSED)], "")

    def test_what_is_not_a_cursor_of_the_listing_is_refused(self, feed_messages):
        # GIVEN quarantined messages, listed a page at a time
        add(feed_messages, message(1, 0, QUARANTINED), message(2, 1, QUARANTINED))
        _, cursor = feed_messages.in_status(QUARANTINED, 1)
        assert cursor

        # THEN its own cursor leads on, and garbage or another listing's cursor is refused
        assert feed_messages.in_status(QUARANTINED, 1, cursor) == ([message(1, 0, QUARANTINED)], "")
        another_listing = encode_cursor({"patient_id": {"S": "a" * 32}, "listed_at": {"S": "2026"}})
        for refused in ("not-a-cursor", another_listing):
            with pytest.raises(ValidationFailed):
                feed_messages.in_status(QUARANTINED, 1, refused)
