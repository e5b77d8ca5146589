"""The identity store as identity's services use it (chalicelib.data.identity_store implements
it over DynamoDB): the short-lived identity records (sessions, invitations, second-factor
challenges, one-time links, throttling windows), and the writes identity needs across tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.accounts.domain import Account
from chalicelib.audit.domain import AuditEvent
from chalicelib.identity.domain import IdentityRecord, RecordKind
from chalicelib.patients.domain import Patient


class IdentityStore(Protocol):
    def put(self, record: IdentityRecord) -> None:
        """A new record; Conflict if its key is taken."""
        ...

    def get(self, kind: RecordKind, selector: str) -> IdentityRecord | None: ...

    def delete(self, kind: RecordKind, selector: str) -> bool:
        """False if the record was not there (so a one-time record is used once)."""
        ...

    def touch_session(self, selector: str, secret_hash: str, now: datetime, idle_seconds: int) -> IdentityRecord | None:
        """The live session whose secret matches, its idle deadline moved on; None otherwise."""
        ...

    def change(self, kind: RecordKind, selector: str, expect: dict[str, Any], **changes: Any) -> bool:
        """Set ``changes`` only if the record still holds the ``expect``ed values (None removes)."""
        ...

    def count_attempt(self, kind: RecordKind, selector: str, limit: int) -> int | None:
        """The new count of attempts, or None when ``limit`` was reached already."""
        ...

    def hit(self, selector: str, expires_at: int) -> int:
        """Count one attempt in a throttling window (created on first use)."""
        ...

    def owned_by(self, owner: str, limit: int = 100, kind: RecordKind | None = None) -> list[IdentityRecord]:
        """The records an owner holds, newest first (of one kind, when named)."""
        ...

    def revoke_pending(self, account_id: str) -> None:
        """End the account's sign-ins waiting for a second factor and its reset or set-up links."""
        ...

    def enroll(
        self, account: Account, patient: Patient | None, invitation: IdentityRecord, audit_event: AuditEvent
    ) -> None:
        """The account, the patient linked to it (None: an account with no record of its own), the
        invitation used up (the answers it kept for enrollment removed) and the event: all or nothing."""
        ...

    def connect(self, account: Account, patient: Patient, invitation: IdentityRecord, audit_event: AuditEvent) -> bool:
        """The invitation used up, the account with its new connection, the patient linked and the
        event: all or nothing. False if the invitation was used meanwhile; Conflict if the account
        or the patient changed."""
        ...

    def activate_connection(self, account: Account, patient: Patient, audit_event: AuditEvent) -> None:
        """The account's connections as given (only that attribute is written, on the account's
        version), the connected record and the event: all or nothing; Conflict if either changed."""
        ...

    def save_account_with_audit(self, account: Account, audit_event: AuditEvent) -> Account:
        """An account change and its audit event together; Conflict if the account changed meanwhile."""
        ...

    def claim_username(self, account: Account, audit_event: AuditEvent) -> Account:
        """An account created without a user name takes ``account.username``, with its audit event;
        Conflict on ``username`` if the name is held, Conflict if the account changed meanwhile."""
        ...

    def open_session(self, session: IdentityRecord, account: Account) -> Account:
        """The session and the account that lists it, together (the account saved on its version)."""
        ...


class IdentityRecordsPorts(Protocol):
    """What a service needs that uses the identity store alone."""

    @property
    def identity_records(self) -> IdentityStore: ...
