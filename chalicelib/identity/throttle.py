"""Per-address throttling of guessable attempts (sign-in, enrollment, recovery, codes).

A fixed window per kind of attempt and source address, counted with one atomic DynamoDB ADD, so
every API Lambda shares the count (nothing here assumes one process). Per-account lockout
(sessions.py) and per-code attempt limits are separate and complementary: this one slows down a
single address trying many accounts.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

from chalicelib.errors import TooManyRequests
from chalicelib.identity.policy import IdentitySettings
from chalicelib.identity.stores import IdentityRecordsPorts


class ThrottlePorts(IdentityRecordsPorts, Protocol):
    """The attempt windows (in the identity store) and the policy that sizes them."""

    @property
    def settings(self) -> IdentitySettings: ...


def check(ports: ThrottlePorts, kind: str, address: str, now: datetime) -> None:
    policy = ports.settings.identity
    window = policy.attempts_window_seconds
    epoch = int(now.timestamp())
    start = epoch - epoch % window
    # The address is hashed: a throttle record names no one, even in a table dump.
    who = hashlib.sha256((address or "unknown").encode()).hexdigest()[:32]
    attempts = ports.identity_records.hit(f"{kind}|{who}|{start}", start + window)
    if attempts > policy.attempts_per_address:
        from chalicelib.observability import count, logger

        count("AttemptsThrottled")
        logger.warning("attempts throttled", extra={"attempt_kind": kind, "address_hash": who})
        raise TooManyRequests(
            "Too many attempts from this address. Wait a few minutes, then try again.",
            retry_after_seconds=start + window - epoch,
        )
