"""Telling a patient that something is waiting: at once when a result or document is released,
or later by a guarded timer when its release is delayed. The notice never says what is waiting.
A result with a critical value has a notice of its own: the care team will contact them about a
new result (never which, nor its value)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

from chalicelib.errors import Conflict
from chalicelib.kernel.clock import iso
from chalicelib.notifications.requests import NotifyPorts
from chalicelib.patients.domain import Patient, PortalStatus
from chalicelib.records.domain import StoredResult
from chalicelib.records.stores import Records
from chalicelib.release.policy import HELD_UNTIL
from chalicelib.timers import service as timers
from chalicelib.timers.service import Timers


class NoticeSettings(Protocol):
    @property
    def notifications_queue_url(self) -> str: ...


class NoticePorts(NotifyPorts, Protocol):
    """Telling the patient now (the notifications queue), or later by a guarded timer that the
    record names before it starts."""

    @property
    def records(self) -> Records: ...

    @property
    def timers(self) -> Timers: ...

    @property
    def settings(self) -> NoticeSettings: ...


NOTIFY_WINDOW_SECONDS = 600


def waiting_notice(patient: Patient, at: datetime, critical: bool = False) -> dict[str, str] | None:
    """The "something waiting" notice for a moment, if the patient has portal access. It names the
    account, not an address: the notifications consumer looks the account up when it sends (a
    timer may fire days later), keeps the notice in the portal inbox, and emails a verified address
    if the patient wants result emails. Its id is the same for every result within ten minutes, so
    the consumer's idempotency folds them into one notice and one email.

    ``critical``: a result with a critical value is among them, and the notice says the care team
    will contact the patient. It has ids of its own (the consumer refuses one id with two
    templates), so a generic notice of the same ten minutes does not swallow it."""
    if patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id or patient.deceased:
        return None  # (a deceased patient's account cannot sign in: nothing to tell it)
    window = int(at.timestamp()) // NOTIFY_WINDOW_SECONDS
    # The id is shown in the inbox and its URLs: it names the patient only through a digest.
    digest = hashlib.sha256(patient.patient_id.encode()).hexdigest()[:20]
    return {
        "notification_id": f"{'critical-result' if critical else 'new-results'}-{digest}-{window}",
        "template": "care_team_will_call" if critical else "something_waiting",
        "account_id": patient.account_id,
        # a release after the patient read this window's notice makes it unread again
        "released_at": iso(at),
    }


def tell(ports: NotifyPorts, patient: Patient, now: datetime, critical: bool = False) -> None:
    """The notice for what was released just now (folded with others of the same ten minutes).
    ``critical``: a result with a critical value is among it (the one notice then says so)."""
    notice = waiting_notice(patient, now, critical)
    if notice is not None:
        ports.notifications_queue.send(notice)


def announce_later(
    ports: NoticePorts, patient: Patient, stored: StoredResult, now: datetime, timer_id: str = ""
) -> None:
    """A timer that sends the notice when a delayed result is released (a hold has none).

    Guarded: when the moment comes the timer announces only a record that still names it (not
    held, released early or withdrawn meanwhile) and takes itself off it. So the record names the
    timer (by its name, which names the result's version) before the timer starts, however soon it
    fires. A redelivery starts it again: Step Functions returns the running execution for the same
    name and input, and refuses a finished one (then it has announced already).

    ``timer_id``: a name of the caller's when this version's usual one may be taken already (a
    merged record's copy, a release moment moved): a name is never reused with another message."""
    notice = waiting_notice(patient, stored.release_at, stored.critical) if stored.release_at < HELD_UNTIL else None
    if notice is None:
        return
    timer_id = timer_id or f"release-{stored.result_id}-v{stored.version}"
    if stored.release_timer != timer_id:
        ports.records.set_release(stored, stored.release_at, stored.held_reason, timer_id)
    try:
        timers.schedule(
            ports.timers,
            timer_id=timer_id,
            fire_at=stored.release_at,
            queue_url=ports.settings.notifications_queue_url,
            message=notice,
            now=now,
            guard=ports.records.release_guard(stored),
        )
    except Conflict:
        pass  # it ran already: a redelivery of a message whose timer has fired
