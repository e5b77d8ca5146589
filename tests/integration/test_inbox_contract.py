"""One contract, two portal inboxes: FakeInbox (service tests) and DynamoInbox.

The contract: a notice is added once per account (a retried delivery adds nothing); an account's
notices come newest first in pages whose opaque cursors lead through each once and never into
another account's inbox, and refuse what is not a cursor; a notice is marked read at its first
reading, only in its own account; "mark all read" marks up to a limit and tells whether unread
ones remain.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.data.inbox import DynamoInbox
from chalicelib.errors import ValidationFailed
from chalicelib.notifications.domain import InboxItem
from tests.fakes import FakeInbox

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
JANE, JOHN = "a" * 32, "b" * 32


@pytest.fixture(params=["fake", "dynamodb"])
def inbox(request):
    if request.param == "fake":
        return FakeInbox()
    inbox = request.getfixturevalue("container").inbox
    assert isinstance(inbox, DynamoInbox)
    return inbox


def notice(number: int, minute: float, account: str = JANE) -> InboxItem:
    return InboxItem(
        account_id=account,
        notification_id=f"{number:032x}",
        template="result_available",
        title="A new result is in your portal",
        created_at=START + timedelta(minutes=minute),
    )


def every_page(inbox, account: str, limit: int) -> list[InboxItem]:
    items, cursor = inbox.page(account, limit)
    while cursor:
        assert len(items) % limit == 0, "a page with a cursor is full"
        more, cursor = inbox.page(account, limit, cursor)
        assert more, "a cursor must lead to more"
        items += more
        assert len(items) < 100
    return items


class TestInboxContract:
    def test_notices_come_newest_first_each_once(self, inbox):
        # GIVEN seven notices, one delivered twice, two at the same moment, and one of John's
        for number, minute in ((1, 1), (2, 5), (3, 3), (4, 3), (5, 7), (6, 2), (7, 4)):
            assert inbox.add(notice(number, minute)) is True
        assert inbox.add(notice(2, 5)) is False
        inbox.add(notice(8, 6, account=JOHN))

        # WHEN Jane pages through her inbox, three at a time
        items = every_page(inbox, JANE, 3)

        # THEN each of hers comes once, newest first (the same moment: by id, highest first)
        assert [int(i.notification_id, 16) for i in items] == [5, 2, 7, 4, 3, 6, 1]
        assert items[1] == notice(2, 5)
        assert inbox.page(JANE, 7)[1] == ""

    def test_a_cursor_leads_nowhere_else_and_garbage_is_refused(self, inbox):
        for number in range(3):
            inbox.add(notice(number, number))
            inbox.add(notice(number + 10, number, account=JOHN))
        _, cursor = inbox.page(JANE, 1)

        johns, _ = inbox.page(JOHN, 5, cursor)

        assert {i.account_id for i in johns} == {JOHN}
        with pytest.raises(ValidationFailed):
            inbox.page(JANE, 1, "not-a-cursor")

    def test_a_notice_is_read_at_its_first_reading_in_its_own_account(self, inbox):
        inbox.add(notice(1, 1))
        first, later = START + timedelta(hours=1), START + timedelta(hours=2)

        assert inbox.mark_read(JANE, f"{1:032x}", first) == dataclasses.replace(notice(1, 1), read_at=first)
        assert inbox.mark_read(JANE, f"{1:032x}", later).read_at == first
        assert inbox.mark_read(JOHN, f"{1:032x}", later) is None
        assert inbox.mark_read(JANE, f"{2:032x}", later) is None
        assert inbox.page(JANE, 5)[0][0].read_at == first

    def test_a_notice_read_before_a_newer_release_is_unread_again_and_only_then(self, inbox):
        inbox.add(notice(1, 1))
        read = START + timedelta(minutes=2)
        inbox.mark_read(JANE, f"{1:032x}", read)

        # a release before the reading (the same notice delivered again) changes nothing
        assert inbox.unread_again(JANE, f"{1:032x}", read - timedelta(seconds=1)) is False
        assert inbox.page(JANE, 5)[0][0].read_at == read
        # nor in another account, nor for an unknown notice
        assert inbox.unread_again(JOHN, f"{1:032x}", read + timedelta(minutes=1)) is False
        assert inbox.unread_again(JANE, f"{2:032x}", read + timedelta(minutes=1)) is False
        # a release after it makes it unread; again, nothing more changes
        assert inbox.unread_again(JANE, f"{1:032x}", read + timedelta(minutes=1)) is True
        assert inbox.page(JANE, 5)[0][0].read_at is None
        assert inbox.unread_again(JANE, f"{1:032x}", read + timedelta(minutes=1)) is False

    def test_mark_all_read_marks_up_to_a_limit(self, inbox):
        # GIVEN five notices, one read already, and one of John's
        for number in range(1, 6):
            inbox.add(notice(number, number))
        inbox.add(notice(9, 9, account=JOHN))
        inbox.mark_read(JANE, f"{3:032x}", START)
        at = START + timedelta(hours=1)

        # WHEN all are marked read, three at a time
        assert inbox.mark_all_read(JANE, at, 3) == (3, True)
        assert inbox.mark_all_read(JANE, at, 3) == (1, False)
        assert inbox.mark_all_read(JANE, at, 3) == (0, False)

        # THEN every notice of Jane's is read (the one read before keeps its time), John's not
        read = {int(i.notification_id, 16): i.read_at for i in inbox.page(JANE, 10)[0]}
        assert read == {5: at, 4: at, 3: START, 2: at, 1: at}
        assert inbox.page(JOHN, 10)[0][0].read_at is None
