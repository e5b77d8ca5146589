"""Second factors: TOTP (RFC 6238, pyotp) for authenticator apps, a one-time code by email for
people without a smartphone, and recovery codes for a lost phone.

The TOTP seed is stored only encrypted with the stack's KMS key, bound by encryption context to
its account; each code is accepted once (the last accepted time step is kept). Recovery codes
carry 80 random bits, so a SHA-256 of each is safe to store (nothing to brute-force), and each
works once.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.accounts.domain import Account
from chalicelib.audit.trail import actor_of, audit_event
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.identity import tokens
from chalicelib.identity.account_contract import EmailCodesChange, PasswordConfirmation, TotpConfirmation
from chalicelib.identity.domain import IdentityRecord
from chalicelib.identity.guessing import GuessingPorts, confirm_password
from chalicelib.identity.revocation import RevocationPorts, end_sessions
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.ports import Keys
from chalicelib.notifications.deliveries import about_account
from chalicelib.notifications.requests import notify

if TYPE_CHECKING:  # for the type checker only: pyotp is imported on first use
    import pyotp

ISSUER = "Patient Portal"
RECOVERY_CODES = 10
STEP_SECONDS = 30


class TotpPorts(Protocol):
    """Reading an account's TOTP seed: the stack's key that keeps it."""

    @property
    def keys(self) -> Keys: ...


class CodeKeyPorts(Protocol):
    """The secret emailed codes are stored under (wiring.Container.code_key)."""

    @property
    def code_key(self) -> bytes: ...


class SignInCodePorts(TotpPorts, CodeKeyPorts, Protocol):
    """Checking a second-step code: the TOTP seed's key and the emailed codes' key."""


class SecondFactorPorts(TotpPorts, GuessingPorts, RevocationPorts, Protocol):
    """The key that keeps TOTP seeds, the account saved (the directory) or saved ending its other
    sessions (the identity store), the password asked again (guessing), whether staff must keep
    a factor (the settings), the audit trail and the email telling the owner."""


def _context(account: Account) -> dict[str, str]:
    return {"account_id": account.account_id, "purpose": "totp"}


def _pyotp() -> ModuleType:
    import pyotp  # on first use: most API calls never touch a second factor (cold start)

    return pyotp


def _totp(ports: TotpPorts, account: Account, ciphertext: bytes) -> pyotp.TOTP:
    totp: pyotp.TOTP = _pyotp().TOTP(ports.keys.decrypt(ciphertext, _context(account)).decode())
    return totp


def _accepted_step(totp: pyotp.TOTP, code: str, now: datetime, last_step: int) -> int | None:
    """The time step a code belongs to (now, or one step either side for clock drift), if it is
    newer than the last one accepted."""
    if not (len(code) == 6 and code.isdigit()):
        return None
    step = int(now.timestamp()) // STEP_SECONDS
    for candidate in (step, step - 1, step + 1):
        # (verify hands for_time to TOTP.at, which takes a Unix time as well; its annotation says
        # datetime only)
        if candidate > last_step and totp.verify(
            code,
            for_time=candidate * STEP_SECONDS,  # type: ignore[arg-type]
            valid_window=0,
        ):
            return candidate
    return None


def verify_at_sign_in(
    ports: SignInCodePorts, account: Account, challenge: IdentityRecord, code: str, now: datetime
) -> tuple[str | None, Account | None]:
    """(the method that accepted the code, the account to save) or (None, None)."""
    code = code.strip()
    if account.totp_secret:
        step = _accepted_step(_totp(ports, account, account.totp_secret), code, now, account.totp_last_step)
        if step is not None:
            return "totp", dataclasses.replace(account, totp_last_step=step)
    if tokens.code_matches(challenge.code_hash, ports.code_key, challenge.selector, code):
        return "email", None
    hashed = tokens.digest(tokens.normalize_recovery_code(code))
    if hashed in account.recovery_code_hashes:
        return "recovery_code", dataclasses.replace(
            account, recovery_code_hashes=account.recovery_code_hashes - {hashed}
        )
    return None, None


def begin_totp(ports: SecondFactorPorts, account: Account, now: datetime) -> dict[str, Any]:
    """A new seed for the authenticator app; it only counts once a code from it is confirmed."""
    if account.totp_secret:
        raise Conflict("An authenticator app is set up already; turn it off first.")
    pyotp = _pyotp()
    seed = pyotp.random_base32()
    changed = dataclasses.replace(account, totp_pending_secret=ports.keys.encrypt(seed.encode(), _context(account)))
    ports.directory.save_account(changed)
    uri = pyotp.TOTP(seed).provisioning_uri(name=account.username, issuer_name=ISSUER)
    return {"secret": seed, "provisioning_uri": uri, "digits": 6, "period": STEP_SECONDS}


def confirm_totp(
    ports: SecondFactorPorts,
    origin: Origin,
    account: Account,
    body: TotpConfirmation,
    now: datetime,
    session_id: str,
) -> dict[str, Any]:
    """Turn the app on with a code from it and the account's password (a stolen session alone
    must not be able to bind an attacker's phone to the account)."""
    if not account.totp_pending_secret:
        raise Conflict("Start setting up the authenticator app first.")
    confirm_password(ports, origin, account, body.password)
    step = _accepted_step(_totp(ports, account, account.totp_pending_secret), body.code.strip(), now, 0)
    if step is None:
        raise ValidationFailed(
            "That code is not correct. Check the time on your phone and try again.", [{"field": "code"}]
        )
    codes = [tokens.recovery_code() for _ in range(RECOVERY_CODES)]
    _save_change(
        ports,
        origin,
        account,
        "second_factor.totp_enabled",
        session_id,
        totp_secret=account.totp_pending_secret,
        totp_pending_secret=b"",
        totp_last_step=step,
        recovery_code_hashes=_hashes(codes),
    )
    return {"enabled": True, "recovery_codes": codes}


def _hashes(codes: list[str]) -> frozenset[str]:
    return frozenset(tokens.digest(tokens.normalize_recovery_code(c)) for c in codes)


def _keeps_required_factor(ports: SecondFactorPorts, account: Account, remaining: bool) -> None:
    settings = ports.settings
    if (
        account.role.is_workforce
        and settings.identity.staff_second_factor_required
        and not remaining
        and not settings.second_factor_exempt(account.username)
    ):
        raise Conflict("Staff accounts must keep a second factor; set up the other one first.")


def disable_totp(
    ports: SecondFactorPorts, origin: Origin, account: Account, body: PasswordConfirmation, session_id: str
) -> None:
    confirm_password(ports, origin, account, body.password)
    _keeps_required_factor(ports, account, remaining="email" in account.second_factors)
    _save_change(
        ports,
        origin,
        account,
        "second_factor.totp_disabled",
        session_id,
        totp_secret=b"",
        totp_pending_secret=b"",
        totp_last_step=0,
        recovery_code_hashes=account.recovery_code_hashes if account.email_code_enabled else frozenset(),
    )


def set_email_codes(
    ports: SecondFactorPorts, origin: Origin, account: Account, body: EmailCodesChange, session_id: str
) -> dict[str, Any]:
    enabled = body.enabled
    confirm_password(ports, origin, account, body.password)
    if enabled and not account.email_verified:
        raise Conflict("Verify your email address before using it for sign-in codes.")
    if not enabled:
        _keeps_required_factor(ports, account, remaining=bool(account.totp_secret))
    codes: list[str] = []
    hashes = account.recovery_code_hashes
    if enabled and not hashes:
        codes = [tokens.recovery_code() for _ in range(RECOVERY_CODES)]
        hashes = _hashes(codes)
    if not enabled and not account.totp_secret:
        hashes = frozenset()
    _save_change(
        ports,
        origin,
        account,
        "second_factor.email_enabled" if enabled else "second_factor.email_disabled",
        session_id,
        email_code_enabled=enabled,
        recovery_code_hashes=hashes,
    )
    return {"enabled": enabled, "recovery_codes": codes or None}


def regenerate_recovery_codes(
    ports: SecondFactorPorts, origin: Origin, account: Account, body: PasswordConfirmation, session_id: str
) -> dict[str, Any]:
    confirm_password(ports, origin, account, body.password)
    if not (account.totp_secret or account.email_code_enabled):
        raise Conflict("Recovery codes come with a second factor; turn one on first.")
    codes = [tokens.recovery_code() for _ in range(RECOVERY_CODES)]
    _save_change(
        ports, origin, account, "second_factor.recovery_codes_replaced", session_id, recovery_code_hashes=_hashes(codes)
    )
    return {"recovery_codes": codes}


def _save_change(
    ports: SecondFactorPorts, origin: Origin, account: Account, event_type: str, session_id: str, **changes: Any
) -> None:
    """A second-factor change ends the account's other sessions: whoever else holds one must
    sign in again under the new rules."""
    end_sessions(
        ports,
        account.account_id,
        lambda current: dataclasses.replace(current, **changes),
        audit_event(ports, origin, actor_of(account), event_type),
        keep_selector=session_id,
    )
    notify(
        ports,
        "second_factor_changed",
        account.email if account.email_verified else "",
        about=about_account(account.account_id),
    )
