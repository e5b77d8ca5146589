"""What the notification inbox routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from chalicelib.kernel.contract import QueryModel, ResponseModel, WholeNumber


class InboxPageQuery(QueryModel):
    limit: WholeNumber = Field(20, ge=1, le=50, description="How many notifications at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


class Notification(ResponseModel):
    notification_id: str
    template: str = Field(description="What kind of notice it is (something_waiting, ...).")
    title: str = Field(description="A fixed sentence; never holds PHI.")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(ResponseModel):
    notifications: list[Notification]
    unread_count: int = Field(description="Unread notifications on this page.")
    next_cursor: str | None


class MarkedAllRead(ResponseModel):
    marked: int
    unread_left: bool = Field(description="True when more remain unread: call again.")
