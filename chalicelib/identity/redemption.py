"""Taking up a trusted person's invitation: the grant the code names (status invited, no account)
comes to name the account that holds the code, and is in force from then on.

Shared by enrollment (an account opened with the code takes the grant up in the same step) and
by a signed-in account redeeming the code (identity.trusted_persons). The grant's status is what
guards it: only an invited grant is taken up, and the store writes the change on condition of the
version read, so of two holders racing with one code only one gets the grant.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Protocol, cast

from chalicelib.audit.domain import Action, Actor
from chalicelib.audit.trail import AuditPorts, audit_event
from chalicelib.errors import ValidationFailed
from chalicelib.identity.domain import IdentityRecord, InvitationStatus, RecordKind
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.kernel.origin import Origin
from chalicelib.patients.stores import Patients
from chalicelib.proxies import grant_timers
from chalicelib.proxies.domain import GrantStatus, ProxyGrant
from chalicelib.proxies.grant_timers import TimerPorts
from chalicelib.proxies.stores import ProxyGrants


class RedemptionPorts(IdentityRecordsPorts, AuditPorts, Protocol):
    """The invitation (identity store), the grant it names, the patient's record (alive?) and the trail."""

    @property
    def proxy_grants(self) -> ProxyGrants: ...

    @property
    def patients(self) -> Patients: ...


def closed() -> ValidationFailed:
    """The one answer for a code that opens nothing: mistyped, used, expired, or its grant
    withdrawn or no longer usable. Which of these it is stays unsaid: the holder of a code learns
    nothing of the patient's record from it."""
    return ValidationFailed(
        "This invitation code is not valid: it may be mistyped, used, expired or withdrawn. "
        "Ask the person who invited you to send a new invitation.",
        [{"field": "invitation_code"}],
    )


def still_open(ports: RedemptionPorts, invitation: IdentityRecord, now: datetime) -> ProxyGrant:
    """The grant a live trusted person's invitation names, still waiting to be taken up, for a
    patient who is alive, before its end; else ``closed()``."""
    grant = ports.proxy_grants.get(invitation.patient_id, invitation.grant_id)
    if grant is None or grant.status is not GrantStatus.INVITED or grant.proxy_account_id:
        raise closed()
    if grant.ends_at is not None and grant.ends_at <= now:
        raise closed()
    patient = ports.patients.get(grant.patient_id)
    if patient is None or patient.deceased:
        raise closed()
    return grant


def take_up(
    ports: RedemptionPorts, origin: Origin, invitation: IdentityRecord, account_id: str, now: datetime
) -> ProxyGrant:
    """The invited grant made active for ``account_id`` from ``now``, with its audit event; then
    the code used up (enrollment used it already; a redemption uses it here: the grant's status
    guards it meanwhile, so a failure between the two leaves nothing to take up twice)."""
    grant = still_open(ports, invitation, now)
    taken = dataclasses.replace(grant, proxy_account_id=account_id, status=GrantStatus.ACTIVE, starts_at=now)
    changed = ports.proxy_grants.change(
        taken,
        audit_event(
            ports,
            origin,
            Actor(account_id=account_id, role="patient", proxy_grant_id=grant.grant_id),
            "proxy.accepted",
            action=Action.UPDATE,
            patient_id=grant.patient_id,
            resource_type="Consent",
            resource_id=grant.grant_id,
        ),
    )
    ports.identity_records.change(
        RecordKind.INVITATION,
        invitation.selector,
        {"status": InvitationStatus.PENDING.value},
        status=InvitationStatus.USED.value,
        account_id=account_id,
    )
    # In force from now: its end date's timer tells the person and the clinic when it ends (the
    # access check reads the date itself, so a timer that failed to start only delays telling).
    # (the ports are the container, which has the timers; the identity side's narrower ports do
    # not name them, so that enrolling stays typed without the proxies' settings)
    grant_timers.schedule_grant_timers(cast(TimerPorts, ports), changed, now)
    return changed
