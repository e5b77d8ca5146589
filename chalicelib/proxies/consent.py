"""An adult patient's answer to a grant staff approved (status awaiting_consent): given in the
portal, or witnessed by staff for a patient who has no portal account (in person, on the paper
form, by phone).

Agreed, the grant takes effect now (an end date keeps its length from now: a year from consent,
not from approval); declined, it never does. The request the grant answered moves with it, in
the same transaction: approved once the patient agrees, denied (with a fixed reason) when they
decline, so the requester's list never says it still waits for an answer that was given.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Protocol

from chalicelib.audit.domain import Action, Actor
from chalicelib.audit.trail import audit_event
from chalicelib.errors import Conflict
from chalicelib.kernel.origin import Origin
from chalicelib.proxies import requests as moves
from chalicelib.proxies.domain import GrantStatus, ProxyGrant
from chalicelib.proxies.grant_timers import schedule_grant_timers
from chalicelib.proxies.grant_writes import DECLINED, GrantPorts, change_grant, notice_of
from chalicelib.proxies.request_parts import moving
from chalicelib.proxies.requests import ProxyRequests, RequestStatus
from chalicelib.release import outbox


class ConsentPorts(GrantPorts, Protocol):
    @property
    def proxy_requests(self) -> ProxyRequests: ...


def answer(
    ports: ConsentPorts,
    origin: Origin,
    actor: Actor,
    grant: ProxyGrant,
    agree: bool,
    *,
    answered_by: str,
    not_waiting: str,
    reason: str = "",
) -> ProxyGrant:
    """Write the answer (the grant, its request, the audit event with ``reason``, the proxy's
    notice) and start the timers of a grant now in force. Conflict (``not_waiting``) when the
    grant waits for no answer."""
    if grant.status is not GrantStatus.AWAITING_CONSENT:
        raise Conflict(not_waiting)
    now = ports.clock.now()
    answered = _answered(grant, agree, answered_by, now)
    event_type = "proxy.consented" if agree else "proxy.declined"
    request = (
        ports.proxy_requests.of_organization(grant.organization_id, grant.request_id) if grant.request_id else None
    )
    if request is None or request.status is not RequestStatus.AWAITING_CONSENT:
        saved = change_grant(ports, origin, actor, answered, event_type, now, reason=reason)
    else:
        saved = _with_request(
            ports,
            origin,
            actor,
            answered,
            moving(lambda: moves.consent_answered(request, agree, now)),
            event_type,
            reason,
            now,
        )
    if agree:
        schedule_grant_timers(ports, saved, now)
    return saved


def _answered(grant: ProxyGrant, agree: bool, answered_by: str, now: datetime) -> ProxyGrant:
    if agree:
        length = grant.ends_at - grant.starts_at if grant.ends_at and grant.ends_at > grant.starts_at else None
        return dataclasses.replace(
            grant,
            status=GrantStatus.ACTIVE,
            starts_at=now,
            ends_at=now + length if length is not None else grant.ends_at,
            consented_at=now,
        )
    return dataclasses.replace(
        grant, status=GrantStatus.DECLINED, ended_at=now, ended_by=answered_by, end_reason=DECLINED
    )


def _with_request(
    ports: ConsentPorts,
    origin: Origin,
    actor: Actor,
    answered: ProxyGrant,
    request: moves.ProxyRequest,
    event_type: str,
    reason: str,
    now: datetime,
) -> ProxyGrant:
    """The grant's change and the request's in one transaction (each on condition of the version
    read), with the audit event and the proxy's notice."""
    audit = audit_event(
        ports,
        origin,
        actor,
        event_type,
        action=Action.UPDATE,
        patient_id=answered.patient_id,
        resource_type="Consent",
        resource_id=answered.grant_id,
        reason=reason,
    )
    version = (answered.version or 0) + 1
    notice = notice_of(answered, version, now) if answered.proxy_account_id else None
    ports.proxy_requests.change(request, audit, (notice,) if notice else (), None, changed_grant=answered)
    if notice is not None:
        outbox.send_now(ports, notice, now)
    return dataclasses.replace(answered, version=version)
