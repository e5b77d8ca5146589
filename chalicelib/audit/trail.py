"""Writing the audit trail from a service: one call per read or write of PHI, per sign-in success
or failure, and per denial. Events carry ids and codes only, never names, values or free text.

``write_audit`` appends an event now. A write that must not happen without its event (or the
reverse) builds the event with ``audit_event`` and stores both in one transaction.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.audit.service import AuditLog, new_event
from chalicelib.kernel.clock import Clock
from chalicelib.kernel.origin import Origin

ANONYMOUS = Actor(account_id="anonymous", role="anonymous")


class AuditPorts(Protocol):
    @property
    def audit_log(self) -> AuditLog: ...

    @property
    def clock(self) -> Clock: ...


def actor_of(account: Any) -> Actor:
    """The audit actor of an account (accounts.domain.Account)."""
    return Actor(account_id=account.account_id, role=account.role.value)


def caller_actor(caller: Any) -> Actor:
    """The audit actor of a signed-in call (kernel.caller.Caller)."""
    return Actor(
        account_id=caller.account_id,
        role=caller.role,
        app_authorization_id=getattr(caller, "app_authorization_id", "") or "",
    )


def scope_actor(caller: Any, scope: Any) -> Actor:
    """The audit actor of a call made within a patient scope (access.domain.PatientScope): the
    caller, and when they act as a proxy the grant they act under, so the patient's access log
    says a proxy saw or did it; and when a health app called, the app's authorization."""
    return Actor(
        account_id=caller.account_id,
        role=caller.role,
        proxy_grant_id=getattr(scope, "grant_id", "") or "",
        app_authorization_id=getattr(caller, "app_authorization_id", "") or "",
    )


def audit_event(
    ports: AuditPorts,
    origin: Origin,
    actor: Actor,
    event_type: str,
    outcome: Outcome = Outcome.SUCCESS,
    *,
    action: Action = Action.EXECUTE,
    patient_id: str = "",
    resource_type: str = "",
    resource_id: str = "",
    reason: str = "",
) -> AuditEvent:
    """An event of this request, stamped by the ports' clock, not yet stored."""
    return new_event(
        actor=actor,
        action=action,
        event_type=event_type,
        outcome=outcome,
        patient_id=patient_id,
        resource_type=resource_type,
        resource_id=resource_id,
        correlation_id=origin.correlation_id,
        source_ip=origin.source_ip,
        reason=reason,
        recorded_at=ports.clock.now(),
    )


def write_audit(
    ports: AuditPorts, origin: Origin, actor: Actor, event_type: str, outcome: Outcome = Outcome.SUCCESS, **what: Any
) -> None:
    ports.audit_log.append(audit_event(ports, origin, actor, event_type, outcome, **what))
