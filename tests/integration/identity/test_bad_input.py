"""Bad input is a 400 that names the field, never a 5xx that looks like an outage; and a person's
name never carries control or formatting characters into the records staff read."""

from __future__ import annotations

import pytest

from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrollment,
    register_and_invite,
    seeded,
    staff_token,
)

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


def test_a_sign_in_with_a_field_it_does_not_take_or_an_overlong_password_is_a_400_that_echoes_nothing(seeded):
    extra = call(seeded, "POST", "/v1/sessions", {"username": "demo.staff", "password": "x" * 8, "role": "admin"})
    overlong = call(seeded, "POST", "/v1/sessions", {"username": "demo.staff", "password": "s3cret-" * 30})

    assert extra.status_code == 400
    assert extra.json_body["error"]["details"] == [{"field": "role", "issue": "not accepted"}]
    assert overlong.status_code == 400
    assert [d["field"] for d in overlong.json_body["error"]["details"]] == ["password"]
    assert "s3cret" not in str(overlong.json_body)


def test_a_second_step_code_sent_as_a_number_is_a_400_not_a_wrong_code(seeded):
    # (a number loses leading zeros: 012345 would be a wrong code that counts towards the lockout)
    answer = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": "0" * 59, "code": 123456})

    assert answer.status_code == 400
    assert [d["field"] for d in answer.json_body["error"]["details"]] == ["code"]


def test_an_enrollment_whose_family_name_holds_a_line_break_is_refused_without_using_up_a_try(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)

    refused = call(seeded, "POST", "/v1/enrollments", enrollment(invited, family_name="Nunez\r\nAdmin"))
    wrong = call(seeded, "POST", "/v1/enrollments", enrollment(invited, date_of_birth="1984-03-10"))

    assert refused.status_code == 400
    assert [d["field"] for d in refused.json_body["error"]["details"]] == ["family_name"]
    # The first real wrong answer is still the first of five.
    assert wrong.json_body["error"]["details"][-1] == {"attempts_left": 4}


def test_an_enrollment_date_of_birth_not_written_as_a_date_names_the_field(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)

    for value in ("09/03/1984", "1984-02-30", ""):
        answer = call(seeded, "POST", "/v1/enrollments", enrollment(invited, date_of_birth=value))
        assert answer.status_code == 400, value
        assert [d["field"] for d in answer.json_body["error"]["details"]] == ["date_of_birth"], value
    future = call(seeded, "POST", "/v1/enrollments", enrollment(invited, date_of_birth="2999-01-01"))
    assert future.status_code == 400
    assert "date_of_birth" in [d["field"] for d in future.json_body["error"]["details"]]


@pytest.mark.parametrize("patient_id", ["", "not-an-id", "0123456789ABCDEF0123456789ABCDEF"])
def test_invitations_are_listed_only_for_a_patient_id_of_the_portals_form(seeded, staff_token, patient_id):
    answer = call(seeded, "GET", f"/v1/staff/invitations?patient_id={patient_id}", token=staff_token)

    assert answer.status_code == 400
    assert [d["field"] for d in answer.json_body["error"]["details"]] == ["patient_id"]


def test_a_username_reminder_for_something_that_is_not_an_address_is_a_400(seeded):
    answer = call(seeded, "POST", "/v1/account/username-reminders", {"email": "ana at example"})

    assert answer.status_code == 400
    assert [d["field"] for d in answer.json_body["error"]["details"]] == ["email"]
    assert "ana at example" not in str(answer.json_body)
