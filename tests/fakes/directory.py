"""FakeDirectory: DynamoDirectory in memory (organizations, accounts and the accounts' user-name
claims).

Faithful where services rely on it: an account is stored with a version (1 when added, one more
on each save) and ``save_account`` names the version it read (Conflict on a clash) and returns the
account as stored; a user name is claimed once, for good (Conflict when taken), and an account
added without one claims none and is found by no name; only verified addresses find accounts,
whatever their case. Adding an organization that exists is refused as
the DynamoDB store refuses it: its versioned put fails, which it reports as DependencyUnavailable.
A staff page lists every staff and admin account as stored now, as the DynamoDB store does once
the accounts written before its index are backfilled (the backfill itself is DynamoDB's alone:
tests/integration/test_admin_cli.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chalicelib.accounts.domain import Account, Organization
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from tests.fakes.cursors import cursor, position


class FakeDirectory:
    def __init__(self, default_time_zone: str = DEFAULT_TIME_ZONE) -> None:
        self.default_time_zone = default_time_zone  # answered for an organization without one
        self.organizations: dict[str, Organization] = {}
        self.accounts: dict[str, Account] = {}  # by account id, as stored (with their version)
        self.usernames: dict[str, str] = {}  # claimed user name -> account id
        self.organization_writes = 0

    def add_organization(self, organization: Organization) -> None:
        if organization.organization_id in self.organizations:
            raise DependencyUnavailable("The directory is unavailable.")
        self.organization_writes += 1
        self.organizations[organization.organization_id] = organization

    def organization(self, organization_id: str) -> Organization | None:
        organization = self.organizations.get(organization_id)
        if organization is not None and not organization.time_zone:
            return dataclasses.replace(organization, time_zone=self.default_time_zone)
        return organization

    def set_release_policy(self, organization_id: str, policy: dict[str, Any]) -> None:
        organization = self.organizations.get(organization_id)
        if organization is None:
            raise NotFound("No such organization.")
        self.organizations[organization_id] = dataclasses.replace(organization, release_policy=dict(policy))

    def set_appointment_policy(self, organization_id: str, policy: dict[str, Any]) -> None:
        organization = self.organizations.get(organization_id)
        if organization is None:
            raise NotFound("No such organization.")
        self.organizations[organization_id] = dataclasses.replace(organization, appointment_policy=dict(policy))

    def set_sensitive_codes(self, organization_id: str, lists: dict[str, Any]) -> None:
        organization = self.organizations.get(organization_id)
        if organization is None:
            raise NotFound("No such organization.")
        self.organizations[organization_id] = dataclasses.replace(organization, sensitive_codes=dict(lists))

    def set_time_zone(self, organization_id: str, time_zone: str) -> None:
        organization = self.organizations.get(organization_id)
        if organization is None:
            raise NotFound("No such organization.")
        self.organizations[organization_id] = dataclasses.replace(organization, time_zone=time_zone)

    def add_account(self, account: Account) -> None:
        if account.username and account.username in self.usernames:
            raise Conflict("That user name is taken.", [{"field": "username"}])
        if account.account_id in self.accounts or account.version is not None:
            raise DependencyUnavailable("The directory is unavailable.")  # (a failed condition past the claim)
        if account.username:  # an account without a user name claims none
            self.usernames[account.username] = account.account_id
        self.accounts[account.account_id] = dataclasses.replace(account, version=1)

    def account(self, account_id: str) -> Account | None:
        return self.accounts.get(account_id)

    def account_by_username(self, username: str) -> Account | None:
        if not username:
            return None
        return next((a for _, a in sorted(self.accounts.items()) if a.username == username), None)

    def username_taken(self, username: str) -> bool:
        return username in self.usernames

    def accounts_by_verified_email(self, email: str) -> list[Account]:
        return [
            a
            for _, a in sorted(self.accounts.items())
            if a.email_verified and a.email and a.email.lower() == email.lower()
        ][:10]

    def staff_page(self, organization_id: str, limit: int, after: str = "") -> tuple[list[Account], str]:
        start = position(after, {"staff_listed_at", "account_id"})
        listed = sorted(
            (
                (timed_key(a.created_at, a.account_id), a)
                for a in self.accounts.values()
                if a.role.is_workforce and a.organization_id == organization_id
            ),
            key=lambda pair: pair[0],
            reverse=True,
        )
        if start is not None:
            listed = [pair for pair in listed if pair[0] < start["staff_listed_at"]]
        shown = listed[:limit]
        more = len(listed) > limit
        next_cursor = cursor(staff_listed_at=shown[-1][0], account_id=shown[-1][1].account_id) if more else ""
        return [a for _, a in shown], next_cursor

    def save_account(self, account: Account) -> Account:
        stored = self.accounts.get(account.account_id)
        on_version = (
            stored is None if account.version is None else (stored is not None and stored.version == account.version)
        )
        if not on_version:
            raise Conflict("The account changed at the same time; try again.")
        saved = self.accounts[account.account_id] = dataclasses.replace(account, version=(account.version or 0) + 1)
        return saved
