"""Organizations' names as the portal shows them beside a connection, kept a minute per container.

GET /v1/me is read on every page and by "stay signed in", and lists every connection of the
account with its organization's name. Reading each organization for it would cost one directory
read per connection per call; names change rarely (an admin's rename, a data fix), so a minute's
delay before a new name shows is acceptable, and copying the name onto each connection instead
would keep an old name for good after a rename (and leave the connections stored before without
one). A missing organization is remembered too (None), so an unknown id is not read again and
again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

from chalicelib.accounts.domain import Organization

CACHE_SECONDS = 60


class OrganizationReader(Protocol):
    def organization(self, organization_id: str) -> Organization | None: ...


class OrganizationNames(Protocol):
    def name(self, organization_id: str) -> str | None:
        """The organization's name; None if it has none or does not exist."""
        ...


class CachedOrganizationNames:
    """Thread-safe (the local server is threaded); the number of organizations of a deployment is
    small, so every name read stays held."""

    def __init__(
        self,
        directory: OrganizationReader,
        seconds: float = CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self._directory = directory
        self._seconds = seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._held: dict[str, tuple[float, str | None]] = {}

    def name(self, organization_id: str) -> str | None:
        with self._lock:
            held = self._held.get(organization_id)
            if held is not None and self._monotonic() - held[0] < self._seconds:
                return held[1]
            started = self._monotonic()
        organization = self._directory.organization(organization_id)
        name = organization.name if organization is not None and organization.name else None
        with self._lock:
            self._held[organization_id] = (started, name)
        return name
