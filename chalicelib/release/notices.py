"""Telling a patient that something is waiting: at once when a result or document is released,
or later by a guarded timer when its release is delayed. The notice never says what is waiting.
A result with a critical value has a notice of its own: the care team will contact them about a
new result (never which, nor its value)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Protocol

from chalicelib.access.domain import Area
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.clock import iso
from chalicelib.notifications.deliveries import about_patient
from chalicelib.notifications.proxy_notices import NewItem, ProxyNoticePorts, proxy_notices
from chalicelib.notifications.requests import NotifyPorts, queued_delivery
from chalicelib.observability import count, logger
from chalicelib.patients.domain import Patient, PortalStatus
from chalicelib.records.domain import StoredResult
from chalicelib.records.outbox import TIMER, Outbox, OutboxEntry
from chalicelib.records.stores import Records
from chalicelib.records.visible import clinical_date
from chalicelib.release.policy import HELD_UNTIL
from chalicelib.timers import service as timers
from chalicelib.timers.service import Timers


class NoticeSettings(Protocol):
    @property
    def notifications_queue_url(self) -> str: ...


class NoticePorts(NotifyPorts, ProxyNoticePorts, Protocol):
    """Telling the patient now (the notifications queue), or later by a guarded timer that the
    record names before it starts."""

    @property
    def records(self) -> Records: ...

    @property
    def timers(self) -> Timers: ...

    @property
    def settings(self) -> NoticeSettings: ...

    @property
    def outbox(self) -> Outbox:
        """Where a notice or timer waits when its service refused it (release/outbox.py)."""
        ...


def waiting_notice(patient: Patient, at: datetime, critical: bool = False) -> dict[str, str] | None:
    """The "something waiting" notice for a moment, if the patient has portal access. It names the
    account, not an address: the notifications consumer looks the account up when it sends (a
    timer may fire days later), keeps the notice in the portal inbox, and emails a verified address
    if the patient wants result emails. Its id names the patient (by a digest) and the moment, so
    a redelivery is the same notice; the consumer folds the notices of minutes apart into one
    notice and one email (notifications/folding.py).

    ``critical``: a result with a critical value is among them, and the notice says the care team
    will contact the patient. It has ids of its own (the consumer refuses one id with two
    templates) and folds apart, so a generic notice of the same minutes does not swallow it."""
    if patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id or patient.deceased:
        return None  # (a deceased patient's account cannot sign in: nothing to tell it)
    # The id is shown in the inbox and its URLs: it names the patient only through a digest.
    digest = hashlib.sha256(patient.patient_id.encode()).hexdigest()[:20]
    return {
        "notification_id": f"{'critical-result' if critical else 'new-results'}-{digest}-{int(at.timestamp())}",
        "template": "care_team_will_call" if critical else "something_waiting",
        "account_id": patient.account_id,
        # the moment the notices fold by; a release folded into a notice the patient read makes it unread again
        "released_at": iso(at),
    }


def tell(ports: NotifyPorts, patient: Patient, now: datetime, critical: bool = False) -> None:
    """The notice for what was released just now (folded with others minutes apart).
    ``critical``: a result with a critical value is among it (the one notice then says so)."""
    notice = waiting_notice(patient, now, critical)
    if notice is not None:
        ports.notifications_queue.send(notice)
        queued_delivery(ports, notice["notification_id"], notice["template"], about_patient(patient.patient_id))


def tell_proxies(ports: NoticePorts, patient: Patient, released: list[StoredResult], now: datetime) -> None:
    """The people acting for the patient whose access shows something released just now (results
    to a grant covering results, documents to one covering documents), each told once."""
    if patient.deceased or not released:
        return
    told: set[str] = set()
    for kind, area in (("result", Area.RESULTS), ("document", Area.DOCUMENTS)):
        items = [NewItem(clinical_date(r), r, r.organization_id) for r in released if r.kind == kind]
        for notice in proxy_notices(ports, patient.patient_id, area, items, now):
            if notice["account_id"] in told:
                continue
            told.add(notice["account_id"])
            try:
                ports.notifications_queue.send(notice)
            except DependencyUnavailable:
                # What was released stays released and the patient is told: only this proxy's
                # "something new" waits for their next sign-in, where it shows all the same.
                count("ProxyNoticesNotQueued")
                logger.warning("proxy notice not queued", extra={"notification_id": notice["notification_id"]})
                continue
            queued_delivery(ports, notice["notification_id"], notice["template"], about_patient(patient.patient_id))


def timer_id(stored: StoredResult) -> str:
    """A release timer's usual name: it names the result's version, so a correction has its own."""
    return f"release-{stored.result_id}-v{stored.version}"


def timer_entry(stored: StoredResult, now: datetime, name: str = "") -> OutboxEntry:
    """A delayed record's timer to start later (ids only), under the name the record gives it;
    its current version then decides."""
    payload = {"patient_id": stored.patient_id, "kind": stored.kind, "result_id": stored.result_id}
    return OutboxEntry(TIMER, name or timer_id(stored), {**payload, "version": stored.version}, now)


def announce_later(ports: NoticePorts, patient: Patient, stored: StoredResult, now: datetime, name: str = "") -> None:
    """A timer that sends the notice when a delayed result is released (a hold has none).

    Guarded: when the moment comes the timer announces only a record that still names it (not
    held, not released early, not corrected with a timer of its own meanwhile). Its name is the
    version's, so a correction (a new version, a new release moment) gets a timer of its own; a
    stale timer of an older version finds its record no longer names it and sends nothing when it
    fires. A redelivery starts it again: Step Functions returns the running execution for the same
    name and input, and refuses a finished one (then it has announced already).

    ``name``: a name of the caller's when this version's usual one may be taken already (a merged
    record's copy, a release moment moved): a name is never reused with another message.

    When Step Functions refuses to start it, the result stays filed (it shows on time whatever
    the timer does) and only its announcement waits in the outbox: the drain starts the timer once
    the service is back, or announces at once if the moment has passed."""
    name = name or timer_id(stored)
    notice = _later_notice(ports, patient, stored, name)
    if notice is None:
        return
    try:
        _schedule(ports, stored, notice, now, name)
    except Conflict:
        pass  # it ran already: a redelivery of a message whose timer has fired
    except DependencyUnavailable:
        # (the record names the timer already: the drain starts only a timer its record names)
        ports.outbox.put(timer_entry(stored, now, name))
        count("ReleaseTimersNotStarted")
        logger.warning("release timer not started; left in the outbox", extra={"timer_id": name})


def start_timer(ports: NoticePorts, patient: Patient, stored: StoredResult, now: datetime) -> None:
    """Start the timer the record names (the drain's retry). Conflict: it ran already;
    DependencyUnavailable: Step Functions refused again."""
    name = stored.release_timer or timer_id(stored)
    notice = _later_notice(ports, patient, stored, name)
    if notice is not None:
        _schedule(ports, stored, notice, now, name)


def _later_notice(ports: NoticePorts, patient: Patient, stored: StoredResult, name: str) -> dict[str, str] | None:
    """The notice a delayed record's timer will send, once the record names that timer (a
    failure to name it fails the filing, which is retried, before any timer exists)."""
    notice = waiting_notice(patient, stored.release_at, stored.critical) if stored.release_at < HELD_UNTIL else None
    if notice is not None and stored.release_timer != name:
        ports.records.set_release(stored, stored.release_at, stored.held_reason, name)
    return notice


def _schedule(ports: NoticePorts, stored: StoredResult, notice: dict[str, str], now: datetime, name: str) -> None:
    timers.schedule(
        ports.timers,
        timer_id=name,
        fire_at=stored.release_at,
        queue_url=ports.settings.notifications_queue_url,
        message=notice,
        now=now,
        guard=ports.records.release_guard(stored),
        # Written by the timer when it queues the notice, asked for at the release moment (not
        # "now": a redelivery must start the timer with the same input to find it running).
        delivery=ports.deliveries.queued_by_timer(
            notice["notification_id"], notice["template"], stored.release_at, about_patient(stored.patient_id)
        ),
    )
