"""An organization's appointment policy: what an admin may set, and what a patient meets when
nothing was set."""

import pytest

from chalicelib.accounts.domain import Organization
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.errors import ValidationFailed


def test_an_organization_that_set_nothing_cancels_until_a_day_before_and_reminds_three_days_and_a_day_before():
    policy = policy_of(None)
    assert policy.cancel_cutoff_hours == 24
    assert policy.reminder_hours == (72, 24)
    assert policy.checkin_opens_days == 3
    assert policy.video_link("A1") == ""


def test_a_set_policy_is_read_back_with_reminders_largest_first():
    policy = AppointmentPolicy.from_json(
        {
            "cancel_cutoff_hours": 48,
            "reminder_hours": [2, 48],
            "checkin_opens_days": 1,
            "office_phone": "(518) 262-3125",
            "video_link_template": "https://video.example.org/join/{appointment_id}",
        }
    )
    assert policy.reminder_hours == (48, 2)
    assert AppointmentPolicy.from_json(policy.as_json()) == policy
    assert policy.video_link("SCH 10/7") == "https://video.example.org/join/SCH%2010%2F7"


def test_every_wrong_setting_is_named_at_once():
    with pytest.raises(ValidationFailed) as raised:
        AppointmentPolicy.from_json(
            {
                "cancel_cutoff_hours": -1,
                "reminder_hours": [24, 24],
                "checkin_opens_days": 30,
                "office_phone": "call us",
                "video_link_template": "http://video.example.org/{patient_name}",
                "colour": "blue",
            }
        )
    fields = {d["field"] for d in raised.value.details}
    assert fields == {
        "colour",
        "cancel_cutoff_hours",
        "reminder_hours",
        "checkin_opens_days",
        "office_phone",
        "video_link_template",
    }


def test_a_link_template_may_name_only_the_visit_never_the_patient():
    with pytest.raises(ValidationFailed):
        AppointmentPolicy.from_json({"video_link_template": "https://v.example.org/{appointment_id}?who={mrn}"})


def test_a_stored_policy_that_no_longer_reads_gives_the_defaults_rather_than_failing_a_page():
    from datetime import datetime, timezone

    org = Organization(
        "o", "O", datetime(2026, 1, 1, tzinfo=timezone.utc), appointment_policy={"cancel_cutoff_hours": "x"}
    )
    assert policy_of(org) == AppointmentPolicy()
