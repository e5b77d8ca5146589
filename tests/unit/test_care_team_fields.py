"""What an admin may type for a care team, as patients will read it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.careteams.contract import CareTeamChange
from chalicelib.careteams.domain import CareTeam, same_name


def change(**fields) -> dict:
    return {"name": "Cardiology", "kind": "department", "accepts_messages": True} | fields


@pytest.mark.parametrize("phone", ["(518) 555-0142", "+1 518 555 0142", "518.555.0142 ext. 12", "555-0142 x7"])
def test_phone_numbers_as_offices_write_them_are_taken(phone):
    assert CareTeamChange.model_validate(change(phone=phone)).phone == phone


@pytest.mark.parametrize("phone", ["call us", "12", "javascript:alert(1)", "555-0142; DROP"])
def test_anything_but_a_phone_number_is_refused(phone):
    with pytest.raises(ValidationError):
        CareTeamChange.model_validate(change(phone=phone))


def test_an_emptied_phone_field_means_no_number():
    assert CareTeamChange.model_validate(change(phone="")).phone is None


@pytest.mark.parametrize("name", ["Cardio\u202elogy", "Cardio\u200blogy", "Cardiology\nClinic", " "])
def test_names_that_could_hide_or_reorder_what_patients_read_are_refused(name):
    with pytest.raises(ValidationError):
        CareTeamChange.model_validate(change(name=name))


def test_a_description_may_span_lines_but_not_hide_characters():
    assert CareTeamChange.model_validate(change(description="Heart care.\nWeekdays only.")).description
    with pytest.raises(ValidationError):
        CareTeamChange.model_validate(change(description="Heart\x00care"))


def test_teams_whose_names_differ_only_in_case_or_spacing_are_the_same_to_a_patient():
    assert same_name("Primary  Care", " primary care")
    assert not same_name("Primary Care", "Primary Care North")


def test_a_team_is_open_to_patients_only_while_active_and_accepting_messages():
    team = CareTeam("t", "Cardiology", "department", "", True, "", True, (), "2026-11-25T12:00:00Z")
    assert team.open_to_patients
    assert not CareTeam.from_json(team.as_json() | {"active": False}).open_to_patients
    assert not CareTeam.from_json(team.as_json() | {"accepts_messages": False}).open_to_patients
