"""A proxy grant's timers (timer_plan.py): at a child's 12th birthday the proxy and the clinic are
told the grant narrowed (and it reads but no longer acts); at an adult grant's end date it becomes
ended and both are told. The access check compares the dates itself on every read, so nothing
here is needed for access to stop in time: the timers tell people.

Whoever makes a grant active (staff's approval, the patient's consent or renewal, a trusted
person taking up an invitation) starts them once the grant is kept; whoever stops or re-dates one
stops its timers."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import SYSTEM_ACTOR, Action
from chalicelib.audit.trail import write_audit
from chalicelib.errors import Conflict, DependencyUnavailable, ValidationFailed
from chalicelib.kernel.clock import Clock
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_account
from chalicelib.observability import count, logger
from chalicelib.proxies import timer_plan
from chalicelib.proxies.domain import MERGED, GrantStatus, ProxyGrant
from chalicelib.proxies.grant_writes import END_DATE, TEMPLATE, GrantPorts, change_grant
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry
from chalicelib.timers import service as timers
from chalicelib.timers.service import Timers
from chalicelib.worklist.domain import WorklistItem


class _TimerSettings(Protocol):
    @property
    def proxy_grant_timers_queue_url(self) -> str: ...


class StopPorts(Protocol):
    @property
    def timers(self) -> Timers: ...


class TimerPorts(StopPorts, Protocol):
    """What starting and stopping a grant's timers needs (a service that makes a grant active
    without the rest of the grant ports, such as taking up an invitation, has these)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def settings(self) -> _TimerSettings: ...


NARROWED_TASK = "proxy_access_narrowed"  # the clinic's worklist: a child's grant reached the 12th birthday
ENDED_TASK = "proxy_access_ended"  # the clinic's worklist: a grant reached its end date


def schedule_grant_timers(ports: TimerPorts, grant: ProxyGrant, now: datetime | None = None) -> list[str]:
    """Start the timers an active grant needs (its 12th-birthday cutoff and its end date, each
    still to come); whoever makes a grant active calls it once the grant is kept. Idempotent: a
    timer already running under its name is left running. Best effort: the access check reads the
    dates, so a timer Step Functions would not start only delays telling people (counted, logged)."""
    now = now or ports.clock.now()
    started = []
    for timer in timer_plan.timers_to_start(grant, now):
        try:
            timers.schedule(
                ports.timers,
                timer_id=timer.name,
                fire_at=timer.fire_at,
                queue_url=ports.settings.proxy_grant_timers_queue_url,
                message=timer.message(),
                now=now,
            )
        except Conflict:
            pass  # it ran already
        except (DependencyUnavailable, ValidationFailed):
            count("ProxyGrantTimersNotStarted")
            logger.warning("proxy grant timer not started", extra={"grant_id": grant.grant_id, "kind": timer.kind})
            continue
        started.append(timer.name)
    return started


def stop_grant_timers(ports: StopPorts, grant: ProxyGrant, now: datetime) -> None:
    """Stop the timers of a grant as it was (revoked, ended, renewed to another date). A timer
    that fires anyway finds its grant no longer active, or at another date, and does nothing."""
    for name in timer_plan.timers_to_stop(grant, now):
        try:
            timers.cancel(ports.timers, name)
        except DependencyUnavailable:
            count("ProxyGrantTimersNotStopped")
            logger.warning("proxy grant timer not stopped; it will do nothing", extra={"grant_id": grant.grant_id})
            return


def on_timer(ports: GrantPorts, message: Any, now: datetime) -> str:
    """A grant timer fired: if it still stands, the next hop is started, or the grant narrows
    (the proxy and the clinic are told) or ends (status ended, both told). Returns what happened,
    in a word, for the log."""
    fired = timer_plan.read_message(message)
    if fired is None:
        raise ValidationFailed("A proxy grant timer names no grant.")
    grant = _find(ports, fired.patient_id, fired.grant_id)
    why = timer_plan.still_due(grant, fired)
    if why or grant is None:
        return why or "gone"
    if fired.hop > 0:
        following = dataclasses.replace(fired, patient_id=grant.patient_id, hop=fired.hop - 1)
        try:
            timers.schedule(
                ports.timers,
                timer_id=following.name,
                fire_at=following.fire_at,
                queue_url=ports.settings.proxy_grant_timers_queue_url,
                message=following.message(),
                now=now,
            )
        except Conflict:
            pass  # started by an earlier delivery of this hop
        return "rearmed"
    if fired.kind == timer_plan.CUTOFF:
        first = _tell_clinic(ports, grant, NARROWED_TASK, fired.moment)
        _tell_proxy(ports, grant, "cutoff", now)  # (its notice id is the grant's: sent once)
        if first:  # audited once, however often the timer fires
            write_audit(
                ports,
                Origin(),
                SYSTEM_ACTOR,
                "proxy.narrowed",
                action=Action.UPDATE,
                patient_id=grant.patient_id,
                resource_type="Consent",
                resource_id=grant.grant_id,
            )
        return "narrowed"
    if grant.ends_at is None or now < grant.ends_at:
        return "early"  # (a timer fires at its moment or after it)
    _tell_clinic(ports, grant, ENDED_TASK, grant.ends_at)
    ended = dataclasses.replace(grant, status=GrantStatus.ENDED, ended_at=grant.ends_at, end_reason=END_DATE)
    try:
        change_grant(ports, Origin(), SYSTEM_ACTOR, ended, "proxy.ended", now)
    except Conflict:
        return "changed"  # revoked or renewed a moment ago: the next fire (if any) decides again
    return "ended"


def _find(ports: GrantPorts, patient_id: str, grant_id: str) -> ProxyGrant | None:
    """The grant, following the record's merges (a merge moves its grants to the survivor, and a
    timer started before still names the merged record)."""
    seen = set()
    while patient_id and patient_id not in seen:
        seen.add(patient_id)
        grant: ProxyGrant | None = ports.proxy_grants.get(patient_id, grant_id)
        if grant is not None and not (grant.status is GrantStatus.ENDED and grant.end_reason == MERGED):
            return grant  # (a copy left by a merge is over: the grant is the survivor's)
        patient = ports.patients.get(patient_id)
        patient_id = getattr(patient, "merged_into", "") if patient is not None else ""
    return None


def _tell_proxy(ports: GrantPorts, grant: ProxyGrant, what: str, now: datetime) -> None:
    """A notice to the proxy outside a change of the grant (the cutoff changes no field)."""
    if not grant.proxy_account_id:
        return
    notice = {
        "notification_id": f"proxy-{grant.grant_id}-{what}",
        "template": TEMPLATE,
        "account_id": grant.proxy_account_id,
    }
    entry = notice_entry(notice, now, about_account(grant.proxy_account_id))
    ports.outbox.put(entry)
    outbox.send_now(ports, entry, now)


def _tell_clinic(ports: GrantPorts, grant: ProxyGrant, task: str, moment: datetime) -> bool:
    """A worklist item for the patient's organization, once per grant and task (its key is made
    of the moment and the grant, so a timer that fires twice adds it once): True when added now."""
    item_id = f"{task}-{grant.grant_id}"
    return bool(
        ports.worklist.add(
            WorklistItem(
                item_id=item_id,
                organization_id=grant.organization_id,
                task=task,
                patient_id=grant.patient_id,
                # The worklist item has no field of its own for a grant: result_id carries the
                # grant it is about (task names which kind of id it is).
                result_id=grant.grant_id,
                result_version=0,
                status="open",
                created_at=moment,
                sort_key=timed_key(moment, item_id),
            )
        )
    )
