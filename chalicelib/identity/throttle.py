"""Throttling of guessable attempts and of the emails they send.

Per address (``check``): a fixed window per kind of attempt (sign-in, enrollment, recovery,
codes) and source address, so one address cannot try many accounts. Per account
(``cap_emails``): at most EMAILS_PER_ACCOUNT sign-in code emails, and as many password-reset
emails, per hour, so many addresses together cannot flood one mailbox. Both count with one atomic
DynamoDB ADD, so every API Lambda shares the count (nothing here assumes one process). Per-account
lockout (guessing.py) and per-code attempt limits are separate and complementary.

Every refusal is counted as a metric and audited ("throttle.refused", the kind of attempt as its
reason), so the trail shows a burst that the answers alone would hide.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

from chalicelib.audit.domain import Actor, Outcome
from chalicelib.audit.service import AuditLog
from chalicelib.audit.trail import ANONYMOUS, write_audit
from chalicelib.errors import TooManyRequests
from chalicelib.identity.policy import IdentitySettings
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.kernel.clock import Clock
from chalicelib.kernel.origin import Origin

EMAILS_PER_ACCOUNT = 5
EMAIL_WINDOW_SECONDS = 3600
# The same words for every throttle: which one refused must not tell whether an account exists.
REFUSAL = "Too many attempts from this address. Wait a few minutes, then try again."


class ThrottlePorts(IdentityRecordsPorts, Protocol):
    """The attempt windows (in the identity store), the policy that sizes them, and the audit
    trail that records each refusal (AuditPorts' members, declared here rather than inherited:
    the services' ports name AuditPorts beside this one)."""

    @property
    def settings(self) -> IdentitySettings: ...

    @property
    def audit_log(self) -> AuditLog: ...

    @property
    def clock(self) -> Clock: ...


def _hashed(value: str) -> str:
    # Hashed: a throttle record names no one (no address, account or user name), even in a dump.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def check(ports: ThrottlePorts, kind: str, origin: Origin, now: datetime) -> None:
    policy = ports.settings.identity
    window = policy.attempts_window_seconds
    epoch = int(now.timestamp())
    start = epoch - epoch % window
    who = _hashed(origin.source_ip or "unknown")
    attempts = ports.identity_records.hit(f"{kind}|{who}|{start}", start + window)
    if attempts > policy.attempts_per_address:
        _refuse(ports, origin, ANONYMOUS, kind, retry_after=start + window - epoch, hashed=who)


def cap_emails(ports: ThrottlePorts, kind: str, subject: str, origin: Origin, actor: Actor, now: datetime) -> None:
    """Count one email of ``kind`` to ``subject`` (an account id, or for a request naming no
    account, the name or address it gave, so that the answer is the same either way) and refuse
    past EMAILS_PER_ACCOUNT in the hour."""
    epoch = int(now.timestamp())
    start = epoch - epoch % EMAIL_WINDOW_SECONDS
    who = _hashed(subject)
    sent = ports.identity_records.hit(f"{kind}_emails|{who}|{start}", start + EMAIL_WINDOW_SECONDS)
    if sent > EMAILS_PER_ACCOUNT:
        _refuse(ports, origin, actor, f"{kind}_email", retry_after=start + EMAIL_WINDOW_SECONDS - epoch, hashed=who)


def _refuse(ports: ThrottlePorts, origin: Origin, actor: Actor, what: str, retry_after: int, hashed: str) -> None:
    from chalicelib.observability import count, logger

    count("AttemptsThrottled")
    logger.warning("attempts throttled", extra={"attempt_kind": what, "subject_hash": hashed})
    write_audit(ports, origin, actor, "throttle.refused", Outcome.DENIED, reason=what)
    raise TooManyRequests(REFUSAL, retry_after_seconds=retry_after)
