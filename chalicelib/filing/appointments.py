"""What filing an appointment sets off beyond its entry. Each capability that cares keeps its
step in its own package and is listed in AFTER_FILING:

- a booking that names a portal request (SCH-1, or the FHIR identifier under the request system)
  closes that request;
- reminders are started, moved or stopped to match the visit's time and status;
- the organization's list of visits by day (staff's check-in status) is kept up to date;
- a cancelled visit's open requests to move it are withdrawn.

Steps run after the entry is stored, whenever the outcome may not have run them yet ("new",
"changed", and "refiled": this same message again after a failure further on). Each is
idempotent and raises on failure, so the feed message is retried and nothing is left half done.
"""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.appointments.booking import close_requests_it_books
from chalicelib.appointments.domain import AppointmentFiled
from chalicelib.appointments.reminders import keep_reminders
from chalicelib.appointments.reschedules import withdraw_when_the_feed_cancels
from chalicelib.checkin.visits import keep_visit_day
from chalicelib.filing.filers import Delivery, Outcome
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import WITHDRAWN, ClinicalEntry

# (a booking closes its request first: the reminders and the day's list then follow the visit as filed)
AFTER_FILING: tuple[Callable[[AppointmentFiled], None], ...] = (
    close_requests_it_books,
    keep_reminders,
    keep_visit_day,
    withdraw_when_the_feed_cancels,
)

_RUNS_STEPS = ("new", "changed", "refiled")


def after_filing(delivery: Delivery, patient: Patient, entry: ClinicalEntry, outcome: Outcome) -> None:
    how, stored = outcome
    if entry.kind != "appointment" or how not in _RUNS_STEPS or not AFTER_FILING:
        return
    filed = AppointmentFiled(
        ports=delivery.ports,
        organization_id=delivery.source.organization_id,
        patient_id=patient.patient_id,
        entry_id=stored.result_id,
        content=dict(stored.content),
        withdrawn=stored.status == WITHDRAWN,
        ids=tuple(entry.ids),
        now=delivery.now,
        time_zone=delivery.time_zone,
    )
    for step in AFTER_FILING:
        step(filed)
