"""Admins manage their organization's staff accounts: create (the new colleague chooses a user
name and a password through an emailed set-up link), disable (sessions end at once), lift a
lockout, and send a new set-up link to a colleague who has not finished set-up.

User names are one namespace for every organization and every patient (sign-in names no
organization), so an admin who picked a colleague's name would learn from a "taken" answer that
some account, perhaps another hospital's or a patient's, holds it. The admin gives only the role
and the work address; the colleague chooses the name at set-up (recovery.confirm_account_setup),
as a patient does at enrollment, where a taken name is refused without saying whose it is."""

from __future__ import annotations

import dataclasses
import re
import secrets
import uuid
from datetime import datetime
from typing import Any, Protocol

from chalicelib.accounts import passwords
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict, NotFound
from chalicelib.identity.domain import LinkPurpose
from chalicelib.identity.guessing import is_locked
from chalicelib.identity.recovery import ACCOUNT_SETUP_SECONDS, LinkPorts, send_link
from chalicelib.identity.revocation import RevocationPorts, end_sessions
from chalicelib.identity.staff_contract import StaffAccountRequest, StaffStatusChange
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.patients.service import email_address


class WorkforcePorts(LinkPorts, RevocationPorts, AuditPorts, Protocol):
    """Staff accounts (the directory), their set-up link, their sessions ended on suspension
    (the identity store), and the audit trail."""


def create_staff(
    ports: WorkforcePorts, caller: Caller, origin: Origin, body: StaffAccountRequest, now: datetime
) -> dict[str, Any]:
    email = email_address(body.email)
    # Unusable until the set-up link is followed: no user name, and a random password nobody knows.
    account = Account(
        account_id=uuid.uuid4().hex,
        username="",
        organization_id=caller.organization_id,
        role=Role(body.role),
        password_hash=passwords.hash_password(secrets.token_urlsafe(32)),
        status=AccountStatus.ACTIVE,
        email=email,
        email_verified=True,
        created_at=now,
    )
    ports.directory.add_account(account)
    send_link(ports, account, LinkPurpose.ACCOUNT_SETUP, ACCOUNT_SETUP_SECONDS, now)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "staff_account.created",
        action=Action.CREATE,
        resource_type="Account",
        resource_id=account.account_id,
        reason=account.role.value,
    )
    return {
        "account_id": account.account_id,
        "username": None,  # chosen by the colleague with the set-up link
        "role": account.role.value,
        "status": account.status.value,
    }


def list_staff(ports: WorkforcePorts, caller: Caller, origin: Origin, limit: int, cursor: str) -> dict[str, Any]:
    """The caller's organization's staff and admin accounts, a page at a time; the organization is
    always the caller's own, whatever the cursor says."""
    accounts, next_cursor = ports.directory.staff_page(caller.organization_id, limit, cursor)
    now = ports.clock.now()
    # Who works here and how they sign in is the organization's security data: each read is on
    # the trail, as reads of its feed sources are.
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "staff_accounts.list",
        action=Action.READ,
        resource_type="Account",
        reason=f"count:{len(accounts)}",
    )
    return {
        "staff": [
            {
                "account_id": a.account_id,
                "username": a.username or None,
                "role": a.role.value,
                "status": a.status.value,
                "email": a.email or None,
                "created_at": iso(a.created_at),
                "second_factors": a.second_factors,
                "locked": is_locked(a, now),
            }
            for a in accounts
        ],
        "next_cursor": next_cursor or None,
    }


def _own_staff(ports: WorkforcePorts, caller: Caller, account_id: str) -> Account:
    """A staff or admin account of the caller's organization; anything else (another
    organization's, a patient's, an unknown id) is the same 404, so no answer says it exists."""
    account = ports.directory.account(account_id) if re.fullmatch(r"[0-9a-f]{32}", account_id or "") else None
    if account is None or account.organization_id != caller.organization_id or not account.role.is_workforce:
        raise NotFound("No such staff account.")
    return account


def set_staff_status(
    ports: WorkforcePorts, caller: Caller, origin: Origin, account_id: str, body: StaffStatusChange
) -> dict[str, Any]:
    account = _own_staff(ports, caller, account_id)
    if account.account_id == caller.account_id:
        raise Conflict("You cannot disable your own account.")
    status = AccountStatus(body.status)
    event_of_change = audit_event(
        ports,
        origin,
        caller_actor(caller),
        f"staff_account.{status.value}",
        action=Action.UPDATE,
        resource_type="Account",
        resource_id=account.account_id,
    )
    if status is AccountStatus.ACTIVE:
        ports.identity_records.save_account_with_audit(dataclasses.replace(account, status=status), event_of_change)
        ended = 0
    else:  # idempotent: suspending again ends whatever a failed first attempt left
        _, ended = end_sessions(
            ports, account.account_id, lambda current: dataclasses.replace(current, status=status), event_of_change
        )
    return {"account_id": account.account_id, "status": status.value, "sessions_ended": ended}


def unlock_staff(
    ports: WorkforcePorts, caller: Caller, origin: Origin, account_id: str, now: datetime
) -> dict[str, Any]:
    """Lift a colleague's lockout before it runs out (the admin has checked it was them). The
    count of wrong answers starts again from nothing; sessions are not touched."""
    account = _own_staff(ports, caller, account_id)
    if not is_locked(account, now):
        raise Conflict("This account is not locked.", code="not_locked")
    ports.identity_records.save_account_with_audit(
        dataclasses.replace(account, failed_sign_ins=0, failures_since=None, locked_until=None),
        audit_event(
            ports,
            origin,
            caller_actor(caller),
            "staff_account.unlocked",
            action=Action.UPDATE,
            resource_type="Account",
            resource_id=account.account_id,
        ),
    )
    return {"account_id": account.account_id, "locked": False}


def resend_setup_link(
    ports: WorkforcePorts, caller: Caller, origin: Origin, account_id: str, now: datetime
) -> dict[str, Any]:
    """A new set-up link for a colleague who has not chosen a user name yet (the first one expired
    or was lost); every earlier link of the account stops working, so only the newest email does."""
    account = _own_staff(ports, caller, account_id)
    if account.username:
        raise Conflict(
            "This colleague has finished setting up their account: they reset their password themselves.",
            code="setup_complete",
        )
    if account.status is not AccountStatus.ACTIVE:
        raise Conflict("This account is suspended: make it active before sending a set-up link.", code="suspended")
    ports.identity_records.revoke_pending(account.account_id)
    send_link(ports, account, LinkPurpose.ACCOUNT_SETUP, ACCOUNT_SETUP_SECONDS, now)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "staff_account.setup_link_sent",
        action=Action.UPDATE,
        resource_type="Account",
        resource_id=account.account_id,
    )
    return {"account_id": account.account_id, "expires_at": iso(int(now.timestamp()) + ACCOUNT_SETUP_SECONDS)}
