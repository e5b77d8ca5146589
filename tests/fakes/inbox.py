"""FakeInbox: DynamoInbox in memory. A notice is added once per account and notification id,
listed newest first (by creation time, then id) in pages with opaque cursors that hold a position
only (the account always comes from the caller), and marked read at its first reading."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from chalicelib.kernel.keys import timed_key
from chalicelib.notifications.domain import InboxItem
from chalicelib.notifications.folding import Fold, joins
from tests.fakes.cursors import cursor, position


def _listed_at(item: InboxItem) -> str:
    return timed_key(item.created_at, item.notification_id)


class FakeInbox:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], InboxItem] = {}  # (account, notification id)
        self.folds: dict[tuple[str, str], Fold] = {}  # (account, template)

    def add(self, item: InboxItem) -> bool:
        key = (item.account_id, item.notification_id)
        if key in self.items:
            return False
        self.items[key] = dataclasses.replace(item, read_at=None)  # (a new notice is unread)
        return True

    def page(self, account_id: str, limit: int, after: str = "") -> tuple[list[InboxItem], str]:
        start = position(after, {"listed_at", "record_key"})
        newest_first = sorted(
            (item for (account, _), item in self.items.items() if account == account_id),
            key=lambda i: (_listed_at(i), i.notification_id),
            reverse=True,
        )
        if start is not None:
            mark = (start["listed_at"], start["record_key"].partition("#")[2])
            newest_first = [i for i in newest_first if (_listed_at(i), i.notification_id) < mark]
        if len(newest_first) <= limit:
            return newest_first, ""
        last = newest_first[limit - 1]
        return newest_first[:limit], cursor(
            listed_at=_listed_at(last), record_key=f"notification#{last.notification_id}"
        )

    def mark_read(self, account_id: str, notification_id: str, at: datetime) -> InboxItem | None:
        item = self.items.get((account_id, notification_id))
        if item is None:
            return None
        item = self.items[(account_id, notification_id)] = dataclasses.replace(item, read_at=item.read_at or at)
        return item

    def unread_again(self, account_id: str, notification_id: str, since: datetime) -> bool:
        item = self.items.get((account_id, notification_id))
        if item is None or item.read_at is None or item.read_at >= since:
            return False
        self.items[(account_id, notification_id)] = dataclasses.replace(item, read_at=None)
        return True

    def fold(self, account_id: str, template: str, notification_id: str, at: datetime) -> tuple[str, bool]:
        fold = self.folds.get((account_id, template))
        if fold is not None and joins(fold, at):
            self.folds[(account_id, template)] = dataclasses.replace(fold, last_at=max(fold.last_at, at))
            return fold.notification_id, True
        self.folds[(account_id, template)] = Fold(notification_id, at, at)
        return notification_id, False

    def mark_all_read(self, account_id: str, at: datetime, limit: int) -> tuple[int, bool]:
        unread = [key for key, item in sorted(self.items.items()) if key[0] == account_id and item.read_at is None]
        for key in unread[:limit]:
            self.items[key] = dataclasses.replace(self.items[key], read_at=at)
        return min(len(unread), limit), len(unread) > limit
