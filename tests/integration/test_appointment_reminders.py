"""Appointment reminders end to end in one process: the feed files an SIU booking, its Step Functions
timers wait on the test's clock (``timer_clock``), and when the clock reaches a reminder's moment
the timer puts it on the reminders queue, whose consumer asks for the email only if the visit is
still booked at that time. Time moves only when the test moves it."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import boto3

from chalicelib import wiring
from chalicelib.appointments.reminders import keep_reminders, stop_reminders
from chalicelib.errors import DependencyUnavailable
from chalicelib.filing import appointments as filing_appointments
from tests.integration.conftest import deliver_notifications, sent_emails, sqs_event
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.test_health_summary import siu
from tests.integration.test_appointments import hl7_time
from tests.integration.test_patient_results import QUEUE, ana, feed  # noqa: F401  (fixtures)

SUBJECT = "You have an appointment coming up"


def reminders_due(seconds: float = 10) -> list[str]:
    """The reminders the timers put on the queue so far (taken off it). A fired execution runs on
    its own thread: a bounded wait for that thread's message, not for time."""
    sqs = boto3.client("sqs")
    url = wiring.container().settings.appointment_reminders_queue_url
    deadline = time.monotonic() + seconds
    bodies: list[str] = []
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in found:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if bodies or time.monotonic() > deadline:
            return bodies
        time.sleep(0.02)


def nothing_due_after(seconds: float = 1.0) -> bool:
    return reminders_due(seconds) == []


def consume(api, bodies: list[str]) -> None:
    """The reminders queue's consumer, then the notifications consumer, as the pollers would."""
    result = api.lambda_.invoke(
        "on_appointment_reminder", sqs_event(api, bodies, "patient-portal-appointment-reminders")
    )
    assert result.payload == {"batchItemFailures": []}
    deliver_notifications(api)


def reminder_emails() -> list:
    return [email for email in sent_emails() if email.subject == SUBJECT]


def visit_id(api, ana) -> str:
    """The one upcoming visit's id, as the patient's list gives it (ask before the clock moves
    far: the session ends when idle on the test's clock too)."""
    patient_id, token = ana
    answer = call(api, "GET", f"/v1/patients/{patient_id}/appointments", token=token)
    [visit] = answer.json_body["appointments"]
    return visit["id"]


def test_a_booked_visit_gets_its_72_hour_reminder_email_and_then_its_24_hour_one(timer_clock, feed, ana, seeded):
    # GIVEN a visit booked five days ahead
    start = timer_clock.now() + timedelta(days=5)
    feed(siu("S12", "s-1", start=hl7_time(start)))
    timer_clock.wait_for_waiting(2)  # one timer for 72 hours before, one for 24

    # WHEN the clock reaches 72 hours before it
    timer_clock.advance(days=2, minutes=1)
    [due] = reminders_due()
    consume(seeded, [due])

    # THEN one PHI-free email says a visit is coming, and links to the appointments page
    [email] = reminder_emails()
    assert "/appointments" in email.body
    for private in ("Welby", "Annual physical", f"{start:%H:%M}", "physical"):
        assert private not in email.body and private not in email.subject
    assert json.loads(due)["hours"] == 72

    # AND a second fire of the same timer (a redelivery) sends no second email
    consume(seeded, [due])
    assert len(reminder_emails()) == 1

    # AND 24 hours before, the second reminder comes
    timer_clock.advance(days=2)
    [later] = reminders_due()
    consume(seeded, [later])
    assert len(reminder_emails()) == 2 and json.loads(later)["hours"] == 24


def test_a_moved_visit_stops_its_old_reminders_and_only_the_new_ones_send(timer_clock, feed, ana, seeded):
    # GIVEN a visit booked five days ahead, then moved to seven days ahead
    start = timer_clock.now() + timedelta(days=5)
    feed(siu("S12", "s-1", start=hl7_time(start)))
    timer_clock.wait_for_waiting(2)
    entry_id = visit_id(seeded, ana)
    old_due = {"patient_id": ana[0], "entry_id": entry_id, "hours": 72}
    moved = start + timedelta(days=2)
    feed(siu("S13", "s-2", start=hl7_time(moved)))

    # THEN the old timers were stopped and two new ones wait
    timer_clock.wait_for_waiting(2)

    # WHEN the clock passes the old 72-hour moment: nothing comes due
    timer_clock.advance(days=2, minutes=1)
    assert nothing_due_after()

    # AND a stray fire of an old timer (one Step Functions failed to stop) sends nothing
    plan = wiring.container().appointment_reminders.get(ana[0], entry_id)
    assert plan is not None and plan.generation == 2
    stray = {**old_due, "timer": f"remind-{entry_id}-g1-72h", "starts_at": f"{start:%Y-%m-%dT%H:%M:%SZ}"}
    consume(seeded, [json.dumps(stray)])
    assert reminder_emails() == []

    # WHEN the clock reaches 72 hours before the new time: its reminder comes and is emailed
    timer_clock.advance(days=2)
    [due] = reminders_due()
    consume(seeded, [due])
    assert len(reminder_emails()) == 1


def test_a_cancelled_visit_sends_no_reminder(timer_clock, feed, ana, seeded):
    start = timer_clock.now() + timedelta(days=5)
    feed(siu("S12", "s-1", start=hl7_time(start)))
    timer_clock.wait_for_waiting(2)

    feed(siu("S15", "s-2", start=hl7_time(start)))
    timer_clock.wait_for_waiting(0)  # both stopped

    timer_clock.advance(days=5)
    assert nothing_due_after()
    assert reminder_emails() == []


def test_the_patients_cancel_stops_the_reminders_and_a_timer_that_fires_anyway_sends_nothing(
    timer_clock, feed, ana, seeded
):
    start = timer_clock.now() + timedelta(days=5)
    feed(siu("S12", "s-1", start=hl7_time(start)))
    timer_clock.wait_for_waiting(2)
    entry_id = visit_id(seeded, ana)
    plan = wiring.container().appointment_reminders.get(ana[0], entry_id)
    assert plan is not None

    # WHEN the patient cancels in the portal
    stop_reminders(wiring.container(), ana[0], entry_id)

    # THEN the timers are stopped, and a fire of one of them (had it not stopped) sends nothing
    timer_clock.wait_for_waiting(0)
    due = {
        "patient_id": ana[0],
        "entry_id": entry_id,
        "timer": plan.timers[0],
        "starts_at": f"{plan.starts_at:%Y-%m-%dT%H:%M:%SZ}",
        "hours": 72,
    }
    consume(seeded, [json.dumps(due)])
    assert reminder_emails() == []
    # AND the feed filing the same booking again does not start them again
    feed(siu("S14", "s-3", start=hl7_time(start)))
    assert timer_clock.waiting == 0


def test_a_visit_booked_inside_the_window_skips_the_reminders_already_past(timer_clock, feed, ana, seeded):
    # GIVEN a visit booked 30 hours ahead: the 72-hour moment is past, the 24-hour one is not
    feed(siu("S12", "s-1", start=hl7_time(timer_clock.now() + timedelta(hours=30))))

    # THEN one timer waits, and it is the 24-hour one
    timer_clock.wait_for_waiting(1)
    timer_clock.advance(hours=6, minutes=1)
    [due] = reminders_due()
    assert json.loads(due)["hours"] == 24


def test_a_step_functions_outage_leaves_nothing_half_set_and_the_retry_sets_every_timer_once(
    timer_clock, feed, ana, seeded, monkeypatch
):
    # GIVEN Step Functions that starts the first timer and then fails
    timers = wiring.container().timers
    real_start, started = timers.start, []

    def start_once_then_fail(*args, **kwargs):
        if started:
            raise DependencyUnavailable("The timer service is unavailable.")
        started.append(args[0])
        return real_start(*args, **kwargs)

    monkeypatch.setattr(timers, "start", start_once_then_fail)
    booking = siu("S12", "s-1", start=hl7_time(timer_clock.now() + timedelta(days=5)))

    # WHEN the feed files a booking THEN the message fails (to be retried) and no plan names a timer
    failed = seeded.lambda_.invoke("on_clinical_feed_message", sqs_event(seeded, [booking], QUEUE, group_id="LAB"))
    assert failed.payload["batchItemFailures"]
    entry_id = visit_id(seeded, ana)  # the visit itself is filed and shown
    assert wiring.container().appointment_reminders.get(ana[0], entry_id) is None

    # WHEN the queue delivers it again, Step Functions back
    monkeypatch.setattr(timers, "start", real_start)
    feed(booking)

    # THEN both timers wait, the one started before not doubled, and the plan names them
    timer_clock.wait_for_waiting(2)
    plan = wiring.container().appointment_reminders.get(ana[0], entry_id)
    assert plan is not None and len(plan.timers) == 2 and started[0] in plan.timers


def cancel_in_portal(api, ana, entry_id: str) -> None:
    patient_id, token = ana
    answer = call(api, "POST", f"/v1/patients/{patient_id}/appointments/{entry_id}/cancel", {"reason": ""}, token)
    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["cancelled_by_patient"] is True


def test_a_visit_cancelled_in_the_portal_is_not_reminded_when_its_timers_could_not_be_cleared(
    timer_clock, feed, ana, seeded, monkeypatch
):
    # GIVEN a visit booked five days ahead, its two timers waiting
    start = timer_clock.now() + timedelta(days=5)
    feed(siu("S12", "s-1", start=hl7_time(start)))
    timer_clock.wait_for_waiting(2)
    entry_id = visit_id(seeded, ana)

    # WHEN the patient cancels it while the reminders' store cannot be written (the cancel stands)
    plans = wiring.container().appointment_reminders

    def unavailable(*args, **kwargs):
        raise DependencyUnavailable("The reminders store is unavailable.")

    real_put = plans.put
    monkeypatch.setattr(plans, "put", unavailable)
    cancel_in_portal(seeded, ana, entry_id)
    monkeypatch.setattr(plans, "put", real_put)
    assert timer_clock.waiting == 2  # (nothing cleared, nothing stopped)

    # THEN when the 72-hour timer fires, no reminder is emailed for the cancelled visit
    timer_clock.advance(days=2, minutes=1)
    [due] = reminders_due()
    consume(seeded, [due])
    assert reminder_emails() == []


def test_a_visit_cancelled_without_reminders_gets_them_when_it_is_booked_again(
    timer_clock, feed, ana, seeded, monkeypatch
):
    # GIVEN a visit filed before the portal set reminders (no plan, no timers), which the patient cancels
    start = timer_clock.now() + timedelta(days=5)
    steps = filing_appointments.AFTER_FILING
    monkeypatch.setattr(filing_appointments, "AFTER_FILING", tuple(s for s in steps if s is not keep_reminders))
    feed(siu("S12", "s-1", start=hl7_time(start)))
    monkeypatch.setattr(filing_appointments, "AFTER_FILING", steps)
    entry_id = visit_id(seeded, ana)
    assert wiring.container().appointment_reminders.get(ana[0], entry_id) is None
    cancel_in_portal(seeded, ana, entry_id)

    # WHEN the feed still says it is booked at that time, nothing is set again
    feed(siu("S14", "s-2", start=hl7_time(start)))
    assert timer_clock.waiting == 0

    # WHEN the scheduling system books it again, two days later
    feed(siu("S13", "s-3", start=hl7_time(start + timedelta(days=2))))

    # THEN its reminders are set for the new time
    timer_clock.wait_for_waiting(2)
    plan = wiring.container().appointment_reminders.get(ana[0], entry_id)
    assert plan is not None and not plan.cancelled_by_patient and len(plan.timers) == 2
