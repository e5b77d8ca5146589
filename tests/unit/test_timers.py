"""Dated events: schedule/cancel validation, and the timestamp format Step Functions needs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.adapters.stepfunctions import iso_utc
from chalicelib.errors import ValidationFailed
from chalicelib.timers import service
from tests.unit.fakes import FakeTimers, StartedTimer

NOW = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/patient-portal-notifications"
MESSAGE = {"notification_id": "n-1", "template": "something_waiting", "to_address": "pat@example.org"}


def schedule(timers, timer_id="release-result-42", fire_at=NOW + timedelta(days=3)):
    return service.schedule(timers, timer_id=timer_id, fire_at=fire_at, queue_url=QUEUE, message=MESSAGE, now=NOW)


def refused_field(timers, **kwargs) -> str:
    with pytest.raises(ValidationFailed) as caught:
        schedule(timers, **kwargs)
    return caught.value.details[0]["field"]


def test_schedule_starts_the_timer_with_exactly_what_was_asked():
    # GIVEN a timers service, WHEN a timer is scheduled
    timers = FakeTimers()
    handle = schedule(timers, fire_at=NOW + timedelta(days=3))
    # THEN it started once with the id, moment, queue and message given, and its handle came back
    assert timers.started == {
        "release-result-42": StartedTimer("release-result-42", NOW + timedelta(days=3), QUEUE, MESSAGE)
    }
    assert handle == FakeTimers.handle("release-result-42")


@pytest.mark.parametrize(
    "timer_id",
    ["", "a" * 81, "has space", "a/b", "ünïcode", "a.b", "tab\tid"],
    ids=["empty", "81-chars", "space", "slash", "unicode", "dot", "tab"],
)
def test_invalid_timer_id_is_refused(timer_id):
    timers = FakeTimers()
    assert refused_field(timers, timer_id=timer_id) == "timer_id"
    assert timers.started == {}


@pytest.mark.parametrize("timer_id", ["a", "a" * 80, "Reminder_2026-11-25"])
def test_timer_ids_up_to_80_letters_digits_dash_underscore_are_accepted(timer_id):
    timers = FakeTimers()
    schedule(timers, timer_id=timer_id)
    assert list(timers.started) == [timer_id]


def test_timer_id_with_trailing_newline_is_refused():
    assert refused_field(FakeTimers(), timer_id="release-42\n") == "timer_id"


def test_naive_datetime_is_refused():
    timers = FakeTimers()
    assert refused_field(timers, fire_at=datetime(2026, 11, 25, 12, 0)) == "fire_at"
    assert timers.started == {}


@pytest.mark.parametrize("ahead", [timedelta(days=364, seconds=1), timedelta(days=365), timedelta(days=3650)])
def test_more_than_364_days_ahead_is_refused(ahead):
    timers = FakeTimers()
    assert refused_field(timers, fire_at=NOW + ahead) == "fire_at"
    assert timers.started == {}


def test_exactly_364_days_ahead_is_accepted():
    timers = FakeTimers()
    schedule(timers, fire_at=NOW + timedelta(days=364))
    assert timers.started["release-result-42"].fire_at == NOW + timedelta(days=364)


def test_the_year_limit_counts_across_time_zones():
    # GIVEN a moment expressed in New York time, 364 days and one hour after NOW (UTC)
    fire_at = (NOW + timedelta(days=364, hours=1)).astimezone(ZoneInfo("America/New_York"))
    # THEN it is refused: the limit is on the instant, not the wall clock
    assert refused_field(FakeTimers(), fire_at=fire_at) == "fire_at"


@pytest.mark.parametrize("ago", [timedelta(seconds=1), timedelta(days=30)])
def test_a_moment_in_the_past_is_accepted_and_fires_at_once(ago):
    timers = FakeTimers()
    schedule(timers, fire_at=NOW - ago)
    assert timers.started["release-result-42"].fire_at == NOW - ago


def test_cancel_passes_the_handle_schedule_returned():
    timers = FakeTimers()
    handle = schedule(timers)
    service.cancel(timers, handle)
    assert timers.cancelled == [handle]


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 25, 7, 0, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 11, 25, 17, 30, tzinfo=ZoneInfo("Asia/Kolkata")),
        datetime(2026, 11, 25, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        datetime(2026, 11, 25, 12, 0, 0, 999_999, tzinfo=timezone.utc),
    ],
    ids=["new-york", "kolkata", "plus-2", "utc-with-microseconds"],
)
def test_iso_utc_is_the_z_form_step_functions_wants(moment):
    assert iso_utc(moment) == "2026-11-25T12:00:00Z"


def test_a_timer_cannot_target_a_fifo_queue():
    # GIVEN the outbound FIFO queue, which needs a MessageGroupId the state machine does not send
    timers = FakeTimers()
    # WHEN a timer is aimed at it THEN it is refused up front, not failed at the moment it fires
    with pytest.raises(ValidationFailed) as refused:
        service.schedule(
            timers,
            timer_id="t-1",
            fire_at=NOW,
            message={},
            now=NOW,
            queue_url="https://sqs.us-east-1.amazonaws.com/123456789012/patient-portal-clinical-outbound.fifo",
        )
    assert [(d["field"], bool(d["issue"])) for d in refused.value.details] == [("queue_url", True)]
    assert timers.started == {}
