"""Sign-in, the second step, the session check of every call, and sign-out.

Guessing is answered three ways, so that passwords and codes cannot be tried at speed: every
attempt from an address counts against that address (throttle.py, 429); five wrong passwords
within 15 minutes lock the account for 15 minutes and email its owner; and an unknown user name,
a wrong password and a locked account all get the same answer after the same argon2 work, so the
answer tells nothing about accounts.

A lockout must not lock the owner out, or anyone who knows a user name could keep a patient out of
the portal. So during a lockout the password is still checked, and the right one emails the owner
a link and a code that finish the sign-in (a lockout challenge, completed at /v1/sessions/mfa),
while the answer to the request stays the same 401 whatever the password: a guesser learns
nothing during a lockout, and the owner gets in at the cost of one email.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from typing import Any, Protocol

from chalicelib.accounts import passwords
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.accounts.service import normalize_username
from chalicelib.audit.domain import Outcome
from chalicelib.audit.trail import ANONYMOUS, actor_of, audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict, Forbidden, NotAuthenticated, ValidationFailed
from chalicelib.identity import second_factor, terms, throttle, tokens
from chalicelib.identity.contract import EmailCodeRequest, SecondStep, SignIn
from chalicelib.identity.domain import IdentityRecord, RecordKind, Restriction
from chalicelib.identity.guessing import GuessingPorts, count_failure, is_locked
from chalicelib.identity.second_factor import SignInCodePorts
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.notifications.requests import notify
from chalicelib.patients.stores import Patients

CHALLENGE_SECONDS = 5 * 60
CHALLENGE_ATTEMPTS = 5
EMAIL_CODE_SECONDS = 10 * 60  # what the sign_in_code email promises, counted from when it is sent
LOCKOUT_CHALLENGE = "lockout"  # the purpose of a challenge emailed during a lockout
# Lockout emails in flight at once for one account: someone who has the password cannot flood
# the owner's mailbox (each lasts EMAIL_CODE_SECONDS, so at most 18 an hour).
LOCKOUT_EMAILS_LIVE = 3
# Passwords checked against an account's real hash while it is locked, per window. The right one
# does more work than a wrong one (it emails a code), and so could be told apart by timing: this
# keeps that to a few guesses per window, fewer than the lockout itself allows. Once spent, the
# answer is the same 401 without a check, and the owner can still reset the password by email.
LOCKOUT_CHECKS = 3
LOCKOUT_CHECK_WINDOW_SECONDS = 10 * 60


class SessionPorts(GuessingPorts, SignInCodePorts, terms.TermsPorts, Protocol):
    """The accounts (the directory), sessions and challenges (the identity store), the session
    policy (the settings), the TOTP key, wrong answers counted (guessing), the per-address
    throttle, the emailed code, the patient records (a deceased patient's account opens no
    session) and the audit trail."""

    @property
    def patients(self) -> Patients: ...


def _sign_in_failed() -> NotAuthenticated:
    # The same words for an unknown user, a wrong password and a locked account (with either
    # password), so they must serve the owner of a locked account too.
    return NotAuthenticated(
        "The user name or password is not correct. If signing in is paused after too many attempts, "
        "the right password gets you an email with a link to finish signing in.",
        code="sign_in_failed",
    )


def sign_in(ports: SessionPorts, origin: Origin, body: SignIn, now: datetime) -> dict[str, Any]:
    username, password = body.username, body.password
    throttle.check(ports, "sign_in", origin, now)
    try:
        account = ports.directory.account_by_username(normalize_username(username))
    except ValidationFailed:
        account = None
    if account is None:
        passwords.verify_against_nothing(password)
        write_audit(ports, origin, ANONYMOUS, "session.sign_in", Outcome.FAILURE, reason="unknown_user")
        raise _sign_in_failed()
    if is_locked(account, now):
        _sign_in_while_locked(ports, origin, account, password, now)
        raise _sign_in_failed()
    if not passwords.verify_password(account.password_hash, password):
        count_failure(ports, origin, account, now, "session.sign_in", "wrong_password")
        raise _sign_in_failed()
    account = _rehashed(ports, account, password)
    refuse_if_deceased(ports, origin, account)
    if account.status is not AccountStatus.ACTIVE:
        # The password is right, so saying why cannot help a guesser; the holder needs to know.
        write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason=account.status.value)
        raise Forbidden(
            "Portal access for this account is not active. Please contact your provider's office.",
            code=f"account_{account.status.value}",
        )
    # Failures are cleared only when a session opens: a right password alone must not reset the
    # count of wrong second-factor codes, or each new sign-in would buy four more guesses.
    if account.second_factors:
        return _second_factor_challenge(ports, origin, account, now)
    return open_session(ports, origin, account, now, method="password")


def _rehashed(ports: SessionPorts, account: Account, password: str) -> Account:
    """The account with its password hashed anew when the stored hash was made with other argon2
    parameters than today's (passwords.ARGON2_PARAMETERS): the right password is the only moment
    the portal holds it, so a change of parameters reaches each account at its next sign-in. A
    change that landed at the same moment wins (Conflict): the old hash still verifies. So does a
    password today's rules would refuse (chosen under older ones): it is kept until its owner
    changes it, rather than locking them out."""
    if not passwords.needs_rehash(account.password_hash):
        return account
    try:
        fresh = passwords.hash_password(password)
        return ports.directory.save_account(dataclasses.replace(account, password_hash=fresh))
    except (Conflict, ValidationFailed):
        return account


def _second_factor_challenge(ports: SessionPorts, origin: Origin, account: Account, now: datetime) -> dict[str, Any]:
    token, split = tokens.new_token()
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.CHALLENGE,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=int(now.timestamp()) + CHALLENGE_SECONDS,
            account_id=account.account_id,
            created_at=now,
            owner=f"account#{account.account_id}",
        )
    )  # owned, so a password reset or suspension ends it
    write_audit(ports, origin, actor_of(account), "session.password_verified", reason="second_factor_required")
    return {
        "mfa_required": True,
        "challenge_id": token,
        "methods": account.second_factors,
        "expires_at": iso(int(now.timestamp()) + CHALLENGE_SECONDS),
    }


def _sign_in_while_locked(ports: SessionPorts, origin: Origin, account: Account, password: str, now: datetime) -> None:
    """The password checked against the account's hash (one argon2 verification, as for every
    other answer); whatever it is, the caller answers 401 sign_in_failed. Only the right password
    of an active account with a verified address emails a lockout challenge: its link carries the
    challenge id, its text the code. Wrong passwords are not counted here: during a lockout they
    cannot tell a guesser anything, and the owner's way in must not depend on the count; only
    LOCKOUT_CHECKS passwords a window are checked at all."""
    if _lockout_checks_spent(ports, account, now):
        passwords.verify_against_nothing(password)
        write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason="locked_checks_spent")
        return
    if not passwords.verify_password(account.password_hash, password):
        write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason="locked")
        return
    if account.status is not AccountStatus.ACTIVE or not (account.email_verified and account.email):
        # Nowhere to send a code (or access is suspended): the lockout simply runs its course.
        write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason="locked_no_email")
        return
    epoch = int(now.timestamp())
    # (Newest first: the lockout's own challenges are among the account's latest records.)
    in_flight = [
        record
        for record in ports.identity_records.owned_by(f"account#{account.account_id}", limit=50)
        if record.kind is RecordKind.CHALLENGE and record.purpose == LOCKOUT_CHALLENGE and record.expires_at > epoch
    ]
    if len(in_flight) >= LOCKOUT_EMAILS_LIVE:
        write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason="locked_emails_live")
        return
    token, split = tokens.new_token()
    code = tokens.numeric_code()
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.CHALLENGE,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=epoch + EMAIL_CODE_SECONDS,
            account_id=account.account_id,
            created_at=now,
            owner=f"account#{account.account_id}",  # a password reset or suspension ends it
            purpose=LOCKOUT_CHALLENGE,
            code_hash=tokens.code_digest(ports.code_key, split.selector, code),
        )
    )
    notify(
        ports,
        "sign_in_unlock",
        account.email,
        notification_id=f"unlock-{split.selector}",
        about=about_account(account.account_id),
        token=token,
        code=code,
    )
    write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason="locked_code_emailed")


def _lockout_checks_spent(ports: SessionPorts, account: Account, now: datetime) -> bool:
    """Count this check (one atomic ADD, shared by every function instance) and say whether the
    window's budget was already spent. The key names the account only by a hash."""
    epoch = int(now.timestamp())
    start = epoch - epoch % LOCKOUT_CHECK_WINDOW_SECONDS
    who = hashlib.sha256(account.account_id.encode()).hexdigest()[:32]
    checks = ports.identity_records.hit(f"locked_check|{who}|{start}", start + LOCKOUT_CHECK_WINDOW_SECONDS)
    return checks > LOCKOUT_CHECKS


def restriction_for(ports: SessionPorts, account: Account) -> Restriction:
    settings = ports.settings
    if (
        account.role.is_workforce
        and settings.identity.staff_second_factor_required
        and not account.second_factors
        and not settings.second_factor_exempt(account.username)
    ):
        return Restriction.SECOND_FACTOR_SETUP
    if account.role is Role.PATIENT and account.terms_version != terms.current(ports).version:
        return Restriction.TERMS
    return Restriction.NONE


def refuse_if_deceased(ports: SessionPorts, origin: Origin, account: Account) -> None:
    """No session for the account of a patient whose own record the EHR marks deceased (the feed
    ends the open ones: filing.deceased). The account itself is not changed: when the EHR corrects
    the mark, sign-in works again, as the record says. Checked on the account's own record only: a
    connected organization's record was linked on birth date and family name alone."""
    if account.role is not Role.PATIENT or not account.patient_id:
        return
    patient = ports.patients.get(account.patient_id)
    if patient is None or not patient.deceased:
        return
    write_audit(ports, origin, actor_of(account), "session.sign_in", Outcome.DENIED, reason="deceased")
    # The holder may be the family: the words say closed, never why, nor anything of the record.
    raise Forbidden("This portal account is closed. Please contact your provider's office.", code="account_closed")


def open_session(ports: SessionPorts, origin: Origin, account: Account, now: datetime, method: str) -> dict[str, Any]:
    # Every way in (password, second factor, lockout link) ends here: checked again, so a death
    # recorded while a second-factor challenge was open still closes the door.
    refuse_if_deceased(ports, origin, account)
    policy = ports.settings.identity
    token, split = tokens.new_token()
    epoch = int(now.timestamp())
    restriction = restriction_for(ports, account)
    expires_at = epoch + policy.session_lifetime_seconds
    session = IdentityRecord(
        kind=RecordKind.SESSION,
        selector=split.selector,
        secret_hash=split.verifier_hash,
        expires_at=expires_at,
        owner=f"account#{account.account_id}",
        created_at=now,
        account_id=account.account_id,
        patient_id=account.patient_id,
        organization_id=account.organization_id,
        role=account.role.value,
        restriction=restriction.value,
        last_seen_at=now,
        idle_expires_at=epoch + policy.session_idle_seconds,
    )
    live = frozenset(entry for entry in account.sessions if int(entry.partition(":")[2] or 0) > epoch)
    # Saved on the version read at sign-in: a suspension or password change that landed since
    # makes this fail, so no session outlives it (and the account lists every live session).
    ports.identity_records.open_session(
        session,
        dataclasses.replace(
            account,
            failed_sign_ins=0,
            failures_since=None,
            locked_until=None,
            sessions=live | {f"{split.selector}:{expires_at}"},
        ),
    )
    write_audit(ports, origin, actor_of(account), "session.sign_in", reason=method)
    return {
        "token": token,
        "expires_at": iso(epoch + policy.session_lifetime_seconds),
        "idle_timeout_s": policy.session_idle_seconds,
        "must": restriction.value or None,
    }


def complete_second_factor(ports: SessionPorts, origin: Origin, body: SecondStep, now: datetime) -> dict[str, Any]:
    throttle.check(ports, "second_factor", origin, now)
    challenge, account = _live_challenge(ports, body.challenge_id, now)
    if ports.identity_records.count_attempt(RecordKind.CHALLENGE, challenge.selector, CHALLENGE_ATTEMPTS) is None:
        ports.identity_records.delete(RecordKind.CHALLENGE, challenge.selector)
        write_audit(
            ports, origin, actor_of(account), "session.second_factor", Outcome.DENIED, reason="too_many_attempts"
        )
        raise NotAuthenticated("Too many wrong codes. Sign in again.", code="challenge_expired")
    code = body.code
    if challenge.purpose == LOCKOUT_CHALLENGE:
        return _complete_lockout_challenge(ports, origin, challenge, account, code.strip(), now)
    method, changed = second_factor.verify_at_sign_in(ports, account, challenge, code, now)
    if method is None:
        # Counted against the account as a wrong password is: starting new sign-ins does not buy
        # an attacker who knows the password more guesses at the second factor.
        count_failure(ports, origin, account, now, "session.second_factor", "wrong_code")
        raise NotAuthenticated("That code is not correct.", code="second_factor_failed")
    # One use: whoever deletes the challenge first gets the session.
    if not ports.identity_records.delete(RecordKind.CHALLENGE, challenge.selector):
        raise NotAuthenticated("This sign-in was completed or has expired. Sign in again.", code="challenge_expired")
    return open_session(ports, origin, changed or account, now, method=method)


def _complete_lockout_challenge(
    ports: SessionPorts, origin: Origin, challenge: IdentityRecord, account: Account, code: str, now: datetime
) -> dict[str, Any]:
    """The emailed code of a lockout challenge (nothing else is accepted for it): the password and
    the mailbox are the owner's, so the lockout is lifted. An account whose second factor is an
    authenticator app still gives a code from it (the email must not stand in for the app); for
    one with codes by email, or with no second factor, the emailed code opens the session."""
    if not tokens.code_matches(challenge.code_hash, ports.code_key, challenge.selector, code):
        count_failure(ports, origin, account, now, "session.second_factor", "wrong_code")
        raise NotAuthenticated("That code is not correct.", code="second_factor_failed")
    if not ports.identity_records.delete(RecordKind.CHALLENGE, challenge.selector):  # one use
        raise NotAuthenticated("This sign-in was completed or has expired. Sign in again.", code="challenge_expired")
    unlocked = _lift_lockout(ports, origin, account)
    if "totp" in unlocked.second_factors and "email" not in unlocked.second_factors:
        return _second_factor_challenge(ports, origin, unlocked, now)
    return open_session(ports, origin, unlocked, now, method="email_after_lockout")


def _lift_lockout(ports: SessionPorts, origin: Origin, account: Account) -> Account:
    for _attempt in range(3):  # a wrong code counted meanwhile bumped the version: lift on a fresh copy
        try:
            return ports.identity_records.save_account_with_audit(
                dataclasses.replace(account, failed_sign_ins=0, failures_since=None, locked_until=None),
                audit_event(ports, origin, actor_of(account), "account.unlocked", reason="email_code"),
            )
        except Conflict:
            fresh = ports.directory.account(account.account_id)
            if fresh is None or fresh.status is not AccountStatus.ACTIVE:
                break
            account = fresh
    raise NotAuthenticated("This sign-in has expired. Sign in again.", code="challenge_expired")


def send_email_code(ports: SessionPorts, origin: Origin, body: EmailCodeRequest, now: datetime) -> None:
    throttle.check(ports, "second_factor", origin, now)
    challenge, account = _live_challenge(ports, body.challenge_id, now)
    if challenge.purpose == LOCKOUT_CHALLENGE:
        raise ValidationFailed(
            "The code for this sign-in came in the email with its link. For a new one, sign in again.",
            [{"field": "challenge_id"}],
        )
    if "email" not in account.second_factors:
        raise ValidationFailed("This account does not use codes by email.", [{"field": "challenge_id"}])
    # Per account as well as per address: many addresses together cannot flood one mailbox.
    throttle.cap_emails(ports, "sign_in_code", account.account_id, origin, actor_of(account), now)
    code = tokens.numeric_code()
    assert challenge.created_at is not None  # sign_in gives every challenge its time
    if not ports.identity_records.change(
        RecordKind.CHALLENGE,
        challenge.selector,
        {"secret_hash": challenge.secret_hash},
        code_hash=tokens.code_digest(ports.code_key, challenge.selector, code),
        # Never more than 20 minutes after the sign-in began, however
        # many codes are asked for.
        expires_at=min(int(now.timestamp()) + EMAIL_CODE_SECONDS, int(challenge.created_at.timestamp()) + 20 * 60),
    ):
        raise NotAuthenticated("This sign-in has expired. Sign in again.", code="challenge_expired")
    notify(ports, "sign_in_code", account.email, about=about_account(account.account_id), code=code)
    write_audit(ports, origin, actor_of(account), "session.email_code_sent")


def _live_challenge(ports: SessionPorts, challenge_id: str, now: datetime) -> tuple[IdentityRecord, Account]:
    split = tokens.parse(challenge_id)
    challenge = ports.identity_records.get(RecordKind.CHALLENGE, split.selector) if split else None
    if (
        split is None
        or challenge is None
        or not tokens.same(challenge.secret_hash, split.verifier_hash)
        or challenge.expires_at <= int(now.timestamp())
    ):
        raise NotAuthenticated("This sign-in has expired. Sign in again.", code="challenge_expired")
    account = ports.directory.account(challenge.account_id)
    if (
        account is None
        or account.status is not AccountStatus.ACTIVE
        # A lockout challenge is the way through a lockout; any other waits until it ends.
        or (is_locked(account, now) and challenge.purpose != LOCKOUT_CHALLENGE)
    ):
        raise NotAuthenticated("This sign-in has expired. Sign in again.", code="challenge_expired")
    return challenge, account


def sign_out(ports: SessionPorts, caller: Caller, origin: Origin) -> None:
    ports.identity_records.delete(RecordKind.SESSION, caller.session_id)
    write_audit(ports, origin, caller_actor(caller), "session.sign_out")


def lift_restriction(ports: IdentityRecordsPorts, caller: Caller, restriction: Restriction) -> None:
    """The session may do everything once it has done what it had to (accepted the terms ...)."""
    if caller.restriction == restriction.value:
        ports.identity_records.change(
            RecordKind.SESSION, caller.session_id, {"restriction": restriction.value}, restriction=None
        )
