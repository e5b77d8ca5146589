"""The identity store in DynamoDB: the short-lived identity records (IdentityRecordModel:
sessions, invitations, second-factor challenges, one-time links, throttling windows), and the
transactions identity needs across tables: enrolling a patient (account, user name, patient,
invitation and audit event: all or nothing), connecting another organization's record (the
invitation, account, patient and audit event, likewise), an account change with its audit event, a staff
account taking its user name, and a new session with the account that lists it. It writes
accounts, patients and audit events through the item builders of their own modules.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.accounts.domain import Account
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.directory import DynamoDirectory, account_item, claim_username_within
from chalicelib.data.dynamo import any_condition_failed, conditional_failure, contended, first_item_exists, from_keys
from chalicelib.data.models import AccountModel, AuditEventModel, IdentityRecordModel, PatientModel
from chalicelib.data.patients import patient_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.identity.domain import IdentityRecord, InvitationStatus, RecordKind
from chalicelib.kernel.keys import timed_key
from chalicelib.patients.domain import Patient

_UNAVAILABLE = "The identity store is unavailable."


def record_item(record: IdentityRecord) -> IdentityRecordModel:
    created = record.created_at or datetime.now(timezone.utc)
    return IdentityRecordModel(
        pk=record.key,
        kind=record.kind.value,
        owner=record.owner or None,
        created_key=timed_key(created, record.selector) if record.owner else None,
        secret_hash=record.secret_hash or None,
        account_id=record.account_id or None,
        patient_id=record.patient_id or None,
        organization_id=record.organization_id or None,
        role=record.role or None,
        purpose=record.purpose or None,
        status=record.status or None,
        email=record.email or None,
        restriction=record.restriction or None,
        attempts=record.attempts,
        code_hash=record.code_hash or None,
        created_by=record.created_by or None,
        created_at=created,
        last_seen_at=record.last_seen_at,
        idle_expires_at=record.idle_expires_at or None,
        grant_id=record.grant_id or None,
        given_name=record.given_name or None,
        family_name=record.family_name or None,
        birth_date=record.birth_date or None,
        expires_at=record.expires_at,
        # Collected a day after expiry, so a just-expired record still explains a refusal.
        expires_ttl=record.expires_at + 86400,
    )


def _record(item: IdentityRecordModel) -> IdentityRecord:
    kind, _, selector = item.pk.partition("#")
    return IdentityRecord(
        kind=RecordKind(kind),
        selector=selector,
        expires_at=int(item.expires_at),
        secret_hash=item.secret_hash or "",
        owner=item.owner or "",
        created_at=item.created_at,
        account_id=item.account_id or "",
        patient_id=item.patient_id or "",
        organization_id=item.organization_id or "",
        role=item.role or "",
        purpose=item.purpose or "",
        status=item.status or "",
        email=item.email or "",
        restriction=item.restriction or "",
        attempts=int(item.attempts or 0),
        code_hash=item.code_hash or "",
        created_by=item.created_by or "",
        last_seen_at=item.last_seen_at,
        idle_expires_at=int(item.idle_expires_at or 0),
        grant_id=item.grant_id or "",
        given_name=item.given_name or "",
        family_name=item.family_name or "",
        birth_date=item.birth_date or "",
    )


class DynamoIdentityRecords:
    """The short-lived identity records, each keyed "<kind>#<selector>"."""

    def put(self, record: IdentityRecord) -> None:
        try:
            record_item(record).save(condition=IdentityRecordModel.pk.does_not_exist())
        except PutError as error:
            if conditional_failure(error):
                raise Conflict("That record exists already.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def get(self, kind: RecordKind, selector: str) -> IdentityRecord | None:
        try:
            return _record(IdentityRecordModel.get(f"{kind.value}#{selector}", consistent_read=True))
        except IdentityRecordModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def delete(self, kind: RecordKind, selector: str) -> bool:
        """Delete a record; False if it was not there (so a one-time record is used once)."""
        try:
            IdentityRecordModel(pk=f"{kind.value}#{selector}").delete(condition=IdentityRecordModel.pk.exists())
        except DeleteError as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def touch_session(self, selector: str, secret_hash: str, now: datetime, idle_seconds: int) -> IdentityRecord | None:
        """The session check of every authenticated call, in one round trip: the session exists,
        its secret matches, neither its idle nor its absolute limit has passed; and its idle
        deadline moves on (it may pass the absolute one, which the check tests as well). None when
        any of that fails."""
        epoch = int(now.timestamp())
        model = IdentityRecordModel(pk=f"{RecordKind.SESSION.value}#{selector}")
        condition = (
            (IdentityRecordModel.secret_hash == secret_hash)
            & (IdentityRecordModel.idle_expires_at > epoch)
            & (IdentityRecordModel.expires_at > epoch)
        )
        try:
            # (When it was last used is idle_expires_at minus the idle timeout: one attribute to write.)
            model.update(actions=[IdentityRecordModel.idle_expires_at.set(epoch + idle_seconds)], condition=condition)
        except UpdateError as error:
            if conditional_failure(error):
                return None
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _record(model)

    def change(self, kind: RecordKind, selector: str, expect: dict[str, Any], **changes: Any) -> bool:
        """Set ``changes`` on a record only if its attributes still hold the ``expect``ed values
        (an invitation still pending, a challenge still under its attempt limit ...)."""
        model = IdentityRecordModel(pk=f"{kind.value}#{selector}")
        condition = IdentityRecordModel.pk.exists()
        for name, value in expect.items():
            condition &= getattr(IdentityRecordModel, name) == value
        actions = [
            getattr(IdentityRecordModel, name).remove()
            if value is None
            else getattr(IdentityRecordModel, name).set(value)
            for name, value in changes.items()
        ]
        try:
            model.update(actions=actions, condition=condition)
        except UpdateError as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def count_attempt(self, kind: RecordKind, selector: str, limit: int) -> int | None:
        """Add one to a record's attempts if it is still under ``limit``: the new count, or None
        when the limit was reached already (or the record is gone)."""
        model = IdentityRecordModel(pk=f"{kind.value}#{selector}")
        try:
            model.update(
                actions=[IdentityRecordModel.attempts.add(1)],
                condition=IdentityRecordModel.pk.exists() & (IdentityRecordModel.attempts < limit),
            )
        except UpdateError as error:
            if conditional_failure(error):
                return None
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return int(model.attempts)

    def hit(self, selector: str, expires_at: int) -> int:
        """Count one attempt in a throttling window (created on first use)."""
        model = IdentityRecordModel(pk=f"{RecordKind.THROTTLE.value}#{selector}")
        try:
            model.update(
                actions=[
                    IdentityRecordModel.attempts.add(1),
                    IdentityRecordModel.kind.set(RecordKind.THROTTLE.value),
                    IdentityRecordModel.expires_at.set(expires_at),
                    IdentityRecordModel.expires_ttl.set(expires_at + 3600),
                ]
            )
        except UpdateError as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return int(model.attempts)

    def owned_by(self, owner: str, limit: int = 100, kind: RecordKind | None = None) -> list[IdentityRecord]:
        # The index holds keys only; a key names its kind, so only the records of the kind asked
        # are read (filing, which may read sessions alone, reads nothing else).
        try:
            keys = [
                item
                for item in IdentityRecordModel.by_owner.query(owner, scan_index_forward=False, limit=limit)
                if kind is None or item.pk.startswith(f"{kind.value}#")
            ]
            return [_record(item) for item in from_keys(IdentityRecordModel, keys, lambda item: item.pk)]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def revoke_pending(self, account_id: str) -> None:
        """End what is on its way to opening the account: sign-ins waiting for their second factor
        and password-reset or set-up links. (Sessions are ended through the account's own list:
        identity.revocation.end_sessions.)"""
        for record in self.owned_by(f"account#{account_id}", limit=1000):
            if record.kind is RecordKind.CHALLENGE or (
                record.kind is RecordKind.LINK and record.purpose in ("password_reset", "account_setup")
            ):
                self.delete(record.kind, record.selector)


def enroll(account: Account, patient: Patient | None, invitation: IdentityRecord, audit_event: AuditEvent) -> None:
    """Create the account (and claim its user name), link the patient to it (None: an account with
    no record of its own), use up the invitation and record the enrollment: one DynamoDB
    transaction, so a failure leaves the invitation usable and no half-made account behind. The
    answers an invitation without a record kept (the invitee's name and birth date) go with it:
    nothing needs them once the account exists."""
    try:
        with TransactWrite(connection=PatientModel._get_connection().connection) as transaction:
            DynamoDirectory.add_account_within(transaction, account)
            if patient is not None:
                transaction.save(patient_item(patient))  # versioned: fails if the patient changed meanwhile
            transaction.update(
                IdentityRecordModel(pk=invitation.key),
                actions=[
                    IdentityRecordModel.status.set(InvitationStatus.USED.value),
                    IdentityRecordModel.account_id.set(account.account_id),
                    IdentityRecordModel.given_name.remove(),
                    IdentityRecordModel.family_name.remove(),
                    IdentityRecordModel.birth_date.remove(),
                ],
                condition=IdentityRecordModel.status == InvitationStatus.PENDING.value,
            )
            transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
    except TransactWriteError as error:
        if first_item_exists(error):
            raise Conflict("That user name is taken.", [{"field": "username"}]) from error
        if any_condition_failed(error):
            raise Conflict("The invitation was used or changed at the same time; ask for a new one.") from error
        raise DependencyUnavailable(_UNAVAILABLE) from error


def connect(account: Account, patient: Patient, invitation: IdentityRecord, audit_event: AuditEvent) -> bool:
    """My Connections: the invitation used up, the account listing its new connection, the
    connected patient linked to the account, and the audit event: one DynamoDB transaction, so a
    failure leaves the code usable and no connection half-made. False when the invitation was
    used or changed meanwhile (the first item's condition); Conflict when the account or the
    patient changed."""
    try:
        with TransactWrite(connection=IdentityRecordModel._get_connection().connection) as transaction:
            transaction.update(
                IdentityRecordModel(pk=invitation.key),
                actions=[
                    IdentityRecordModel.status.set(InvitationStatus.USED.value),
                    IdentityRecordModel.account_id.set(account.account_id),
                ],
                condition=IdentityRecordModel.status == InvitationStatus.PENDING.value,
            )
            transaction.save(account_item(account))  # versioned: fails if the account changed meanwhile
            transaction.save(patient_item(patient))  # versioned as well
            transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
    except TransactWriteError as error:
        if first_item_exists(error):  # (the first item's condition: the invitation still pending)
            return False
        if contended(error):
            raise Conflict("The account or the record changed at the same time; try again.") from error
        raise DependencyUnavailable(_UNAVAILABLE) from error
    return True


def activate_connection(account: Account, patient: Patient, audit_event: AuditEvent) -> None:
    """A pending connection made active now that the connected record arrived: the account's
    connections (an update of that attribute alone, on the account's version: the feed may touch
    nothing else of an account), the record linked as active and the audit event, all or nothing.
    Conflict if the account or the record changed meanwhile."""
    item = AccountModel(account_id=account.account_id)
    item.version = account.version
    try:
        with TransactWrite(connection=PatientModel._get_connection().connection) as transaction:
            transaction.update(
                item, actions=[AccountModel.connections.set([dataclasses.asdict(c) for c in account.connections])]
            )
            transaction.save(patient_item(patient))
            transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
    except TransactWriteError as error:
        if contended(error):
            raise Conflict("The account or the record changed at the same time.") from error
        raise DependencyUnavailable(_UNAVAILABLE) from error


def save_account_with_audit(account: Account, audit_event: AuditEvent) -> Account:
    """An account change and its audit event together (security changes must not go unrecorded)."""
    item = account_item(account)
    try:
        with TransactWrite(connection=IdentityRecordModel._get_connection().connection) as transaction:
            transaction.save(item)
            transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
    except TransactWriteError as error:
        if contended(error):
            raise Conflict("The account changed at the same time; try again.") from error
        raise DependencyUnavailable(_UNAVAILABLE) from error
    # PynamoDB's VersionAttribute counts 1, 2, 3 ...; the transaction wrote the next one.
    return dataclasses.replace(account, version=(account.version or 0) + 1)


def claim_username(account: Account, audit_event: AuditEvent) -> Account:
    """An account taking the user name it was created without (a staff account set up by its
    owner): the name's claim, the account saved on its version and the audit event, all or
    nothing. Conflict on ``username`` if the name is held; Conflict if the account changed."""
    try:
        with TransactWrite(connection=IdentityRecordModel._get_connection().connection) as transaction:
            claim_username_within(transaction, account)
            transaction.save(account_item(account))  # versioned: a second set-up with the same link fails
            transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
    except TransactWriteError as error:
        if first_item_exists(error):
            raise Conflict("That user name is taken.", [{"field": "username"}]) from error
        if contended(error):
            raise Conflict("The account changed at the same time; try again.") from error
        raise DependencyUnavailable(_UNAVAILABLE) from error
    return dataclasses.replace(account, version=(account.version or 0) + 1)


def open_session(session: IdentityRecord, account: Account) -> Account:
    """The session and the account that lists it, together. The account is saved on its version:
    if it changed since it was read (suspended, password changed, sessions ended), no session."""
    item = account_item(account)
    try:
        with TransactWrite(connection=IdentityRecordModel._get_connection().connection) as transaction:
            transaction.save(record_item(session), condition=IdentityRecordModel.pk.does_not_exist())
            transaction.save(item)
    except TransactWriteError as error:
        if contended(error):
            raise Conflict("The account changed while signing in; sign in again.") from error
        raise DependencyUnavailable(_UNAVAILABLE) from error
    return dataclasses.replace(account, version=(account.version or 0) + 1)


class DynamoIdentityStore(DynamoIdentityRecords):
    """The identity records, plus the multi-table transactions identity needs."""

    enroll = staticmethod(enroll)
    connect = staticmethod(connect)
    activate_connection = staticmethod(activate_connection)
    save_account_with_audit = staticmethod(save_account_with_audit)
    claim_username = staticmethod(claim_username)
    open_session = staticmethod(open_session)
