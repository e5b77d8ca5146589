"""The outbox: what is to be sent because of a write to the records, kept in the records store
beside that write (data/outbox.py), until it is sent (release/outbox.py drains it).

An entry carries ids only: a notice as the notifications queue takes it (an account id, a
template, a notification id), or which record's release timer to start. Never PHI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

NOTICE = "notice"  # payload: the notice as queued (release.notices.waiting_notice)
TIMER = "timer"  # payload: {"patient_id", "kind", "result_id", "version"} of a delayed record


@dataclass(frozen=True)
class OutboxEntry:
    kind: str
    entry_id: str  # with kind, the entry's key: writing it again replaces it, not adds one
    payload: dict[str, Any]
    created_at: datetime


class Outbox(Protocol):
    def put(self, entry: OutboxEntry) -> None: ...

    def item(self, entry: OutboxEntry) -> object:
        """The entry as an item for another store's transaction (a proxy grant's change keeps its
        notice with it)."""
        ...

    def pending(self, limit: int) -> list[OutboxEntry]:
        """The oldest entries not sent yet, at most ``limit``."""
        ...

    def done(self, entry: OutboxEntry) -> None:
        """Sent: the entry is deleted (deleting one gone already is no error)."""
        ...
