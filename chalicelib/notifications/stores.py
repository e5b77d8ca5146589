"""Each account's portal inbox, as the notification services use it (chalicelib.data.inbox
implements it over DynamoDB)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.notifications.domain import InboxItem


class Inbox(Protocol):
    def add(self, item: InboxItem) -> bool:
        """Once per notification id: False if the account has it already."""
        ...

    def page(self, account_id: str, limit: int, after: str = "") -> tuple[list[InboxItem], str]:
        """An account's notices, newest first, and the cursor of the next page ("" at the end)."""
        ...

    def mark_read(self, account_id: str, notification_id: str, at: datetime) -> InboxItem | None:
        """The item, read (at its first reading); None if the account has no such item."""
        ...

    def unread_again(self, account_id: str, notification_id: str, since: datetime) -> bool:
        """The item unread again if it was read before ``since`` (something newer folded into
        it): whether it changed."""
        ...

    def fold(self, account_id: str, template: str, notification_id: str, at: datetime) -> tuple[str, bool]:
        """The fold of the account's notices of this template that a notice released ``at``
        belongs to (notifications/folding.py): (the fold's notice id, whether it joined one)."""
        ...

    def mark_all_read(self, account_id: str, at: datetime, limit: int) -> tuple[int, bool]:
        """Up to ``limit`` unread items marked read: (how many, whether unread ones remain)."""
        ...
