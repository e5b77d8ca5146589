"""Password hashing with argon2id (argon2-cffi) and the password rules of NIST SP 800-63B / ASVS 5:
8 to 128 characters, long passphrases welcome, no composition rules, but not the user name, not the
email and not a password from a list of common ones.

Sign-in answers an unknown user and a wrong password alike and in about the same time:
``verify_against_nothing`` spends one argon2 verification when there is no account to verify
against, so the time taken does not tell whether a user name exists.
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypedDict

from chalicelib.errors import ValidationFailed

if TYPE_CHECKING:  # for the type checker only: argon2 is imported on first use
    from argon2 import PasswordHasher

MIN_LENGTH = 8
MAX_LENGTH = 128  # a bound so a megabyte "password" cannot make hashing a denial of service

# The most common passwords of 8+ characters, lower-cased; the file's header says where it comes from.
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

# A user name this short would match inside many good passphrases and protects nothing.
_MIN_USERNAME_TO_MATCH = 3


# argon2id at 46 MiB, two passes, one lane: chosen by bench/argon2_cost.py for the sign-in
# function's memory (infra/template.yaml SignInHandler; docs/deploying.md "Sign-in"). The
# strongest candidate at or above OWASP's minimum (19 MiB, t=2, p=1) whose verify fits 100 ms of
# that function's time: one lane, since more lanes than the function's one vCPU add no speed.
# Hashes made with other parameters (argon2-cffi's defaults before: 64 MiB, t=3, p=4) still
# verify, and are replaced at the next sign-in (``needs_rehash``).
class Argon2Parameters(TypedDict):
    time_cost: int  # passes over the memory
    memory_cost: int  # KiB
    parallelism: int  # lanes


ARGON2_PARAMETERS: Argon2Parameters = {"time_cost": 2, "memory_cost": 46 * 1024, "parallelism": 1}


@cache
def _argon2() -> tuple[PasswordHasher, tuple[type[Exception], ...], type[Exception]]:
    """argon2-cffi, imported on first use (its import is ~15 ms of every API cold start, and most
    calls never hash), with the portal's parameters."""
    from argon2 import PasswordHasher, exceptions

    return (
        PasswordHasher(**ARGON2_PARAMETERS),
        (exceptions.VerificationError, exceptions.InvalidHashError),
        exceptions.InvalidHashError,
    )


def check_policy(password: str, *, username: str = "", email: str = "", field: str = "password") -> None:
    """Refuse a password a patient or staff member may not choose, with a message they can act on.

    Messages never repeat the password (nor the user name or email): they end up in responses and
    may end up in logs. Case and surrounding spaces are ignored when comparing, since "Password123 "
    is no harder to guess than "password123"; the length counts the password as given, every
    character (spaces, accents, emoji) counting as one. ``field`` is the request field to name in
    the error ("new_password" ...).
    """
    try:
        _check_policy(password, username, email)
    except ValidationFailed as error:
        error.details = [{**detail, "field": field} for detail in error.details]
        raise


def _check_policy(password: str, username: str, email: str) -> None:
    _check_length(password)
    folded = password.strip().lower()
    name = (username or "").strip().lower()
    if len(name) >= _MIN_USERNAME_TO_MATCH and name in folded:
        _refuse("Your password must not contain your user name.", "contains the user name")
    address = (email or "").strip().lower()
    local_part = address.rpartition("@")[0]
    if folded and folded in (address, local_part):
        _refuse("Your password must not be your email address.", "is the email address")
    if folded in common_passwords():
        _refuse(
            "This password is too common and easy to guess. Choose another one: a few unrelated words "
            "make a strong password that is easy to remember.",
            "too common",
        )


def hash_password(password: str) -> str:
    """The argon2id hash to store. Checks the length only: the other rules need the user name and
    email, so callers that create or change a password call ``check_policy`` with them first."""
    _check_length(password)
    return _argon2()[0].hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _argon2()[0].verify(password_hash, password)
    except _argon2()[1]:
        return False


def verify_against_nothing(password: str) -> None:
    """Spend what ``verify_password`` spends on a wrong password, for a user name with no account.

    Without it an unknown user name answers at once and a known one after ~0.1 s of argon2, which
    tells an attacker which user names exist. The result is ignored: nothing can sign in here.
    """
    try:
        _argon2()[0].verify(_dummy_hash(), password)
    except _argon2()[1]:
        pass


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other argon2 parameters than today's
    (``ARGON2_PARAMETERS``): after a successful sign-in the caller stores a fresh hash.
    A hash that cannot be read at all also needs replacing, rather than raising."""
    try:
        return _argon2()[0].check_needs_rehash(password_hash)
    except _argon2()[2]:
        return True


@cache
def common_passwords() -> frozenset[str]:
    """The common-password list, read on first use and kept for the life of the container:
    importing this module (and so app.py's cold start) never pays for reading 10,000 lines."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@cache
def _dummy_hash() -> str:
    # Made with today's parameters, so verifying against it costs what verifying a real hash does.
    # The secret is random and thrown away: no password matches it. Made on first use, not at import;
    # that first unknown user pays one extra hash, once per container.
    return _argon2()[0].hash(secrets.token_urlsafe(32))


def _check_length(password: str) -> None:
    if not isinstance(password, str):
        _refuse("Your password must be text.", "must be text")
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        issue = "too short" if len(password) < MIN_LENGTH else "too long"
        _refuse(
            f"Your password must have {MIN_LENGTH} to {MAX_LENGTH} characters. A few unrelated words "
            "make a strong password that is easy to remember.",
            f"{issue}: {MIN_LENGTH} to {MAX_LENGTH} characters",
        )


def _refuse(message: str, issue: str) -> NoReturn:
    raise ValidationFailed(message, [{"field": "password", "issue": issue}])
