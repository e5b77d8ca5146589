"""The directory of organizations and accounts, as services use it (chalicelib.data.directory
implements it over DynamoDB)."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.accounts.domain import Account, Organization


class Directory(Protocol):
    def add_organization(self, organization: Organization) -> None: ...

    def organization(self, organization_id: str) -> Organization | None: ...

    def set_release_policy(self, organization_id: str, policy: dict[str, Any]) -> None: ...

    def set_appointment_policy(self, organization_id: str, policy: dict[str, Any]) -> None:
        """NotFound for no such organization; Conflict when it changed meanwhile."""
        ...

    def set_sensitive_codes(self, organization_id: str, lists: dict[str, Any]) -> None:
        """NotFound for no such organization; Conflict when it changed meanwhile."""
        ...

    def set_time_zone(self, organization_id: str, time_zone: str) -> None:
        """NotFound for no such organization; Conflict when it changed meanwhile."""
        ...

    def add_account(self, account: Account) -> None: ...

    def account(self, account_id: str) -> Account | None: ...

    def account_by_username(self, username: str) -> Account | None: ...

    def username_taken(self, username: str) -> bool:
        """Whether an account holds the name (its claim, read consistently: no index lag)."""
        ...

    def accounts_by_verified_email(self, email: str) -> list[Account]: ...

    def staff_page(self, organization_id: str, limit: int, after: str = "") -> tuple[list[Account], str]:
        """The organization's staff and admin accounts, newest first, and the next page's cursor
        ("" on the last page); never a patient's account, never another organization's."""
        ...

    def save_account(self, account: Account) -> Account:
        """Save on the account's version; Conflict if it changed meanwhile."""
        ...
