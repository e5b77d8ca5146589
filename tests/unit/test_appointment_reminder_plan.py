"""Which reminders a visit gets and when they must be set again (pure rules)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.appointments.reminder_plan import (
    ReminderPlan,
    due_start,
    is_timer_name,
    moments,
    needs_new_timers,
    scheduler_id_of,
    timer_name,
)
from chalicelib.records.domain import SentIdentifier

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
ZONE = "America/New_York"
ENTRY = "0123456789abcdef0123456789abcdef"


def booked(at: datetime, status: str = "booked") -> dict:
    return {"status": status, "starts_at": at.isoformat()}


def test_only_a_booked_visit_still_to_come_has_reminders():
    start = NOW + timedelta(days=5)
    assert due_start(booked(start), False, ZONE, NOW) == start
    assert due_start(booked(start, "Canceled"), False, ZONE, NOW) is None
    assert due_start(booked(start, "noshow"), False, ZONE, NOW) is None
    assert due_start(booked(start), True, ZONE, NOW) is None  # withdrawn by the sender
    assert due_start(booked(NOW), False, ZONE, NOW) is None  # starting now: too late to remind
    assert due_start({"status": "booked", "starts_at": "2026-12-09"}, False, ZONE, NOW) is None  # a day, no time


def test_a_time_without_an_offset_is_the_organizations_wall_clock():
    # 10:00 in New York in December is 15:00 UTC
    assert due_start({"status": "booked", "starts_at": "2026-12-09T10:00:00"}, False, ZONE, NOW) == datetime(
        2026, 12, 9, 15, 0, tzinfo=timezone.utc
    )


def test_moments_already_past_or_beyond_a_years_wait_are_skipped():
    start = NOW + timedelta(hours=30)
    assert moments(start, (72, 24), NOW) == [(24, NOW + timedelta(hours=6))]
    assert moments(NOW + timedelta(hours=24), (72, 24), NOW) == []  # the 24-hour moment is now: past
    assert moments(NOW + timedelta(days=400), (72, 24), NOW) == []
    assert [h for h, _ in moments(NOW + timedelta(days=5), (72, 24), NOW)] == [72, 24]


def test_the_timers_are_set_again_only_when_the_visit_changed_or_a_reminder_came_within_reach():
    start = NOW + timedelta(days=5)
    plan = ReminderPlan(
        "p", ENTRY, starts_at=start, hours=(72, 24), timers=(timer_name(ENTRY, 1, 72), timer_name(ENTRY, 1, 24))
    )
    assert not needs_new_timers(plan, start, (72, 24), NOW)  # the same booking filed again
    assert needs_new_timers(plan, start + timedelta(hours=1), (72, 24), NOW)  # moved
    assert needs_new_timers(plan, None, (), NOW)  # cancelled
    assert needs_new_timers(plan, start, (48,), NOW)  # other hours
    # a 72-hour reminder that fired stays named: the visit filed again sets nothing new
    assert not needs_new_timers(plan, start, (72, 24), start - timedelta(hours=50))
    far = ReminderPlan("p", ENTRY, starts_at=start, hours=(72, 24), timers=())
    assert needs_new_timers(far, start, (72, 24), NOW)  # none were timed: now they can be
    stopped = ReminderPlan("p", ENTRY, starts_at=None, hours=(), timers=())
    assert not needs_new_timers(stopped, None, (), NOW)


def test_a_visit_the_patient_cancelled_stays_without_reminders_until_it_moves():
    start = NOW + timedelta(days=5)
    cancelled = ReminderPlan("p", ENTRY, starts_at=start, hours=(72, 24), cancelled_by_patient=True)
    assert not needs_new_timers(cancelled, start, (72, 24), NOW)
    assert needs_new_timers(cancelled, start + timedelta(days=1), (72, 24), NOW)
    # the feed confirming the cancellation starts the plan afresh, so a later booking is reminded
    assert needs_new_timers(cancelled, None, (), NOW)


def test_timer_names_fit_step_functions_and_the_scheduler_id_is_the_fillers():
    name = timer_name(ENTRY, 12, 336)
    assert is_timer_name(name) and len(name) <= 80
    assert not is_timer_name("release-" + ENTRY)
    ids = (SentIdentifier("REQ-1", "PLAC"), SentIdentifier("APT-9", "FILL", "AMC"))
    assert scheduler_id_of(ids) == "APT-9"
    assert scheduler_id_of((SentIdentifier("Appointment/abc", "RI"),)) == "abc"
    assert scheduler_id_of(()) == ""
