"""Split tokens: ``<selector><verifier>``, 16 hex characters then 43 URL-safe base64 ones.

The selector (64 random bits) is the record's key, so finding the record needs no comparison of
secrets inside DynamoDB; the verifier (256 random bits, well over the 128 that put guessing out
of reach) is compared in constant time with the SHA-256 stored on the record. A plain hash suffices (no
argon2): the verifier is random, not a human-chosen password, so there is nothing to guess.
The alphabet fits a URL path or query without escaping.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

SELECTOR_LENGTH = 16
_TOKEN = re.compile(r"[0-9a-f]{16}[A-Za-z0-9_-]{43}")


@dataclass(frozen=True)
class SplitToken:
    selector: str
    verifier_hash: str


def new_token() -> tuple[str, SplitToken]:
    """(the token to hand out once, what may be stored)."""
    selector = secrets.token_hex(SELECTOR_LENGTH // 2)
    verifier = secrets.token_urlsafe(32)
    return selector + verifier, SplitToken(selector, digest(verifier))


def parse(token: object) -> SplitToken | None:
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    return SplitToken(token[:SELECTOR_LENGTH], digest(token[SELECTOR_LENGTH:]))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(stored_hash: str | None, presented_hash: str) -> bool:
    if not stored_hash:
        return False
    return hmac.compare_digest(stored_hash, presented_hash)


def numeric_code(digits: int = 6) -> str:
    """A one-time code for email (typed by a person, so short; attempts are limited)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def recovery_code() -> str:
    """80 random bits in Crockford-like base32 groups: xxxx-xxxx-xxxx-xxxx."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    raw = "".join(secrets.choice(alphabet) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalize_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()
