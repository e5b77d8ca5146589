from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.errors import Problems

_TIMER_ID = re.compile(r"[A-Za-z0-9_-]{1,80}")  # Step Functions execution names (used with fullmatch)
MAX_DELAY = timedelta(days=364)  # an execution lives at most a year


class Timers(Protocol):
    def start(
        self,
        name: str,
        fire_at: datetime,
        queue_url: str,
        message: dict[str, Any],
        guard: dict[str, Any] | None = None,
        delivery: dict[str, Any] | None = None,
    ) -> str: ...

    def cancel(self, execution_arn: str) -> None: ...


def schedule(
    timers: Timers,
    *,
    timer_id: str,
    fire_at: datetime,
    queue_url: str,
    message: dict[str, Any],
    now: datetime,
    guard: dict[str, Any] | None = None,
    delivery: dict[str, Any] | None = None,
) -> str:
    """Start a timer; returns its handle (the execution ARN), which ``cancel`` takes. With a
    ``guard`` ({"table", "key"} of a DynamoDB item), the message is delivered only if, when the
    moment comes, that item still names this timer in ``release_timer`` and is not withdrawn:
    the timer then takes itself off the item, in the same conditional update. With a
    ``delivery`` (Deliveries.queued_by_timer), the timer writes the message's delivery record,
    queued, once the message is on the queue."""
    problems = Problems()
    if not isinstance(timer_id, str) or not _TIMER_ID.fullmatch(timer_id):
        problems.add(
            "timer_id", "1 to 80 letters, digits, '-' or '_'", "A timer id has 1 to 80 letters, digits, '-' or '_'."
        )
    if fire_at.tzinfo is None:
        problems.add("fire_at", "needs a time zone", "A timer's moment needs a time zone.")
    elif fire_at - now > MAX_DELAY:
        problems.add("fire_at", "within a year", "A timer fires within a year.")
    if queue_url.endswith(".fifo"):
        # The state machine sends no MessageGroupId, and its role may only reach standard queues.
        problems.add(
            "queue_url", "a standard queue, not a FIFO one", "A timer delivers to a standard queue, not a FIFO one."
        )
    problems.raise_if_any("The timer is not valid.")
    # A moment in the past fires at once: the Wait state passes straight through.
    return timers.start(timer_id, fire_at, queue_url, message, guard, delivery)


def cancel(timers: Timers, handle: str) -> None:
    timers.cancel(handle)
