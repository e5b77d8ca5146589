"""Receiving support requests, and staff working through their organization's queue.

Emails (notification templates support_request_waiting and support_request_received) say only
that a request is waiting and its reference number: never the description, the name or how to
reach the person (what people write to support is often about their health).
Answers are given by staff with their own tools (a call, their own email) and recorded here: the
portal does not send the answer's text, because email may not carry it and a requester signed
out has no portal inbox to read it in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action
from chalicelib.audit.trail import ANONYMOUS, AuditPorts, audit_event, caller_actor, write_audit
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.identity import throttle
from chalicelib.identity.policy import IdentitySettings
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.sealing import seal
from chalicelib.records.outbox import NOTICE, OutboxEntry
from chalicelib.release import outbox
from chalicelib.release.notices import NoticeSettings
from chalicelib.support.contract import ChangeStatus, NewSupportRequest, RecordAnswer
from chalicelib.support.domain import Answer, Status, SupportRequest, Topic
from chalicelib.support.stores import SupportDesks, SupportRequests


class SupportSettings(IdentitySettings, NoticeSettings, Protocol):
    """The throttle's policy and the notices' queue."""


class SupportPorts(throttle.ThrottlePorts, AuditPorts, outbox.OutboxPorts, Protocol):
    @property
    def settings(self) -> SupportSettings: ...

    @property
    def support(self) -> SupportRequests: ...

    @property
    def support_desks(self) -> SupportDesks: ...


def organizations(ports: SupportPorts) -> dict[str, Any]:
    """The organizations that take support requests, by name."""
    desks = ports.support_desks.desks()
    listed = sorted(desks.items(), key=lambda pair: (pair[1].casefold(), pair[0]))
    return {"organizations": [{"organization_id": oid, "name": name} for oid, name in listed]}


def receive(
    ports: SupportPorts,
    caller: Caller | None,
    origin: Origin,
    request: NewSupportRequest,
    now: datetime,
) -> dict[str, Any]:
    """Keep a request in its organization's queue, tell the organization's support mailbox, and
    acknowledge it to the address given."""
    if not request.email and not request.phone:
        raise ValidationFailed(
            "Give an email address or a phone number, so that support can reach you.",
            [{"field": "email", "issue": "give an email address or a phone number"}],
        )
    organization_id = request.organization_id or (caller.organization_id if caller else "")
    desk = ports.support_desks.desk_email(organization_id) if organization_id else ""
    if not desk:
        raise ValidationFailed(
            "Choose one of the organizations listed.", [{"field": "organization_id", "issue": "choose one listed"}]
        )
    # Per source address (every form sent from it) and per contact (a flood at one mailbox or
    # phone from many addresses): the throttles sign-in and recovery use.
    throttle.check(ports, "support", origin, now)
    actor = caller_actor(caller) if caller else ANONYMOUS
    throttle.cap_emails(ports, "support", (request.email or request.phone or "").casefold(), origin, actor, now)

    received = SupportRequest(
        request_id=new_id(),
        organization_id=organization_id,
        topic=Topic(request.topic),
        description=request.description,
        contact_name=request.name or "",
        contact_email=request.email or "",
        contact_phone=request.phone or "",
        account_id=caller.account_id if caller else "",
        status=Status.NEW,
        received_at=now,
        updated_at=now,
    )
    # The emails wait in the outbox, written with the request: sent at once when the queue takes
    # them, else by the outbox's drain (every five minutes), so none is lost and none is sent
    # about a request that was not kept. From the queue they are sent once per notification id.
    emails = [_email(ports, "support_request_waiting", desk, received, "desk", now)]
    if request.email:
        emails.append(_email(ports, "support_request_received", request.email, received, "ack", now))
    # Its audit event too: written after the request, an audit outage would answer 503 for a
    # request that was kept, and the retry (its Idempotency-Key released with the failure) would
    # keep a second one.
    audit = audit_event(
        ports,
        origin,
        actor,
        "support.request_received",
        action=Action.CREATE,
        resource_type="SupportRequest",
        resource_id=received.request_id,
    )
    ports.support.add(received, emails, audit)
    for entry in emails:
        outbox.send_now(ports, entry, now)
    acknowledged = bool(request.email)
    return {
        "request_id": received.request_id,
        "reference": received.reference,
        "status": received.status.value,
        "acknowledgement_emailed": acknowledged,
    }


def queue(
    ports: SupportPorts, caller: Caller, origin: Origin, status: str | None, limit: int, cursor: str
) -> dict[str, Any]:
    """The caller's organization's requests, newest first (a status filters them)."""
    requests, next_cursor = ports.support.page(
        caller.organization_id, Status(status) if status else None, limit, cursor
    )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "support.queue_read",
        action=Action.READ,
        resource_type="SupportRequest",
        reason=f"{len(requests)} listed",
    )
    return {"requests": [_summary(request) for request in requests], "next_cursor": next_cursor or None}


def detail(ports: SupportPorts, caller: Caller, origin: Origin, request_id: str) -> dict[str, Any]:
    request = _one(ports, caller, request_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "support.request_read",
        action=Action.READ,
        resource_type="SupportRequest",
        resource_id=request.request_id,
    )
    return _detail(request)


def record_answer(
    ports: SupportPorts, caller: Caller, origin: Origin, request_id: str, body: RecordAnswer, now: datetime
) -> dict[str, Any]:
    request = _one(ports, caller, request_id)
    answered = ports.support.update(request, Status.ANSWERED, now, Answer(caller.account_id, now, body.text))
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "support.request_answered",
        action=Action.UPDATE,
        resource_type="SupportRequest",
        resource_id=request.request_id,
    )
    return _detail(answered)


def change_status(
    ports: SupportPorts, caller: Caller, origin: Origin, request_id: str, body: ChangeStatus, now: datetime
) -> dict[str, Any]:
    request = _one(ports, caller, request_id)
    changed = ports.support.update(request, Status(body.status), now)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "support.status_changed",
        action=Action.UPDATE,
        reason=body.status,
        resource_type="SupportRequest",
        resource_id=request.request_id,
    )
    return _detail(changed)


def _one(ports: SupportPorts, caller: Caller, request_id: str) -> SupportRequest:
    # Only the caller's organization's partition is read: another's request is simply not there.
    found = ports.support.get(caller.organization_id, request_id) if RECORD_ID.fullmatch(request_id) else None
    if found is None:
        raise NotFound("No such support request.")
    return found


def _email(
    ports: SupportPorts, template: str, to: str, request: SupportRequest, who: str, now: datetime
) -> OutboxEntry:
    """One PHI-free email as the notifications queue takes it (its reference sealed, as every
    parameter), as an outbox entry."""
    notification_id = f"support-{request.request_id}-{who}"
    params = {"reference": request.reference}
    if template == "support_request_waiting":
        params["support_request"] = request.request_id
    message = {"notification_id": notification_id, "template": template, "to_address": to, **params}
    return OutboxEntry(NOTICE, notification_id, seal(ports.keys, message), now)


def _summary(request: SupportRequest) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "reference": request.reference,
        "topic": request.topic.value,
        "status": request.status.value,
        "received_at": iso(request.received_at),
        "updated_at": iso(request.updated_at),
        "signed_in": bool(request.account_id),
    }


def _detail(request: SupportRequest) -> dict[str, Any]:
    return {
        **_summary(request),
        "description": request.description,
        "name": request.contact_name,
        "email": request.contact_email,
        "phone": request.contact_phone,
        "answers": [
            {"answered_by": a.answered_by, "answered_at": iso(a.answered_at), "text": a.text} for a in request.answers
        ],
    }
