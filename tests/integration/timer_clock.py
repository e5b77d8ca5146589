"""Step Functions Wait states that follow a test's clock instead of real time.

moto really runs the dated-event state machine (infra/template.yaml, DatedEventStateMachine), and
its Wait state sleeps in real time: a test of a timer would wait for the timer's moment. Here, for
this test process, a Wait state measures against a ``TimerClock`` while one is installed (the
``timer_clock`` fixture): an execution computes its moment against the clock's "now" and then
blocks until the test moves the clock there (``timer_clock.advance(hours=1)``), or until the
execution is stopped (StopExecution still interrupts the wait at once). With no clock installed,
moto's own waits run as before.

The TimerClock is also the portal's clock (a ``PinnedClock``, pinned by chalicelib.wiring.pin_clock),
so one ``advance`` moves both what the portal thinks is now and what the state machine waits for.
"""

from __future__ import annotations

import functools
import threading
from datetime import datetime, timedelta, timezone

from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction

from chalicelib.kernel.clock import PinnedClock

# How often a waiting execution looks whether it was stopped (the portal or a test's reset stops it).
_STOP_POLL_SECONDS = 0.01


class TimerClock(PinnedClock):
    """A pinned clock that wakes the Wait states waiting on it when it moves."""

    def __init__(self, at: datetime):
        super().__init__(at)
        self._moved = threading.Condition()
        self._waiting = 0  # executions in a Wait state on this clock right now

    def now(self) -> datetime:
        with self._moved:
            return self.at

    def advance(self, **delta: float) -> None:
        with self._moved:
            self.at += timedelta(**delta)
            self._moved.notify_all()

    @property
    def waiting(self) -> int:
        with self._moved:
            return self._waiting

    def wait_for_waiting(self, count: int, seconds: float = 10) -> None:
        """Until ``count`` executions wait on this clock (their threads start a moment after
        StartExecution returns): bounded, a wait for threads, not for time."""
        with self._moved:
            if not self._moved.wait_for(lambda: self._waiting == count, timeout=seconds):
                raise AssertionError(f"{self._waiting} executions wait on the clock, not {count}")

    def _wait(self, env, until: datetime) -> None:
        """Block an execution's thread until the clock reaches ``until`` (naive UTC, as moto's
        moments are) or the execution no longer runs (stopped)."""
        with self._moved:
            self._waiting += 1
            self._moved.notify_all()
            try:
                while env.is_running() and _naive_utc(self.at) < until:
                    self._moved.wait(_STOP_POLL_SECONDS)
            finally:
                self._waiting -= 1
                self._moved.notify_all()


_installed: TimerClock | None = None


def install(clock: TimerClock | None) -> None:
    """Wait states from now on follow ``clock``; None returns them to real time."""
    global _installed
    _installed = clock


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


class _Seconds(int):
    """Seconds to wait, and the moment they were measured to (so that a clock moved between
    measuring and waiting does not push the moment on)."""

    until: datetime


def _timestamp_measured_on_the_clock(get_wait_seconds):
    @functools.wraps(get_wait_seconds)
    def patched(self, env):
        clock = _installed
        if clock is None:
            return get_wait_seconds(self, env)
        self.string.eval(env=env)
        timestamp_str: str = env.stack.pop()
        until = self._from_timestamp_string(timestamp=timestamp_str)
        if until is None:
            raise FailureEventException(self._create_failure_event(env, timestamp_str))
        seconds = _Seconds(int((until - _naive_utc(clock.now())).total_seconds()))
        seconds.until = until
        return seconds

    return patched


def _wait_on_the_clock(wait_interval):
    @functools.wraps(wait_interval)
    def patched(self, env, wait_seconds):
        clock = _installed
        if clock is None:
            return wait_interval(self, env, wait_seconds)
        if wait_seconds <= 0:
            return None
        until = getattr(wait_seconds, "until", None) or _naive_utc(clock.now()) + timedelta(seconds=wait_seconds)
        clock._wait(env, until)
        return None

    return patched


Timestamp._get_wait_seconds = _timestamp_measured_on_the_clock(Timestamp._get_wait_seconds)
WaitFunction._wait_interval = _wait_on_the_clock(WaitFunction._wait_interval)
