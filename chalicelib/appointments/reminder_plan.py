"""Which reminders a visit has: pure rules (no storage, clock or network).

A visit's reminders are one dated-event timer per hour count of the organization's policy
(72 and 24 hours before by default). The portal keeps, beside the filed appointment, the plan it
last set: for which start, at which hours, under which timer names. A visit that moves, is
cancelled, or is set to other hours gets a new generation of timers (a Step Functions execution
name is never reused, not even once the execution stopped), and the old ones are stopped.

Whether a reminder is sent is decided again when its timer fires (reminders.py): the plan must
still name the timer, and the visit must still be booked, upcoming, at the start the timer was
set for. So a timer that could not be stopped, or fires twice, never sends a wrong email.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.appointments import domain
from chalicelib.timers.service import MAX_DELAY

# Step Functions execution names: remind-<entry id>-g<generation>-<hours>h (well under 80 characters).
_TIMER = re.compile(r"remind-([0-9a-f]{32})-g([0-9]{1,9})-([0-9]{1,3})h")
# The scheduling system's id of an appointment, as the readers type it (interop FILLER_ID).
_FILLER = "FILL"


@dataclass(frozen=True)
class ReminderPlan:
    """The reminders the portal set for one filed appointment (data/appointment_reminders.py)."""

    patient_id: str
    entry_id: str
    organization_id: str = ""
    generation: int = 0  # one more each time the timers are set again
    starts_at: datetime | None = None  # the start the timers were set for; None: none set
    hours: tuple[int, ...] = ()  # the policy's hours they were set at
    timers: tuple[str, ...] = ()  # the names started (a moment already past gets none)
    scheduler_id: str = ""  # the scheduling system's id (an organization's video link template names it)
    cancelled_by_patient: bool = False  # the patient cancelled in the portal: no reminders for this start
    updated_at: datetime | None = None


def timer_name(entry_id: str, generation: int, hours: int) -> str:
    return f"remind-{entry_id}-g{generation}-{hours}h"


def is_timer_name(name: str) -> bool:
    return bool(_TIMER.fullmatch(name))


def due_start(content: dict[str, Any], withdrawn: bool, zone_name: str, now: datetime) -> datetime | None:
    """The start a visit's reminders are for: a booked visit still to come; None for any other
    (cancelled, withdrawn, no show, proposed, already begun, or no time given)."""
    if withdrawn or domain.status_of(str(content.get("status") or "")) != "booked":
        return None
    start = domain.moment(str(content.get("starts_at") or ""), zone_name)
    return start if start is not None and start > now else None


def moments(start: datetime, hours: Iterable[int], now: datetime) -> list[tuple[int, datetime]]:
    """Each reminder's (hours, moment), skipping a moment already past: a visit booked 30 hours
    ahead gets its 24-hour reminder and no 72-hour one (the booking itself just told the patient).
    A moment more than a timer's longest wait away (a year) is not timed either: a visit that
    far ahead gets its reminders when the scheduler sends it again nearer the time."""
    found = []
    for h in hours:
        moment = start - timedelta(hours=h)
        if now < moment and moment - now <= MAX_DELAY:
            found.append((h, moment))
    return found


def needs_new_timers(plan: ReminderPlan, start: datetime | None, hours: tuple[int, ...], now: datetime) -> bool:
    """Whether the timers set (or their absence) no longer match the visit: moved, cancelled,
    booked again, the organization changed its reminder hours, or a reminder too far off to time
    before has come within reach. A visit the patient cancelled in the portal stays without
    reminders while the feed still says it is booked at the time it was cancelled at; once the
    feed moves it, or confirms the cancellation (after which a booking is a new one), the plan
    follows the feed again."""
    if plan.cancelled_by_patient:
        if start is None:
            return True  # (a fresh plan: a later booking of the visit is reminded)
        return plan.starts_at is not None and plan.starts_at != start
    if start is None:
        return bool(plan.timers) or plan.starts_at is not None
    if (plan.starts_at, plan.hours) != (start, hours) or plan.cancelled_by_patient:
        return True
    timed = {int(match.group(3)) for match in map(_TIMER.fullmatch, plan.timers) if match}
    return not {h for h, _ in moments(start, hours, now)} <= timed


def scheduler_id_of(ids: Iterable[Any]) -> str:
    """The scheduling system's own id of the visit (SCH-2; a FHIR identifier of type FILL, else
    the resource's id), which an organization's video link template names."""
    found = [i for i in ids if getattr(i, "value", "")]
    chosen = next((i for i in found if getattr(i, "type", "") == _FILLER), None) or next(iter(found), None)
    if chosen is None:
        return ""
    value = str(chosen.value)
    return value.removeprefix("Appointment/")[:100]
