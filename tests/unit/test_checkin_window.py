"""When a visit's check-in is open: from the organization's policy's days before the start (on the
clinic's calendar) until the start, and not a moment outside it."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from chalicelib.appointments.policy import AppointmentPolicy
from chalicelib.checkin.service import window

NEW_YORK = ZoneInfo("America/New_York")
DEFAULT = AppointmentPolicy()


def test_check_in_opens_three_days_before_the_start_and_closes_at_the_start():
    starts = datetime(2026, 6, 10, 9, 0, tzinfo=NEW_YORK)
    opens = datetime(2026, 6, 7, 9, 0, tzinfo=NEW_YORK)
    assert window(DEFAULT, starts, opens - timedelta(seconds=1))[0] == "not_open"
    assert window(DEFAULT, starts, opens) == ("open", opens, starts)
    assert window(DEFAULT, starts, starts - timedelta(seconds=1))[0] == "open"
    assert window(DEFAULT, starts, starts)[0] == "closed"


def test_the_days_are_the_clinics_calendar_days_across_the_spring_change_of_the_clocks():
    # Clocks went forward on 8 March 2026 in New York: 9:00 three days before is 71 hours before.
    starts = datetime(2026, 3, 10, 9, 0, tzinfo=NEW_YORK)
    state, opens_at, _ = window(DEFAULT, starts, datetime(2026, 3, 7, 14, 0, tzinfo=timezone.utc))
    assert opens_at.isoformat() == "2026-03-07T09:00:00-05:00"
    assert starts.astimezone(timezone.utc) - opens_at.astimezone(timezone.utc) == timedelta(hours=71)
    assert state == "open"  # 14:00 UTC is 09:00 in New York that day: the first moment it is open


def test_the_days_are_the_clinics_calendar_days_across_the_autumn_change_of_the_clocks():
    # Clocks went back on 1 November 2026: 9:00 three days before the 3rd is 73 hours before.
    starts = datetime(2026, 11, 3, 9, 0, tzinfo=NEW_YORK)
    state, opens_at, closes_at = window(DEFAULT, starts, datetime(2026, 10, 31, 12, 59, tzinfo=timezone.utc))
    assert opens_at.isoformat() == "2026-10-31T09:00:00-04:00"
    assert closes_at.isoformat() == "2026-11-03T09:00:00-05:00"
    assert starts.astimezone(timezone.utc) - opens_at.astimezone(timezone.utc) == timedelta(hours=73)
    assert state == "not_open"


def test_an_opening_time_the_clocks_skipped_is_read_as_the_clinic_would_and_shown_with_its_true_offset():
    # 02:30 on 8 March 2026 never happened in New York: it is 03:30 daylight time.
    starts = datetime(2026, 3, 11, 2, 30, tzinfo=NEW_YORK)
    _, opens_at, _ = window(DEFAULT, starts, starts)
    assert opens_at.isoformat() == "2026-03-08T03:30:00-04:00"


def test_a_start_given_in_utc_is_counted_on_the_organizations_calendar_when_its_zone_is_named():
    starts = datetime(2026, 3, 10, 13, 0, tzinfo=timezone.utc)  # 09:00 in New York
    _, opens_at, closes_at = window(DEFAULT, starts, starts, time_zone="America/New_York")
    assert opens_at.isoformat() == "2026-03-07T09:00:00-05:00"
    assert closes_at.isoformat() == "2026-03-10T09:00:00-04:00"


def test_an_organization_may_open_check_in_on_the_day_only():
    starts = datetime(2026, 6, 10, 9, 0, tzinfo=NEW_YORK)
    same_day = AppointmentPolicy(checkin_opens_days=0)
    assert window(same_day, starts, starts - timedelta(minutes=1))[0] == "not_open"
    assert window(same_day, starts, starts)[0] == "closed"
