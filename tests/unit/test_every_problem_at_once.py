"""A refused request names every problem at once, each field with what is wrong with it in words:
a person fixes a form in one go instead of meeting one problem per try."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.accounts import service as accounts
from chalicelib.accounts.domain import Role
from chalicelib.errors import Problems, ValidationFailed
from chalicelib.feeds.sources import category_codes, declarations
from chalicelib.timers import service as timers

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def named(error: ValidationFailed) -> list[str]:
    """The fields an error names, each checked to say what is wrong with it."""
    assert all(detail.get("issue") for detail in error.details), error.details
    return [detail["field"] for detail in error.details]


def test_a_field_named_without_words_takes_the_errors_message():
    error = ValidationFailed("This link has been used already.", [{"field": "token"}, {"attempts_left": 2}])

    assert error.details == [{"field": "token", "issue": "This link has been used already."}, {"attempts_left": 2}]
    assert error.message == "This link has been used already."


def test_of_names_each_field_with_its_words():
    error = ValidationFailed.of(("email", "not an email address"), ("birth_date", "in the future"))

    assert error.details == [
        {"field": "email", "issue": "not an email address"},
        {"field": "birth_date", "issue": "in the future"},
    ]
    assert error.message == "Some answers need another look."


def test_one_problem_keeps_its_own_sentence_and_several_are_summed_up():
    def refuse_username(_: str) -> None:
        raise ValidationFailed("A user name has 3 to 64 characters.", [{"field": "username", "issue": "too short"}])

    one = Problems()
    one.gather(refuse_username, "x")
    with pytest.raises(ValidationFailed) as single:
        one.raise_if_any("The account is not valid.")
    assert single.value.message == "A user name has 3 to 64 characters."

    several = Problems()
    several.gather(refuse_username, "x", prefix="accounts.0.")
    several.add("role", "admin or staff")
    with pytest.raises(ValidationFailed) as both:
        several.raise_if_any("The account is not valid.")
    assert both.value.message == "The account is not valid."
    assert named(both.value) == ["accounts.0.username", "role"]


def test_no_problem_raises_nothing():
    Problems().raise_if_any()


def test_a_staff_account_with_a_wrong_role_name_and_password_names_all_three():
    with pytest.raises(ValidationFailed) as refused:
        accounts.create_staff_account(
            None,  # type: ignore[arg-type]  # refused before the directory is asked anything
            organization_id="albany-medical-center",
            username="x!",
            password="short",
            role=Role.PATIENT,
            now=NOW,
        )

    assert named(refused.value) == ["role", "username", "password"]
    assert refused.value.message == "Some answers need another look."


def test_a_timer_with_a_wrong_id_moment_and_queue_names_all_three():
    with pytest.raises(ValidationFailed) as refused:
        timers.schedule(
            None,  # type: ignore[arg-type]  # refused before a timer is started
            timer_id="no spaces allowed",
            fire_at=NOW + timedelta(days=400),
            queue_url="https://sqs.us-east-1.amazonaws.com/123456789012/outbound.fifo",
            message={},
            now=NOW,
        )

    assert named(refused.value) == ["timer_id", "fire_at", "queue_url"]


def test_every_authority_that_cannot_be_declared_is_named_by_its_place():
    pairs = [("LAB", "AMC-MRN"), ("MR", "AMC-MRN"), ("LAB", "OTHER"), ("HIE", "not valid!")]

    with pytest.raises(ValidationFailed) as refused:
        declarations(pairs)

    assert named(refused.value) == ["authorities.1.sent_as", "authorities.2.sent_as", "authorities.3.authority"]


def test_every_category_code_that_cannot_be_kept_is_named_by_its_place():
    pairs = [("http://loinc.org|718-7", "lab"), ("no-bar", "lab"), ("http://loinc.org|718-7", "imaging"), ("a|b", "x")]

    with pytest.raises(ValidationFailed) as refused:
        category_codes(pairs)

    assert named(refused.value) == ["category_codes.1.code", "category_codes.2.code", "category_codes.3.category"]
