"""The signed-in account's own view and settings: GET /v1/me and what hangs off it."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import PROXY_AREAS, Area, PatientScope
from chalicelib.accounts import passwords
from chalicelib.accounts.domain import Account, Connection
from chalicelib.audit import service as audit
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import actor_of, audit_event, scope_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems, ValidationFailed
from chalicelib.identity import enrollment, terms, throttle
from chalicelib.identity.account_contract import (
    ConnectionRequest,
    EmailChange,
    PasswordChange,
    PreferencesChange,
    TermsAcceptance,
)
from chalicelib.identity.domain import InvitationPurpose, Restriction
from chalicelib.identity.enrollment import EnrollmentPorts
from chalicelib.identity.guessing import GuessingPorts, confirm_password
from chalicelib.identity.organization_names import OrganizationNames
from chalicelib.identity.revocation import RevocationPorts, end_sessions
from chalicelib.identity.sessions import lift_restriction
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.notifications.requests import notify
from chalicelib.patients import service as patients
from chalicelib.patients.domain import PortalStatus
from chalicelib.proxies.stores import ProxyGrants


class ProfilePorts(EnrollmentPorts, GuessingPorts, RevocationPorts, Protocol):
    """The account (the directory) and its patient records, a connection's invitation checked as
    at enrollment, changes saved with their audit event or ending other sessions (the identity
    store), the password asked again (guessing), the emails, the audit trail, whose own
    security events the account may read, and organizations' names (cached)."""

    @property
    def organization_names(self) -> OrganizationNames: ...

    @property
    def messages(self) -> UnreadMessages: ...

    @property
    def proxy_grants(self) -> ProxyGrants: ...

    @property
    def shown_unread(self) -> ShownUnread: ...


class ShownUnread(Protocol):
    """How many unread care-team messages a scope shows (messaging answers it, as its reads count;
    declared here so that identity need not import messaging)."""

    def count(self, scope: PatientScope) -> int: ...


class UnreadMessages(Protocol):
    """How many care-team messages a patient has not read (messaging's store answers it)."""

    def unread_for_patients(self, patient_ids: list[str]) -> int: ...


def account_of(ports: ProfilePorts, caller: Caller) -> Account:
    account = ports.directory.account(caller.account_id)
    if account is None:
        raise NotFound("No such account.")
    return account


def me(ports: ProfilePorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    account = account_of(ports, caller)
    patient = ports.patients.get(account.patient_id) if account.patient_id else None
    if patient is not None:
        write_audit(
            ports,
            origin,
            actor_of(account),
            "patient.read",
            action=Action.READ,
            patient_id=patient.patient_id,
            resource_type="Patient",
            resource_id=patient.patient_id,
        )
    return {
        "account": {
            "account_id": account.account_id,
            "username": account.username,
            "role": account.role.value,
            "organization_id": account.organization_id,
            "email": account.email or None,
            "email_verified": account.email_verified,
            "pending_email": account.pending_email or None,
            "second_factors": account.second_factors,
            "terms": {
                "accepted_version": account.terms_version or None,
                "accepted_at": iso(account.terms_accepted_at) if account.terms_accepted_at else None,
                "current_version": terms.current(ports).version,
            },
            "must": caller.restriction or None,
            # So a page loaded after sign-in (a reload, a new tab of the same session) can warn
            # before the session ends for want of a call, as the sign-in answer lets it.
            "idle_timeout_s": ports.settings.identity.session_idle_seconds,
        },
        "patient": patients.summary(patient) if patient is not None else None,
        "acting_for": acting_for(ports, caller, origin, account),
        "connections": connections_json(ports, account.connections),
        "notification_preferences": {**enrollment.DEFAULT_PREFERENCES, **account.notification_preferences},
        # Shown beside the Messages link on every page: the threads of the patient's own record and
        # of each connected organization's record (a team of that organization writes there).
        "unread_messages": ports.messages.unread_for_patients(
            [patient.patient_id, *(c.patient_id for c in account.connections if c.status == "active")]
        )
        if patient is not None
        else 0,
    }


def acting_for(ports: ProfilePorts, caller: Caller, origin: Origin, account: Account) -> list[dict[str, Any]]:
    """One entry per grant in force now naming this account as the proxy, for a patient the one
    check would let them reach (alive, not merged away, of the grant's organization): the
    switcher never offers a record that then answers 404. Each patient read is audited as the
    proxy's, with the grant."""
    if account.role.value != "patient":
        return []
    now = ports.clock.now()
    shown: list[dict[str, Any]] = []
    for grant in ports.proxy_grants.of_proxy(account.account_id):
        if not grant.in_force(now) or not grant.areas & PROXY_AREAS:
            continue
        patient = ports.patients.get(grant.patient_id)
        if (
            patient is None
            or patient.deceased
            or patient.merged_into
            or patient.organization_id != grant.organization_id
        ):
            continue
        write_audit(
            ports,
            origin,
            scope_actor(caller, grant.scope(now)),
            "patient.read",
            action=Action.READ,
            patient_id=patient.patient_id,
            resource_type="Patient",
            resource_id=patient.patient_id,
        )
        shown.append(
            {
                "grant_id": grant.grant_id,
                "patient_id": grant.patient_id,
                "organization_id": grant.organization_id,
                "organization_name": ports.organization_names.name(grant.organization_id),
                "name": grant.patient_name or next(iter(patient.given_names), ""),
                "relationship": grant.relationship.value,
                "proxy_name": grant.proxy_name,
                # (a parent's grant past the child's 12th birthday reads but no longer acts)
                "access": "read_only" if grant.scope(now).read_only else grant.access.value,
                "areas": [a.value for a in Area if a in grant.areas and a in PROXY_AREAS],
                "visible_until": iso(grant.visible_until) if grant.visible_until else None,
                "ends_at": iso(grant.ends_at) if grant.ends_at else None,
                # The switcher's badge counts only what the grant shows (not a message sent after
                # a child's cutoff, nor one in a thread the proxy cannot open).
                "unread_messages": ports.shown_unread.count(grant.scope(now)) if Area.MESSAGES in grant.areas else 0,
            }
        )
    return shown


def connections(ports: ProfilePorts, caller: Caller) -> dict[str, Any]:
    """The organizations this account sees (no patient record is read, so nothing to audit)."""
    return {"connections": connections_json(ports, account_of(ports, caller).connections)}


def connections_json(ports: ProfilePorts, connections: tuple[Connection, ...]) -> list[dict[str, Any]]:
    # (names from the container's cache: GET /v1/me is read on every page)
    return [connection_json(c, ports.organization_names.name(c.organization_id)) for c in connections]


def connection_json(connection: Connection, organization_name: str | None) -> dict[str, Any]:
    return {
        "connection_id": connection.connection_id,
        "organization_id": connection.organization_id,
        "organization_name": organization_name,
        # Only an active connection opens the record (chalicelib.access): a pending one names none.
        "patient_id": connection.patient_id if connection.status == "active" else None,
        "status": connection.status,
        "added_at": connection.added_at,
    }


def change_email(
    ports: ProfilePorts, caller: Caller, origin: Origin, body: EmailChange, now: datetime
) -> dict[str, Any]:
    account = account_of(ports, caller)
    # Both answered at once (a wrong current password still counts towards the lockout).
    problems = Problems()
    problems.gather(confirm_password, ports, origin, account, body.password)
    address = problems.gather(patients.email_address, body.email)
    problems.raise_if_any()
    assert address is not None  # or a problem was raised
    changed = dataclasses.replace(account, pending_email=address)
    ports.identity_records.save_account_with_audit(
        changed, audit_event(ports, origin, actor_of(account), "account.email_change_requested", action=Action.UPDATE)
    )
    enrollment.send_email_verification(ports, changed, address, now)
    return {"pending_email": address, "email_verification_sent": True}


def change_password(ports: ProfilePorts, caller: Caller, origin: Origin, body: PasswordChange) -> dict[str, Any]:
    account = account_of(ports, caller)
    # Both answered at once (a wrong current password still counts towards the lockout).
    problems = Problems()
    problems.gather(confirm_password, ports, origin, account, body.current_password, field="current_password")
    problems.gather(
        passwords.check_policy, body.new_password, username=account.username, email=account.email, field="new_password"
    )
    problems.raise_if_any()
    password_hash = passwords.hash_password(body.new_password)
    _, ended = end_sessions(
        ports,
        account.account_id,
        lambda current: dataclasses.replace(current, password_hash=password_hash),
        audit_event(ports, origin, actor_of(account), "account.password_changed", action=Action.UPDATE),
        keep_selector=caller.session_id,
    )
    notify(
        ports,
        "password_changed",
        account.email if account.email_verified else "",
        about=about_account(account.account_id),
    )
    return {"other_sessions_ended": ended}


def set_preferences(ports: ProfilePorts, caller: Caller, origin: Origin, body: PreferencesChange) -> dict[str, Any]:
    changed: dict[str, bool] = body.model_dump(exclude_unset=True)  # those left out keep their value
    account = account_of(ports, caller)
    preferences = {**enrollment.DEFAULT_PREFERENCES, **account.notification_preferences, **changed}
    ports.directory.save_account(dataclasses.replace(account, notification_preferences=preferences))
    write_audit(ports, origin, actor_of(account), "account.notification_preferences_changed", action=Action.UPDATE)
    return {"notification_preferences": preferences}


def accept_terms(
    ports: ProfilePorts, caller: Caller, origin: Origin, body: TermsAcceptance, now: datetime
) -> dict[str, Any]:
    in_force = terms.current(ports)
    if body.accepted_terms_version != in_force.version:
        raise ValidationFailed(f"The current version is {in_force.version}.", [{"field": "accepted_terms_version"}])
    account = account_of(ports, caller)
    changed = dataclasses.replace(account, terms_version=in_force.version, terms_accepted_at=now)
    ports.identity_records.save_account_with_audit(
        changed,
        audit_event(
            ports,
            origin,
            actor_of(account),
            "account.terms_accepted",
            action=Action.UPDATE,
            reason=f"terms:{in_force.version}",
        ),
    )
    lift_restriction(ports, caller, Restriction.TERMS)
    return {"accepted_version": in_force.version, "accepted_at": iso(now)}


def sign_in_history(ports: ProfilePorts, caller: Caller, limit: int, after: str) -> dict[str, Any]:
    """The account's own security events (sign-ins, failures, lockouts, changes), newest first:
    they are recorded with the account, not a patient, as their subject."""
    events, cursor = audit.access_history(ports.audit_log, f"account#{caller.account_id}", limit, after)
    return {
        "events": [
            {
                "at": iso(e.recorded_at),
                "event": e.event_type,
                "outcome": e.outcome.value,
                "reason": e.reason or None,
                "source_ip": e.source_ip or None,
            }
            for e in events
        ],
        "next_cursor": cursor or None,
    }


# -- My Connections ------------------------------------------------------------------------------


def add_connection(
    ports: ProfilePorts, caller: Caller, origin: Origin, body: ConnectionRequest, now: datetime
) -> dict[str, Any]:
    """ "Add Organization": an invitation code from another organization links its patient record
    to this account. The record there must describe the same person (birth date and family name
    as this account's own record); until that organization's record carries them the connection
    stays pending, and one that contradicts them is refused and counted like a wrong answer."""
    throttle.check(ports, "enrollment", origin, now)
    account = account_of(ports, caller)
    if not account.patient_id:
        # Connecting compares the new record with the account's own (birth date, family name):
        # an account opened to act for others has none to compare with.
        raise Conflict(
            "This account has no patient record of its own to connect other organizations' records to.",
            code="no_own_record",
        )
    invitation = enrollment.live_invitation(ports, body.invitation_code, now)
    if invitation.purpose != InvitationPurpose.PATIENT.value:
        # An invitation to open an account, or to see someone else's record, connects nothing.
        raise enrollment._invalid_code()
    if body.organization_id is not None and invitation.organization_id != body.organization_id:
        raise ValidationFailed("This invitation code is not from that organization.", [{"field": "invitation_code"}])
    if any(c.organization_id == invitation.organization_id for c in account.connections):
        raise Conflict("This organization is connected already.")
    own = ports.patients.get(account.patient_id) if account.patient_id else None
    other = ports.patients.get(invitation.patient_id)
    if own is None or other is None:
        raise NotFound("No such patient.")
    if other.deceased or own.deceased:
        raise enrollment.deceased_refusal()
    status = "pending" if not (other.birth_date and other.family_name) else "active"
    if status == "active":
        enrollment.check_answers(ports, origin, invitation, other, own.birth_date, own.family_name)
    connection = Connection(uuid.uuid4().hex[:16], invitation.organization_id, invitation.patient_id, status, iso(now))
    # A pending connection is kept on the record too (its account, no invitation to expire), so
    # the feed that brings the record's birth date and family name finds the account waiting for
    # it with the record it reads anyway (filing.connections). Only an active connection opens it.
    linked = dataclasses.replace(
        other,
        portal_status=PortalStatus.ACTIVE if status == "active" else PortalStatus.INVITED,
        account_id=account.account_id,
        invited_until=0,
    )
    event_of_change = audit_event(
        ports,
        origin,
        actor_of(account),
        "connection.added",
        action=Action.CREATE,
        patient_id=other.patient_id,
        resource_type="Connection",
        resource_id=connection.connection_id,
        reason=status,
    )
    if not ports.identity_records.connect(
        dataclasses.replace(account, connections=account.connections + (connection,)),
        linked,
        invitation,
        event_of_change,
    ):
        raise enrollment._invalid_code()
    return connection_json(connection, ports.organization_names.name(connection.organization_id))


def remove_connection(ports: ProfilePorts, caller: Caller, origin: Origin, connection_id: str) -> None:
    account = account_of(ports, caller)
    connection = next((c for c in account.connections if c.connection_id == connection_id), None)
    if connection is None:
        raise NotFound("No such connection.")
    if connection.patient_id == account.patient_id:
        raise Conflict("This is the organization you enrolled with; ask its office to end portal access instead.")
    ports.directory.save_account(
        dataclasses.replace(
            account, connections=tuple(c for c in account.connections if c.connection_id != connection_id)
        )
    )
    other = ports.patients.get(connection.patient_id)
    if other is not None and other.account_id == account.account_id:
        # Off the portal through this account: that organization's office may invite anew.
        ports.patients.save(dataclasses.replace(other, portal_status=PortalStatus.NOT_INVITED, account_id=""))
    write_audit(
        ports,
        origin,
        actor_of(account),
        "connection.removed",
        action=Action.DELETE,
        patient_id=connection.patient_id,
        resource_type="Connection",
        resource_id=connection_id,
    )
