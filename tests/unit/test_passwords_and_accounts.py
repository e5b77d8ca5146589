"""Password hashing (argon2id, 8-128 characters) and creating organizations and staff accounts.

argon2id costs ~0.1 s per hash or verify, so real hashes are few: shared through a module fixture.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from chalicelib.accounts import service
from chalicelib.accounts.domain import AccountStatus, Role
from chalicelib.accounts.passwords import check_policy, hash_password, verify_password
from chalicelib.errors import ValidationFailed
from tests.unit.fakes import FakeDirectory

PASSPHRASE = "correct horse battery staple ünïcödé 🐴 密码"

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def passphrase_hash() -> str:
    return hash_password(PASSPHRASE)


# --- passwords -------------------------------------------------------------------------------


def test_hash_is_argon2id_and_not_the_password(passphrase_hash):
    assert passphrase_hash.startswith("$argon2id$")
    assert PASSPHRASE not in passphrase_hash


def test_verify_accepts_the_passphrase_with_spaces_and_unicode(passphrase_hash):
    assert verify_password(passphrase_hash, PASSPHRASE) is True


def test_verify_refuses_a_near_miss(passphrase_hash):
    assert verify_password(passphrase_hash, PASSPHRASE.upper()) is False


@pytest.mark.parametrize("password", ["a" * 8, "b" * 128], ids=["8-chars", "128-chars"])
def test_passwords_of_8_to_128_characters_are_hashed(password):
    assert hash_password(password).startswith("$argon2id$")


@pytest.mark.parametrize(
    "password",
    ["", "a" * 7, "a" * 129, "é" * 129, "a" * 1_000_000],
    ids=["empty", "7-chars", "129-chars", "129-unicode-chars", "megabyte"],
)
def test_passwords_outside_8_to_128_characters_are_refused(password):
    with pytest.raises(ValidationFailed) as caught:
        hash_password(password)
    assert [detail["field"] for detail in caught.value.details] == ["password"]
    assert "8 to 128 characters" in caught.value.message


@pytest.mark.parametrize("password", ["é" * 128, "        ", "🐴" * 8], ids=["128-accented", "8-spaces", "8-emoji"])
def test_length_counts_characters_not_bytes_and_allows_any_character(password):
    check_policy(password)  # no composition rules; 128 'é' is 256 bytes and still allowed


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "$argon2id$v=19$m=65536,t=3,p=4$AAAA$BBBB",
        "$2b$12$abcdefghijklmnopqrstuuJ8iCNk0Jx5B6mtlq8n5C0dMSQ4tX8eW",
    ],
    ids=["empty", "text", "truncated-argon2", "bcrypt"],
)
def test_verify_against_a_garbage_hash_is_false_not_an_error(garbage):
    assert verify_password(garbage, "password1") is False


# --- user names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, stored",
    [
        ("Alice.Smith@Clinic.ORG", "alice.smith@clinic.org"),
        ("  BOB  ", "bob"),
        ("a-b_c", "a-b_c"),
        ("x" * 64, "x" * 64),
    ],
)
def test_normalize_username_folds_case_and_trims(given, stored):
    assert service.normalize_username(given) == stored


@pytest.mark.parametrize(
    "username",
    ["", "ab", "x" * 65, "-alice", ".alice", "al ice", "alice!", "ålice", "alice/../admin"],
    ids=["empty", "2-chars", "65-chars", "leading-dash", "leading-dot", "space", "bang", "non-ascii", "path"],
)
def test_normalize_username_refuses_bad_names(username):
    with pytest.raises(ValidationFailed) as caught:
        service.normalize_username(username)
    assert [(d["field"], bool(d["issue"])) for d in caught.value.details] == [("username", True)]


# --- organizations and staff accounts --------------------------------------------------------


def test_ensure_organization_creates_once_and_then_returns_the_existing_one():
    # GIVEN an empty directory
    directory = FakeDirectory()
    # WHEN the organization is ensured twice (a second seeding run, even with another name)
    first = service.ensure_organization(directory, "albany-medical-center", "Albany Medical Center", now=NOW)
    second = service.ensure_organization(directory, "albany-medical-center", "Albany Med", now=NOW)
    # THEN it is written once and both calls return the same organization
    assert directory.organization_writes == 1
    assert second == directory.organization("albany-medical-center")  # (with the deployment's default zone)
    assert (first.name, second.name) == ("Albany Medical Center", "Albany Medical Center")
    assert (first.created_at, first.organization_id) == (second.created_at, second.organization_id)


def test_create_staff_account_stores_a_folded_name_and_a_verifiable_hash():
    # GIVEN a directory, WHEN an admin creates a staff account
    directory = FakeDirectory()
    account = service.create_staff_account(
        directory,
        organization_id="amc",
        username="Nurse.Joy",
        password="s3cret passphrase",
        role=Role.STAFF,
        email="joy@amc.example",
        now=NOW,
    )
    # THEN it is stored under the folded name (as its first version), active, with an argon2id
    # hash of the password
    assert directory.account_by_username("nurse.joy") == dataclasses.replace(account, version=1)
    assert (account.username, account.organization_id, account.role, account.status, account.email) == (
        "nurse.joy",
        "amc",
        Role.STAFF,
        AccountStatus.ACTIVE,
        "joy@amc.example",
    )
    assert account.password_hash.startswith("$argon2id$")
    assert verify_password(account.password_hash, "s3cret passphrase")
    assert account.account_id


def test_create_staff_account_refuses_a_patient_role():
    directory = FakeDirectory()
    with pytest.raises(ValidationFailed) as caught:
        service.create_staff_account(
            directory, organization_id="amc", username="pat", password="long enough", role=Role.PATIENT, now=NOW
        )
    assert [(d["field"], bool(d["issue"])) for d in caught.value.details] == [("role", True)]
    assert directory.accounts == {}


@pytest.mark.parametrize(
    "username, password, field",
    [
        ("x", "long enough", "username"),
        ("nurse.joy", "short", "password"),
    ],
)
def test_create_staff_account_with_a_bad_field_stores_nothing(username, password, field):
    directory = FakeDirectory()
    with pytest.raises(ValidationFailed) as caught:
        service.create_staff_account(
            directory, organization_id="amc", username=username, password=password, role=Role.ADMIN, now=NOW
        )
    assert [detail["field"] for detail in caught.value.details] == [field]
    assert directory.accounts == {}
