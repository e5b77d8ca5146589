"""The local stack calls the app's scheduled handlers as EventBridge does once deployed: the
outbox's drain every five minutes, one invocation at a time, a failure logged and retried."""

from __future__ import annotations

import threading

import app as app_module
from infra.local.schedules import Schedule, schedules_for_app


def test_the_outbox_drain_is_scheduled_every_five_minutes():
    [drain] = schedules_for_app(app_module, "us-east-1")

    assert (drain.function_name, drain.period_seconds) == ("drain_outbox", 300)


def test_a_scheduled_handler_gets_a_scheduled_event_under_the_dispatch_lock():
    lock = threading.Lock()
    seen = []

    def handler(event, context):
        seen.append((event["detail-type"], event["source"], lock.locked(), context.function_name))
        return {"sent": 0, "left": 0}

    answer = Schedule(handler, "drain_outbox", 300, "us-east-1", lock).run_once()

    assert answer == {"sent": 0, "left": 0}
    assert seen == [("Scheduled Event", "aws.events", True, "drain_outbox")]


def test_a_failing_scheduled_handler_is_logged_and_tried_again_next_period(caplog):
    def handler(event, context):
        raise RuntimeError("the records store is down")

    schedule = Schedule(handler, "drain_outbox", 300, "us-east-1", None)

    assert schedule.run_once() is None
    assert "drain_outbox failed (RuntimeError" in caplog.text
    assert "records store is down" not in caplog.text  # (a message may quote a payload)
