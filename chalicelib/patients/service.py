"""Registering a patient by staff, finding one within the caller's organization, and the
portal access of a patient (suspend, reinstate, terminate, unlock).

Every patient a staff member reaches is in their own organization: any other answers 404, as an
unknown one does (GUIDE 5.1). Every read of a patient record is audited.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import datetime, timezone
from typing import Any

from chalicelib.accounts.domain import AccountStatus
from chalicelib.audit.domain import Action, Outcome
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.identity.domain import Caller, InvitationStatus, RecordKind
from chalicelib.identity.revocation import end_sessions
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.kernel.clock import iso
from chalicelib.kernel.fields import only_fields, text_field
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.requests import notify
from chalicelib.patients.domain import SEXES, Patient, PortalStatus, identifier, parse_birth_date

_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")
MAX_IDENTIFIERS = 10  # a DynamoDB transaction holds at most 100 items; real records have a handful
PATIENT_FIELDS = ("identifiers", "mrn", "family_name", "given_names", "birth_date", "sex", "email")


def email_address(value: Any, field: str = "email") -> str:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value.strip()):
        raise ValidationFailed("That is not an email address.", [{"field": field}])
    return value.strip()




def register(ports, caller: Caller, origin: Origin, body: Any, now: datetime) -> dict[str, Any]:
    """POST /v1/staff/patients: a patient the feeds have not (yet) sent."""
    body = only_fields(body, PATIENT_FIELDS, ("family_name", "birth_date"))
    identifiers = []
    if body.get("mrn") is not None:
        identifiers.append(identifier(_mrn_authority(ports, caller), body["mrn"]))
    listed = body.get("identifiers") or []
    if not isinstance(listed, list) or len(listed) > MAX_IDENTIFIERS:
        raise ValidationFailed(f"identifiers is a list of at most {MAX_IDENTIFIERS}.", [{"field": "identifiers"}])
    for entry in listed:
        if not isinstance(entry, dict) or set(entry) - {"authority", "value", "type"}:
            raise ValidationFailed("An identifier is {authority, value, type}.", [{"field": "identifiers"}])
        candidate = identifier(entry.get("authority"), entry.get("value"), entry.get("type", "MR"))
        if any((i.authority, i.value) == (candidate.authority, candidate.value) for i in identifiers):
            raise ValidationFailed("The same identifier is given twice.", [{"field": "identifiers"}])
        identifiers.append(candidate)
    if not identifiers:
        raise ValidationFailed("A patient needs an identifier: mrn, or identifiers with their authority.",
                               [{"field": "mrn"}])
    given = body.get("given_names") or []
    if not isinstance(given, list) or len(given) > 5 or not all(isinstance(n, str) and 0 < len(n) <= 64 for n in given):
        raise ValidationFailed("given_names is a list of names.", [{"field": "given_names"}])
    family = text_field(body, "family_name", 64).strip()
    if not family:
        raise ValidationFailed("family_name is required.", [{"field": "family_name"}])
    sex = body.get("sex", "unknown")
    if sex not in SEXES:
        raise ValidationFailed(f"sex is one of {', '.join(SEXES)}.", [{"field": "sex"}])
    patient = Patient(
        patient_id=uuid.uuid4().hex, organization_id=caller.organization_id, identifiers=tuple(identifiers),
        family_name=family, given_names=tuple(n.strip() for n in given), birth_date=parse_birth_date(body["birth_date"]),
        sex=sex, email=email_address(body["email"]) if body.get("email") else "",
        portal_status=PortalStatus.NOT_INVITED, account_id="", created_at=now)
    ports.patients.add(patient)
    write_audit(ports, origin, caller_actor(caller), "patient.registered", action=Action.CREATE, patient_id=patient.patient_id,
           resource_type="Patient", resource_id=patient.patient_id)
    return {"patient_id": patient.patient_id, "portal_status": patient.portal_status.value}


def _mrn_authority(ports, caller: Caller) -> str:
    organization = ports.directory.organization(caller.organization_id)
    if organization is None or not organization.mrn_authority:
        raise ValidationFailed("This organization has no medical record number authority; give identifiers.",
                               [{"field": "mrn"}])
    return organization.mrn_authority


def find(ports, caller: Caller, origin: Origin, patient_id: Any = None, mrn: Any = None) -> Patient:
    """A patient of the caller's organization, by id or medical record number; 404 otherwise."""
    patient = None
    if patient_id not in (None, "") and mrn not in (None, ""):
        raise ValidationFailed("Give patient_id or mrn, not both.", [{"field": "patient_id"}, {"field": "mrn"}])
    if mrn not in (None, "") and not isinstance(mrn, str):
        raise ValidationFailed("mrn is text.", [{"field": "mrn"}])
    if isinstance(patient_id, str) and re.fullmatch(r"[0-9a-f]{32}", patient_id):
        patient = ports.patients.get(patient_id)
    elif isinstance(mrn, str) and mrn:
        patient = ports.patients.by_identifier(caller.organization_id, identifier(_mrn_authority(ports, caller), mrn))
    elif patient_id in (None, "") and mrn in (None, ""):  # a query's empty or absent parameter too
        raise ValidationFailed("Give patient_id or mrn.", [{"field": "patient_id"}])
    if patient is None or patient.organization_id != caller.organization_id:
        write_audit(ports, origin, caller_actor(caller), "patient.read", Outcome.DENIED, action=Action.READ,
               resource_type="Patient", reason="not_found_or_other_organization")
        raise NotFound("No such patient.")
    return patient


def _follow_merge(ports, caller: Caller, origin: Origin, prior: Patient, reason: str) -> dict[str, Any]:
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
            raise Conflict("The surviving record has a portal account of its own: one person, two accounts. "
                           "Terminate the one the patient no longer uses, then ask again.")
    account = ports.directory.account(account_id)
    if account is None or account.organization_id != caller.organization_id:
        raise Conflict("This patient's portal account is managed by the organization they enrolled with.")
    if survivor.account_id != account_id:  # the survivor first: the account never points at a record without it
        survivor = dataclasses.replace(survivor, account_id=account_id, portal_status=prior.portal_status,
                                       email=survivor.email or prior.email)
        ports.patients.save(survivor)
    event_of_change = audit_event(ports, origin, caller_actor(caller), "portal_access.follow_merge", action=Action.UPDATE,
                        patient_id=survivor.patient_id, resource_type="Account", resource_id=account_id,
                        reason=reason)
    def follow(current):  # the account's own record, and its connection to it, now the survivor
        connections = tuple(dataclasses.replace(c, patient_id=survivor.patient_id) if c.patient_id == prior.patient_id
                            else c for c in current.connections)
        return dataclasses.replace(current, patient_id=survivor.patient_id, connections=connections)

    account, ended = end_sessions(ports, account_id, follow, event_of_change)
    ports.patients.save(dataclasses.replace(prior, account_id="", portal_status=PortalStatus.NOT_INVITED))
    # The worklist item the merge made for this is done (its key is the merged record's).
    ports.worklist.close(prior.organization_id, timed_key(prior.created_at, f"merge-{prior.patient_id}"),
                         caller.account_id, "done", ports.clock.now())
    return {"portal_status": survivor.portal_status.value, "account_status": account.status.value,
            "sessions_ended": ended, "patient_id": survivor.patient_id}


def portal_status(ports, caller: Caller, origin: Origin, patient_id: str, now: datetime) -> dict[str, Any]:
    """What staff see when a patient calls about the portal."""
    patient = find(ports, caller, origin, patient_id=patient_id)
    write_audit(ports, origin, caller_actor(caller), "patient.portal_status.read", action=Action.READ,
           patient_id=patient.patient_id, resource_type="Patient", resource_id=patient.patient_id)
    account = ports.directory.account(patient.account_id) if patient.account_id else None
    if account is not None and account.organization_id != caller.organization_id:
        # The account belongs to the patient's home organization; a connected one sees only that
        # the patient has portal access, not the account's user name or security settings.
        account = None
    now_epoch = int(now.timestamp())
    invitations = [r for r in ports.identity_records.owned_by(f"patient#{patient.patient_id}", limit=20)
                   if r.kind is RecordKind.INVITATION]
    return {
        "patient": summary(patient),
        "portal_status": patient.portal_status.value,
        "account": None if account is None else {
            "username": account.username, "status": account.status.value,
            "locked": bool(account.locked_until and account.locked_until.timestamp() > now_epoch),
            "email_verified": account.email_verified, "second_factors": account.second_factors,
        },
        "invitations": [invitation_summary(r, now_epoch) for r in invitations],
    }


def summary(patient: Patient) -> dict[str, Any]:
    return {"patient_id": patient.patient_id, "organization_id": patient.organization_id,
            "identifiers": [{"authority": i.authority, "value": i.value, "type": i.type} for i in patient.identifiers],
            "family_name": patient.family_name, "given_names": list(patient.given_names),
            "birth_date": patient.birth_date or None, "sex": patient.sex or None}


def invitation_summary(invitation, now_epoch: int) -> dict[str, Any]:
    status = invitation.status
    if status == InvitationStatus.PENDING.value and invitation.expires_at <= now_epoch:
        status = "expired"
    return {"invitation_id": invitation.selector, "status": status, "email": invitation.email,
            "created_at": iso(invitation.created_at) if invitation.created_at else None,
            "expires_at": iso(invitation.expires_at), "failed_attempts": invitation.attempts}


PORTAL_ACTIONS = ("suspend", "reinstate", "terminate", "unlock", "reset_second_factor", "follow_merge")
ENDS_SESSIONS = ("suspend", "terminate", "reset_second_factor")


def change_portal_access(ports, caller: Caller, origin: Origin, patient_id: str, body: Any) -> dict[str, Any]:
    """POST /v1/staff/patients/{id}/portal-access {"action", "reason"}.

    suspend, terminate and reset_second_factor end every session at once (and may be repeated:
    a repeat ends whatever a failed first attempt left); the patient is told by email, without
    PHI. reset_second_factor is for a patient who lost their phone and recovery codes: after it
    they sign in with their password alone and may set up a new factor.
    """
    body = only_fields(body, ("action", "reason"), ("action",))
    action = body["action"]
    if action not in PORTAL_ACTIONS:
        raise ValidationFailed(f"action is one of {', '.join(PORTAL_ACTIONS)}.", [{"field": "action"}])
    reason = text_field(body, "reason", 64)
    if reason and not re.fullmatch(r"[a-z0-9_]{1,64}", reason):
        raise ValidationFailed("reason is a short code such as patient_request (no free text).", [{"field": "reason"}])
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
        changes, patient_status = {"status": AccountStatus.ACTIVE}, PortalStatus.ACTIVE
    elif action == "suspend":
        changes, patient_status = {"status": AccountStatus.SUSPENDED}, PortalStatus.SUSPENDED
    elif action == "terminate":
        changes, patient_status = {"status": AccountStatus.TERMINATED}, PortalStatus.TERMINATED
    else:
        changes = {"totp_secret": b"", "totp_pending_secret": b"", "totp_last_step": 0, "email_code_enabled": False,
                   "recovery_code_hashes": frozenset()}
    event_of_change = audit_event(ports, origin, caller_actor(caller), f"portal_access.{action}", action=Action.UPDATE,
                        patient_id=patient.patient_id, resource_type="Account", resource_id=account.account_id,
                        reason=reason)
    ended = 0
    if action in ENDS_SESSIONS:
        account, ended = end_sessions(ports, account.account_id, lambda current: dataclasses.replace(current, **changes),
                                      event_of_change)
    else:
        account = ports.identity_records.save_account_with_audit(dataclasses.replace(account, **changes), event_of_change)
    if patient_status is not patient.portal_status:
        ports.patients.save(dataclasses.replace(patient, portal_status=patient_status))
    if action in ENDS_SESSIONS:
        template = {"suspend": "portal_access_suspended", "terminate": "portal_access_ended",
                    "reset_second_factor": "second_factor_changed"}[action]
        notify(ports, template, account.email if account.email_verified else "")
    return {"portal_status": patient_status.value, "account_status": account.status.value, "sessions_ended": ended}
