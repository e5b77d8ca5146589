"""Step Functions Wait states that follow a movable clock instead of real time.

moto really runs the dated-event state machine (infra/template.yaml, DatedEventStateMachine), and
its Wait state sleeps in real time: a reminder three days away would take three days to fire. Here,
in the process that runs moto, a Wait state measures against the installed ``MovableClock`` while
one is installed: an execution computes its moment against the clock's "now" and then blocks until
the clock reaches it (because time passed or because someone moved the clock), or until the
execution is stopped (StopExecution still interrupts the wait at once). With no clock installed,
moto's own waits run as before.

The same clock is the portal's clock (chalicelib.wiring.pin_clock), so one move changes both what
the portal thinks is now and what the state machine waits for. Two kinds:

- ``LocalClock``: the local stack's (``make run``). It runs with real time, plus however far
  ``POST /dev/clock`` moved it, so a person can jump to a reminder's moment and watch it fire.
- ``TimerClock``: the integration tests'. It stands still until the test moves it, so a test
  says exactly when a timer fires and never sleeps.

moto is a development tool: nothing deployed imports this module.
"""

from __future__ import annotations

import functools
import threading
from datetime import datetime, timedelta, timezone

from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction


class MovableClock:
    """A clock that only moves forward, and wakes the Wait states waiting on it when it moves."""

    # How often a waiting execution looks whether it was stopped (the portal or a test's reset
    # stops it) while the clock stands still.
    stop_poll_seconds = 0.01

    def __init__(self) -> None:
        self._moved = threading.Condition()
        self._waiting = 0  # executions in a Wait state on this clock right now

    def _now(self) -> datetime:
        raise NotImplementedError

    def _move(self, delta: timedelta) -> None:
        raise NotImplementedError

    def now(self) -> datetime:
        with self._moved:
            return self._now()

    def advance(self, **delta: float) -> None:
        step = timedelta(**delta)
        if step < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._moved:
            self._move(step)
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
                while env.is_running():
                    left = (until - _naive_utc(self._now())).total_seconds()
                    if left <= 0:
                        break
                    # (a running clock gets there by itself: wake no later than that)
                    self._moved.wait(min(self.stop_poll_seconds, left))
            finally:
                self._waiting -= 1
                self._moved.notify_all()


class TimerClock(MovableClock):
    """Stands still until told to move (the integration tests' clock; a ``PinnedClock`` in all
    but name: ``at`` is the moment it reads)."""

    def __init__(self, at: datetime):
        super().__init__()
        self.at = at

    def _now(self) -> datetime:
        return self.at

    def _move(self, delta: timedelta) -> None:
        self.at += delta


class LocalClock(MovableClock):
    """Real time plus how far it was moved (the local stack's clock)."""

    # Many timers may wait at once on a running stack (releases, reminders): look less often.
    stop_poll_seconds = 0.25

    def __init__(self) -> None:
        super().__init__()
        self.offset = timedelta(0)

    def _now(self) -> datetime:
        return datetime.now(timezone.utc) + self.offset

    def _move(self, delta: timedelta) -> None:
        self.offset += delta


_installed: MovableClock | None = None


def install(clock: MovableClock | None) -> None:
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


if not getattr(Timestamp._get_wait_seconds, "_follows_the_clock", False):  # patched once per process
    Timestamp._get_wait_seconds = _timestamp_measured_on_the_clock(Timestamp._get_wait_seconds)
    WaitFunction._wait_interval = _wait_on_the_clock(WaitFunction._wait_interval)
    Timestamp._get_wait_seconds._follows_the_clock = True  # type: ignore[attr-defined]
