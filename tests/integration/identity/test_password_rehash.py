"""A change of argon2 parameters reaches every account at its next sign-in: the right password
stores a fresh hash made with today's parameters; a wrong one changes nothing."""

from __future__ import annotations

import dataclasses
import secrets

from argon2.low_level import Type, hash_secret

from chalicelib import wiring
from chalicelib.accounts import passwords
from tests.integration.identity.conftest import STAFF_PASSWORD, STAFF_USER, call


def _hashed_with_older_parameters(password: str) -> str:
    # What argon2-cffi's PasswordHasher made before the portal chose its own: 3 passes, 4 lanes
    # (memory kept small so the test stays quick; any difference from today's parameters counts).
    return hash_secret(
        password.encode(),
        secrets.token_bytes(16),
        time_cost=3,
        memory_cost=512,
        parallelism=4,
        hash_len=32,
        type=Type.ID,
    ).decode()


def _store_older_hash() -> str:
    directory = wiring.container().directory
    account = directory.account_by_username(STAFF_USER)
    older = _hashed_with_older_parameters(STAFF_PASSWORD)
    directory.save_account(dataclasses.replace(account, password_hash=older))
    assert passwords.needs_rehash(older)
    return older


def test_signing_in_replaces_a_hash_made_with_older_parameters(seeded):
    # GIVEN an account whose password hash was made with other argon2 parameters
    older = _store_older_hash()

    # WHEN its owner signs in with the right password
    response = call(seeded, "POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD})

    # THEN they are in, and the stored hash is today's, for the same password
    assert response.status_code == 201, response.json_body
    stored = wiring.container().directory.account_by_username(STAFF_USER).password_hash
    assert stored != older
    assert not passwords.needs_rehash(stored)
    assert passwords.verify_password(stored, STAFF_PASSWORD)
    # and the next sign-in leaves it as it is
    assert call(seeded, "POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD}).status_code == 201
    assert wiring.container().directory.account_by_username(STAFF_USER).password_hash == stored


def test_a_wrong_password_leaves_the_older_hash_alone(seeded):
    older = _store_older_hash()

    response = call(seeded, "POST", "/v1/sessions", {"username": STAFF_USER, "password": "not-the-password-1"})

    assert response.status_code == 401
    assert wiring.container().directory.account_by_username(STAFF_USER).password_hash == older
