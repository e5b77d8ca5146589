"""Writing a change of a proxy grant: the grant, its audit event and, when an account holds it, the
proxy's notice, in one transaction; then the notice is sent (what the outbox cannot send now, its
drain sends). The notice says only that there is an update, never whose record nor what changed.

Also the ports the grant services take."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.access.service import AccessPorts
from chalicelib.audit.domain import Action, Actor
from chalicelib.audit.trail import AuditPorts, audit_event
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.observability import logger
from chalicelib.patients.stores import Patients
from chalicelib.proxies.domain import ProxyGrant
from chalicelib.proxies.stores import ProxyGrants
from chalicelib.records.outbox import OutboxEntry
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry
from chalicelib.settings import Settings
from chalicelib.worklist.stores import Worklist

TEMPLATE = "proxy_access_update"

# Why a grant stopped (``end_reason``), in words staff and the patient read beside it. Staff's own
# words are kept for a termination.
REVOKED = "revoked"
DECLINED = "declined"
END_DATE = "end_date"
DECEASED = "deceased"


class ChangePorts(AuditPorts, outbox.OutboxPorts, Protocol):
    """What writing a change needs: the grants, the audit trail and the clock, the outbox and the
    notifications queue (the record's filing, which ends a deceased patient's grants, has these)."""

    @property
    def proxy_grants(self) -> ProxyGrants: ...


class GrantPorts(AccessPorts, ChangePorts, Protocol):
    """The grant services': also the access check's reads, the timers, the worklist and the
    settings (the container, wiring.Container, is one)."""

    @property
    def proxy_grants(self) -> ProxyGrants: ...

    @property
    def patients(self) -> Patients: ...

    @property
    def worklist(self) -> Worklist: ...

    @property
    def settings(self) -> Settings: ...


def notice_of(grant: ProxyGrant, version: int, now: datetime) -> OutboxEntry:
    """The proxy's notice of a change, one per version of the grant (a redelivered write folds
    into it): that there is an update, nothing of whose record or what."""
    notice = {
        "notification_id": f"proxy-{grant.grant_id}-v{version}",
        "template": TEMPLATE,
        "account_id": grant.proxy_account_id,
    }
    return notice_entry(notice, now, about_account(grant.proxy_account_id))


def change_grant(
    ports: ChangePorts,
    origin: Origin,
    actor: Actor,
    changed: ProxyGrant,
    event_type: str,
    now: datetime,
    reason: str = "",
) -> ProxyGrant:
    """Write the change with its audit event and, when an account holds the grant, its notice; then
    send the notice (what the outbox cannot send now, its drain sends)."""
    audit = audit_event(
        ports,
        origin,
        actor,
        event_type,
        action=Action.UPDATE,
        patient_id=changed.patient_id,
        resource_type="Consent",
        resource_id=changed.grant_id,
        reason=reason,
    )
    notice = notice_of(changed, (changed.version or 0) + 1, now) if changed.proxy_account_id else None
    saved: ProxyGrant = ports.proxy_grants.change(changed, audit, also=[ports.outbox.item(notice)] if notice else ())
    if notice is not None:
        outbox.send_now(ports, notice, now)
    logger.info("proxy grant changed", extra={"grant_id": changed.grant_id, "event": event_type})
    return saved
