"""Emailed sign-in codes at rest: what the identity table holds for one cannot be turned back into
the code without the stack's key, and the key verifies it."""

from __future__ import annotations

import hashlib
import secrets

from chalicelib.identity import tokens

KEY = secrets.token_bytes(32)
SELECTOR = "0123456789abcdef"


def test_a_dumped_code_is_not_found_by_trying_every_six_digit_code_with_plain_sha256():
    code = tokens.numeric_code()
    stored = tokens.code_digest(KEY, SELECTOR, code)

    # What an attacker with a table dump and no key would try: all 10^6 codes, hashed plainly
    # (with and without the selector the row is keyed by).
    value = stored.removeprefix(tokens.CODE_HASH_PREFIX)
    found = [
        guess
        for guess in (f"{n:06d}" for n in range(10**6))
        if hashlib.sha256(f"{SELECTOR}:{guess}".encode()).hexdigest() == value
        or hashlib.sha256(guess.encode()).hexdigest() == value
    ]

    assert found == []
    # The same search finds a plain SHA-256 at once: what the table held before.
    legacy = tokens.legacy_code_digest(SELECTOR, code)
    assert legacy == hashlib.sha256(f"{SELECTOR}:{code}".encode()).hexdigest()


def test_the_key_verifies_the_code_and_nothing_else():
    stored = tokens.code_digest(KEY, SELECTOR, "042917")

    assert tokens.code_matches(stored, KEY, SELECTOR, "042917")
    assert not tokens.code_matches(stored, KEY, SELECTOR, "042918")
    assert not tokens.code_matches(stored, secrets.token_bytes(32), SELECTOR, "042917")  # another key
    assert not tokens.code_matches(stored, KEY, "fedcba9876543210", "042917")  # another sign-in's row
    assert not tokens.code_matches("", KEY, SELECTOR, "042917")


def test_a_code_stored_plainly_before_the_change_still_works_until_it_expires():
    stored = tokens.legacy_code_digest(SELECTOR, "042917")

    assert tokens.code_matches(stored, KEY, SELECTOR, "042917")
    assert not tokens.code_matches(stored, KEY, SELECTOR, "000000")
