"""The pure rules of appointments: which list one is in, its times in the organization's zone,
its status in one spelling, and whether it is a video visit."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.appointments import domain

NOW = datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc)  # 09:00 in New York
NY = "America/New_York"


def test_a_visit_starting_now_or_later_is_upcoming_and_one_started_before_is_past():
    assert domain.when("2026-12-05T09:00:00-05:00", NOW, NY) == "upcoming"
    assert domain.when("2026-12-05T08:59:00-05:00", NOW, NY) == "past"
    assert domain.when("2026-12-05T14:00:00Z", NOW, NY) == "upcoming"


def test_a_start_without_an_offset_is_the_organizations_wall_clock():
    assert domain.when("2026-12-05T09:30:00", NOW, NY) == "upcoming"  # 14:30 UTC
    assert domain.when("2026-12-05T09:30:00", NOW, "UTC") == "past"


def test_a_visit_with_no_start_or_a_date_alone_is_past():
    assert domain.when("", NOW, NY) == "past"
    assert domain.when("2027-01-01", NOW, NY) == "past"


def test_times_are_given_on_the_organizations_clock_and_what_is_not_a_time_as_sent():
    assert domain.in_zone("2013-12-10T09:00:00Z", NY) == "2013-12-10T04:00:00-05:00"
    assert domain.in_zone("2027-07-01T09:00", NY) == "2027-07-01T09:00:00-04:00"
    assert domain.in_zone("2027-07-01", NY) == "2027-07-01"
    assert domain.in_zone("", NY) == ""


def test_statuses_are_spelt_one_way_and_unknown_ones_kept():
    assert domain.status_of("Canceled") == "cancelled"
    assert domain.status_of("no-show") == "noshow"
    assert domain.status_of("booked") == "booked"
    assert domain.status_of("Tentative") == "tentative"


def test_a_visit_is_video_only_when_the_sender_says_so():
    assert domain.mode_of({"type": "Telehealth follow-up"}) == "video"
    assert domain.mode_of({"services": ["Video visit"]}) == "video"
    assert domain.mode_of({"locations": ["Virtual clinic"]}) == "video"
    assert domain.mode_of({"type": "In-person visit"}) == "in_person"
    assert domain.mode_of({"type": "Annual physical", "locations": ["South Wing"]}) is None
    assert domain.mode_of({"description": "Review videotape results"}) is None
