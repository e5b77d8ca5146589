"""Portal access of a patient, as staff see and change it: portal status (account, invitations),
and suspend, reinstate, terminate, unlock, reset a second factor, or move a merged record's
account to the surviving record (follow_merge). Staff reach only patients of their own
organization; every read and change is audited."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Protocol

from chalicelib.accounts.domain import Account, AccountStatus
from chalicelib.apps.oauth.standing import RevokePorts, revoke_apps_of
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict
from chalicelib.identity.domain import RecordKind
from chalicelib.identity.enrollment import invitation_summaries
from chalicelib.identity.revocation import RevocationPorts, end_sessions
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.notifications.requests import NotifyPorts, notify
from chalicelib.patients.contract import PortalAccessChange
from chalicelib.patients.domain import Patient, PortalStatus
from chalicelib.patients.service import RegistryPorts, find, summary
from chalicelib.worklist.domain import move_account_item_key
from chalicelib.worklist.stores import Worklist


class PortalAccessPorts(RegistryPorts, RevocationPorts, NotifyPorts, RevokePorts, Protocol):
    """The patients (found within the caller's organization) and their accounts (the directory),
    invitations and sessions (the identity store), the worklist item a merge left, the emails
    telling the patient, the clock and the audit trail."""

    @property
    def worklist(self) -> Worklist: ...


def portal_status(
    ports: PortalAccessPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime
) -> dict[str, Any]:
    """What staff see when a patient calls about the portal."""
    patient = find(ports, caller, origin, patient_id=patient_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "patient.portal_status.read",
        action=Action.READ,
        patient_id=patient.patient_id,
        resource_type="Patient",
        resource_id=patient.patient_id,
    )
    account = ports.directory.account(patient.account_id) if patient.account_id else None
    if account is not None and account.organization_id != caller.organization_id:
        # The account belongs to the patient's home organization; a connected one sees only that
        # the patient has portal access, not the account's user name or security settings.
        account = None
    now_epoch = int(now.timestamp())
    invitations = [
        r
        for r in ports.identity_records.owned_by(f"patient#{patient.patient_id}", limit=20)
        if r.kind is RecordKind.INVITATION
    ]
    return {
        "patient": summary(patient),
        "portal_status": patient.shown_status(now_epoch).value,
        "account": None
        if account is None
        else {
            "username": account.username,
            "status": account.status.value,
            "locked": bool(account.locked_until and account.locked_until.timestamp() > now_epoch),
            "email_verified": account.email_verified,
            "second_factors": account.second_factors,
            # Sign-in checks the account's own record (identity.sessions): say why it is refused.
            "closed_reason": "deceased" if patient.deceased and account.patient_id == patient.patient_id else None,
        },
        "invitations": invitation_summaries(ports, invitations, now_epoch),
        "email": patient.email or None,
        "pending_email": patient.pending_email or None,
        # Staff can only offer to move the account of a merged record if they can see it was merged.
        "merged_into": patient.merged_into or None,
    }


PORTAL_ACTIONS = ("suspend", "reinstate", "terminate", "unlock", "reset_second_factor", "follow_merge")
ENDS_SESSIONS = ("suspend", "terminate", "reset_second_factor")
ENDS_APPS = ("suspend", "terminate")


def change_portal_access(
    ports: PortalAccessPorts, caller: Caller, origin: Origin, patient_id: str, request: PortalAccessChange
) -> dict[str, Any]:
    """POST /v1/staff/patients/{id}/portal-access {"action", "reason"}.

    suspend, terminate and reset_second_factor end every session at once (and may be repeated:
    a repeat ends whatever a failed first attempt left); the patient is told by email, without
    PHI. reset_second_factor is for a patient who lost their phone and recovery codes: after it
    they sign in with their password alone and may set up a new factor.
    """
    action, reason = request.action, request.reason
    patient = find(ports, caller, origin, patient_id=patient_id)
    if action == "follow_merge":
        return _follow_merge(ports, caller, origin, patient, reason)
    account = ports.directory.account(patient.account_id) if patient.account_id else None
    if account is None:
        raise Conflict("This patient has no portal account.")
    if account.organization_id != caller.organization_id:
        # A connected organization may not suspend or end the account of another's patient: the
        # patient removes the connection, or the home organization acts.
        raise Conflict("This patient's portal account is managed by the organization they enrolled with.")
    if account.status is AccountStatus.TERMINATED and action != "terminate":
        raise Conflict("Portal access for this patient has ended; invite them again to give new access.")
    changes: dict[str, Any] = {}
    patient_status = patient.portal_status
    if action == "unlock":
        changes = {"locked_until": None, "failed_sign_ins": 0, "failures_since": None}
    elif action == "reinstate":
        if patient.deceased:
            raise Conflict("This patient is recorded as deceased; their portal access cannot be reinstated.")
        changes, patient_status = {"status": AccountStatus.ACTIVE}, PortalStatus.ACTIVE
    elif action == "suspend":
        changes, patient_status = {"status": AccountStatus.SUSPENDED}, PortalStatus.SUSPENDED
    elif action == "terminate":
        changes, patient_status = {"status": AccountStatus.TERMINATED}, PortalStatus.TERMINATED
    else:
        changes = {
            "totp_secret": b"",
            "totp_pending_secret": b"",
            "totp_last_step": 0,
            "email_code_enabled": False,
            "recovery_code_hashes": frozenset(),
        }
    event_of_change = audit_event(
        ports,
        origin,
        caller_actor(caller),
        f"portal_access.{action}",
        action=Action.UPDATE,
        patient_id=patient.patient_id,
        resource_type="Account",
        resource_id=account.account_id,
        reason=reason,
    )
    ended = 0
    if action in ENDS_SESSIONS:
        account, ended = end_sessions(
            ports, account.account_id, lambda current: dataclasses.replace(current, **changes), event_of_change
        )
    else:
        account = ports.identity_records.save_account_with_audit(
            dataclasses.replace(account, **changes), event_of_change
        )
    if patient_status is not patient.portal_status:
        ports.patients.save(dataclasses.replace(patient, portal_status=patient_status))
    if action in ENDS_APPS:
        # The bearer check refuses the account's apps already (apps.oauth.standing); revoking them
        # keeps Connected apps telling the truth, and a reinstated account connects them anew.
        revoke_apps_of(ports, caller, origin, account)
    if action in ENDS_SESSIONS:
        template = {
            "suspend": "portal_access_suspended",
            "terminate": "portal_access_ended",
            "reset_second_factor": "second_factor_changed",
        }[action]
        notify(
            ports, template, account.email if account.email_verified else "", about=about_account(account.account_id)
        )
    return {"portal_status": patient_status.value, "account_status": account.status.value, "sessions_ended": ended}


def _follow_merge(
    ports: PortalAccessPorts, caller: Caller, origin: Origin, prior: Patient, reason: str
) -> dict[str, Any]:
    """A40 merged this record into another (the survivor), but its portal account still opens
    this one, where nothing new is filed: move the account to the survivor. Its sessions end (the
    next sign-in opens the survivor's record, with everything the merge copied and all that is
    filed from now on). Each step may be repeated: a failure part-way is finished by asking again."""
    if not prior.merged_into:
        raise Conflict("This record was not merged into another.")
    survivor = ports.patients.get(prior.merged_into)
    while survivor is not None and survivor.merged_into:
        survivor = ports.patients.get(survivor.merged_into)
    account_id = prior.account_id
    if survivor is None or not account_id:
        raise Conflict("This record has no portal account to move (or it was moved already).")
    if survivor.account_id and survivor.account_id != account_id:
        other = ports.directory.account(survivor.account_id)
        if other is not None and other.status is not AccountStatus.TERMINATED:
            raise Conflict(
                "The surviving record has a portal account of its own: one person, two accounts. "
                "Terminate the one the patient no longer uses, then ask again."
            )
    account = ports.directory.account(account_id)
    if account is None or account.organization_id != caller.organization_id:
        raise Conflict("This patient's portal account is managed by the organization they enrolled with.")
    if survivor.account_id != account_id:  # the survivor first: the account never points at a record without it
        survivor = dataclasses.replace(
            survivor, account_id=account_id, portal_status=prior.portal_status, email=survivor.email or prior.email
        )
        ports.patients.save(survivor)
    event_of_change = audit_event(
        ports,
        origin,
        caller_actor(caller),
        "portal_access.follow_merge",
        action=Action.UPDATE,
        patient_id=survivor.patient_id,
        resource_type="Account",
        resource_id=account_id,
        reason=reason,
    )

    def follow(current: Account) -> Account:  # the account's own record, and its connection to it, now the survivor
        connections = tuple(
            dataclasses.replace(c, patient_id=survivor.patient_id) if c.patient_id == prior.patient_id else c
            for c in current.connections
        )
        return dataclasses.replace(current, patient_id=survivor.patient_id, connections=connections)

    account, ended = end_sessions(ports, account_id, follow, event_of_change)
    ports.patients.save(dataclasses.replace(prior, account_id="", portal_status=PortalStatus.NOT_INVITED))
    # The worklist item the merge made for this is done (its key is the merged record's).
    ports.worklist.close(
        prior.organization_id,
        move_account_item_key(prior.patient_id, prior.created_at)[1],
        caller.account_id,
        "done",
        ports.clock.now(),
    )
    return {
        "portal_status": survivor.portal_status.value,
        "account_status": account.status.value,
        "sessions_ended": ended,
        "patient_id": survivor.patient_id,
    }
