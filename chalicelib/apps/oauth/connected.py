"""Connected apps: what a patient (or proxy) sees of the apps that may read a record, and the
revoke button; and the apps a patient may recognise (those their organizations registered).

The patient sees every app connected to their record, including those a proxy authorized; a
proxy sees only the apps they authorized themselves (what a patient connected is theirs). What an
app read comes from the audit trail: the FHIR API writes one event per read or search, marked
with the app's authorization, and the list counts them by resource type.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.access.domain import Area, PatientScope, Standing
from chalicelib.access.service import grants_in_force, patient_scope
from chalicelib.apps.domain import AppAuthorization, AppClient, AppStatus
from chalicelib.apps.oauth.consent import ConsentPorts
from chalicelib.apps.oauth.registry import revoke_authorization
from chalicelib.audit.domain import Action, AuditEvent, Outcome
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin

NO_SUCH_APP = "No such connected app."


class _AppReads(Protocol):
    def app_reads(self, patient_id: str, authorization_ids: list[str], since: datetime) -> list[AuditEvent]: ...


@dataclass(frozen=True)
class ReadCount:
    resource_type: str
    count: int
    last_at: datetime


@dataclass(frozen=True)
class ConnectedApp:
    authorization: AppAuthorization
    client: AppClient | None
    by_proxy: bool
    by_name: str
    reads: tuple[ReadCount, ...]


def recognisable(ports: ConsentPorts, caller: Caller) -> list[AppClient]:
    """The active apps of the organizations of the caller's records (their own, connected ones,
    and those of patients they act for)."""
    organizations = {caller.organization_id} if caller.organization_id else set()
    account = ports.directory.account(caller.account_id)
    if account is not None:
        organizations |= {c.organization_id for c in account.connections if c.status == "active"}
    organizations |= {g.organization_id for g in grants_in_force(ports, caller.account_id)}
    apps = [a for org in sorted(organizations) for a in ports.apps.clients_of(org) if a.status is AppStatus.ACTIVE]
    return sorted(apps, key=lambda a: (a.name.lower(), a.client_id))


def _scope(ports: ConsentPorts, caller: Caller, origin: Origin, patient_id: str) -> PatientScope:
    """The caller's own standing on the record, or a proxy's under any area their grant covers
    (which area does not matter: the list is about the apps, not the record's contents)."""
    areas = [g.areas for g in grants_in_force(ports, caller.account_id) if g.patient_id == patient_id]
    area = next((a for covered in areas for a in sorted(covered, key=lambda a: a.value)), Area.ACCESS_LOG)
    return patient_scope(ports, caller, origin, patient_id, area=area)


def _visible(scope: PatientScope, caller: Caller, authorization: AppAuthorization) -> bool:
    if scope.standing is Standing.PROXY:
        return authorization.account_id == caller.account_id
    return True


def connected_apps(ports: ConsentPorts, caller: Caller, origin: Origin, patient_id: str) -> list[ConnectedApp]:
    scope = _scope(ports, caller, origin, patient_id)
    authorizations = [a for a in ports.apps.authorizations_of(patient_id) if a.active and _visible(scope, caller, a)]
    reads: dict[str, list[AuditEvent]] = {a.authorization_id: [] for a in authorizations}
    if authorizations:
        audit: _AppReads = ports.audit_log  # type: ignore[assignment]
        since = min(a.created_at for a in authorizations)
        for event in audit.app_reads(patient_id, list(reads), since):
            reads[event.actor.app_authorization_id].append(event)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "app.list",
        action=Action.READ,
        patient_id=patient_id,
        resource_type="Consent",
    )
    grants = {g.grant_id: g for g in ports.proxy_grants.of_patient(patient_id)} if authorizations else {}
    listed = []
    for authorization in authorizations:
        # What it read: its reads and searches that were let through (not its signing in)
        events = [
            e
            for e in reads[authorization.authorization_id]
            if e.resource_type and e.action is Action.READ and e.outcome is Outcome.SUCCESS
        ]
        counts = Counter(e.resource_type for e in events)
        last: dict[str, datetime] = {}
        for event in events:
            last[event.resource_type] = max(last.get(event.resource_type, event.recorded_at), event.recorded_at)
        grant = grants.get(authorization.proxy_grant_id)
        listed.append(
            ConnectedApp(
                authorization=authorization,
                client=ports.apps.client(authorization.client_id),
                by_proxy=bool(authorization.proxy_grant_id),
                by_name=str(getattr(grant, "proxy_name", "") or ""),
                reads=tuple(ReadCount(t, counts[t], last[t]) for t in sorted(counts)),
            )
        )
    return listed


def revoke(ports: ConsentPorts, caller: Caller, origin: Origin, patient_id: str, authorization_id: str) -> None:
    """The patient, or the proxy who authorized it, ends an app's access: its tokens are refused
    from the next call on."""
    scope = _scope(ports, caller, origin, patient_id)
    authorization = ports.apps.authorization(patient_id, authorization_id)
    if authorization is None or not authorization.active or not _visible(scope, caller, authorization):
        raise NotFound(NO_SUCH_APP)
    by = "proxy" if scope.standing is Standing.PROXY else "patient"
    revoke_authorization(
        ports, caller, origin, patient_id, authorization_id, ports.clock.now(), by=by, actor_grant_id=scope.grant_id
    )
