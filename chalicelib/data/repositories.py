"""Repositories over the PynamoDB models. They return domain objects, never models, and they
translate PynamoDB's errors into the portal's domain errors."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import timezone
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.accounts.domain import Account, AccountStatus, Connection, Organization, Role
from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.data.models import (
    AccountModel,
    AuditEventModel,
    FeedMessageModel,
    OrganizationModel,
    UsernameClaimModel,
)
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound, ValidationFailed
from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedStatus


def _first_item_exists(error: TransactWriteError) -> bool:
    """A transaction cancelled because its first item's condition (item is new) failed; any other
    cancellation (a conflicting transaction, throttling) is a fault to retry, not an answer."""
    reasons = error.cause_response_code == "TransactionCanceledException" and error.cancellation_reasons
    return bool(reasons) and reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed"


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str:
    if not last_evaluated_key:
        return ""
    return base64.urlsafe_b64encode(json.dumps(last_evaluated_key, sort_keys=True).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        decoded = None
    # Only what encode_cursor writes: a non-empty object of string key attributes.
    if not (isinstance(decoded, dict) and decoded and all(
            isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) for v in decoded.values())):
        raise ValidationFailed("The page cursor is not valid.", [{"field": "after"}])
    return decoded


class DynamoAuditLog:
    """Append-only audit store. There is deliberately no update or delete method."""

    def append(self, event: AuditEvent) -> None:
        item = audit_item(event)
        try:
            item.save(condition=AuditEventModel.subject_id.does_not_exist())
        except PutError as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error

    def for_patient(self, patient_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        # One item more than asked tells whether another page exists, so a cursor is only handed
        # out when it leads somewhere (DynamoDB's own LastEvaluatedKey may lead to an empty page).
        # The cursor holds only the position (a sort key: a time and an event id), never the
        # patient: the partition always comes from the caller's request, so a cursor cannot lead
        # into another patient's events.
        start = decode_cursor(after)
        if start is not None:
            if set(start) != {"sort_key"}:
                raise ValidationFailed("The page cursor is not valid.", [{"field": "after"}])
            start = {"subject_id": {"S": patient_id}, **start}
        results = AuditEventModel.query(patient_id, scan_index_forward=False, limit=limit + 1,
                                        last_evaluated_key=start)
        return self._page(results, limit, ("sort_key",))

    def by_actor(self, account_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        results = AuditEventModel.by_actor.query(account_id, scan_index_forward=False, limit=limit + 1,
                                                 last_evaluated_key=_cursor_within(after, "actor_id", account_id))
        return self._page(results, limit, ("subject_id", "sort_key", "actor_id"))

    @staticmethod
    def _page(results, limit: int, key_names: tuple[str, ...]) -> tuple[list[AuditEvent], str]:
        try:
            items = list(results)
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error
        if len(items) <= limit:
            return [_audit_event(item) for item in items], ""
        last = items[limit - 1]
        cursor = encode_cursor({name: {"S": getattr(last, name)} for name in key_names})
        return [_audit_event(item) for item in items[:limit]], cursor

    def ping(self) -> None:
        try:
            AuditEventModel.describe_table()
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error


def audit_item(event: AuditEvent) -> AuditEventModel:
    return AuditEventModel(
        subject_id=event.patient_id or f"account#{event.actor.account_id}",
        sort_key=f"{event.recorded_at.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%fZ}#{event.event_id}",
        event_id=event.event_id,
        recorded_at=event.recorded_at,
        actor_id=event.actor.account_id,
        actor_role=event.actor.role,
        proxy_grant_id=event.actor.proxy_grant_id or None,
        action=event.action.value,
        event_type=event.event_type,
        outcome=event.outcome.value,
        patient_id=event.patient_id or None,
        resource_type=event.resource_type or None,
        resource_id=event.resource_id or None,
        correlation_id=event.correlation_id or None,
        source_ip=event.source_ip or None,
        reason=event.reason or None,
    )


def _cursor_within(cursor: str, key_name: str, expected: str) -> dict[str, Any] | None:
    """A cursor only continues the listing it came from: one for another patient is refused."""
    decoded = decode_cursor(cursor)
    if decoded is not None and (decoded.get(key_name) != {"S": expected}
                                or set(decoded) != {"subject_id", "sort_key", "actor_id"}):
        raise ValidationFailed("The page cursor is not valid.", [{"field": "after"}])
    return decoded


def _audit_event(item: AuditEventModel) -> AuditEvent:
    return AuditEvent(
        event_id=item.event_id,
        recorded_at=item.recorded_at,
        actor=Actor(account_id=item.actor_id, role=item.actor_role, proxy_grant_id=item.proxy_grant_id or ""),
        action=Action(item.action),
        event_type=item.event_type,
        outcome=Outcome(item.outcome),
        patient_id=item.patient_id or "",
        resource_type=item.resource_type or "",
        resource_id=item.resource_id or "",
        correlation_id=item.correlation_id or "",
        source_ip=item.source_ip or "",
        reason=item.reason or "",
    )


class DynamoDirectory:
    """Organizations and accounts."""

    def add_organization(self, organization: Organization) -> None:
        try:
            OrganizationModel(organization_id=organization.organization_id, name=organization.name,
                              created_at=organization.created_at,
                              mrn_authority=organization.mrn_authority or None).save()
        except PutError as error:
            raise DependencyUnavailable("The directory is unavailable.") from error

    def organization(self, organization_id: str) -> Organization | None:
        try:
            item = OrganizationModel.get(organization_id)
        except OrganizationModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        return Organization(item.organization_id, item.name, item.created_at, item.mrn_authority or "",
                            dict(item.release_policy) if item.release_policy else None)

    def set_release_policy(self, organization_id: str, policy: dict) -> None:
        try:
            item = OrganizationModel.get(organization_id, consistent_read=True)
            item.update(actions=[OrganizationModel.release_policy.set(policy)])
        except OrganizationModel.DoesNotExist:
            raise NotFound("No such organization.") from None
        except PynamoDBException as error:
            if getattr(error, "cause_response_code", "") == "ConditionalCheckFailedException":
                raise Conflict("The organization changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    def add_account(self, account: Account) -> None:
        """Create an account and claim its user name in one transaction; Conflict if taken."""
        try:
            with TransactWrite(connection=AccountModel._get_connection().connection) as transaction:
                self.add_account_within(transaction, account)
        except TransactWriteError as error:
            if _first_item_exists(error):  # the user name's claim
                raise Conflict("That user name is taken.", [{"field": "username"}]) from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    @staticmethod
    def add_account_within(transaction: TransactWrite, account: Account) -> None:
        """The two writes of a new account, as the first two items of a caller's transaction (so a
        taken user name shows as the first item's condition failing)."""
        claim = UsernameClaimModel(account_id=f"username#{account.username}", claimed_by=account.account_id)
        transaction.save(claim, condition=UsernameClaimModel.account_id.does_not_exist())
        transaction.save(account_item(account), condition=AccountModel.account_id.does_not_exist())

    def account(self, account_id: str) -> Account | None:
        try:
            return _account(AccountModel.get(account_id, consistent_read=True))
        except AccountModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error

    def account_by_username(self, username: str) -> Account | None:
        """The index finds the account; the read that follows is consistent, so the account comes
        back with its current version (the index lags writes by a moment)."""
        try:
            for item in AccountModel.by_username.query(username, limit=1):
                account = self.account(item.account_id)
                return account if account is not None and account.username == username else None
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        return None

    def accounts_by_verified_email(self, email: str) -> list[Account]:
        try:
            ids = [item.account_id for item in AccountModel.by_verified_email.query(email.lower(), limit=10)]
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        accounts = [self.account(account_id) for account_id in ids]
        return [a for a in accounts if a is not None and a.email_verified and a.email.lower() == email.lower()]

    def save_account(self, account: Account) -> Account:
        """Write an account read earlier; Conflict if it changed since (optimistic locking on
        its version), so two requests cannot silently undo each other's changes."""
        item = account_item(account)
        try:
            item.save()
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise Conflict("The account changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error
        return _account(item)


def account_item(account: Account) -> AccountModel:
    item = AccountModel(
        account_id=account.account_id, username=account.username, organization_id=account.organization_id,
        role=account.role.value, password_hash=account.password_hash, status=account.status.value,
        email=account.email or None,
        verified_email=account.email.lower() if account.email and account.email_verified else None,
        pending_email=account.pending_email or None, created_at=account.created_at,
        patient_id=account.patient_id or None, terms_version=account.terms_version or None,
        terms_accepted_at=account.terms_accepted_at, failed_sign_ins=account.failed_sign_ins or None,
        failures_since=account.failures_since, locked_until=account.locked_until,
        totp_secret=account.totp_secret or None, totp_pending_secret=account.totp_pending_secret or None,
        totp_last_step=account.totp_last_step or None, email_code_enabled=account.email_code_enabled or None,
        recovery_code_hashes=set(account.recovery_code_hashes) or None,
        notification_preferences=account.notification_preferences or None,
        connections=[dataclasses.asdict(c) for c in account.connections] or None,
        sessions=set(account.sessions) or None,
    )
    if account.version is not None:
        item.version = account.version
    return item


def _account(item: AccountModel) -> Account:
    return Account(
        account_id=item.account_id, username=item.username, organization_id=item.organization_id,
        role=Role(item.role), password_hash=item.password_hash, status=AccountStatus(item.status),
        email=item.email or "", created_at=item.created_at, email_verified=bool(item.verified_email),
        pending_email=item.pending_email or "", patient_id=item.patient_id or "",
        terms_version=item.terms_version or "", terms_accepted_at=item.terms_accepted_at,
        failed_sign_ins=int(item.failed_sign_ins or 0), failures_since=item.failures_since,
        locked_until=item.locked_until, totp_secret=item.totp_secret or b"",
        totp_pending_secret=item.totp_pending_secret or b"", totp_last_step=int(item.totp_last_step or 0),
        email_code_enabled=bool(item.email_code_enabled),
        recovery_code_hashes=frozenset(item.recovery_code_hashes or ()),
        notification_preferences=dict(item.notification_preferences or {}),
        connections=tuple(Connection(**c) for c in (item.connections or ())),
        sessions=frozenset(item.sessions or ()),
        version=item.version,
    )


class DynamoFeedMessages:
    def add(self, message: FeedMessage, audit_event: AuditEvent) -> bool:
        """Record a message once, with its audit event, in one transaction; False when a record
        with this key is already there (and then neither is written)."""
        model = FeedMessageModel(
            message_key=message.key, sha256=message.sha256, format=message.format.value,
            message_type=message.message_type or None, sender=message.sender or None,
            control_id=message.control_id or None, status=message.status.value, reason=message.reason or None,
            archive_key=message.archive_key, received_at=message.received_at,
        )
        try:
            with TransactWrite(connection=FeedMessageModel._get_connection().connection) as transaction:
                transaction.save(model, condition=FeedMessageModel.message_key.does_not_exist())
                transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if _first_item_exists(error):
                return False
            raise DependencyUnavailable("The feed store is unavailable.") from error
        return True

    def mark(self, key: str, status: FeedStatus, reason: str = "") -> bool:
        from chalicelib.data.records_repository import mark_feed_message

        return mark_feed_message(key, status.value, reason)

    def move(self, key: str, from_status: FeedStatus, to_status: FeedStatus) -> bool:
        """Quarantine to accepted (replay) or dismissed, if it is still in quarantine."""
        from chalicelib.data.records_repository import mark_feed_message

        return mark_feed_message(key, to_status.value, expected=from_status.value)

    def in_status(self, status: FeedStatus, limit: int, after: str = "") -> tuple[list[FeedMessage], str]:
        """Newest first, one Query per page."""
        start = decode_cursor(after)
        if start is not None and set(start) != {"message_key", "status", "received_at"}:
            raise ValidationFailed("The page cursor is not valid.", [{"field": "cursor"}])
        try:
            items = list(FeedMessageModel.by_status.query(status.value, scan_index_forward=False, limit=limit + 1,
                                                          page_size=limit + 1, last_evaluated_key=start))
        except PynamoDBException as error:
            raise DependencyUnavailable("The feed store is unavailable.") from error
        cursor = ""
        if len(items) > limit:
            last = items[limit - 1]
            cursor = encode_cursor({"message_key": {"S": last.message_key}, "status": {"S": last.status},
                                    "received_at": {"S": FeedMessageModel.received_at.serialize(last.received_at)}})
            items = items[:limit]
        return [_feed_message(item) for item in items], cursor

    def get(self, key: str) -> FeedMessage | None:
        try:
            item = FeedMessageModel.get(key, consistent_read=True)
        except FeedMessageModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable("The feed store is unavailable.") from error
        return _feed_message(item)


def _feed_message(item: FeedMessageModel) -> FeedMessage:
    return FeedMessage(
        key=item.message_key, sha256=item.sha256, format=FeedFormat(item.format),
        message_type=item.message_type or "", sender=item.sender or "", control_id=item.control_id or "",
        status=FeedStatus(item.status), reason=item.reason or "", archive_key=item.archive_key,
        received_at=item.received_at,
    )
