"""Moving the local stack's clock (POST /dev/clock), so that a person or a browser test can reach
a reminder's moment or a video visit's window without waiting for it.

The local stack pins one movable clock for the API, the queue consumers and the Step Functions
Wait states (infra/local/clock.py); here it is known only by what it does, so nothing deployed
imports the development tools behind it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from chalicelib.errors import NotFound, ValidationFailed


@runtime_checkable
class MovableClock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, **delta: float) -> None: ...


def movable(clock: object) -> MovableClock:
    if not isinstance(clock, MovableClock):
        # (a stage that runs on the system clock: nothing here moves it)
        raise NotFound("This stack's clock cannot be moved.")
    return clock


def move(clock: object, *, advance_minutes: int | None, to: datetime | None) -> datetime:
    """Move ``clock`` forward by ``advance_minutes`` or to ``to`` (exactly one); returns the new now.

    Only forward: what already happened (a timer fired, a session began) cannot be taken back,
    and a clock that went back would make the stack disagree with itself."""
    target = movable(clock)
    if (advance_minutes is None) == (to is None):
        raise ValidationFailed(
            "Give either advance_minutes or set.",
            [{"field": "advance_minutes", "issue": "exactly one of advance_minutes and set"}],
        )
    if to is not None:
        step = to - target.now()
        if step < timedelta(0):
            raise ValidationFailed(
                "The clock only moves forward.", [{"field": "set", "issue": "earlier than the clock's now"}]
            )
    else:
        step = timedelta(minutes=advance_minutes or 0)
    target.advance(seconds=step.total_seconds())
    return target.now()
