"""Proxy grants once given: who may act for a patient, and how that ends.

- The patient (their own record only; a proxy never reads this list) sees every grant of their
  record in any status, revokes one, consents to or declines one staff approved, and renews an
  adult's grant for a year more.
- Staff of the patient's organization list a patient's grants, end one (terminated, with their
  reason) and renew one, and export one as FHIR (RelatedPerson and Consent).
- A proxy lists the grants naming them, any status ("accounts I can access").
- Timers (grant_timers.py): each change that makes a grant active starts them, each that stops
  or re-dates one stops them.
- A patient filed as deceased: their grants end (``end_for_deceased``); a merge moves them to the
  surviving record (``follow_merge``).

Every change is written with its audit event (the patient's id on it) and the proxy's notice in
one transaction. The proxy's email says only that something changed and links to their list:
never whose record, nor what changed.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.access.domain import Area, PatientScope, Standing
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, Actor
from chalicelib.audit.trail import caller_actor, scope_actor, write_audit
from chalicelib.errors import Conflict, Forbidden, NotFound, Problems
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.proxies.consent import ConsentPorts, answer
from chalicelib.proxies.domain import ADULT_GRANT_DAYS, FOR_MINORS, GrantStatus, ProxyGrant, Relationship
from chalicelib.proxies.grant_timers import StopPorts, schedule_grant_timers, stop_grant_timers
from chalicelib.proxies.grant_writes import (
    DECEASED,
    END_DATE,
    REVOKED,
    ChangePorts,
    GrantPorts,
    change_grant,
)
from chalicelib.proxies.stores import ProxyGrants
from chalicelib.proxies.views import grant_view, proxy_grant_view
from chalicelib.proxies.zones import organization_zone


class DeceasedPorts(ChangePorts, StopPorts, Protocol):
    """Ending a deceased patient's grants (the record's filing has these)."""


class _Stores(Protocol):
    @property
    def proxy_grants(self) -> ProxyGrants: ...


NO_SUCH_GRANT = "No such access."
OFFICE_ENDS = (
    "This access was given by the office under a legal document, so only the office can end it. "
    "Please contact the office."
)
OFFICE_RENEWS = "Only the office can renew this access. Please contact the office."
ALREADY_OVER = "This access has already ended."
# Statuses a grant can still be stopped from (revoked, terminated).
STOPPABLE = frozenset({GrantStatus.INVITED, GrantStatus.AWAITING_CONSENT, GrantStatus.ACTIVE})
# The most a renewal may reach ahead: a grant for an adult is meant to be looked at again.
MAX_RENEWAL_DAYS = 5 * 366


# -- shapes ---------------------------------------------------------------------------------------


view = grant_view


# -- the patient ----------------------------------------------------------------------------------


def _own(ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, acts: bool) -> PatientScope:
    """The caller's own record (or their record at a connected organization): who may act for a
    patient is the patient's to see and decide, never a proxy's."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.PROXIES, acts=acts)
    if scope.standing not in (Standing.SELF, Standing.CONNECTION):
        raise NotFound("No such patient.")
    return scope


def _grant(ports: GrantPorts, patient_id: str, grant_id: str) -> ProxyGrant:
    grant: ProxyGrant | None = (
        ports.proxy_grants.get(patient_id, grant_id) if RECORD_ID.fullmatch(grant_id or "") else None
    )
    if grant is None:
        raise NotFound(NO_SUCH_GRANT)
    return grant


def patient_list(ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """Every grant of the patient's record, newest first, any status. Audited."""
    return _listed(ports, caller, origin, _own(ports, caller, origin, patient_id, acts=False))


def _listed(ports: GrantPorts, caller: Caller, origin: Origin, scope: PatientScope) -> dict[str, Any]:
    """The record's grants as the patient's list and staff's show them (the caller's scope decided
    who may read them), with the read audited."""
    grants = ports.proxy_grants.of_patient(scope.patient_id)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "proxies.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Consent",
        reason=f"count:{len(grants)}",
    )
    return {"proxies": [view(g) for g in grants]}


def revoke(ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str) -> dict[str, Any]:
    """The patient takes access back: from the very next call of the proxy, nothing (the check
    reads the grant on every call). The proxy is told there is an update."""
    scope = _own(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    if grant.status not in STOPPABLE:
        raise Conflict(ALREADY_OVER)
    if not _patients_to_revoke(grant):
        raise Forbidden(OFFICE_ENDS)
    now = ports.clock.now()
    stopped = dataclasses.replace(
        grant, status=GrantStatus.REVOKED, ended_at=now, ended_by=caller.account_id, end_reason=REVOKED
    )
    saved = change_grant(ports, origin, scope_actor(caller, scope), stopped, "proxy.revoked", now)
    stop_grant_timers(ports, grant, now)
    return view(saved)


def consent(
    ports: ConsentPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str, agree: bool
) -> dict[str, Any]:
    """The adult patient's answer to a grant staff approved (consent.py)."""
    scope = _own(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    answered = answer(
        ports,
        origin,
        scope_actor(caller, scope),
        grant,
        agree,
        answered_by=caller.account_id,
        not_waiting="This access is not waiting for your answer.",
    )
    return view(answered)


def renew(ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str) -> dict[str, Any]:
    """The patient renews an adult's grant: a year more from its end date (from now, if it has
    passed). A grant that reached its end date is in force again."""
    scope = _own(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    now = ports.clock.now()
    _renewable(grant, now)
    if grant.relationship is not Relationship.TRUSTED_PERSON:
        # A guardian's or an agent's access rests on a legal document the office checked: how
        # long it lasts is the office's to decide again, not the patient's alone.
        raise Forbidden(OFFICE_RENEWS)
    base = max(now, grant.ends_at) if grant.ends_at else now
    return view(
        _renewed(ports, origin, scope_actor(caller, scope), grant, base + timedelta(days=ADULT_GRANT_DAYS), now)
    )


def _patients_to_revoke(grant: ProxyGrant) -> bool:
    """The patient takes back what they gave (a trusted person) or agreed to (consented_at). A
    court-ordered guardian's or an agent's grant they never consented to rests on a legal document
    (and a parent's on the child's age): only the office ends those."""
    return grant.relationship is Relationship.TRUSTED_PERSON or grant.consented_at is not None


def _renewable(grant: ProxyGrant, now: datetime) -> None:
    if grant.relationship in FOR_MINORS:
        raise Conflict("Access to a child's record lasts until their 12th birthday and is not renewed.")
    lapsed = grant.status is GrantStatus.ENDED and grant.end_reason == END_DATE
    if not (grant.status is GrantStatus.ACTIVE or lapsed):
        raise Conflict("Only access in force, or that reached its end date, can be renewed.")


def _renewed(
    ports: GrantPorts, origin: Origin, actor: Actor, grant: ProxyGrant, ends_at: datetime, now: datetime
) -> ProxyGrant:
    renewed = dataclasses.replace(
        grant, status=GrantStatus.ACTIVE, ends_at=ends_at, ended_at=None, ended_by="", end_reason=""
    )
    saved = change_grant(ports, origin, actor, renewed, "proxy.renewed", now)
    stop_grant_timers(ports, grant, now)
    schedule_grant_timers(ports, saved, now)
    return saved


# -- staff ----------------------------------------------------------------------------------------


def _staff(ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, acts: bool) -> PatientScope:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.PROXIES, acts=acts)
    if scope.standing is not Standing.STAFF:
        raise NotFound("No such patient.")
    return scope


def staff_list(ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """A patient's grants, any status, newest first, for staff of their organization. Audited."""
    return _listed(ports, caller, origin, _staff(ports, caller, origin, patient_id, acts=False))


def staff_end(
    ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str, reason: str
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
    saved = change_grant(ports, origin, scope_actor(caller, scope), stopped, "proxy.terminated", now)
    stop_grant_timers(ports, grant, now)
    return view(saved)


def staff_consent(
    ports: ConsentPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str, agree: bool, how: str
) -> dict[str, Any]:
    """The patient's answer as staff witnessed it (``how``: in person, on the paper form, by
    phone), for a patient who cannot answer in the portal. Audited as the patient's own answer
    would be, by the staff member, with how it was given."""
    scope = _staff(ports, caller, origin, patient_id, acts=True)
    grant = _grant(ports, patient_id, grant_id)
    answered = answer(
        ports,
        origin,
        scope_actor(caller, scope),
        grant,
        agree,
        answered_by=caller.account_id,
        not_waiting="This access is not waiting for the patient's answer.",
        reason=f"witnessed:{how}",
    )
    return view(answered)


def staff_renew(
    ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str, last_day: date | None
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
        zone = ZoneInfo(organization_zone(ports, getattr(scope.record, "organization_id", "") or grant.organization_id))
        ends_at = datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=zone)
        problems = Problems()
        if ends_at <= now:
            problems.add("ends_at", "in the future", "The new last day must be today or later.")
        elif ends_at - now > timedelta(days=MAX_RENEWAL_DAYS):
            problems.add("ends_at", "within five years", "Renew for at most five years at a time.")
        problems.raise_if_any("The new end date is not valid.")
    return view(_renewed(ports, origin, scope_actor(caller, scope), grant, ends_at, now))


def staff_grant(
    ports: GrantPorts, caller: Caller, origin: Origin, patient_id: str, grant_id: str
) -> tuple[ProxyGrant, tuple[str, str] | None]:
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


def my_grants(ports: GrantPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
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


# -- the record's life: death and merge -----------------------------------------------------------


def end_for_deceased(ports: DeceasedPorts, patient_id: str, now: datetime) -> int:
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
            change_grant(ports, Origin(), SYSTEM_ACTOR, stopped, "proxy.ended", now)
        except Conflict:
            continue  # changed meanwhile (revoked): the next delivery looks again
        stop_grant_timers(ports, grant, now)
        ended += 1
    return ended


def follow_merge(ports: _Stores, from_patient: str, to_patient: str, now: datetime) -> int:
    """A merge: the merged record's grants move to the survivor, each keeping its id (the store
    rewrites the proxies' pointers to name the survivor, and marks the copies left behind over, so
    nobody revokes or renews a grant through the merged record). Their timers keep running: a timer
    finds its grant by following the merged record to the survivor."""
    return int(ports.proxy_grants.move(from_patient, to_patient, now))
