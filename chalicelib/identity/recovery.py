"""Forgotten user name, forgotten password, and following an emailed link (password reset,
account set-up, email verification).

The requests answer 202 whatever happens, so they cannot be used to learn who has an account;
email goes only to verified addresses. A link is a split token, works once, and a password reset
link lives 30 minutes. Setting a password ends every session of the account and lifts a lockout.

A staff account is created without a user name: its set-up link is where the colleague chooses
one, with the password. A name someone holds is refused as enrollment refuses it ("taken", never
whose), each refusal is audited, attempts are throttled per address and at most
SETUP_NAME_TRIES refused names are tried with one link.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Protocol

from chalicelib.accounts import passwords
from chalicelib.accounts.domain import Account, AccountStatus
from chalicelib.accounts.service import normalize_username
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import ANONYMOUS, AuditPorts, actor_of, audit_event, write_audit
from chalicelib.errors import Conflict, Problems, ValidationFailed
from chalicelib.identity import throttle, tokens
from chalicelib.identity.contract import (
    AccountSetup,
    EmailVerification,
    PasswordResetConfirmation,
    PasswordResetRequest,
    UsernameReminder,
)
from chalicelib.identity.domain import IdentityRecord, LinkPurpose, RecordKind
from chalicelib.identity.revocation import RevocationPorts, end_sessions
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.identity.throttle import ThrottlePorts
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.notifications.requests import NotifyPorts, notify

PASSWORD_RESET_SECONDS = 30 * 60
ACCOUNT_SETUP_SECONDS = 72 * 3600
SETUP_NAME_TRIES = 10  # refused (taken) user names per set-up link


class LinkPorts(IdentityRecordsPorts, NotifyPorts, Protocol):
    """Sending a one-time link: its record (the identity store) and the email that carries it."""


class RecoveryPorts(LinkPorts, AuditPorts, ThrottlePorts, RevocationPorts, Protocol):
    """The accounts (the directory), their links and sessions (the identity store), the emails,
    the audit trail, and the per-address throttle."""


def remind_username(ports: RecoveryPorts, origin: Origin, body: UsernameReminder, now: datetime) -> None:
    throttle.check(ports, "recovery", origin, now)
    accounts = ports.directory.accounts_by_verified_email(body.email)
    for account in accounts:
        if account.status is AccountStatus.ACTIVE and account.username:  # (none yet: not set up)
            notify(
                ports,
                "username_reminder",
                account.email,
                about=about_account(account.account_id),
                username=account.username,
            )
            write_audit(ports, origin, actor_of(account), "account.username_reminder_sent")
    if not accounts:
        write_audit(ports, origin, ANONYMOUS, "account.username_reminder_sent", Outcome.FAILURE, reason="no_account")


def request_password_reset(ports: RecoveryPorts, origin: Origin, body: PasswordResetRequest, now: datetime) -> None:
    # A form may send both, one of them empty or blank.
    username, email = (body.username or "").strip(), (body.email or "").strip()
    if not (username or email):
        raise ValidationFailed("Give your user name or your email address.", [{"field": "username"}])
    throttle.check(ports, "recovery", origin, now)
    accounts: list[Account] = []
    if username:
        try:
            found = ports.directory.account_by_username(normalize_username(username))
        except ValidationFailed:
            found = None
        accounts = [found] if found is not None else []
    elif "@" in email and len(email) < 320:
        accounts = ports.directory.accounts_by_verified_email(email)
    # Counted per account; a request that finds none is counted on the name or address it gave,
    # so the sixth in an hour is refused the same way whether or not an account is behind it.
    for account in accounts:
        throttle.cap_emails(ports, "password_reset", account.account_id, origin, actor_of(account), now)
    if not accounts:
        subject = f"username:{username.lower()}" if username else f"email:{email.lower()}"
        throttle.cap_emails(ports, "password_reset", subject, origin, ANONYMOUS, now)
    sent = False
    for account in accounts:
        if account.status is AccountStatus.ACTIVE and account.email_verified and not account.username:
            # A staff account never set up (its link expired or was lost): a new set-up link.
            send_link(ports, account, LinkPurpose.ACCOUNT_SETUP, ACCOUNT_SETUP_SECONDS, now)
            write_audit(ports, origin, actor_of(account), "account.password_reset_requested", reason="account_setup")
            sent = True
        elif account.status is AccountStatus.ACTIVE and account.email_verified:
            send_link(ports, account, LinkPurpose.PASSWORD_RESET, PASSWORD_RESET_SECONDS, now)
            write_audit(ports, origin, actor_of(account), "account.password_reset_requested")
            sent = True
    if not sent:
        write_audit(ports, origin, ANONYMOUS, "account.password_reset_requested", Outcome.FAILURE, reason="no_account")


def send_link(ports: LinkPorts, account: Account, purpose: LinkPurpose, lifetime_seconds: int, now: datetime) -> None:
    token, split = tokens.new_token()
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.LINK,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=int(now.timestamp()) + lifetime_seconds,
            owner=f"account#{account.account_id}",
            created_at=now,
            account_id=account.account_id,
            purpose=purpose.value,
            email=account.email,
        )
    )
    notify(
        ports,
        purpose.value,
        account.email,
        notification_id=f"{purpose.value}-{split.selector}",
        about=about_account(account.account_id),
        token=token,
    )


def live_link(
    ports: IdentityRecordsPorts, token: str, purposes: tuple[LinkPurpose, ...], now: datetime
) -> IdentityRecord | None:
    """The emailed link ``token`` names, while it works and is for one of ``purposes``; else None."""
    split = tokens.parse(token)
    link = ports.identity_records.get(RecordKind.LINK, split.selector) if split else None
    if (
        split is None
        or link is None
        or not tokens.same(link.secret_hash, split.verifier_hash)
        or link.purpose not in {p.value for p in purposes}
        or link.expires_at <= int(now.timestamp())
    ):
        return None
    return link


def _use_link(ports: RecoveryPorts, token: str, purposes: tuple[LinkPurpose, ...], now: datetime) -> IdentityRecord:
    link = live_link(ports, token, purposes, now)
    if link is None:
        raise ValidationFailed(
            "This link is not valid: it may have expired or been used already. Ask for a new one.", [{"field": "token"}]
        )
    return link


def confirm_password_reset(
    ports: RecoveryPorts, origin: Origin, body: PasswordResetConfirmation, now: datetime
) -> None:
    throttle.check(ports, "recovery", origin, now)
    # The link and the password rules that need no account are answered together; the rules that
    # compare with the account's name and address follow once the link has found it.
    problems = Problems()
    problems.gather(passwords.check_policy, body.new_password, field="new_password")
    link = problems.gather(_use_link, ports, body.token, (LinkPurpose.PASSWORD_RESET, LinkPurpose.ACCOUNT_SETUP), now)
    problems.raise_if_any()
    assert link is not None  # or a problem was raised
    account = ports.directory.account(link.account_id)
    if account is None or account.status is not AccountStatus.ACTIVE:
        raise ValidationFailed("This link is not valid any more.", [{"field": "token"}])
    if not account.username:
        raise ValidationFailed(
            "This link sets up a new account: choose a user name with the password (POST /v1/account/setup).",
            [{"field": "token"}],
        )
    passwords.check_policy(body.new_password, username=account.username, email=account.email, field="new_password")
    if not ports.identity_records.delete(RecordKind.LINK, link.selector):  # once only
        raise ValidationFailed("This link has been used already.", [{"field": "token"}])
    password_hash = passwords.hash_password(body.new_password)
    end_sessions(
        ports,
        account.account_id,
        lambda current: dataclasses.replace(
            current, password_hash=password_hash, failed_sign_ins=0, failures_since=None, locked_until=None
        ),
        audit_event(ports, origin, actor_of(account), f"account.{link.purpose}_completed", action=Action.UPDATE),
    )
    notify(
        ports,
        "password_changed",
        account.email if account.email_verified else "",
        about=about_account(account.account_id),
    )


def confirm_account_setup(ports: RecoveryPorts, origin: Origin, body: AccountSetup, now: datetime) -> dict[str, Any]:
    """A new staff member follows their set-up link: the user name they choose and their password."""
    # The user name and the password rules that need no account are answered together, before an
    # attempt is counted; the password is compared with the account's address once the link finds it.
    problems = Problems()
    folded = problems.gather(normalize_username, body.username)
    problems.gather(passwords.check_policy, body.password, username=folded or "")
    problems.raise_if_any()
    assert folded is not None  # or a problem was raised
    username = folded
    throttle.check(ports, "recovery", origin, now)
    link = _use_link(ports, body.token, (LinkPurpose.ACCOUNT_SETUP,), now)
    account = ports.directory.account(link.account_id)
    if account is None or account.status is not AccountStatus.ACTIVE:
        raise ValidationFailed("This link is not valid any more.", [{"field": "token"}])
    if account.username:
        raise ValidationFailed(
            "This account has its user name: choose its password with POST /v1/account/password-resets/confirm.",
            [{"field": "token"}],
        )
    passwords.check_policy(body.password, username=username, email=account.email)
    set_up = dataclasses.replace(
        account,
        username=username,
        password_hash=passwords.hash_password(body.password),
        failed_sign_ins=0,
        failures_since=None,
        locked_until=None,
    )
    try:
        ports.identity_records.claim_username(
            set_up,
            audit_event(ports, origin, actor_of(account), "account.account_setup_completed", action=Action.UPDATE),
        )
    except Conflict as error:
        if error.details != [{"field": "username"}]:
            raise ValidationFailed("This link has been used already.", [{"field": "token"}]) from None
        _refused_name(ports, origin, account, link)
        raise
    ports.identity_records.revoke_pending(account.account_id)  # this link and any other
    return {"username": username}


def _refused_name(ports: RecoveryPorts, origin: Origin, account: Account, link: IdentityRecord) -> None:
    """A held name asked for at set-up: audited (not the name: whose it is must not be told, and
    the trail need not hold it), and counted on the link, which stops working at SETUP_NAME_TRIES."""
    tries = ports.identity_records.count_attempt(RecordKind.LINK, link.selector, SETUP_NAME_TRIES)
    write_audit(
        ports, origin, actor_of(account), "account.account_setup", Outcome.FAILURE, reason="username_unavailable"
    )
    if tries is None or tries >= SETUP_NAME_TRIES:
        ports.identity_records.delete(RecordKind.LINK, link.selector)
        raise ValidationFailed(
            "Too many user names were tried with this link, so it no longer works. Ask for a new one "
            "with a password reset by email.",
            [{"field": "token"}],
        )


def confirm_email(ports: RecoveryPorts, origin: Origin, body: EmailVerification, now: datetime) -> dict[str, Any]:
    throttle.check(ports, "recovery", origin, now)
    link = _use_link(ports, body.token, (LinkPurpose.EMAIL_VERIFICATION,), now)
    account = ports.directory.account(link.account_id)
    if account is None or account.pending_email.lower() != link.email.lower():
        raise ValidationFailed(
            "This link is for an address that is no longer waiting to be confirmed.", [{"field": "token"}]
        )
    ports.identity_records.delete(RecordKind.LINK, link.selector)
    previous = account.email if account.email_verified else ""
    changed = dataclasses.replace(account, email=link.email, email_verified=True, pending_email="")
    ports.identity_records.save_account_with_audit(
        changed, audit_event(ports, origin, actor_of(account), "account.email_verified", action=Action.UPDATE)
    )
    if previous and previous.lower() != link.email.lower():
        notify(ports, "email_changed", previous, about=about_account(account.account_id))
    return {"email_verified": True}
