"""Invitations and enrollment: the only way anyone gets a patient-role account.

Staff invite a patient of their organization; the email carries a single-use code (a split
token: only its hash is stored) valid for the deployment's invitation lifetime (7 days unless
configured otherwise), which the email states. Enrolling proves the person is the
patient (date of birth and family name must match the record, accents and case ignored); five
wrong answers burn the code. The account, the patient's portal status, the used invitation and
the audit event are written in one transaction.

Two invitations open an account with no patient record of its own (``patient_id`` "", no
connections), for someone who acts for a patient: staff's invitation of a parent, guardian or
agent who will then ask for proxy access (the answers are the invitee's birth date and family
name as staff typed them, checked and counted the same way), and a patient's invitation of a
trusted person (identity.trusted_persons: the emailed code is the proof, and enrolling with it
takes up the grant in the same transaction).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from chalicelib.accounts import passwords
from chalicelib.accounts.domain import Account, AccountStatus, Connection, Role
from chalicelib.accounts.service import normalize_username
from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.audit.trail import ANONYMOUS, audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems, ValidationFailed
from chalicelib.identity import redemption, terms, throttle, tokens
from chalicelib.identity.contract import Enrollment
from chalicelib.identity.domain import IdentityRecord, InvitationPurpose, InvitationStatus, LinkPurpose, RecordKind
from chalicelib.identity.staff_contract import InvitationRequest, ProxyInvitationRequest
from chalicelib.identity.throttle import ThrottlePorts
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import DeliveryRecord, about_account, about_patient
from chalicelib.notifications.domain import lifetime_words
from chalicelib.notifications.requests import NotifyPorts, notify
from chalicelib.observability import logger
from chalicelib.patients import service as patients
from chalicelib.patients.domain import Patient, PortalStatus, fold_name, parse_birth_date
from chalicelib.patients.service import RegistryPorts
from chalicelib.proxies.stores import ProxyGrants

MAX_ANSWER_ATTEMPTS = 5
EMAIL_VERIFICATION_SECONDS = 24 * 3600
DEFAULT_PREFERENCES = {
    "email_new_results": True,
    "email_messages": True,
    "email_appointments": True,
    "email_forms": True,
}

_Checked = TypeVar("_Checked")


class EnrollmentPorts(RegistryPorts, NotifyPorts, ThrottlePorts, terms.TermsPorts, Protocol):
    """The patients invited and enrolled (and the directory that finds them by MRN), the
    invitations, links and the enrollment transaction (the identity store) with the invitation
    lifetime (the settings), the emails, the audit trail, the per-address throttle, and the proxy
    grants (a trusted person's code takes one up)."""

    @property
    def proxy_grants(self) -> ProxyGrants: ...


HAS_ACCESS = (PortalStatus.ACTIVE, PortalStatus.SUSPENDED)  # an account exists for the patient


def deceased_refusal() -> Conflict:
    """What the patient side is told when the record is marked deceased: a plain sentence, never
    the date or anything else from the record."""
    return Conflict(
        "This invitation can no longer be used to open portal access. Please contact your provider's office.",
        code="invitation_unusable",
    )


def invite(
    ports: EnrollmentPorts, caller: Caller, origin: Origin, body: InvitationRequest, now: datetime
) -> dict[str, Any]:
    email = patients.email_address(body.email)
    patient = patients.find(ports, caller, origin, patient_id=body.patient_id, mrn=body.mrn)
    return _issue(ports, caller, origin, patient, email, now)


def _issue(
    ports: EnrollmentPorts, caller: Caller, origin: Origin, patient: Patient, email: str, now: datetime
) -> dict[str, Any]:
    if patient.deceased:
        raise Conflict("This patient is recorded as deceased, so they cannot be invited to the portal.")
    if patient.portal_status in HAS_ACCESS:
        raise Conflict("This patient has portal access already.")
    if patient.awaited:
        # A patient enrolled elsewhere added this record with an earlier code and waits for its
        # birth date and family name to arrive from the feed: a new code would only confuse that.
        raise Conflict(
            "A patient has added this record to their portal account and is waiting for it to arrive "
            "from your records system; no new invitation is needed."
        )
    # One live code per patient: a new invitation replaces any earlier one still pending.
    for earlier in ports.identity_records.owned_by(f"patient#{patient.patient_id}", limit=50):
        if earlier.kind is RecordKind.INVITATION and earlier.status == InvitationStatus.PENDING.value:
            ports.identity_records.change(
                RecordKind.INVITATION,
                earlier.selector,
                {"status": InvitationStatus.PENDING.value},
                status=InvitationStatus.REVOKED.value,
            )
    code, split = tokens.new_token()
    expires_at = int(now.timestamp()) + ports.settings.identity.invitation_lifetime_seconds
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.INVITATION,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=expires_at,
            owner=f"patient#{patient.patient_id}",
            created_at=now,
            patient_id=patient.patient_id,
            organization_id=patient.organization_id,
            status=InvitationStatus.PENDING.value,
            email=email,
            created_by=caller.account_id,
        )
    )
    ports.patients.save(dataclasses.replace(patient, portal_status=PortalStatus.INVITED, invited_until=expires_at))
    notify(
        ports,
        "invitation",
        email,
        notification_id=f"invitation-{split.selector}",  # invitation_email_id
        about=about_patient(patient.patient_id),
        token=code,
        lifetime=lifetime_words(ports.settings.identity.invitation_lifetime_seconds),
    )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "invitation.created",
        action=Action.CREATE,
        patient_id=patient.patient_id,
        resource_type="Invitation",
        resource_id=split.selector,
    )
    return {"invitation_id": split.selector, "expires_at": iso(expires_at)}


def list_for_patient(
    ports: EnrollmentPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime
) -> dict[str, Any]:
    patient = patients.find(ports, caller, origin, patient_id=patient_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "invitation.list",
        action=Action.READ,
        patient_id=patient.patient_id,
        resource_type="Invitation",
    )
    epoch = int(now.timestamp())
    return {
        "invitations": invitation_summaries(
            ports,
            [
                r
                for r in ports.identity_records.owned_by(f"patient#{patient.patient_id}", limit=50)
                if r.kind is RecordKind.INVITATION
            ],
            epoch,
        )
    }


def _staff_invitation(ports: EnrollmentPorts, caller: Caller, invitation_id: str) -> IdentityRecord:
    invitation = (
        ports.identity_records.get(RecordKind.INVITATION, invitation_id)
        if re.fullmatch(r"[0-9a-f]{16}", invitation_id or "")
        else None
    )
    if (
        invitation is None
        or invitation.organization_id != caller.organization_id
        # A patient's invitation of a trusted person is the patient's to withdraw (by revoking
        # the grant), not the office's to resend.
        or invitation.purpose == InvitationPurpose.TRUSTED_PERSON.value
    ):
        raise NotFound("No such invitation.")
    return invitation


def revoke(ports: EnrollmentPorts, caller: Caller, origin: Origin, invitation_id: str) -> None:
    invitation = _staff_invitation(ports, caller, invitation_id)
    if not ports.identity_records.change(
        RecordKind.INVITATION,
        invitation.selector,
        {"status": InvitationStatus.PENDING.value},
        status=InvitationStatus.REVOKED.value,
    ):
        raise Conflict("Only a pending invitation can be revoked.")
    no_longer_invited(ports, invitation)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "invitation.revoked",
        action=Action.UPDATE,
        patient_id=invitation.patient_id,
        resource_type="Invitation",
        resource_id=invitation.selector,
    )


def no_longer_invited(ports: EnrollmentPorts, invitation: IdentityRecord) -> None:
    """A revoked or burned invitation that was the patient's live one leaves them not invited, so
    staff see that nobody can enroll with it (and may invite again). A patient invited anew since,
    or enrolled meanwhile, keeps their status."""
    patient = ports.patients.get(invitation.patient_id) if invitation.patient_id else None
    if (
        patient is not None
        and patient.portal_status is PortalStatus.INVITED
        and patient.invited_until == invitation.expires_at
    ):
        try:
            ports.patients.save(dataclasses.replace(patient, portal_status=PortalStatus.NOT_INVITED, invited_until=0))
        except Conflict:
            pass  # changed at the same time (a new invitation, an enrollment): that change stands


def resend(ports: EnrollmentPorts, caller: Caller, origin: Origin, invitation_id: str, now: datetime) -> dict[str, Any]:
    """A fresh code to the same address (the old one stops working)."""
    invitation = _staff_invitation(ports, caller, invitation_id)
    if invitation.purpose == InvitationPurpose.PROXY_ACCOUNT.value:
        if invitation.status == InvitationStatus.USED.value:
            raise Conflict("This invitation was used: the account exists.")
        invitee = (invitation.email, invitation.given_name, invitation.family_name, invitation.birth_date)
        return _issue_without_record(ports, caller, origin, *invitee, now)
    patient = patients.find(ports, caller, origin, patient_id=invitation.patient_id)
    return _issue(ports, caller, origin, patient, invitation.email, now)


# -- an account with no record of its own -----------------------------------------------------------


def invite_without_record(
    ports: EnrollmentPorts, caller: Caller, origin: Origin, body: ProxyInvitationRequest, now: datetime
) -> dict[str, Any]:
    """Invite someone who has no record here (a parent, a guardian, an agent) to open an account,
    from which they then ask for proxy access. Their birth date and family name, as staff type
    them, are what enrollment asks back."""
    problems = Problems()
    email = problems.gather(patients.email_address, body.email)
    birth_date = problems.gather(parse_birth_date, body.birth_date.isoformat(), now.date())
    problems.raise_if_any()
    assert email is not None and birth_date is not None  # or a problem was raised
    return _issue_without_record(ports, caller, origin, email, body.given_name, body.family_name, birth_date, now)


def invitee_owner(organization_id: str, email: str) -> str:
    """The owner under which an organization's invitations to one address are listed: a digest,
    so the by-owner index never holds the address itself."""
    digest = hashlib.sha256(f"{organization_id}|{email.strip().lower()}".encode()).hexdigest()[:32]
    return f"invitee#{digest}"


def _issue_without_record(
    ports: EnrollmentPorts,
    caller: Caller,
    origin: Origin,
    email: str,
    given_name: str,
    family_name: str,
    birth_date: str,
    now: datetime,
) -> dict[str, Any]:
    owner = invitee_owner(caller.organization_id, email)
    # One live code per address and organization: a new invitation replaces an earlier one.
    for earlier in ports.identity_records.owned_by(owner, limit=50):
        if earlier.kind is RecordKind.INVITATION and earlier.status == InvitationStatus.PENDING.value:
            ports.identity_records.change(
                RecordKind.INVITATION,
                earlier.selector,
                {"status": InvitationStatus.PENDING.value},
                status=InvitationStatus.REVOKED.value,
            )
    code, split = tokens.new_token()
    lifetime = ports.settings.identity.invitation_lifetime_seconds
    expires_at = int(now.timestamp()) + lifetime
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.INVITATION,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=expires_at,
            owner=owner,
            created_at=now,
            organization_id=caller.organization_id,
            purpose=InvitationPurpose.PROXY_ACCOUNT.value,
            status=InvitationStatus.PENDING.value,
            email=email,
            created_by=caller.account_id,
            given_name=given_name,
            family_name=family_name,
            birth_date=birth_date,
        )
    )
    # The email names nobody (the invitee, nor whom they will act for): its link and its lifetime.
    notify(
        ports,
        "proxy_invitation",
        email,
        notification_id=f"invitation-{split.selector}",
        token=code,
        lifetime=lifetime_words(lifetime),
    )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "proxy_invitation.created",
        action=Action.CREATE,
        resource_type="Invitation",
        resource_id=split.selector,
    )
    return {"invitation_id": split.selector, "expires_at": iso(expires_at)}


# -- enrollment -----------------------------------------------------------------------------------


def _invalid_code() -> ValidationFailed:
    return ValidationFailed(
        "This invitation code is not valid: it may be mistyped, used, or expired. "
        "Ask your provider's office for a new invitation.",
        [{"field": "invitation_code"}],
    )


def live_invitation(ports: EnrollmentPorts, code: str, now: datetime) -> IdentityRecord:
    split = tokens.parse(code)
    invitation = ports.identity_records.get(RecordKind.INVITATION, split.selector) if split else None
    if (
        split is None
        or invitation is None
        or not tokens.same(invitation.secret_hash, split.verifier_hash)
        or invitation.status != InvitationStatus.PENDING.value
        or invitation.expires_at <= int(now.timestamp())
    ):
        raise _invalid_code()
    return invitation


def check_answers(
    ports: EnrollmentPorts,
    origin: Origin,
    invitation: IdentityRecord,
    patient: Patient | None,
    date_of_birth: str,
    family_name: str,
) -> None:
    """Identity proofing against the patient record; a wrong answer counts, the fifth burns the code."""
    expected = (patient.birth_date, patient.family_name) if patient is not None else ("", "")
    check_answers_against(ports, origin, invitation, expected, date_of_birth, family_name)


def check_answers_against(
    ports: EnrollmentPorts,
    origin: Origin,
    invitation: IdentityRecord,
    expected: tuple[str, str],
    date_of_birth: str,
    family_name: str,
) -> None:
    """The answers against the ``expected`` birth date and family name (a record's, or what staff
    typed for someone with no record); a wrong answer counts, the fifth burns the code."""
    expected_birth_date, expected_family_name = expected
    if (
        expected_birth_date
        and expected_birth_date == date_of_birth
        and fold_name(family_name) == fold_name(expected_family_name)
        and fold_name(family_name)
    ):
        return
    attempts = ports.identity_records.count_attempt(RecordKind.INVITATION, invitation.selector, MAX_ANSWER_ATTEMPTS)
    burned = attempts is None or attempts >= MAX_ANSWER_ATTEMPTS
    if burned:
        ports.identity_records.change(
            RecordKind.INVITATION,
            invitation.selector,
            {"status": InvitationStatus.PENDING.value},
            status=InvitationStatus.BURNED.value,
        )
        no_longer_invited(ports, invitation)
    write_audit(
        ports,
        origin,
        ANONYMOUS,
        "enrollment.identity_check",
        Outcome.FAILURE,
        patient_id=invitation.patient_id,
        resource_type="Invitation",
        resource_id=invitation.selector,
        reason="code_burned" if burned else "answers_do_not_match",
    )
    if burned or attempts is None:  # (burned when None: said again for the type checker)
        raise ValidationFailed(
            "Too many tries: this invitation code no longer works. Ask your provider's office for a new invitation.",
            [{"field": "invitation_code"}],
        )
    raise ValidationFailed(
        "The date of birth or family name does not match our records.",
        [{"field": "date_of_birth"}, {"field": "family_name"}, {"attempts_left": MAX_ANSWER_ATTEMPTS - attempts}],
    )


def enroll(ports: EnrollmentPorts, origin: Origin, body: Enrollment, now: datetime) -> dict[str, Any]:
    problems: list[dict[str, Any]] = []

    def gather(check: Callable[..., _Checked], *args: Any, **kwargs: Any) -> _Checked | None:
        try:
            return check(*args, **kwargs)
        except ValidationFailed as error:
            problems.extend(error.details or [{"issue": error.message}])
            return None

    # Everything that can be checked without the code first, so a typo in a password never costs
    # one of the five tries.
    username = gather(normalize_username, body.username)
    email = gather(patients.email_address, body.email)
    # The model read the date; whether it is a possible birth date (not before 1880, not in the
    # future) is the registry's rule.
    date_of_birth = gather(parse_birth_date, body.date_of_birth.isoformat(), now.date(), "date_of_birth")
    gather(passwords.check_policy, body.password, username=username or "", email=email or "")
    in_force = terms.current(ports)
    if body.accepted_terms_version != in_force.version:
        problems.append({"field": "accepted_terms_version", "issue": f"the current version is {in_force.version}"})
    if problems:
        raise ValidationFailed("Some answers need another look.", problems)
    assert username is not None and email is not None and date_of_birth is not None  # or a problem was added
    throttle.check(ports, "enrollment", origin, now)
    # A taken name is refused before the code is even looked up: the code is not used up nor a
    # try counted for it, and the answer (and the work behind it) is the same for a valid code, a
    # wrong one or none, so a code tells its holder nothing more about which names exist. Asking
    # for names costs a throttled attempt like any other.
    if ports.directory.username_taken(username):
        raise Conflict("That user name is taken.", [{"field": "username"}])
    invitation = live_invitation(ports, body.invitation_code, now)
    if invitation.purpose != InvitationPurpose.PATIENT.value:
        return _enroll_without_record(ports, origin, invitation, body, username, email, date_of_birth, now)
    patient = ports.patients.get(invitation.patient_id)
    check_answers(ports, origin, invitation, patient, date_of_birth, body.family_name)
    assert patient is not None  # check_answers refuses a missing patient
    if patient.deceased:
        # Said only to whoever answered the invitation's questions, and without the record's details.
        raise deceased_refusal()
    if patient.portal_status in HAS_ACCESS:
        raise Conflict("This patient has portal access already.")
    account = new_account(ports, invitation, body, username, email, now, patient.patient_id)
    enrolled = dataclasses.replace(
        patient, portal_status=PortalStatus.ACTIVE, account_id=account.account_id, invited_until=0
    )
    ports.identity_records.enroll(
        account, enrolled, invitation, enrolled_event(ports, origin, account, patient.patient_id)
    )
    return _enrolled(ports, account, email, now)


def _enroll_without_record(
    ports: EnrollmentPorts,
    origin: Origin,
    invitation: IdentityRecord,
    body: Enrollment,
    username: str,
    email: str,
    date_of_birth: str,
    now: datetime,
) -> dict[str, Any]:
    """An account with no record of its own: staff's invitation checks the answers against what
    staff typed; a trusted person's code is its own proof (nobody typed their birth date), and
    the grant it names is taken up once the account exists."""
    if invitation.purpose == InvitationPurpose.PROXY_ACCOUNT.value:
        check_answers_against(
            ports, origin, invitation, (invitation.birth_date, invitation.family_name), date_of_birth, body.family_name
        )
    elif invitation.purpose == InvitationPurpose.TRUSTED_PERSON.value:
        redemption.still_open(ports, invitation, now)
    else:
        raise _invalid_code()
    account = new_account(ports, invitation, body, username, email, now, "")
    ports.identity_records.enroll(account, None, invitation, enrolled_event(ports, origin, account, ""))
    if invitation.purpose == InvitationPurpose.TRUSTED_PERSON.value:
        try:
            redemption.take_up(ports, origin, invitation, account.account_id, now)
        except (Conflict, ValidationFailed):
            # The patient revoked the grant (or it changed) in the moment since it was checked: the
            # account stands, with nothing to act for, as if the invitation had been withdrawn
            # just after; its holder signs in and sees so.
            logger.warning("trusted person's grant not taken up at enrollment", extra={"grant_id": invitation.grant_id})
    return _enrolled(ports, account, email, now)


def new_account(
    ports: EnrollmentPorts,
    invitation: IdentityRecord,
    body: Enrollment,
    username: str,
    email: str,
    now: datetime,
    patient_id: str,
) -> Account:
    """The enrolling account: of the patient's record (``patient_id``, connected to it), or with no
    record of its own ("": no connections) in the invitation's organization."""
    verified = email.lower() == invitation.email.lower()
    terms_version = terms.current(ports).version
    return Account(
        account_id=uuid.uuid4().hex,
        username=username,
        organization_id=invitation.organization_id,
        role=Role.PATIENT,
        password_hash=passwords.hash_password(body.password),
        status=AccountStatus.ACTIVE,
        email=email if verified else "",
        pending_email="" if verified else email,
        email_verified=verified,
        created_at=now,
        patient_id=patient_id,
        terms_version=terms_version,
        terms_accepted_at=now,
        notification_preferences=dict(DEFAULT_PREFERENCES),
        connections=(
            (Connection(uuid.uuid4().hex[:16], invitation.organization_id, patient_id, "active", iso(now)),)
            if patient_id
            else ()
        ),
    )


def enrolled_event(ports: EnrollmentPorts, origin: Origin, account: Account, patient_id: str) -> AuditEvent:
    return audit_event(
        ports,
        origin,
        Actor(account_id=account.account_id, role=Role.PATIENT.value),
        "enrollment.completed",
        action=Action.CREATE,
        patient_id=patient_id,
        resource_type="Account",
        resource_id=account.account_id,
        reason=f"terms:{account.terms_version}",
    )


def _enrolled(ports: EnrollmentPorts, account: Account, email: str, now: datetime) -> dict[str, Any]:
    if not account.email_verified:
        send_email_verification(ports, account, email, now)
    return {
        "account_id": account.account_id,
        "username": account.username,
        "email_verification_sent": not account.email_verified,
    }


def send_email_verification(ports: EnrollmentPorts, account: Account, address: str, now: datetime) -> None:
    """An address the portal has not seen work gets a link first; no notification goes there until
    it is followed (a mistyped address must not receive the patient's notifications)."""
    token, split = tokens.new_token()
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.LINK,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=int(now.timestamp()) + EMAIL_VERIFICATION_SECONDS,
            owner=f"account#{account.account_id}",
            created_at=now,
            account_id=account.account_id,
            purpose=LinkPurpose.EMAIL_VERIFICATION.value,
            email=address,
        )
    )
    notify(
        ports,
        "email_verification",
        address,
        notification_id=f"verify-{split.selector}",
        about=about_account(account.account_id),
        token=token,
    )


def invitation_email_id(invitation: IdentityRecord) -> str:
    """The notification id its email was queued under (its delivery record's key)."""
    return f"invitation-{invitation.selector}"


def invitation_summaries(ports: NotifyPorts, invitations: list[IdentityRecord], now_epoch: int) -> list[dict[str, Any]]:
    """Each invitation as staff see it, with what became of its email."""
    deliveries = ports.deliveries.many(invitation_email_id(r) for r in invitations)
    return [invitation_summary(r, now_epoch, deliveries.get(invitation_email_id(r))) for r in invitations]


def invitation_summary(
    invitation: IdentityRecord, now_epoch: int, delivery: DeliveryRecord | None = None
) -> dict[str, Any]:
    status = invitation.status
    if status == InvitationStatus.PENDING.value and invitation.expires_at <= now_epoch:
        status = "expired"
    return {
        # null for an invitation older than delivery records
        "email_delivery": delivery.as_json() if delivery else None,
        "invitation_id": invitation.selector,
        "status": status,
        "email": invitation.email,
        "created_at": iso(invitation.created_at) if invitation.created_at else None,
        "expires_at": iso(invitation.expires_at),
        "failed_attempts": invitation.attempts,
    }
