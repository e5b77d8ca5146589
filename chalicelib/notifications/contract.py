"""What the notification inbox routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

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


class EmailDelivery(ResponseModel):
    """What became of an email the portal queued (never its address or content)."""

    state: Literal["queued", "sent", "failed", "not_emailed"] = Field(
        description="queued: waiting to be sent; sent: the mail service accepted it; failed: see `reason` "
        "(a later success makes it sent); not_emailed: kept in the account's portal inbox only."
    )
    reason: Literal["mail_refused", "not_sent", "dead_letter"] | None = Field(
        description="While failed: mail_refused (the mail service refused it; it is tried again), not_sent "
        "(another fault; tried again), dead_letter (out of tries: it waits on the dead-letter queue until an "
        "operator redrives it). Null otherwise."
    )
    updated_at: datetime
    sent_at: datetime | None = Field(description="When the mail service first accepted it.")
    failed_attempts: int = Field(description="Attempts that failed so far.")


class DeadLetterKind(ResponseModel):
    kind: str = Field(description="A notification's template (invitation, sign_in_code, ...).")
    count: int


class DeadLetterQueue(ResponseModel):
    queue: Literal["notifications", "inbound", "outbound"] = Field(
        description="Whose dead-letter queue (the acknowledgements' is listed by the operator's command only)."
    )
    waiting: int = Field(description="Messages on the queue's dead-letter queue (SQS's approximate count).")
    kinds: list[DeadLetterKind] = Field(description="notifications only: how many of each kind; empty otherwise.")


class DeadLetters(ResponseModel):
    queues: list[DeadLetterQueue]
    redrive_command: str = Field(description="What the operator runs, once the cause is fixed, to send them back.")
