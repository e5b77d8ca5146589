"""What the identity services need from the outside world, and small helpers they share.

The services take a ``ports`` object with these attributes (the wiring Container has them; unit
tests may pass any object that does). They never import wiring or boto3.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Protocol

from chalicelib.audit import service as audit
from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome


class IdentityPorts(Protocol):
    settings: Any  # chalicelib.settings.Settings
    directory: Any  # accounts and organizations (data.repositories.DynamoDirectory)
    patients: Any  # data.identity_repositories.DynamoPatients
    identity_records: Any  # data.identity_repositories.DynamoIdentityStore
    audit_log: Any
    notifications_queue: Any  # .send(message: dict)
    keys: Any  # KMS: .encrypt(bytes, context) / .decrypt(bytes, context)


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for audit events and per-address throttling."""

    source_ip: str = ""
    correlation_id: str = ""


ANONYMOUS = Actor(account_id="anonymous", role="anonymous")


def now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | int) -> str:
    if isinstance(moment, int):
        moment = datetime.fromtimestamp(moment, timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def actor_of(account) -> Actor:
    return Actor(account_id=account.account_id, role=account.role.value)


def caller_actor(caller) -> Actor:
    """The audit actor of a signed-in call (identity.domain.Caller)."""
    return Actor(account_id=caller.account_id, role=caller.role)


def event(origin: Origin, actor: Actor, event_type: str, outcome: Outcome = Outcome.SUCCESS, *,
          action: Action = Action.EXECUTE, patient_id: str = "", resource_type: str = "", resource_id: str = "",
          reason: str = "") -> AuditEvent:
    return audit.new_event(actor=actor, action=action, event_type=event_type, outcome=outcome, patient_id=patient_id,
                           resource_type=resource_type, resource_id=resource_id,
                           correlation_id=origin.correlation_id, source_ip=origin.source_ip, reason=reason)


def record(ports: IdentityPorts, origin: Origin, actor: Actor, event_type: str, outcome: Outcome = Outcome.SUCCESS,
           **what: Any) -> None:
    ports.audit_log.append(event(origin, actor, event_type, outcome, **what))


def notify(ports: IdentityPorts, template: str, to_address: str, notification_id: str = "", **params: str) -> None:
    """Queue one email (sent by the notifications consumer, once per notification id)."""
    if not to_address:
        return
    ports.notifications_queue.send({"notification_id": notification_id or uuid.uuid4().hex, "template": template,
                                    "to_address": to_address, **{k: v for k, v in params.items() if v}})


def only_fields(body: Any, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON object with only listed fields (GUIDE 5.3); every required one present."""
    from chalicelib.errors import ValidationFailed

    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.")
    problems = [{"field": name, "issue": "not accepted"} for name in sorted(set(body) - set(allowed))]
    problems += [{"field": name, "issue": "required"} for name in required if body.get(name) in (None, "")]
    if problems:
        raise ValidationFailed("The request has missing or unexpected fields.", problems)
    return body


def text_field(body: dict[str, Any], name: str, max_length: int = 256) -> str:
    from chalicelib.errors import ValidationFailed

    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > max_length:
        raise ValidationFailed(f"{name} must be text of at most {max_length} characters.", [{"field": name}])
    return value


def page_limit(query: dict[str, str], default: int = 20, maximum: int = 50) -> int:
    """The ``limit`` query parameter of a paged list: a whole number from 1 to ``maximum``."""
    from chalicelib.errors import ValidationFailed

    value = query.get("limit", str(default))
    if not (value.isdigit() and 1 <= int(value) <= maximum):
        raise ValidationFailed(f"limit is a number from 1 to {maximum}.", [{"field": "limit"}])
    return int(value)
