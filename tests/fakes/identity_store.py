"""FakeIdentityStore: DynamoIdentityStore in memory (the short-lived identity records, and the
writes identity makes across tables).

Faithful where services rely on it:
- a record is put once (Conflict when its key is taken) and read back as DynamoDB gives it back:
  without a creation time it gets the time it was put. Reads do not filter expired records (the
  services test ``expires_at``, so a just-expired record still explains a refusal); the session
  check, ``touch_session``, is the one read that tests expiry itself;
- ``delete``, ``change`` and ``count_attempt`` are conditional and answer False/None when the
  record is gone or its condition does not hold; an empty string or a zero idle deadline is an
  absent attribute, which no ``expect`` matches; a change to None removes the attribute;
- ``hit`` creates a throttling window on first use and moves its expiry on each hit;
- ``owned_by`` lists an owner's records newest first (by creation time, then selector);
- ``enroll``, ``save_account_with_audit``, ``claim_username`` and ``open_session`` write to the
  twins they were given (FakeDirectory, FakePatients, FakeAuditLog) all or nothing, with the
  DynamoDB store's refusals: a taken user name is Conflict on ``username``, any other failed
  condition (account there, patient or account on another version, invitation no longer pending,
  event already written, session key taken) is Conflict with nothing written.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from chalicelib.accounts.domain import Account
from chalicelib.audit.domain import AuditEvent
from chalicelib.errors import Conflict
from chalicelib.identity.domain import IdentityRecord, InvitationStatus, RecordKind
from chalicelib.kernel.keys import timed_key
from chalicelib.patients.domain import Patient
from tests.fakes.directory import FakeDirectory
from tests.fakes.patients import FakePatients

if TYPE_CHECKING:
    from tests.unit.fakes import FakeAuditLog

_PENDING_PURPOSES = ("password_reset", "account_setup")


def _absent(value: Any) -> bool:
    """What DynamoDB does not store: record_item writes "" and a zero idle deadline as no attribute."""
    return value is None or value == "" or value == b""


class FakeIdentityStore:
    def __init__(
        self,
        directory: FakeDirectory | None = None,
        patients: FakePatients | None = None,
        audit_log: FakeAuditLog | None = None,
    ) -> None:
        if audit_log is None:
            from tests.unit.fakes import FakeAuditLog

            audit_log = FakeAuditLog()
        self.directory = directory if directory is not None else FakeDirectory()
        self.patients = patients if patients is not None else FakePatients()
        self.audit_log = audit_log
        self.records: dict[str, IdentityRecord] = {}  # by key, "<kind>#<selector>", as stored

    # -- the records -------------------------------------------------------------------------

    def put(self, record: IdentityRecord) -> None:
        if record.key in self.records:
            raise Conflict("That record exists already.")
        self._store(record)

    def get(self, kind: RecordKind, selector: str) -> IdentityRecord | None:
        return self.records.get(f"{kind.value}#{selector}")

    def delete(self, kind: RecordKind, selector: str) -> bool:
        return self.records.pop(f"{kind.value}#{selector}", None) is not None

    def touch_session(self, selector: str, secret_hash: str, now: datetime, idle_seconds: int) -> IdentityRecord | None:
        epoch = int(now.timestamp())
        session = self.get(RecordKind.SESSION, selector)
        if (
            session is None
            or _absent(session.secret_hash)
            or session.secret_hash != secret_hash
            or not session.idle_expires_at > epoch
            or not session.expires_at > epoch
        ):
            return None
        touched = self.records[session.key] = dataclasses.replace(session, idle_expires_at=epoch + idle_seconds)
        return touched

    def change(self, kind: RecordKind, selector: str, expect: dict[str, Any], **changes: Any) -> bool:
        record = self.get(kind, selector)
        if record is None:
            return False
        for name, value in expect.items():
            held = self._attribute(record, name)
            if _absent(held) or held != value:
                return False
        removed = {name: _default(name) for name, value in changes.items() if value is None}
        self.records[record.key] = dataclasses.replace(record, **{**changes, **removed})
        return True

    def count_attempt(self, kind: RecordKind, selector: str, limit: int) -> int | None:
        record = self.get(kind, selector)
        if record is None or not record.attempts < limit:
            return None
        self.records[record.key] = dataclasses.replace(record, attempts=record.attempts + 1)
        return record.attempts + 1

    def hit(self, selector: str, expires_at: int) -> int:
        window = self.get(RecordKind.THROTTLE, selector) or IdentityRecord(RecordKind.THROTTLE, selector, expires_at)
        window = dataclasses.replace(window, attempts=window.attempts + 1, expires_at=expires_at)
        self.records[window.key] = window
        return window.attempts

    def owned_by(self, owner: str, limit: int = 100, kind: RecordKind | None = None) -> list[IdentityRecord]:
        owned = [r for r in self.records.values() if r.owner and r.owner == owner]
        owned.sort(key=lambda r: timed_key(r.created_at, r.selector), reverse=True)  # type: ignore[arg-type]
        return [r for r in owned[:limit] if kind is None or r.kind is kind]

    def revoke_pending(self, account_id: str) -> None:
        for record in self.owned_by(f"account#{account_id}", limit=1000):
            if record.kind is RecordKind.CHALLENGE or (
                record.kind is RecordKind.LINK and record.purpose in _PENDING_PURPOSES
            ):
                self.delete(record.kind, record.selector)

    # -- across tables -----------------------------------------------------------------------

    def enroll(
        self, account: Account, patient: Patient | None, invitation: IdentityRecord, audit_event: AuditEvent
    ) -> None:
        if account.username in self.directory.usernames:
            raise Conflict("That user name is taken.", [{"field": "username"}])
        pending = self.records.get(invitation.key)
        if (
            account.account_id in self.directory.accounts
            or account.version is not None
            or (patient is not None and not self._patient_on_version(patient))
            or pending is None
            or pending.status != InvitationStatus.PENDING.value
            or self._written(audit_event)
        ):
            raise Conflict("The invitation was used or changed at the same time; ask for a new one.")
        self.directory.usernames[account.username] = account.account_id
        self.directory.accounts[account.account_id] = dataclasses.replace(account, version=1)
        if patient is not None:
            self.patients.patients[patient.patient_id] = dataclasses.replace(
                patient, version=(patient.version or 0) + 1
            )
        self.records[pending.key] = dataclasses.replace(
            pending,
            status=InvitationStatus.USED.value,
            account_id=account.account_id,
            given_name="",
            family_name="",
            birth_date="",
        )
        self.audit_log.events.append(audit_event)

    def connect(self, account: Account, patient: Patient, invitation: IdentityRecord, audit_event: AuditEvent) -> bool:
        pending = self.records.get(invitation.key)
        if pending is None or pending.status != InvitationStatus.PENDING.value:
            return False
        if not self._account_on_version(account) or not self._patient_on_version(patient) or self._written(audit_event):
            raise Conflict("The account or the record changed at the same time; try again.")
        self.directory.save_account(account)
        self.patients.patients[patient.patient_id] = dataclasses.replace(patient, version=(patient.version or 0) + 1)
        self.records[pending.key] = dataclasses.replace(
            pending, status=InvitationStatus.USED.value, account_id=account.account_id
        )
        self.audit_log.events.append(audit_event)
        return True

    def activate_connection(self, account: Account, patient: Patient, audit_event: AuditEvent) -> None:
        held = self.directory.accounts.get(account.account_id)
        if held is None or held.version != account.version or not self._patient_on_version(patient):
            raise Conflict("The account or the record changed at the same time.")
        self.directory.accounts[account.account_id] = dataclasses.replace(
            held, connections=account.connections, version=(held.version or 0) + 1
        )
        self.patients.patients[patient.patient_id] = dataclasses.replace(patient, version=(patient.version or 0) + 1)
        self.audit_log.events.append(audit_event)

    def save_account_with_audit(self, account: Account, audit_event: AuditEvent) -> Account:
        if not self._account_on_version(account) or self._written(audit_event):
            raise Conflict("The account changed at the same time; try again.")
        saved = self.directory.save_account(account)
        self.audit_log.events.append(audit_event)
        return saved

    def claim_username(self, account: Account, audit_event: AuditEvent) -> Account:
        if account.username in self.directory.usernames:
            raise Conflict("That user name is taken.", [{"field": "username"}])
        if not self._account_on_version(account) or self._written(audit_event):
            raise Conflict("The account changed at the same time; try again.")
        self.directory.usernames[account.username] = account.account_id
        saved = self.directory.save_account(account)
        self.audit_log.events.append(audit_event)
        return saved

    def open_session(self, session: IdentityRecord, account: Account) -> Account:
        if session.key in self.records or not self._account_on_version(account):
            raise Conflict("The account changed while signing in; sign in again.")
        self._store(session)
        return self.directory.save_account(account)

    # -- helpers -----------------------------------------------------------------------------

    def _store(self, record: IdentityRecord) -> None:
        created = record.created_at or datetime.now(timezone.utc)
        self.records[record.key] = dataclasses.replace(record, created_at=created)

    @staticmethod
    def _attribute(record: IdentityRecord, name: str) -> Any:
        if name == "idle_expires_at" and record.idle_expires_at == 0:
            return None
        if name == "pk":
            return record.key
        return getattr(record, name)

    def _account_on_version(self, account: Account) -> bool:
        stored = self.directory.accounts.get(account.account_id)
        return stored is None if account.version is None else stored is not None and stored.version == account.version

    def _patient_on_version(self, patient: Patient) -> bool:
        stored = self.patients.patients.get(patient.patient_id)
        return stored is None if patient.version is None else stored is not None and stored.version == patient.version

    def _written(self, event: AuditEvent) -> bool:
        return any(e.event_id == event.event_id for e in self.audit_log.events)


def _default(name: str) -> Any:
    """What a removed attribute reads back as (the record's default: "", 0 or None)."""
    field = IdentityRecord.__dataclass_fields__[name]
    return field.default
