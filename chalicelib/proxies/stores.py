"""Where proxy grants are kept, as the services need them (data/proxy_grants.py is the DynamoDB
one)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.proxies.domain import ProxyGrant


class ProxyGrants(Protocol):
    def of_proxy(self, account_id: str) -> list[ProxyGrant]:
        """Every grant naming this account as the proxy, any status, read strongly (the one check
        reads it on every call: a revocation must hold on the very next request)."""
        ...

    def of_patient(self, patient_id: str) -> list[ProxyGrant]:
        """Every grant for this patient, any status, newest first."""
        ...

    def get(self, patient_id: str, grant_id: str) -> ProxyGrant | None: ...

    def add(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> None:
        """Keep a new grant with its audit event and ``also`` (further items to put, e.g. a
        notice in the outbox) in one transaction."""
        ...

    def change(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> ProxyGrant:
        """Write ``grant`` over the one kept, on condition it is still at ``grant.version`` (else
        Conflict); returns it with its new version."""
        ...

    def move(self, from_patient: str, to_patient: str, now: datetime) -> int:
        """A merge: every grant of the merged patient comes to name the survivor, and the copy left
        behind is marked over (ended, end reason merged) in the same write. Returns how many
        moved."""
        ...
