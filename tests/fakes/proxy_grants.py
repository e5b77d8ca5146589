"""FakeProxyGrants: DynamoProxyGrants in memory. A grant is added once (a second add of its id is a
Conflict), changed on condition of the version read (Conflict otherwise, version + 1 returned),
listed newest first, found by its proxy once an account holds it, and moved whole by a merge. The
audit events and ``also`` items each write carries are kept, to assert on."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from chalicelib.audit.domain import AuditEvent
from chalicelib.data.proxy_grants import CHANGED_MEANWHILE
from chalicelib.errors import Conflict
from chalicelib.proxies.domain import ProxyGrant


class FakeProxyGrants:
    def __init__(self) -> None:
        self.grants: dict[tuple[str, str], ProxyGrant] = {}  # (patient, grant id)
        self.audits: list[AuditEvent] = []
        self.also: list[Any] = []

    def of_proxy(self, account_id: str) -> list[ProxyGrant]:
        found = [g for g in self.grants.values() if account_id and g.proxy_account_id == account_id]
        return sorted(found, key=lambda g: (g.created_at, g.grant_id), reverse=True)

    def of_patient(self, patient_id: str) -> list[ProxyGrant]:
        found = [g for (patient, _), g in self.grants.items() if patient == patient_id]
        return sorted(found, key=lambda g: (g.created_at, g.grant_id), reverse=True)

    def get(self, patient_id: str, grant_id: str) -> ProxyGrant | None:
        return self.grants.get((patient_id, grant_id))

    def add(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> None:
        if (grant.patient_id, grant.grant_id) in self.grants:
            raise Conflict(CHANGED_MEANWHILE)
        self.grants[(grant.patient_id, grant.grant_id)] = dataclasses.replace(grant, version=grant.version or 1)
        self.audits.append(audit)
        self.also.extend(also)

    def change(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> ProxyGrant:
        kept = self.grants.get((grant.patient_id, grant.grant_id))
        if kept is None or grant.version is None or kept.version != grant.version:
            raise Conflict(CHANGED_MEANWHILE)
        changed = dataclasses.replace(grant, version=grant.version + 1)
        self.grants[(grant.patient_id, grant.grant_id)] = changed
        self.audits.append(audit)
        self.also.extend(also)
        return changed

    def move(self, from_patient: str, to_patient: str) -> int:
        if not from_patient or not to_patient or from_patient == to_patient:
            return 0
        moving = [key for key in self.grants if key[0] == from_patient]
        for key in moving:
            grant = self.grants.pop(key)
            self.grants[(to_patient, grant.grant_id)] = dataclasses.replace(grant, patient_id=to_patient)
        return len(moving)
