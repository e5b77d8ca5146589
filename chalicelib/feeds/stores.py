"""The feed's stores, as services use them: the record of each inbound message
(chalicelib.data.feed_messages) and the feed sources, which say for which organization a sender
files (kept by the health records store, chalicelib.data.records)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.feeds.domain import FeedMessage, FeedSource, FeedStatus


class FeedMessages(Protocol):
    def add(self, message: FeedMessage, audit_event: AuditEvent) -> bool:
        """Store the record and its audit event together, or neither; False if the key exists."""
        ...

    def get(self, key: str) -> FeedMessage | None: ...

    def mark(self, key: str, status: FeedStatus, reason: str = "") -> bool:
        """Move a record on from ACCEPTED; False if it had moved on already."""
        ...

    def move(self, key: str, from_status: FeedStatus, to_status: FeedStatus) -> bool:
        """Move a record on from ``from_status`` only; False if it had moved on already."""
        ...

    def hold(self, key: str, reason: str, patient_id: str) -> bool:
        """ACCEPTED to HELD, naming the patient its identifiers matched; False if it had moved on."""
        ...

    def decide(self, key: str, decision: str) -> bool:
        """HELD back to ACCEPTED with staff's decision, for its refiling; False if it had moved on."""
        ...

    def in_status(
        self, status: FeedStatus, limit: int, after: str = "", organization_id: str = ""
    ) -> tuple[list[FeedMessage], str]:
        """Newest first, and the cursor of the next page ("" when there is none). With an
        organization (quarantined and held only): the messages of the senders it owns."""
        ...

    def quarantined_from(self, sender: str) -> bool:
        """Whether any message of this sender is in quarantine."""
        ...


class FeedSources(Protocol):
    def feed_source(self, sender: str) -> FeedSource | None:
        """The organization a sender files for: its own registration, else the catch-all."""
        ...

    def feed_sources_of(self, organization_id: str, limit: int = 100) -> list[FeedSource]: ...

    def held_by(self, sender: str) -> str:
        """The organization this very sender (never the catch-all for it) files for, else the one
        that retired it; "" when no organization ever held it."""
        ...

    def claim_feed_source(self, source: FeedSource) -> None:
        """Register a sender to the organization; Conflict when another organization holds it."""
        ...

    def retire_feed_source(self, organization_id: str, sender: str) -> bool:
        """Stop filing a sender for the organization; False if it does not file for it."""
        ...
