"""Creating organizations and staff accounts."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Protocol

from chalicelib.accounts.domain import Account, AccountStatus, Organization, Role
from chalicelib.accounts.passwords import check_policy, hash_password
from chalicelib.errors import Problems, ValidationFailed

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,63}$")


class Directory(Protocol):
    def add_organization(self, organization: Organization) -> None: ...

    def organization(self, organization_id: str) -> Organization | None: ...

    def add_account(self, account: Account) -> None: ...

    def account_by_username(self, username: str) -> Account | None: ...


def ensure_organization(
    directory: Directory,
    organization_id: str,
    name: str,
    mrn_authority: str = "",
    *,
    now: datetime,
    time_zone: str = "",
) -> Organization:
    """The organization, created if it is new. ``time_zone``: an IANA name checked by the caller;
    "" leaves it to the deployment's default."""
    existing = directory.organization(organization_id)
    if existing is not None:
        return existing
    organization = Organization(
        organization_id=organization_id, name=name, created_at=now, mrn_authority=mrn_authority, time_zone=time_zone
    )
    directory.add_organization(organization)
    return organization


def normalize_username(username: str) -> str:
    folded = username.strip().lower()
    if not _USERNAME.match(folded):
        raise ValidationFailed(
            "A user name has 3 to 64 characters: letters, digits, '.', '_', '@' or '-'.",
            [{"field": "username", "issue": "3 to 64 characters: letters, digits, '.', '_', '@' or '-'"}],
        )
    return folded


def create_staff_account(
    directory: Directory,
    *,
    organization_id: str,
    username: str,
    password: str,
    role: Role,
    email: str = "",
    now: datetime,
) -> Account:
    # Each field checked before refusing, so the operator fixes every problem in one go.
    problems = Problems()
    if role not in (Role.ADMIN, Role.STAFF):
        problems.add("role", "admin or staff", "Staff accounts are for admins and staff.")
    folded = problems.gather(normalize_username, username)
    problems.gather(check_policy, password, username=folded or username, email=email)
    problems.raise_if_any()
    assert folded is not None  # or a problem was raised
    username = folded
    account = Account(
        account_id=uuid.uuid4().hex,
        username=username,
        organization_id=organization_id,
        role=role,
        password_hash=hash_password(password),
        status=AccountStatus.ACTIVE,
        email=email,
        email_verified=bool(email),  # given by the operator who creates the account
        created_at=now,
    )
    directory.add_account(account)
    return account
