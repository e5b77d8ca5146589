"""Step Functions Wait states that follow a test's clock instead of real time.

moto's Wait state sleeps in real time; while the ``timer_clock`` fixture installs a ``TimerClock``
(infra/local/clock.py, which the local stack uses too with a running clock), an execution waits
until the test moves the clock to its moment (``timer_clock.advance(hours=1)``), or until it is
stopped. The TimerClock is also the portal's clock (chalicelib.wiring.pin_clock), so one
``advance`` moves both what the portal thinks is now and what the state machine waits for.
"""

from __future__ import annotations

from infra.local.clock import TimerClock, install

__all__ = ["TimerClock", "install"]
