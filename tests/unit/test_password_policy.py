"""The password rules: 8 to 128 characters, no composition rules, not the user name, not the email,
not a common password; and an unknown user costing what a wrong password costs.

argon2id costs ~0.1 s per hash or verify, so real hashes are few: one, shared through a module fixture.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from chalicelib.accounts import passwords
from chalicelib.accounts.passwords import (
    check_policy,
    common_passwords,
    hash_password,
    needs_rehash,
    verify_against_nothing,
    verify_password,
)
from chalicelib.errors import ValidationFailed

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
USERNAME = "nurse.joy"
EMAIL = "joy.smith@amc.example"


@pytest.fixture(scope="module")
def passphrase_hash() -> str:
    return hash_password(PASSPHRASE)


def refusal(password, **who) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        check_policy(password, **who)
    return caught.value


def file_entries() -> list[str]:
    lines = passwords.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


# --- length ----------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Zq7#kP2x", "Zq7#kP2x" * 16], ids=["8-chars", "128-chars"])
def test_8_and_128_characters_are_accepted(password):
    check_policy(password, username=USERNAME, email=EMAIL)


@pytest.mark.parametrize(
    "password, issue", [("Zq7#kP2", "too short"), ("Zq7#kP2x" * 16 + "y", "too long")], ids=["7-chars", "129-chars"]
)
def test_7_and_129_characters_are_refused_with_the_bounds_in_the_message(password, issue):
    error = refusal(password)
    assert error.details == [{"field": "password", "issue": f"{issue}: 8 to 128 characters"}]
    assert "8 to 128 characters" in error.message


@pytest.mark.parametrize(
    "not_text", [None, b"bytes passphrase", 12345678, ["a"] * 8], ids=["none", "bytes", "int", "list"]
)
def test_a_password_that_is_not_text_is_a_validation_failure_not_a_crash(not_text):
    assert refusal(not_text).details == [{"field": "password", "issue": "must be text"}]
    with pytest.raises(ValidationFailed):
        hash_password(not_text)


# --- common passwords ------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["password123", "Password123", "  PASSWORD123 ", "12345678", "iloveyou1"])
def test_a_common_password_is_refused_whatever_its_case_and_surrounding_spaces(password):
    error = refusal(password)
    assert error.details == [{"field": "password", "issue": "too common"}]
    assert "too common" in error.message


def test_the_least_common_entry_of_the_list_is_refused_too():
    assert refusal(file_entries()[-1]).details[0]["issue"] == "too common"


@pytest.mark.parametrize(
    "password",
    [PASSPHRASE, "mauve kettle drifts north", "ünïcödé 🐴 密码 passphrase", "        "],
    ids=["ascii", "words", "unicode", "8-spaces"],
)
def test_a_long_passphrase_is_accepted_without_composition_rules(password):
    check_policy(password, username=USERNAME, email=EMAIL)


# --- user name and email ---------------------------------------------------------------------


@pytest.mark.parametrize("password", ["nurse.joy", "Nurse.Joy2024!", "my name is NURSE.JOY ok"])
def test_a_password_containing_the_user_name_is_refused(password):
    error = refusal(password, username="Nurse.Joy")
    assert error.details == [{"field": "password", "issue": "contains the user name"}]
    assert "user name" in error.message


def test_a_user_name_under_3_characters_is_not_matched_inside_a_password():
    check_policy("jo walks the mauve kettle", username="jo")


@pytest.mark.parametrize("password", [EMAIL, EMAIL.upper(), " joy.smith@amc.example ", "joy.smith", "JOY.SMITH"])
def test_the_email_or_its_local_part_is_refused(password):
    error = refusal(password, username=USERNAME, email=EMAIL)
    assert error.details == [{"field": "password", "issue": "is the email address"}]
    assert "email" in error.message


def test_a_password_merely_containing_the_local_part_is_accepted():
    check_policy("joy.smith walks the mauve kettle", username=USERNAME, email=EMAIL)


def test_no_email_or_an_email_without_at_sign_refuses_nothing_else():
    check_policy("        ", email="no-at-sign")
    check_policy(PASSPHRASE, email="")


@pytest.mark.parametrize(
    "password, who",
    [
        ("Zq7#kP2", {}),
        ("Zq7#kP2x" * 17, {}),
        ("password123", {}),
        ("Nurse.Joy2024!", {"username": USERNAME}),
        ("joy.smith@amc.example", {"email": EMAIL}),
        ("joy.smith", {"email": EMAIL}),
    ],
    ids=["short", "long", "common", "username", "email", "local-part"],
)
def test_the_message_never_repeats_the_password_the_user_name_or_the_email(password, who):
    error = refusal(password, **who)
    said = (error.message + " " + repr(error.details)).lower()
    assert password.strip().lower() not in said
    assert all(value.lower() not in said for value in who.values())


# --- the list shipped with the project -------------------------------------------------------


def test_the_list_file_has_a_header_naming_its_source_and_licence():
    header = passwords.COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#")
    assert "zxcvbn 4.5.0" in header and '"passwords"' in header and "MIT" in header


def test_the_list_file_has_at_least_1000_lower_cased_entries_of_8_or_more_characters():
    entries = file_entries()
    assert len(entries) >= 1000
    assert all(len(entry) >= 8 for entry in entries)
    assert all(entry == entry.strip().lower() for entry in entries)
    assert len(set(entries)) == len(entries)


def test_the_loaded_list_is_the_file_as_a_frozenset():
    loaded = common_passwords()
    assert isinstance(loaded, frozenset)
    assert loaded == set(file_entries())
    assert common_passwords() is loaded  # read once


def test_importing_the_module_reads_no_list_and_computes_no_hash():
    # A fresh interpreter: in this one other tests have already filled the caches.
    probe = (
        "import chalicelib.accounts.passwords as p; "
        "print(p.common_passwords.cache_info().currsize, p._dummy_hash.cache_info().currsize)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "0"]


# --- unknown user, rehash --------------------------------------------------------------------


def test_verify_against_nothing_accepts_any_text_and_returns_nothing():
    for password in ["", "wrong", PASSPHRASE, "é" * 128]:
        assert verify_against_nothing(password) is None


def test_an_unknown_user_pays_the_same_argon2_work_as_a_wrong_password(passphrase_hash, monkeypatch):
    # GIVEN a spy on argon2id's verification, noting the parameters of each hash it checks
    from argon2 import PasswordHasher, extract_parameters

    checked = []
    verify = PasswordHasher.verify

    def spy(self, hash, password):
        checked.append(extract_parameters(hash))
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)

    # WHEN a wrong password is checked for an account, and a password for no account at all
    assert verify_password(passphrase_hash, "not the passphrase") is False
    verify_against_nothing("not the passphrase")

    # THEN each costs exactly one verification against a hash of the same memory, time and lanes,
    # so the answer's timing tells nothing about whether the account exists
    assert len(checked) == 2
    assert checked[0] == checked[1]


def test_a_hash_made_today_needs_no_rehash(passphrase_hash):
    assert needs_rehash(passphrase_hash) is False


def test_a_hash_with_other_parameters_or_unreadable_needs_a_rehash():
    weaker = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSPHRASE)
    assert needs_rehash(weaker) is True
    assert needs_rehash("garbage") is True


def test_the_error_names_the_field_the_request_used():
    with pytest.raises(ValidationFailed) as refused:
        passwords.check_policy("password123", field="new_password")
    assert [d["field"] for d in refused.value.details] == ["new_password"]
