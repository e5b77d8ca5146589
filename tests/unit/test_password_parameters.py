"""The argon2id parameters the portal ships: at or above OWASP's minimum, one lane (the sign-in
function has one vCPU), and a hash made with argon2-cffi's defaults (what the portal stored
before it chose its own) is replaced at the next sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher

from chalicelib.accounts import passwords
from chalicelib.accounts.passwords import ARGON2_PARAMETERS

OWASP_MINIMUM = {"memory_cost": 19 * 1024, "time_cost": 2, "parallelism": 1}


def test_the_shipped_parameters_cost_an_attacker_at_least_owasps_minimum():
    work = ARGON2_PARAMETERS["memory_cost"] * ARGON2_PARAMETERS["time_cost"]
    assert ARGON2_PARAMETERS["memory_cost"] >= OWASP_MINIMUM["memory_cost"]
    assert work >= OWASP_MINIMUM["memory_cost"] * OWASP_MINIMUM["time_cost"]
    assert ARGON2_PARAMETERS["parallelism"] == 1


def test_new_hashes_carry_the_shipped_parameters_and_older_defaults_need_a_rehash():
    made = passwords.hash_password("correct horse battery")
    assert made.startswith("$argon2id$")
    assert f"m={ARGON2_PARAMETERS['memory_cost']},t={ARGON2_PARAMETERS['time_cost']},p=1" in made
    assert passwords.needs_rehash(made) is False
    # argon2-cffi's default profile (64 MiB, 3 passes, 4 lanes): still verifies, but is replaced
    older = PasswordHasher().hash("correct horse battery")
    assert passwords.verify_password(older, "correct horse battery")
    assert passwords.needs_rehash(older) is True
