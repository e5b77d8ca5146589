"""Organizations and accounts in DynamoDB (OrganizationModel, AccountModel), with the user-name
claims that keep user names unique (UsernameClaimModel: an index cannot). ``account_item`` and
``DynamoDirectory.add_account_within`` are also how the identity store writes an account inside
its own transactions.
"""

from __future__ import annotations

import dataclasses
from functools import partial

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.accounts.domain import Account, AccountStatus, Connection, Organization, Role
from chalicelib.data.dynamo import Backfill, backfill, conditional_failure, first_item_exists, one_page
from chalicelib.data.models import AccountModel, OrganizationModel, UsernameClaimModel
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.paging import decode_cursor, invalid_cursor
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE


class DynamoDirectory:
    """Organizations and accounts (and the accounts' user-name claims). An organization without
    a time zone of its own is answered with ``default_time_zone`` (the deployment's)."""

    def __init__(self, default_time_zone: str = DEFAULT_TIME_ZONE):
        self.default_time_zone = default_time_zone

    def add_organization(self, organization: Organization) -> None:
        try:
            OrganizationModel(
                organization_id=organization.organization_id,
                name=organization.name,
                created_at=organization.created_at,
                mrn_authority=organization.mrn_authority or None,
                time_zone=organization.time_zone or None,
            ).save()
        except PutError as error:
            raise DependencyUnavailable("The directory is unavailable.") from error

    def organization(self, organization_id: str) -> Organization | None:
        try:
            item = OrganizationModel.get(organization_id)
        except OrganizationModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        return Organization(
            item.organization_id,
            item.name,
            item.created_at,
            item.mrn_authority or "",
            dict(item.release_policy) if item.release_policy else None,
            item.time_zone or self.default_time_zone,
            dict(item.appointment_policy) if item.appointment_policy else None,
            dict(item.sensitive_codes) if item.sensitive_codes else None,
        )

    def set_release_policy(self, organization_id: str, policy: dict) -> None:
        try:
            item = OrganizationModel.get(organization_id, consistent_read=True)
            item.update(actions=[OrganizationModel.release_policy.set(policy)])
        except OrganizationModel.DoesNotExist:
            raise NotFound("No such organization.") from None
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("The organization changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    def set_sensitive_codes(self, organization_id: str, lists: dict) -> None:
        try:
            item = OrganizationModel.get(organization_id, consistent_read=True)
            item.update(actions=[OrganizationModel.sensitive_codes.set(lists)])
        except OrganizationModel.DoesNotExist:
            raise NotFound("No such organization.") from None
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("The organization changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    def set_appointment_policy(self, organization_id: str, policy: dict) -> None:
        try:
            item = OrganizationModel.get(organization_id, consistent_read=True)
            item.update(actions=[OrganizationModel.appointment_policy.set(policy)])
        except OrganizationModel.DoesNotExist:
            raise NotFound("No such organization.") from None
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("The organization changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    def set_time_zone(self, organization_id: str, time_zone: str) -> None:
        try:
            item = OrganizationModel.get(organization_id, consistent_read=True)
            item.update(actions=[OrganizationModel.time_zone.set(time_zone)])
        except OrganizationModel.DoesNotExist:
            raise NotFound("No such organization.") from None
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("The organization changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    def add_account(self, account: Account) -> None:
        """Create an account and claim its user name in one transaction; Conflict if taken. An
        account without a user name (a staff account until its owner chooses one) claims none."""
        try:
            with TransactWrite(connection=AccountModel._get_connection().connection) as transaction:
                self.add_account_within(transaction, account)
        except TransactWriteError as error:
            if account.username and first_item_exists(error):  # the user name's claim
                raise Conflict("That user name is taken.", [{"field": "username"}]) from error
            raise DependencyUnavailable("The directory is unavailable.") from error

    @staticmethod
    def add_account_within(transaction: TransactWrite, account: Account) -> None:
        """The writes of a new account, as the first items of a caller's transaction (so a taken
        user name shows as the first item's condition failing)."""
        if account.username:
            claim_username_within(transaction, account)
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
        if not username:  # (an account without a user name is found by no name)
            return None
        try:
            for item in AccountModel.by_username.query(username, limit=1):
                account = self.account(item.account_id)
                return account if account is not None and account.username == username else None
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        return None

    def username_taken(self, username: str) -> bool:
        try:
            UsernameClaimModel.get(f"username#{username}", consistent_read=True)
        except UsernameClaimModel.DoesNotExist:
            return False
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        return True

    def accounts_by_verified_email(self, email: str) -> list[Account]:
        try:
            ids = [item.account_id for item in AccountModel.by_verified_email.query(email.lower(), limit=10)]
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        accounts = [self.account(account_id) for account_id in ids]
        return [a for a in accounts if a is not None and a.email_verified and a.email.lower() == email.lower()]

    def staff_page(self, organization_id: str, limit: int, after: str = "") -> tuple[list[Account], str]:
        """The organization's staff and admin accounts, newest first: one Query of the sparse
        by-organization index (one item more than asked tells whether a cursor leads anywhere),
        then one consistent BatchGetItem of the page's accounts. The index holds keys only (no
        copy of the accounts' secrets), and the read shows each account as it is now, a
        suspension of a moment ago included. The cursor holds a position only; the organization
        always comes from the caller, so a cursor cannot lead into another organization's
        accounts."""
        start = decode_cursor(after)  # (a cursor that is not one is a 400)
        if start is not None:
            if set(start) != {"staff_listed_at", "account_id"}:
                raise invalid_cursor("cursor")
            start = {"staff_of": {"S": organization_id}, **start}
        try:
            keys = list(
                AccountModel.by_organization.query(
                    organization_id,
                    scan_index_forward=False,
                    limit=limit + 1,
                    page_size=limit + 1,
                    last_evaluated_key=start,
                )
            )
            shown, cursor = one_page(
                keys, limit, lambda last: {"staff_listed_at": last.staff_listed_at or "", "account_id": last.account_id}
            )
            found = {
                item.account_id: item
                for item in AccountModel.batch_get([key.account_id for key in shown], consistent_read=True)
            }
        except PynamoDBException as error:
            raise DependencyUnavailable("The directory is unavailable.") from error
        # In the index's order; each account checked as read, not as the index listed it.
        accounts = [found[key.account_id] for key in shown if key.account_id in found]
        return [_account(item) for item in accounts if item.staff_of == organization_id], cursor

    def backfill_staff_list(self, *, write: bool = True) -> Backfill:
        """Put every staff and admin account written before the by-organization index existed into
        it, by setting the index's keys as ``account_item`` writes them. A Scan (an operator's step
        after an upgrade, never the API's) that reads no secrets; each write is conditional on the
        keys still being absent and the account still being staff of that organization, so it never
        overwrites what a newer save wrote, and a second run finds nothing to do.

        The keys derive from what never changes (the organization, the creation time, the id), so
        the write leaves the account's version alone: a save of the account read before it writes the
        same keys, and a colleague signing in meanwhile gets no conflict from it."""
        workforce = [role.value for role in Role if role.is_workforce]
        connection = AccountModel._get_connection()
        found = AccountModel.scan(
            AccountModel.role.is_in(*workforce)
            & (AccountModel.staff_of.does_not_exist() | AccountModel.staff_listed_at.does_not_exist()),
            attributes_to_get=["account_id", "organization_id", "role", "created_at"],
        )
        writes = (
            partial(
                connection.update_item,
                item.account_id,
                actions=[
                    AccountModel.staff_of.set(item.organization_id),
                    AccountModel.staff_listed_at.set(timed_key(item.created_at, item.account_id)),
                ],
                condition=AccountModel.staff_of.does_not_exist()
                & AccountModel.staff_listed_at.does_not_exist()
                & (AccountModel.organization_id == item.organization_id)
                & AccountModel.role.is_in(*workforce),
            )
            for item in found
        )
        return backfill(writes, write=write, unavailable="The directory is unavailable.")

    def save_account(self, account: Account) -> Account:
        """Write an account read earlier; Conflict if it changed since (optimistic locking on
        its version), so two requests cannot silently undo each other's changes."""
        item = account_item(account)
        try:
            item.save()
        except PutError as error:
            if conditional_failure(error):
                raise Conflict("The account changed at the same time; try again.") from error
            raise DependencyUnavailable("The directory is unavailable.") from error
        return _account(item)


def claim_username_within(transaction: TransactWrite, account: Account) -> None:
    """The claim of an account's user name, on condition nobody holds it."""
    claim = UsernameClaimModel(account_id=f"username#{account.username}", claimed_by=account.account_id)
    transaction.save(claim, condition=UsernameClaimModel.account_id.does_not_exist())


def account_item(account: Account) -> AccountModel:
    item = AccountModel(
        account_id=account.account_id,
        username=account.username or None,
        organization_id=account.organization_id,
        role=account.role.value,
        password_hash=account.password_hash,
        status=account.status.value,
        email=account.email or None,
        verified_email=account.email.lower() if account.email and account.email_verified else None,
        pending_email=account.pending_email or None,
        created_at=account.created_at,
        patient_id=account.patient_id or None,
        terms_version=account.terms_version or None,
        terms_accepted_at=account.terms_accepted_at,
        failed_sign_ins=account.failed_sign_ins or None,
        failures_since=account.failures_since,
        locked_until=account.locked_until,
        totp_secret=account.totp_secret or None,
        totp_pending_secret=account.totp_pending_secret or None,
        totp_last_step=account.totp_last_step or None,
        email_code_enabled=account.email_code_enabled or None,
        recovery_code_hashes=set(account.recovery_code_hashes) or None,
        notification_preferences=account.notification_preferences or None,
        connections=[dataclasses.asdict(c) for c in account.connections] or None,
        sessions=set(account.sessions) or None,
        staff_of=account.organization_id if account.role.is_workforce else None,
        staff_listed_at=timed_key(account.created_at, account.account_id) if account.role.is_workforce else None,
    )
    if account.version is not None:
        item.version = account.version
    return item


def _account(item: AccountModel) -> Account:
    return Account(
        account_id=item.account_id,
        username=item.username or "",
        organization_id=item.organization_id,
        role=Role(item.role),
        password_hash=item.password_hash,
        status=AccountStatus(item.status),
        email=item.email or "",
        created_at=item.created_at,
        email_verified=bool(item.verified_email),
        pending_email=item.pending_email or "",
        patient_id=item.patient_id or "",
        terms_version=item.terms_version or "",
        terms_accepted_at=item.terms_accepted_at,
        failed_sign_ins=int(item.failed_sign_ins or 0),
        failures_since=item.failures_since,
        locked_until=item.locked_until,
        totp_secret=item.totp_secret or b"",
        totp_pending_secret=item.totp_pending_secret or b"",
        totp_last_step=int(item.totp_last_step or 0),
        email_code_enabled=bool(item.email_code_enabled),
        recovery_code_hashes=frozenset(item.recovery_code_hashes or ()),
        notification_preferences=dict(item.notification_preferences or {}),
        connections=tuple(Connection(**c) for c in (item.connections or ())),
        sessions=frozenset(item.sessions or ()),
        version=item.version,
    )
