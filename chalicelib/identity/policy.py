"""The identity rules a deployment tunes, as identity's services read them from the settings
(chalicelib.settings.Settings has them)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.settings import IdentityPolicy


class IdentitySettings(Protocol):
    @property
    def identity(self) -> IdentityPolicy: ...

    def second_factor_exempt(self, username: str) -> bool:
        """Whether this account may go without the second factor its role requires (local stack only)."""
        ...
