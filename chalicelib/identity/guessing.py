"""Counting wrong answers against an account: five wrong passwords or second-factor codes within
15 minutes lock it for 15 minutes (and email its owner). A password asked again inside a session
(to change the password, the email or a second factor) is counted the same way and throttled per
address, so a stolen session cannot be used to guess the password either."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.accounts import passwords
from chalicelib.accounts.domain import Account
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Outcome
from chalicelib.audit.trail import AuditPorts, actor_of, audit_event, write_audit
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.identity import throttle
from chalicelib.identity.throttle import ThrottlePorts
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.notifications.requests import NotifyPorts, notify

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
LOCK_DURATION = timedelta(minutes=15)


class GuessingPorts(AuditPorts, NotifyPorts, ThrottlePorts, Protocol):
    """The account (a fresh copy after a contended write), its failures saved with their audit
    event (the identity store), the owner told of a lockout, and the per-address throttle."""

    @property
    def directory(self) -> Directory: ...


def is_locked(account: Account, now: datetime) -> bool:
    return account.locked_until is not None and account.locked_until > now


def count_failure(
    ports: GuessingPorts, origin: Origin, account: Account, now: datetime, event_type: str, reason: str
) -> None:
    """Record one wrong answer (with its audit event, in one transaction) and lock the account at
    the fifth within the window."""
    locked = False
    for _attempt in range(5):  # a concurrent failure bumped the version: count on the fresh copy
        try:
            within = account.failures_since is not None and now - account.failures_since < FAILURE_WINDOW
            failures = (account.failed_sign_ins if within else 0) + 1
            since = account.failures_since if within else now
            locked = failures >= MAX_FAILURES
            changed = dataclasses.replace(
                account,
                failed_sign_ins=0 if locked else failures,
                failures_since=None if locked else since,
                locked_until=now + LOCK_DURATION if locked else account.locked_until,
            )
            ports.identity_records.save_account_with_audit(
                changed, audit_event(ports, origin, actor_of(account), event_type, Outcome.FAILURE, reason=reason)
            )
            break
        except Conflict:
            fresh = ports.directory.account(account.account_id)
            if fresh is None:
                return
            account = fresh
    else:
        # Still contended after five tries (a burst of guesses at one account): the count may fall
        # short, but the failure is never left unrecorded.
        write_audit(ports, origin, actor_of(account), event_type, Outcome.FAILURE, reason=f"{reason}_uncounted")
        return
    if locked:
        write_audit(ports, origin, actor_of(account), "account.locked", Outcome.SUCCESS, reason="too_many_failures")
        notify(
            ports,
            "account_locked",
            account.email if account.email_verified else "",
            about=about_account(account.account_id),
        )


def confirm_password(
    ports: GuessingPorts, origin: Origin, account: Account, password: object, field: str = "password"
) -> None:
    """The account holder's password, asked again before a security change."""
    now = ports.clock.now()
    throttle.check(ports, "password_confirmation", origin, now)
    if (
        not isinstance(password, str)
        or is_locked(account, now)
        or not passwords.verify_password(account.password_hash, password)
    ):
        if isinstance(password, str) and not is_locked(account, now):
            count_failure(ports, origin, account, now, "account.password_confirmation", "wrong_password")
        raise ValidationFailed("Confirm this change with your current password.", [{"field": field}])
