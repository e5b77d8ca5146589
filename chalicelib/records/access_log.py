"""The patient's view of the audit trail: who looked at or changed their record, newest first:
the patient, a proxy, staff, the feeds. Staff are named by role, not by name (their accounts are
the organization's business); the patient sees their own reads as "you", and a proxy's by the
name the patient's list of proxies gives them (the grant's ``proxy_name``). A health app's reads
(events whose actor carries an app's authorization) show as "app", named as the app was when the
patient connected it, whoever authorized it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit import service as audit
from chalicelib.audit.domain import Action, AuditEvent
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.records.contract import AccessLogQuery


class _AppAuthorizations(Protocol):
    def authorizations_of(self, patient_id: str) -> Sequence[Any]: ...


class AccessLogPorts(AccessPorts, Protocol):
    """The patient's audit trail (``audit_log``), read through the caller's scope and audited."""

    @property
    def apps(self) -> _AppAuthorizations: ...


def access_log(
    ports: AccessLogPorts, caller: Caller, origin: Origin, patient_id: str, query: AccessLogQuery
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.ACCESS_LOG)
    events, cursor = audit.access_history(ports.audit_log, scope.patient_id, query.limit, query.cursor)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "access_log.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="AuditEvent",
    )

    names = _proxy_names(ports, scope.patient_id, events)

    apps = _app_names(ports, scope.patient_id, events)

    def who(event: AuditEvent) -> str:
        if event.actor.app_authorization_id:
            return "app"
        if event.actor.account_id == caller.account_id:
            return "you"
        if event.actor.proxy_grant_id:
            return "proxy"
        return event.actor.role  # staff, admin, system, anonymous

    return {
        "events": [
            {
                "at": iso(e.recorded_at),
                "who": who(e),
                "what": e.event_type,
                "outcome": e.outcome.value,
                "resource_type": e.resource_type or None,
                "proxy_name": names.get(e.actor.proxy_grant_id) if who(e) == "proxy" else None,
                "app_name": apps.get(e.actor.app_authorization_id) if e.actor.app_authorization_id else None,
            }
            for e in events
        ],
        "next_cursor": cursor or None,
    }


def _proxy_names(ports: AccessLogPorts, patient_id: str, events: list[AuditEvent]) -> dict[str, str]:
    """The name of each proxy acting on this page, by grant id: the patient's grants read once
    (and not at all when no proxy acted), whatever their status now (a revoked grant's reads
    still happened). A grant not found (another record's, before a merge) names nobody."""
    wanted = {e.actor.proxy_grant_id for e in events if e.actor.proxy_grant_id}
    if not wanted:
        return {}
    return {
        g.grant_id: g.proxy_name
        for g in ports.proxy_grants.of_patient(patient_id)
        if g.grant_id in wanted and g.proxy_name
    }


def _app_names(ports: AccessLogPorts, patient_id: str, events: list[AuditEvent]) -> dict[str, str]:
    """The name of each app reading on this page, by authorization id: the patient's
    authorizations read once (not at all when no app read), revoked ones too."""
    wanted = {e.actor.app_authorization_id for e in events if e.actor.app_authorization_id}
    if not wanted:
        return {}
    return {
        a.authorization_id: a.app_name
        for a in ports.apps.authorizations_of(patient_id)
        if a.authorization_id in wanted and a.app_name
    }
