"""Proxy grants once given: who may act for a patient, and how that ends.

- The patient (their own record only; a proxy never reads this list) sees every grant of their
  record in any status, revokes one, consents to or declines one staff approved, and renews an
  adult's grant for a year more.
- Staff of the patient's organization list a patient's grants, end one (terminated, with their
  reason) and renew one, and export one as FHIR (RelatedPerson and Consent).
- A proxy lists the grants naming them, any status ("accounts I can access").
- Timers (timer_plan.py): at a child's 12th birthday the proxy and the clinic are told the grant
  narrowed; at an adult grant's end date it becomes ended and both are told. The access check
  compares the dates itself on every read, so nothing here is needed for access to stop in time.
- A patient filed as deceased: their grants end (``end_for_deceased``); a merge moves them to the
  surviving record (``follow_merge``).

Every change is written with its audit event (the patient's id on it) and the proxy's notice in
one transaction. The proxy's email says only that something changed and links to their list:
never whose record, nor what changed.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from chalicelib.access.domain import Area, Standing
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, Actor
from chalicelib.audit.trail import audit_event, caller_actor, scope_actor, write_audit
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound, Problems, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID, timed_key
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.notifications.deliveries import about_account
from chalicelib.observability import count, logger
from chalicelib.proxies import timer_plan
from chalicelib.proxies.domain import ADULT_GRANT_DAYS, FOR_MINORS, GrantStatus, ProxyGrant
from chalicelib.proxies.views import grant_view, proxy_grant_view
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry
from chalicelib.timers import service as timers
from chalicelib.worklist.domain import WorklistItem

TEMPLATE = "proxy_access_update"
NARROWED_TASK = "proxy_access_narrowed"  # the clinic's worklist: a child's grant reached the 12th birthday
ENDED_TASK = "proxy_access_ended"  # the clinic's worklist: a grant reached its end date

NO_SUCH_GRANT = "No such access."
ALREADY_OVER = "This access has already ended."
# Statuses a grant can still be stopped from (revoked, terminated).
STOPPABLE = frozenset({GrantStatus.INVITED, GrantStatus.AWAITING_CONSENT, GrantStatus.ACTIVE})
# The most a renewal may reach ahead: a grant for an adult is meant to be looked at again.
MAX_RENEWAL_DAYS = 5 * 366

# Why a grant stopped (``end_reason``), in words staff and the patient read beside it. Staff's own
# words are kept for a termination.
REVOKED = "revoked"
DECLINED = "declined"
END_DATE = "end_date"
DECEASED = "deceased"


# The services take the container (wiring.Container) as ``ports``: the grants, the access check's
# reads, the audit trail and the clock, the timers, the outbox and the notifications queue, the
# worklist and the settings.


# -- shapes ---------------------------------------------------------------------------------------


view = grant_view


# -- the patient ----------------------------------------------------------------------------------


def _own(ports: Any, caller: Caller, origin: Origin, patient_id: str, acts: bool) -> Any:
    """The caller's own record (or their record at a connected organization): who may act for a
    patient is the patient's to see and decide, never a proxy's."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.PROXIES, acts=acts)
    if scope.standing not in (Standing.SELF, Standing.CONNECTION):
        raise NotFound("No such patient.")
    return scope


def _grant(ports: Any, patient_id: str, grant_id: str) -> ProxyGrant:
    grant: ProxyGrant | None = (
        ports.proxy_grants.get(patient_id, grant_id) if RECORD_ID.fullmatch(grant_id or "") else None
    )
    if grant is None:
        raise NotFound(NO_SUCH_GRANT)
    return grant


def patient_list(ports: Any, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """Every grant of the patient's record, newest first, any status. Audited."""
    scope = _own(ports, caller, origin, patient_id, acts=False)
    grants = ports.proxy_grants.of_patient(patient_id)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "proxies.list",
        action=Action.READ,
        patient_id=patient_id,
        resource_type="Consent",
        reason=f"count:{len(grants)}",
    )
    return {"proxies": [view(g) for g in grants]}


def revoke(ports: Any, caller: Caller, origin: Origin, patient_id: str, grant_id: str) -> dict[str, Any]:
    """The patient takes access back: from the very next call of the proxy, nothing (the check
    reads the grant on every call). The proxy is told there is an update."""
    scope = _own(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    if grant.status not in STOPPABLE:
        raise Conflict(ALREADY_OVER)
    now = ports.clock.now()
    stopped = dataclasses.replace(
        grant, status=GrantStatus.REVOKED, ended_at=now, ended_by=caller.account_id, end_reason=REVOKED
    )
    saved = _change(ports, origin, scope_actor(caller, scope), stopped, "proxy.revoked", now)
    stop_grant_timers(ports, grant, now)
    return view(saved)


def consent(ports: Any, caller: Caller, origin: Origin, patient_id: str, grant_id: str, agree: bool) -> dict[str, Any]:
    """The adult patient's answer to a grant staff approved: agreed, it takes effect now (an end
    date keeps its length from now: a year from consent, not from approval); declined, it never
    does."""
    scope = _own(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    if grant.status is not GrantStatus.AWAITING_CONSENT:
        raise Conflict("This access is not waiting for your answer.")
    now = ports.clock.now()
    if agree:
        ends_at = now + (grant.ends_at - grant.starts_at) if grant.ends_at and grant.ends_at > grant.starts_at else None
        answered = dataclasses.replace(
            grant,
            status=GrantStatus.ACTIVE,
            starts_at=now,
            ends_at=ends_at or grant.ends_at,
            consented_at=now,
        )
    else:
        answered = dataclasses.replace(
            grant, status=GrantStatus.DECLINED, ended_at=now, ended_by=caller.account_id, end_reason=DECLINED
        )
    saved = _change(
        ports, origin, scope_actor(caller, scope), answered, "proxy.consented" if agree else "proxy.declined", now
    )
    if agree:
        schedule_grant_timers(ports, saved, now)
    return view(saved)


def renew(ports: Any, caller: Caller, origin: Origin, patient_id: str, grant_id: str) -> dict[str, Any]:
    """The patient renews an adult's grant: a year more from its end date (from now, if it has
    passed). A grant that reached its end date is in force again."""
    scope = _own(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    now = ports.clock.now()
    _renewable(grant, now)
    base = max(now, grant.ends_at) if grant.ends_at else now
    return view(
        _renewed(ports, origin, scope_actor(caller, scope), grant, base + timedelta(days=ADULT_GRANT_DAYS), now)
    )


def _renewable(grant: ProxyGrant, now: datetime) -> None:
    if grant.relationship in FOR_MINORS:
        raise Conflict("Access to a child's record lasts until their 12th birthday and is not renewed.")
    lapsed = grant.status is GrantStatus.ENDED and grant.end_reason == END_DATE
    if not (grant.status is GrantStatus.ACTIVE or lapsed):
        raise Conflict("Only access in force, or that reached its end date, can be renewed.")


def _renewed(
    ports: Any, origin: Origin, actor: Actor, grant: ProxyGrant, ends_at: datetime, now: datetime
) -> ProxyGrant:
    renewed = dataclasses.replace(
        grant, status=GrantStatus.ACTIVE, ends_at=ends_at, ended_at=None, ended_by="", end_reason=""
    )
    saved = _change(ports, origin, actor, renewed, "proxy.renewed", now)
    stop_grant_timers(ports, grant, now)
    schedule_grant_timers(ports, saved, now)
    return saved


# -- staff ----------------------------------------------------------------------------------------


def _staff(ports: Any, caller: Caller, origin: Origin, patient_id: str, acts: bool) -> Any:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.PROXIES, acts=acts)
    if scope.standing is not Standing.STAFF:
        raise NotFound("No such patient.")
    return scope


def staff_list(ports: Any, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """A patient's grants, any status, newest first, for staff of their organization. Audited."""
    scope = _staff(ports, caller, origin, patient_id, acts=False)
    grants = ports.proxy_grants.of_patient(patient_id)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "proxies.list",
        action=Action.READ,
        patient_id=patient_id,
        resource_type="Consent",
        reason=f"count:{len(grants)}",
    )
    return {"proxies": [view(g) for g in grants]}


def staff_end(
    ports: Any, caller: Caller, origin: Origin, patient_id: str, grant_id: str, reason: str
) -> dict[str, Any]:
    """Staff end a grant (a court order changed, the patient asked in person...): terminated,
    with their reason, which the patient's list shows."""
    scope = _staff(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    if grant.status not in STOPPABLE:
        raise Conflict(ALREADY_OVER)
    now = ports.clock.now()
    stopped = dataclasses.replace(
        grant, status=GrantStatus.TERMINATED, ended_at=now, ended_by=caller.account_id, end_reason=reason.strip()
    )
    saved = _change(ports, origin, scope_actor(caller, scope), stopped, "proxy.terminated", now)
    stop_grant_timers(ports, grant, now)
    return view(saved)


def staff_renew(
    ports: Any, caller: Caller, origin: Origin, patient_id: str, grant_id: str, last_day: date | None
) -> dict[str, Any]:
    """Staff renew an adult's grant: to the end of ``last_day`` on the organization's calendar,
    else a year more (as the patient's renewal)."""
    scope = _staff(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    now = ports.clock.now()
    _renewable(grant, now)
    if last_day is None:
        ends_at = (max(now, grant.ends_at) if grant.ends_at else now) + timedelta(days=ADULT_GRANT_DAYS)
    else:
        zone = ZoneInfo(_zone_of(ports, getattr(scope.record, "organization_id", "") or grant.organization_id))
        ends_at = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=zone)
        problems = Problems()
        if ends_at <= now:
            problems.add("ends_at", "in the future", "The new last day must be today or later.")
        elif ends_at - now > timedelta(days=MAX_RENEWAL_DAYS):
            problems.add("ends_at", "within five years", "Renew for at most five years at a time.")
        problems.raise_if_any("The new end date is not valid.")
    return view(_renewed(ports, origin, scope_actor(caller, scope), grant, ends_at, now))


def staff_grant(ports: Any, caller: Caller, origin: Origin, patient_id: str, grant_id: str) -> tuple[ProxyGrant, Any]:
    """One grant of a patient of the organization, for its FHIR export (audited as an export),
    with the patient's MRN under the organization's authority when they have one."""
    scope = _staff(ports, caller, origin, patient_id, acts=False)
    grant = _grant(ports, patient_id, grant_id)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "proxy.exported",
        action=Action.EXECUTE,
        patient_id=patient_id,
        resource_type="Consent",
        resource_id=grant_id,
    )
    patient = scope.record if scope.record is not None else ports.patients.get(patient_id)
    organization = ports.directory.organization(grant.organization_id)
    authority = organization.mrn_authority if organization is not None else ""
    mrn = next(
        ((i.authority, i.value) for i in getattr(patient, "identifiers", ()) if authority and i.authority == authority),
        None,
    )
    return grant, mrn


# -- the proxy ------------------------------------------------------------------------------------


def my_grants(ports: Any, caller: Caller, origin: Origin) -> dict[str, Any]:
    """Every grant naming the caller as proxy, any status: the records they act for, and those
    they no longer do, with why. Audited (one event: the account read its own list)."""
    grants = ports.proxy_grants.of_proxy(caller.account_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "proxy_grants.own_list",
        action=Action.READ,
        resource_type="Consent",
        reason=f"count:{len(grants)}",
    )
    return {"grants": [proxy_grant_view(g) for g in grants]}


# -- writing a change -----------------------------------------------------------------------------


def _notice(grant: ProxyGrant, version: int, now: datetime) -> Any:
    """The proxy's notice of a change, one per version of the grant (a redelivered write folds
    into it): that there is an update, nothing of whose record or what."""
    notice = {
        "notification_id": f"proxy-{grant.grant_id}-v{version}",
        "template": TEMPLATE,
        "account_id": grant.proxy_account_id,
    }
    return notice_entry(notice, now, about_account(grant.proxy_account_id))


def _change(
    ports: Any, origin: Origin, actor: Actor, changed: ProxyGrant, event_type: str, now: datetime
) -> ProxyGrant:
    """Write the change with its audit event and, when an account holds the grant, its notice; then
    send the notice (what the outbox cannot send now, its drain sends)."""
    audit = audit_event(
        ports,
        origin,
        actor,
        event_type,
        action=Action.UPDATE,
        patient_id=changed.patient_id,
        resource_type="Consent",
        resource_id=changed.grant_id,
    )
    notice = _notice(changed, (changed.version or 0) + 1, now) if changed.proxy_account_id else None
    saved: ProxyGrant = ports.proxy_grants.change(changed, audit, also=[ports.outbox.item(notice)] if notice else ())
    if notice is not None:
        outbox.send_now(ports, notice, now)
    logger.info("proxy grant changed", extra={"grant_id": changed.grant_id, "event": event_type})
    return saved


def _zone_of(ports: Any, organization_id: str) -> str:
    organization = ports.directory.organization(organization_id) if organization_id else None
    return (getattr(organization, "time_zone", "") or "") or DEFAULT_TIME_ZONE


# -- timers ---------------------------------------------------------------------------------------


def schedule_grant_timers(ports: Any, grant: ProxyGrant, now: datetime | None = None) -> list[str]:
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


def stop_grant_timers(ports: Any, grant: ProxyGrant, now: datetime) -> None:
    """Stop the timers of a grant as it was (revoked, ended, renewed to another date). A timer
    that fires anyway finds its grant no longer active, or at another date, and does nothing."""
    for name in timer_plan.timers_to_stop(grant, now):
        try:
            timers.cancel(ports.timers, name)
        except DependencyUnavailable:
            count("ProxyGrantTimersNotStopped")
            logger.warning("proxy grant timer not stopped; it will do nothing", extra={"grant_id": grant.grant_id})
            return


def on_timer(ports: Any, message: Any, now: datetime) -> str:
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
        _change(ports, Origin(), SYSTEM_ACTOR, ended, "proxy.ended", now)
    except Conflict:
        return "changed"  # revoked or renewed a moment ago: the next fire (if any) decides again
    return "ended"


def _find(ports: Any, patient_id: str, grant_id: str) -> ProxyGrant | None:
    """The grant, following the record's merges (a merge moves its grants to the survivor, and a
    timer started before still names the merged record)."""
    seen = set()
    while patient_id and patient_id not in seen:
        seen.add(patient_id)
        grant: ProxyGrant | None = ports.proxy_grants.get(patient_id, grant_id)
        if grant is not None:
            return grant
        patient = ports.patients.get(patient_id)
        patient_id = getattr(patient, "merged_into", "") if patient is not None else ""
    return None


def _tell_proxy(ports: Any, grant: ProxyGrant, what: str, now: datetime) -> None:
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


def _tell_clinic(ports: Any, grant: ProxyGrant, task: str, moment: datetime) -> bool:
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
                result_id=grant.grant_id,  # the grant it is about
                result_version=0,
                status="open",
                created_at=moment,
                sort_key=timed_key(moment, item_id),
            )
        )
    )


# -- the record's life: death and merge -----------------------------------------------------------


def end_for_deceased(ports: Any, patient_id: str, now: datetime) -> int:
    """The record's patient died (filing says so): every grant still standing ends (reason
    deceased) and its proxy is told. The check refuses proxies of a deceased record already; this
    makes their lists say so. Idempotent: a redelivery finds nothing standing. Returns how many ended."""
    ended = 0
    for grant in ports.proxy_grants.of_patient(patient_id):
        if grant.status not in STOPPABLE:
            continue
        stopped = dataclasses.replace(
            grant, status=GrantStatus.ENDED, ended_at=now, ended_by="system", end_reason=DECEASED
        )
        try:
            _change(ports, Origin(), SYSTEM_ACTOR, stopped, "proxy.ended", now)
        except Conflict:
            continue  # changed meanwhile (revoked): the next delivery looks again
        stop_grant_timers(ports, grant, now)
        ended += 1
    return ended


def follow_merge(ports: Any, from_patient: str, to_patient: str) -> int:
    """A merge: the merged record's grants move to the survivor, each keeping its id (the store
    rewrites the proxies' pointers to name the survivor). Their timers keep running: a timer
    finds its grant by following the merged record to the survivor."""
    return int(ports.proxy_grants.move(from_patient, to_patient))
