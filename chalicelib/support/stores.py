"""What the support service needs of storage (data/support.py implements it over DynamoDB)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.records.outbox import OutboxEntry
from chalicelib.support.domain import Answer, Status, SupportRequest


class SupportDesks(Protocol):
    """Where each organization's requests are emailed, and the public list of those that take them."""

    def desks(self) -> dict[str, str]:
        """{organization id: name} of the organizations that take support requests."""
        ...

    def desk_email(self, organization_id: str) -> str: ...

    def set_desk(self, organization_id: str, name: str, email: str) -> None:
        """``email`` "" stops the organization taking requests (it leaves the public list)."""
        ...


class SupportRequests(Protocol):
    def add(self, request: SupportRequest, outbox: list[OutboxEntry], audit: AuditEvent | None = None) -> None:
        """The request, the emails it sets off (outbox entries) and its audit event, in one write."""
        ...

    def get(self, organization_id: str, request_id: str) -> SupportRequest | None: ...

    def page(
        self, organization_id: str, status: Status | None, limit: int, after: str = ""
    ) -> tuple[list[SupportRequest], str]:
        """Newest first; the cursor of the next page, "" on the last."""
        ...

    def update(
        self, request: SupportRequest, status: Status, now: datetime, answer: Answer | None = None
    ) -> SupportRequest:
        """Conflict when the request changed since it was read."""
        ...
