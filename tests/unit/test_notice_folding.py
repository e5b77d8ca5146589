"""Notices of released results fold by a sliding window: one joins the open run when it comes
within ten minutes of the run's last notice, and a run lasts half an hour at most."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from chalicelib.notifications.folding import FOLD_LONGEST, FOLD_WINDOW, Fold, joins
from tests.fakes.inbox import FakeInbox

TEN = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return TEN + timedelta(minutes=minutes)


def test_the_window_slides_with_the_last_notice_not_the_clock():
    assert (FOLD_WINDOW, FOLD_LONGEST) == (timedelta(minutes=10), timedelta(minutes=30))
    assert not joins(None, at(-2))
    run = Fold("n-1", at(-2), at(3))
    assert joins(run, at(9))  # 09:58, 10:03, 10:09: one run across 10:00
    assert joins(run, at(13))  # ten minutes after the last, exactly
    assert not joins(run, at(13.01))  # quiet for longer: a new run


def test_a_run_ends_half_an_hour_after_it_began_however_busy():
    busy = Fold("n-1", at(0), at(24))
    assert joins(busy, at(29))
    assert not joins(busy, at(30))


def test_the_inbox_store_keeps_one_open_run_per_account_and_template():
    inbox = FakeInbox()
    assert inbox.fold("acct", "something_waiting", "n-1", at(-2)) == ("n-1", False)
    assert inbox.fold("acct", "something_waiting", "n-2", at(3)) == ("n-1", True)
    assert inbox.fold("acct", "care_team_will_call", "c-1", at(4)) == ("c-1", False)  # folds apart
    assert inbox.fold("acct", "something_waiting", "n-3", at(9)) == ("n-1", True)
    assert inbox.fold("other", "something_waiting", "o-1", at(9)) == ("o-1", False)
    assert inbox.fold("acct", "something_waiting", "n-4", at(20)) == ("n-4", False)
