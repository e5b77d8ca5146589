"""In-memory fakes of the ports the services talk to (Archive, Mailer, Timers, AuditLog), and the
twins of the DynamoDB repositories (Directory, Patients, Records, Worklist, Inbox, FeedMessages,
IdentityStore: tests.fakes, re-exported here). They keep what they were given so tests can assert on
state, not on calls.

FakeAuditLog is meant to pass the same contract test as DynamoAuditLog:
- ``for_patient`` / ``by_actor`` return events newest first, ordered like the DynamoDB sort key
  ``"<recorded_at ISO>#<event_id>"`` (descending);
- they return ``(events, cursor)``: ``cursor`` is ``""`` when there is no further page, and when a
  cursor is returned the page is exactly ``limit`` long; passing it as ``after`` gives the next page;
- a cursor is opaque; one that cannot be decoded is ValidationFailed (field ``after``);
- the log is append-only: appending an event already stored is refused.
"""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.audit.domain import AuditEvent
from chalicelib.errors import DependencyUnavailable, ValidationFailed
from chalicelib.kernel.ports import DoesNotOpen
from tests.fakes import (  # noqa: F401  (re-exported)
    FakeDirectory,
    FakeFeedMessages,
    FakeIdentityStore,
    FakeInbox,
    FakePatients,
    FakeRecords,
    FakeWorklist,
)

# --- keys ------------------------------------------------------------------------------------


class FakeKeys:
    """KMS encryption as the portal relies on it: the ciphertext says nothing of the plaintext,
    and opens only with the context it was sealed with (else ValidationFailed, as KmsKeys)."""

    def __init__(self) -> None:
        self._sealed: dict[bytes, tuple[bytes, dict[str, str]]] = {}
        self.calls: list[str] = []

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        self.calls.append("encrypt")
        blob = b"fake-kms:" + str(len(self._sealed)).encode()
        self._sealed[blob] = (plaintext, dict(context))
        return blob

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        self.calls.append("decrypt")
        plaintext, sealed_with = self._sealed.get(ciphertext, (b"", {}))
        if not sealed_with or sealed_with != context:
            raise DoesNotOpen()
        return plaintext


# --- feeds -----------------------------------------------------------------------------------


@dataclass
class ArchivePut:
    key: str
    data: bytes
    content_type: str
    metadata: dict[str, str] | None


class FakeArchive:
    """Records every put; ``fail_with`` makes put raise (S3 down). ``journal``, when shared with
    FakeFeedMessages, shows the order of writes across both."""

    def __init__(self, fail_with: BaseException | None = None, journal: list[str] | None = None):
        self.puts: list[ArchivePut] = []
        self.fail_with = fail_with
        self.journal = journal if journal is not None else []

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.journal.append(f"archive {key}")
        self.puts.append(ArchivePut(key, data, content_type, metadata))


# --- notifications ---------------------------------------------------------------------------


@dataclass
class SentEmail:
    to_address: str
    subject: str
    text: str
    html: str


class FakeMailer:
    def __init__(self):
        self.sent: list[SentEmail] = []
        self._ids = itertools.count(1)

    def send(self, to_address: str, subject: str, text: str, html: str) -> str:
        self.sent.append(SentEmail(to_address, subject, text, html))
        return f"ses-{next(self._ids):04d}"


# --- timers ----------------------------------------------------------------------------------


@dataclass
class StartedTimer:
    name: str
    fire_at: datetime
    queue_url: str
    message: dict[str, Any]
    guard: dict[str, Any] | None = None


class FakeTimers:
    """Starting the same name twice returns the first handle (Step Functions execution names)."""

    def __init__(self):
        self.started: dict[str, StartedTimer] = {}
        self.cancelled: list[str] = []

    def start(
        self,
        name: str,
        fire_at: datetime,
        queue_url: str,
        message: dict[str, Any],
        guard: dict[str, Any] | None = None,
        delivery: dict[str, Any] | None = None,
    ) -> str:
        self.started.setdefault(name, StartedTimer(name, fire_at, queue_url, message, guard))
        return self.handle(name)

    def cancel(self, execution_arn: str) -> None:
        self.cancelled.append(execution_arn)

    @staticmethod
    def handle(name: str) -> str:
        return f"arn:aws:states:us-east-1:123456789012:execution:DatedEvent:{name}"


# --- audit -----------------------------------------------------------------------------------


def _sort_key(event: AuditEvent) -> str:
    return f"{event.recorded_at.isoformat()}#{event.event_id}"


def _encode_cursor(sort_key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"sort_key": sort_key}).encode()).decode()


def _decode_cursor(cursor: str) -> str:
    try:
        return str(json.loads(base64.urlsafe_b64decode(cursor.encode()))["sort_key"])
    except (ValueError, UnicodeDecodeError, KeyError, TypeError):
        raise ValidationFailed("The page cursor is not valid.", [{"field": "after"}]) from None


@dataclass
class FakeAuditLog:
    """Append-only in-memory audit store with DynamoAuditLog's reads (see the module docstring)."""

    events: list[AuditEvent] = field(default_factory=list)

    def append(self, event: AuditEvent) -> None:
        if any(e.event_id == event.event_id for e in self.events):
            raise DependencyUnavailable("The audit trail is unavailable.")  # DynamoAuditLog's conditional put
        self.events.append(event)

    def for_patient(self, patient_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        return self._page([e for e in self.events if e.patient_id == patient_id], limit, after)

    def by_actor(self, account_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        return self._page([e for e in self.events if e.actor.account_id == account_id], limit, after)

    @staticmethod
    def _page(selected: list[AuditEvent], limit: int, after: str) -> tuple[list[AuditEvent], str]:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        newest_first = sorted(selected, key=_sort_key, reverse=True)
        if after:
            boundary = _decode_cursor(after)
            newest_first = [e for e in newest_first if _sort_key(e) < boundary]
        page = newest_first[:limit]
        more = len(newest_first) > limit
        return page, _encode_cursor(_sort_key(page[-1])) if more else ""
