"""Password hashing with argon2id (argon2-cffi) and the length rule of NIST SP 800-63B / ASVS 5:
at least 8 characters, long passphrases welcome, no composition rules."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from chalicelib.errors import ValidationFailed

MIN_LENGTH = 8
MAX_LENGTH = 128  # a bound so a megabyte "password" cannot make hashing a denial of service

# argon2-cffi's defaults are RFC 9106's second recommended profile (argon2id, 64 MiB, t=3).
_hasher = PasswordHasher()


def check_policy(password: str) -> None:
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise ValidationFailed(f"A password has {MIN_LENGTH} to {MAX_LENGTH} characters.", [{"field": "password"}])


def hash_password(password: str) -> str:
    check_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
