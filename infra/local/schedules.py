"""Calls the app's ``@app.schedule`` handlers on their period, the way EventBridge does once
deployed, because ``chalice local`` never calls them (the outbox's drain: app.py, drain_outbox).

Each handler runs on its own thread, first one period after the stack starts, under the same
dispatch lock as the API and the SQS pollers (one invocation at a time). A handler that raises
is logged by type and place only, and called again next period, as EventBridge would.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from chalice.local import LambdaContext

from infra.local.sqs_poller import _frames

log = logging.getLogger("portal.local.schedules")

_SECONDS = {"MINUTES": 60, "HOURS": 3600, "DAYS": 86400}


def scheduled_event(region: str, rule: str, at: datetime) -> dict[str, Any]:
    """EventBridge's "Scheduled Event", as a scheduled Lambda receives it."""
    return {
        "version": "0",
        "id": f"local-{int(at.timestamp())}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:123456789012:rule/{rule}"],
        "detail": {},
    }


class Schedule:
    def __init__(
        self, handler: Callable[[dict, Any], Any], function_name: str, period_seconds: float, region: str, lock: Any
    ):
        self._handler = handler
        self.function_name = function_name
        self.period_seconds = period_seconds
        self._region = region
        self._lock = lock or threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> Any:
        event = scheduled_event(self._region, self.function_name, datetime.now(timezone.utc))
        try:
            with self._lock:
                return self._handler(event, LambdaContext(self.function_name, 512, max_runtime_ms=60_000))
        except Exception as error:  # EventBridge calls it again next period
            log.error("%s failed (%s at %s)", self.function_name, type(error).__name__, _frames(error))
            return None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"schedule-{self.function_name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.period_seconds):
            self.run_once()

    def ask_to_stop(self) -> None:
        """Stop after the current receive or run, without waiting for it (stop() waits)."""
        self._stop.set()

    def stop(self) -> None:
        self.ask_to_stop()
        if self._thread is not None:
            self._thread.join(timeout=65)


def schedules_for_app(app_module, region: str, lock: Any = None) -> list[Schedule]:
    """One Schedule per ``@app.schedule(Rate(...))`` handler of the chalice app in ``app_module``."""
    found = []
    for source in app_module.app.event_sources:
        if type(source).__name__ != "ScheduledEventConfig":
            continue
        rate = source.schedule_expression
        period = rate.value * _SECONDS[rate.unit]
        handler = getattr(app_module, source.handler_string.split(".")[-1])
        found.append(Schedule(handler, source.name, period, region, lock))
    return found
