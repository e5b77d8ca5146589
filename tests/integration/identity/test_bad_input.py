"""Bad input is a 400 that names the field, never a 5xx that looks like an outage; and a person's
name never carries control or formatting characters into the records staff read."""

from __future__ import annotations

import pytest

from tests.integration.identity.conftest import call, seeded, staff_token  # noqa: F401  (fixtures)

RECOVERY = "/v1/account/password-resets"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": " "}, "username"),
        ({"username": " ", "email": ""}, "username"),
        ({"username": 5}, "username"),
        ({"username": ["ana"]}, "username"),
        ({"email": {"x": 1}}, "email"),
    ],
    ids=["blank-email", "blank-both", "number", "list", "object"],
)
def test_a_password_reset_request_that_names_nobody_is_a_400_naming_the_field(seeded, body, field):
    answer = call(seeded, "POST", RECOVERY, body)
    assert answer.status_code == 400, answer.json_body
    assert answer.json_body["error"]["code"] == "validation_failed"
    assert [d["field"] for d in answer.json_body["error"]["details"]] == [field]


def test_a_password_reset_for_an_unknown_address_still_answers_as_for_a_known_one(seeded):
    # (the answer never says whether an account exists)
    assert call(seeded, "POST", RECOVERY, {"email": " nobody@example.org "}).status_code == 202


PATIENT = {"mrn": "MRN-3003", "family_name": "Okafor", "given_names": ["Chidi"], "birth_date": "1990-01-02"}


@pytest.mark.parametrize(
    "field, value",
    [
        ("family_name", "Oka\ud800for"),  # a lone surrogate: not even storable as UTF-8
        ("family_name", "Oka\x00for"),  # NUL
        ("family_name", "Okafor\r\nAdmin"),  # a line break
        ("family_name", "\x1b[31mOkafor"),  # a terminal escape
        ("family_name", "Oka\u202efor"),  # a right-to-left override
        ("given_names", ["Chi\u200bdi"]),  # a zero-width space
        ("family_name", "   "),
        ("family_name", 7),
    ],
    ids=["surrogate", "nul", "crlf", "ansi", "bidi", "zero-width", "blank", "number"],
)
def test_a_name_with_control_or_formatting_characters_is_refused(seeded, staff_token, field, value):
    answer = call(seeded, "POST", "/v1/staff/patients", {**PATIENT, field: value}, staff_token)
    assert answer.status_code == 400, answer.json_body
    # (an entry of a list is named with its index: given_names.0)
    assert [d["field"].partition(".")[0] for d in answer.json_body["error"]["details"]] == [field]
    assert "Oka" not in str(answer.json_body) and "Chi" not in str(answer.json_body)  # the name is not echoed


def test_a_name_is_stored_normalised_and_accents_and_apostrophes_are_welcome(seeded, staff_token):
    # GIVEN a family name typed with a combining accent (e + U+0301), and one with an apostrophe
    body = {**PATIENT, "family_name": "Ne\u0301ri O'Brien", "given_names": ["Zoë", "Anne-Marie"]}
    answer = call(seeded, "POST", "/v1/staff/patients", body, staff_token)
    assert answer.status_code == 201, answer.json_body
    shown = call(seeded, "GET", f"/v1/staff/patients/{answer.json_body['patient_id']}", token=staff_token)
    # THEN it is kept composed (é as one character), as a search or a comparison expects
    assert shown.json_body["patient"]["family_name"] == "N\u00e9ri O'Brien"
    assert shown.json_body["patient"]["given_names"] == ["Zoë", "Anne-Marie"]
