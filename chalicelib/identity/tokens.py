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


# Stored emailed codes carry this prefix; a stored code without it is a plain SHA-256 written
# before codes were keyed (legacy_code_digest).
CODE_HASH_PREFIX = "hmac-sha256:"


def code_digest(key: bytes, selector: str, code: str) -> str:
    """What is stored for an emailed code: an HMAC-SHA256 under the stack's code key, bound to the
    challenge (its selector). Six digits are only a million values, so a plain hash of one is
    reversed by trying them all; without the key a stored value tells nothing."""
    return CODE_HASH_PREFIX + hmac.new(key, f"{selector}:{code}".encode(), hashlib.sha256).hexdigest()


def legacy_code_digest(selector: str, code: str) -> str:
    return digest(f"{selector}:{code}")


def code_matches(stored_hash: str | None, key: bytes, selector: str, code: str) -> bool:
    """The code against what was stored, in constant time. A row written before codes were keyed
    (a plain SHA-256) still verifies until it expires (20 minutes at most), so nobody holding a
    code sent just before a deploy is turned away; no new row is written that way."""
    if not stored_hash:
        return False
    if stored_hash.startswith(CODE_HASH_PREFIX):
        return same(stored_hash, code_digest(key, selector, code))
    return same(stored_hash, legacy_code_digest(selector, code))


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
