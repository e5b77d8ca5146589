"""The audit store's port, the one function that appends to it, and the reads of it.
Services write through ``audit.trail.write_audit``, which stamps the event with the request's
clock and origin."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.errors import ValidationFailed


class AuditLog(Protocol):
    def append(self, event: AuditEvent) -> None: ...

    def for_patient(self, patient_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]: ...

    def by_actor(self, account_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]: ...


def append_event(audit_log: AuditLog, **what: Any) -> AuditEvent:
    """Append one audit event (``new_event``'s arguments). Pass ids and codes only: no names,
    values or free text. (A write that must not happen without its event, or the reverse, builds
    the event with ``new_event`` and stores both in one transaction: see feeds/service.py.)"""
    event = new_event(**what)
    audit_log.append(event)
    return event


def new_event(
    *,
    actor: Actor,
    action: Action,
    event_type: str,
    outcome: Outcome,
    patient_id: str = "",
    resource_type: str = "",
    resource_id: str = "",
    correlation_id: str = "",
    source_ip: str = "",
    reason: str = "",
    recorded_at: datetime,
) -> AuditEvent:
    """An audit event, not yet stored (``append_event`` stores it)."""
    if not event_type or not actor.account_id:
        raise ValueError("an audit event needs an actor and an event type")
    return AuditEvent(
        event_id=uuid.uuid4().hex,
        recorded_at=recorded_at,
        actor=actor,
        action=action,
        event_type=event_type,
        outcome=outcome,
        patient_id=patient_id,
        resource_type=resource_type,
        resource_id=resource_id,
        correlation_id=correlation_id,
        source_ip=source_ip,
        reason=reason,
    )


MAX_PAGE = 100


def access_history(
    audit_log: AuditLog, patient_id: str, limit: int = 50, after: str = ""
) -> tuple[list[AuditEvent], str]:
    """Who touched this patient's record, newest first, one page at a time."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed(f"limit must be between 1 and {MAX_PAGE}.", [{"field": "limit"}])
    return audit_log.for_patient(patient_id, limit, after)


def record_access_denied(audit_log: AuditLog, caller: Any, route: str, reason: str, at: datetime) -> AuditEvent:
    """A signed-in caller refused by a route's access rule (a patient calling a staff route ...)."""
    return append_event(
        audit_log,
        recorded_at=at,
        actor=Actor(account_id=caller.account_id, role=caller.role),
        action=Action.EXECUTE,
        event_type="access.denied",
        outcome=Outcome.DENIED,
        resource_type="Route",
        resource_id=route,
        correlation_id=caller.correlation_id,
        source_ip=caller.source_ip,
        reason=reason,
    )
