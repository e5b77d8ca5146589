"""Nothing lost between a write and what it sets off: the patient's notice of an early release,
and a release timer Step Functions would not start, wait in the outbox (records/outbox.py) until
they are sent. The writer sends at once when it can (best effort); ``drain`` sends the rest. It
runs every five minutes (app.py's drain_outbox: an EventBridge schedule once deployed, the local
stack's scheduler locally) and after every feed batch, so a notice held up by a queue or timer
service that was down goes once that service is back.

Sending twice is harmless: the notifications consumer sends one email per notification id, and
Step Functions starts one timer per name (a second start of a finished one is refused)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.notifications.requests import queued_delivery
from chalicelib.observability import logger
from chalicelib.patients.stores import Patients
from chalicelib.records.outbox import NOTICE, TIMER, OutboxEntry
from chalicelib.release.notices import NoticePorts, start_timer

DRAIN_BATCH = 100  # entries one drain sends at most: the next drain takes the rest


class OutboxPorts(NoticePorts, Protocol):
    @property
    def patients(self) -> Patients: ...


@dataclass(frozen=True)
class Drained:
    sent: int = 0
    left: int = 0  # their service still refused: the next drain tries again


ABOUT = "about"  # an outbox notice's one field that stays off the queue: whom its delivery record is about


def notice_entry(notice: dict[str, Any], now: datetime, about: str = "") -> OutboxEntry:
    """A notice as queued, keyed by its notification id (one per patient and ten minutes), and
    whom it is about (deliveries.about_patient) for its delivery record."""
    return OutboxEntry(NOTICE, notice["notification_id"], {**notice, ABOUT: about} if about else notice, now)


def send_now(ports: OutboxPorts, entry: OutboxEntry, now: datetime) -> bool:
    """Send one entry and take it out; False (it stays for the drain) when a service refused.
    (Sent but not taken out: the drain sends it again, which the receivers fold into one.)"""
    try:
        if entry.kind == NOTICE:
            notice = {k: v for k, v in entry.payload.items() if k != ABOUT}
            ports.notifications_queue.send(notice)
            queued_delivery(ports, notice["notification_id"], notice["template"], entry.payload.get(ABOUT, ""))
        elif entry.kind == TIMER:
            _start(ports, entry, now)
        ports.outbox.done(entry)
    except DependencyUnavailable:
        return False
    return True


def drain(ports: OutboxPorts, now: datetime, limit: int = DRAIN_BATCH) -> Drained:
    """Send what waits, oldest first. Once a service refuses, the rest of its kind wait for the
    next drain: an outage costs one refused call per drain, not one per entry."""
    sent = left = 0
    refused: set[str] = set()
    for entry in ports.outbox.pending(limit):
        if entry.kind not in refused and send_now(ports, entry, now):
            sent += 1
        else:
            refused.add(entry.kind)
            left += 1
    return Drained(sent, left)


def _start(ports: OutboxPorts, entry: OutboxEntry, now: datetime) -> None:
    """Start the timer the record still names. Nothing when it names none any more: staff held
    or released it meanwhile, a correction came with a timer of its own, or it was withdrawn. A
    moment passed already fires at once, so the patient is told now."""
    wanted = entry.payload
    stored = ports.records.current(wanted["patient_id"], wanted["result_id"], kind=wanted["kind"])
    if (
        stored is None
        or stored.version != int(wanted["version"])
        or stored.withdrawn
        or stored.release_timer != entry.entry_id
    ):
        return
    patient = ports.patients.get(stored.patient_id)
    if patient is None:
        return
    try:
        start_timer(ports, patient, stored, now)
    except Conflict:
        pass  # it ran already


def drain_quietly(ports: OutboxPorts, now: datetime) -> Drained:
    """A drain beside other work (a feed batch): a store that is down fails the drain, not that work."""
    try:
        drained = drain(ports, now)
    except DependencyUnavailable:
        logger.warning("outbox not drained: the health records store is unavailable")
        return Drained()
    if drained.sent or drained.left:
        logger.info("outbox drained", extra={"sent": drained.sent, "left": drained.left})
    return drained
