"""Appointment reminders: a PHI-free email some hours before a booked visit (the organization's
policy: 72 and 24 hours by default), each from a Step Functions timer (chalicelib/timers).

- When the feed files an appointment (``keep_reminders``, a step of filing/appointments.py), its
  timers are set to match it: started for a booked visit still to come, stopped and started
  again under new names when it moves, stopped when it is cancelled or withdrawn. A reminder
  whose moment has already passed when the visit is booked is not sent.
- When the patient cancels in the portal, ``stop_reminders`` (appointments' cancel calls it).
- When a timer fires it puts ``{patient_id, entry_id, timer, starts_at, hours}`` on the reminders
  queue; its consumer (consumer.py) reads the visit again and asks for the email only if the
  reminders' record still names that timer and the visit is still booked, to come, at that start. So no
  email depends on a timer having been stopped, and a timer that fires twice asks for one email
  (the notice's id is the timer's: the notifications consumer sends an id once).

Step Functions failures: a filing whose timers could not all be started or stopped raises, and
the feed message is retried; the record naming the timers is written only after every start
succeeded, and the names are the same on the retry (running executions are returned, not
doubled). A patient's cancel is kept on the visit's mark, then clears the record, then stops
the timers: a timer that fires anyway finds the mark (or the record no longer naming it) and sends
nothing, even when the record could not be cleared.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from chalicelib.appointments.policy import policy_of
from chalicelib.appointments.reminder_plan import (
    ReminderPlan,
    due_start,
    is_timer_name,
    moments,
    needs_new_timers,
    scheduler_id_of,
    timer_name,
)
from chalicelib.errors import Conflict, DependencyUnavailable, ValidationFailed
from chalicelib.kernel.clock import Clock, iso
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.notifications.deliveries import about_patient
from chalicelib.notifications.requests import queued_delivery
from chalicelib.observability import count, logger
from chalicelib.patients.domain import PortalStatus
from chalicelib.timers import service as timers

if TYPE_CHECKING:  # for the type checker only
    from chalicelib.appointments.domain import AppointmentFiled

TEMPLATE = "appointment_reminder"
_ID = re.compile(r"[0-9a-f]{32}|[A-Za-z0-9_-]{1,64}")


class ReminderPlans(Protocol):
    def get(self, patient_id: str, entry_id: str) -> ReminderPlan | None: ...

    def put(self, plan: ReminderPlan, now: datetime) -> None: ...


class ReminderPorts(Protocol):
    """What setting and stopping timers takes (the container has them all)."""

    @property
    def timers(self) -> timers.Timers: ...

    @property
    def appointment_reminders(self) -> ReminderPlans: ...

    @property
    def clock(self) -> Clock: ...


# -- setting the timers ---------------------------------------------------------------------------


def keep_reminders(filed: AppointmentFiled) -> None:
    """Filing's step: the visit's timers, made to match what was just filed (idempotent)."""
    ports = filed.ports
    policy = policy_of(ports.directory.organization(filed.organization_id))
    start = due_start(filed.content, filed.withdrawn, filed.time_zone, filed.now)
    hours = tuple(policy.reminder_hours) if start is not None else ()
    plan = ports.appointment_reminders.get(filed.patient_id, filed.entry_id) or ReminderPlan(
        filed.patient_id, filed.entry_id, filed.organization_id
    )
    scheduler_id = scheduler_id_of(filed.ids) or plan.scheduler_id
    if not needs_new_timers(plan, start, hours, filed.now):
        if scheduler_id != plan.scheduler_id:
            ports.appointment_reminders.put(replace(plan, scheduler_id=scheduler_id), filed.now)
        return
    _stop(ports, plan.timers)
    generation = plan.generation + 1
    started = []
    if start is not None:
        for hours_before, fire_at in moments(start, hours, filed.now):
            name = timer_name(filed.entry_id, generation, hours_before)
            message = {
                "patient_id": filed.patient_id,
                "entry_id": filed.entry_id,
                "timer": name,
                "starts_at": iso(start),
                "hours": hours_before,
            }
            try:
                timers.schedule(
                    ports.timers,
                    timer_id=name,
                    fire_at=fire_at,
                    queue_url=ports.settings.appointment_reminders_queue_url,
                    message=message,
                    now=filed.now,
                )
            except Conflict:
                pass  # it ran already (a redelivery after it fired): the record names it all the same
            started.append(name)
    ports.appointment_reminders.put(
        ReminderPlan(
            patient_id=filed.patient_id,
            entry_id=filed.entry_id,
            organization_id=filed.organization_id,
            generation=generation,
            starts_at=start,
            hours=hours,
            timers=tuple(started),
            scheduler_id=scheduler_id,
        ),
        filed.now,
    )
    logger.info("appointment reminders set", extra={"entry_id": filed.entry_id, "timers": len(started)})


def stop_reminders(
    ports: ReminderPorts,
    patient_id: str,
    entry_id: str,
    now: datetime | None = None,
    starts_at: datetime | None = None,
) -> None:
    """The patient cancelled the visit in the portal: no reminder for it from now on. The record
    is cleared first (a timer that fires anyway finds itself no longer named and sends nothing),
    then the timers are stopped; a timer Step Functions would not stop is left to find that.
    The record keeps the start cancelled (``starts_at``, the visit's as the patient saw it), so
    the feed moving the visit later sets reminders again. Raises DependencyUnavailable only when
    the record cannot be written."""
    plan = ports.appointment_reminders.get(patient_id, entry_id) or ReminderPlan(patient_id, entry_id)
    if plan.cancelled_by_patient and not plan.timers:
        return
    cancelled = replace(plan, timers=(), cancelled_by_patient=True, starts_at=starts_at or plan.starts_at)
    ports.appointment_reminders.put(cancelled, now or ports.clock.now())
    try:
        _stop(ports, plan.timers)
    except DependencyUnavailable:
        count("AppointmentRemindersNotStopped")
        logger.warning("appointment reminders not stopped; they will send nothing", extra={"entry_id": entry_id})


def _stop(ports: ReminderPorts, names: tuple[str, ...]) -> None:
    for name in names:
        timers.cancel(ports.timers, name)  # (one that already ran or stopped is no error)


# -- when a timer fires ---------------------------------------------------------------------------


def remind_if_still_due(ports: Any, message: Any, now: datetime) -> str:
    """The email for a reminder whose timer fired, if the visit is still what it was set for.
    Returns what happened, in a word, for the log: "queued", or why not."""
    patient_id, entry_id, timer, starts_at = _read(message)
    plan = ports.appointment_reminders.get(patient_id, entry_id)
    if plan is None or timer not in plan.timers or plan.cancelled_by_patient:
        return "stopped"
    # The patient's cancellation is kept (on the visit's mark) before the plan is cleared, and a
    # plan that could not be cleared still names its timers: the mark decides, unless the plan
    # was set again since (the scheduling system booked the visit anew).
    mark = ports.appointment_requests.visit_mark(patient_id, entry_id)
    cancelled_at = mark.cancelled_at if mark is not None else None
    if cancelled_at is not None and (plan.updated_at is None or plan.updated_at <= cancelled_at):
        return "cancelled_by_patient"
    stored = ports.records.current(patient_id, entry_id, kind="appointment")
    if stored is None:
        return "gone"
    start = due_start(stored.content, stored.withdrawn, _zone_of(ports, plan.organization_id), now)
    if start is None:
        return "not_booked_or_past"
    if iso(start) != starts_at:
        return "moved"
    patient = ports.patients.get(patient_id)
    if (
        patient is None
        or patient.portal_status is not PortalStatus.ACTIVE
        or not patient.account_id
        or patient.deceased
    ):
        return "no_portal_account"
    notice = {
        # One timer, one notice id: a second fire of it is the same request, sent once.
        "notification_id": f"appointment-reminder-{hashlib.sha256(timer.encode()).hexdigest()[:32]}",
        "template": TEMPLATE,
        "account_id": patient.account_id,
    }
    ports.notifications_queue.send(notice)
    queued_delivery(ports, notice["notification_id"], TEMPLATE, about_patient(patient_id))
    return "queued"


def _read(message: Any) -> tuple[str, str, str, str]:
    if not isinstance(message, dict):
        raise ValidationFailed("A reminder is a JSON object.")
    values = [message.get(name) for name in ("patient_id", "entry_id", "timer", "starts_at")]
    patient_id, entry_id, timer, starts_at = (v if isinstance(v, str) else "" for v in values)
    if not (_ID.fullmatch(patient_id) and _ID.fullmatch(entry_id) and is_timer_name(timer) and starts_at):
        raise ValidationFailed("The reminder names no visit.")
    return patient_id, entry_id, timer, starts_at


def _zone_of(ports: Any, organization_id: str) -> str:
    organization = ports.directory.organization(organization_id) if organization_id else None
    return (getattr(organization, "time_zone", "") or "") or DEFAULT_TIME_ZONE


def video_scheduler_id(ports: ReminderPorts, patient_id: str, entry_id: str) -> str:
    """The scheduling system's id of a filed visit, as filing last saw it ("" if never)."""
    plan = ports.appointment_reminders.get(patient_id, entry_id)
    return plan.scheduler_id if plan else ""
