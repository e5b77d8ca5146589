"""FakeProxyGrants: DynamoProxyGrants in memory. A grant is kept under its patient and, once an
account holds it, under that account (the proxy's pointer); it is added once (a second add of its
id is a Conflict), changed on condition of the version read (Conflict otherwise, version + 1
returned), listed newest first, and copied to the survivor by a merge (the pointer then names the
survivor's copy; the merged patient's copy stays, marked ended "merged"). The audit events and ``also`` items each write
carries are kept, to assert on."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.audit.domain import AuditEvent
from chalicelib.data.proxy_grants import CHANGED_MEANWHILE
from chalicelib.errors import Conflict
from chalicelib.proxies.domain import MERGED, GrantStatus, ProxyGrant


def _newest_first(grants: list[ProxyGrant]) -> list[ProxyGrant]:
    return sorted(grants, key=lambda g: (g.created_at, g.grant_id), reverse=True)


class FakeProxyGrants:
    def __init__(self) -> None:
        self.grants: dict[tuple[str, str], ProxyGrant] = {}  # (patient, grant id)
        self.pointers: dict[tuple[str, str], ProxyGrant] = {}  # (proxy account, grant id)
        self.audits: list[AuditEvent] = []
        self.also: list[Any] = []

    def _keep(self, grant: ProxyGrant) -> None:
        self.grants[(grant.patient_id, grant.grant_id)] = grant
        if grant.proxy_account_id:
            self.pointers[(grant.proxy_account_id, grant.grant_id)] = grant

    def of_proxy(self, account_id: str) -> list[ProxyGrant]:
        return _newest_first([g for (account, _), g in self.pointers.items() if account_id and account == account_id])

    def of_patient(self, patient_id: str) -> list[ProxyGrant]:
        return _newest_first([g for (patient, _), g in self.grants.items() if patient == patient_id])

    def get(self, patient_id: str, grant_id: str) -> ProxyGrant | None:
        return self.grants.get((patient_id, grant_id))

    def add(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> None:
        if (grant.patient_id, grant.grant_id) in self.grants:
            raise Conflict(CHANGED_MEANWHILE)
        self._keep(dataclasses.replace(grant, version=grant.version or 1))
        self.audits.append(audit)
        self.also.extend(also)

    def change(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> ProxyGrant:
        kept = self.grants.get((grant.patient_id, grant.grant_id))
        if kept is None or grant.version is None or kept.version != grant.version:
            raise Conflict(CHANGED_MEANWHILE)
        changed = dataclasses.replace(grant, version=grant.version + 1)
        self._keep(changed)
        self.audits.append(audit)
        self.also.extend(also)
        return changed

    def move(self, from_patient: str, to_patient: str, now: datetime) -> int:
        if not from_patient or not to_patient or from_patient == to_patient:
            return 0
        moved = 0
        for (patient, grant_id), grant in list(self.grants.items()):
            if patient == from_patient and (to_patient, grant_id) not in self.grants:
                self._keep(dataclasses.replace(grant, patient_id=to_patient))
                self.grants[(patient, grant_id)] = dataclasses.replace(
                    grant,
                    status=GrantStatus.ENDED,
                    ended_at=now,
                    ended_by="system",
                    end_reason=MERGED,
                    version=(grant.version or 1) + 1,
                )
                moved += 1
        return moved
