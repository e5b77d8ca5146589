"""FakeFeedMessages: DynamoFeedMessages in memory. A message is recorded once per key, with its
audit event, or neither is (``add`` answers False when the key is there; an audit event already
written refuses the whole write, as the transaction does). A record moves on from one status to the
next only from the status it is expected in (``mark``: from ACCEPTED, keeping the reason unless
given one; ``move``: from the status named), and the first move wins. Records are listed by status,
newest received first, in pages with opaque cursors that refuse what is not one of theirs.

``journal``, when shared with FakeArchive, shows the order of writes across both."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from chalicelib.audit.domain import AuditEvent
from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds.domain import FeedMessage, FeedStatus
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.paging import invalid_cursor
from tests.fakes.cursors import cursor, position

# How the store writes received_at in its index key, and so in a cursor.
_RECEIVED_AT = "%Y-%m-%dT%H:%M:%S.%f%z"


def _audit_key(event: AuditEvent) -> tuple[str, str]:
    """Where the audit log keeps an event: its subject and time-ordered key."""
    return event.patient_id or f"account#{event.actor.account_id}", timed_key(event.recorded_at, event.event_id)


class FakeFeedMessages:
    def __init__(self, journal: list[str] | None = None) -> None:
        self.records: dict[str, FeedMessage] = {}
        self.audit_events: list[AuditEvent] = []  # written in the same transaction as their record
        self.journal = journal if journal is not None else []

    def add(self, message: FeedMessage, audit_event: AuditEvent) -> bool:
        self.journal.append(f"add {message.key}")
        if message.key in self.records:
            return False
        if any(_audit_key(event) == _audit_key(audit_event) for event in self.audit_events):
            raise DependencyUnavailable("The feed store is unavailable.")  # the transaction is cancelled
        self.records[message.key] = message
        self.audit_events.append(audit_event)
        return True

    def quarantined_from(self, sender: str) -> bool:
        return any(r.status is FeedStatus.QUARANTINED and r.sender == sender for r in self.records.values())

    def get(self, key: str) -> FeedMessage | None:
        return self.records.get(key)

    def mark(self, key: str, status: FeedStatus, reason: str = "") -> bool:
        return self._move(key, FeedStatus.ACCEPTED, status, reason)

    def move(self, key: str, from_status: FeedStatus, to_status: FeedStatus) -> bool:
        return self._move(key, from_status, to_status)

    def hold(self, key: str, reason: str, patient_id: str) -> bool:
        moved = self._move(key, FeedStatus.ACCEPTED, FeedStatus.HELD, reason)
        if moved:
            self.records[key] = dataclasses.replace(self.records[key], held_for=patient_id)
        return moved

    def decide(self, key: str, decision: str) -> bool:
        moved = self._move(key, FeedStatus.HELD, FeedStatus.ACCEPTED)
        if moved:
            self.records[key] = dataclasses.replace(self.records[key], decision=decision)
        return moved

    def in_status(
        self, status: FeedStatus, limit: int, after: str = "", organization_id: str = ""
    ) -> tuple[list[FeedMessage], str]:
        # (the fake knows no owners: it lists every organization's; the services check each)
        start = position(after, {"message_key", "status", "received_at"})
        newest_first = sorted(
            (record for record in self.records.values() if record.status is status),
            key=lambda r: (r.received_at, r.key),
            reverse=True,
        )
        if start is not None:
            try:
                mark = (datetime.strptime(start["received_at"], _RECEIVED_AT), start["message_key"])
            except ValueError:
                raise invalid_cursor("cursor") from None
            newest_first = [r for r in newest_first if (r.received_at, r.key) < mark]
        if len(newest_first) <= limit:
            return newest_first, ""
        last = newest_first[limit - 1]
        return newest_first[:limit], cursor(
            message_key=last.key, status=last.status.value, received_at=last.received_at.strftime(_RECEIVED_AT)
        )

    def _move(self, key: str, from_status: FeedStatus, to_status: FeedStatus, reason: str = "") -> bool:
        record = self.records.get(key)
        if record is None or record.status is not from_status:
            return False
        self.records[key] = dataclasses.replace(record, status=to_status, reason=reason or record.reason)
        return True
