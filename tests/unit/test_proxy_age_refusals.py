"""The age rule's refusals: each case says what fits it, so a parent asking for an adult is not
told to call about "an older child", nor a guardian of an adult asked for a teenager told to ask as
a parent of a child under 12."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.proxies.domain import Relationship, refusal_for_age

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
ZONE = "America/New_York"
CHILD = "2018-03-01"  # 8
TEEN = "2011-06-01"  # 15
ADULT = "1980-04-12"  # 46


@pytest.mark.parametrize("relationship", [Relationship.PARENT, Relationship.GUARDIAN_OF_MINOR])
def test_a_minors_parent_or_guardian_may_ask_for_a_child_under_12(relationship: Relationship) -> None:
    assert refusal_for_age(relationship, CHILD, ZONE, NOW) == ""


@pytest.mark.parametrize("relationship", [Relationship.PARENT, Relationship.GUARDIAN_OF_MINOR])
def test_a_minors_parent_asking_for_a_teenager_hears_about_12_to_17(relationship: Relationship) -> None:
    refusal = refusal_for_age(relationship, TEEN, ZONE, NOW)

    assert "until the child turns 12" in refusal
    assert "12 to 17" in refusal
    assert "adult" not in refusal


@pytest.mark.parametrize("relationship", [Relationship.PARENT, Relationship.GUARDIAN_OF_MINOR])
def test_a_minors_parent_asking_for_an_adult_is_told_the_patient_is_an_adult(relationship: Relationship) -> None:
    refusal = refusal_for_age(relationship, ADULT, ZONE, NOW)

    assert refusal.startswith("This patient is an adult")
    assert "child" not in refusal
    assert "someone they trust" in refusal


@pytest.mark.parametrize(
    "relationship",
    [Relationship.GUARDIAN_OF_ADULT, Relationship.HEALTH_CARE_AGENT, Relationship.TRUSTED_PERSON],
)
def test_an_adults_guardian_or_agent_asking_for_a_teenager_is_not_sent_to_ask_as_a_parent(
    relationship: Relationship,
) -> None:
    refusal = refusal_for_age(relationship, TEEN, ZONE, NOW)

    assert "18 or older" in refusal
    assert "12 to 17" in refusal
    assert "under 12" not in refusal


def test_an_adults_guardian_asking_for_a_young_child_is_pointed_to_the_parents_request() -> None:
    refusal = refusal_for_age(Relationship.GUARDIAN_OF_ADULT, CHILD, ZONE, NOW)

    assert "18 or older" in refusal
    assert "under 12, ask as a parent" in refusal


def test_an_adults_guardian_may_ask_for_an_adult() -> None:
    assert refusal_for_age(Relationship.HEALTH_CARE_AGENT, ADULT, ZONE, NOW) == ""


def test_the_18th_birthday_is_the_line_on_the_organizations_clock() -> None:
    # 18 on 6 December 2026 in New York: at 15:00 UTC on the 5th it is still the 5th there.
    assert refusal_for_age(Relationship.PARENT, "2008-12-06", ZONE, NOW).startswith("Parents and guardians")
    assert refusal_for_age(Relationship.PARENT, "2008-12-05", ZONE, NOW).startswith("This patient is an adult")
