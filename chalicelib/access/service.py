"""``patient_scope``: the single check every read or action on one patient's record goes through."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import PROXY_AREAS, Area, PatientScope, Standing
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import AuditPorts, caller_actor, scope_actor, write_audit
from chalicelib.errors import Forbidden, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin

_STAFF_ROLES = ("staff", "admin")
READ_ONLY = "Your access to this record is read-only."
PAST_CUTOFF = "Your access to this record no longer includes acting for the patient."


class _Patient(Protocol):
    @property
    def organization_id(self) -> str: ...


class PatientLookup(Protocol):
    """The patient records, as far as the check needs them (chalicelib.patients.stores.Patients
    is one; declared here so that the patients package may use this check without a cycle)."""

    def get(self, patient_id: str) -> _Patient | None: ...


class _Grant(Protocol):
    """A proxy grant, as far as the check needs one (proxies.domain.ProxyGrant)."""

    @property
    def patient_id(self) -> str: ...

    @property
    def organization_id(self) -> str: ...

    @property
    def areas(self) -> Collection[Area]: ...

    def in_force(self, now: datetime) -> bool: ...

    def scope(self, now: datetime) -> PatientScope: ...


class GrantLookup(Protocol):
    """The proxy grants, as far as the check needs them (chalicelib.proxies.stores.ProxyGrants
    is one; declared here because the proxies package builds on this one)."""

    def of_proxy(self, account_id: str) -> Sequence[_Grant]: ...

    def of_patient(self, patient_id: str) -> Sequence[Any]:
        """Every grant for the patient (telling its proxies of something new reads them)."""
        ...


class AccessPorts(AuditPorts, Protocol):
    """What deciding a caller's scope reads (the caller's account, their proxy grants, the
    patient) and audits."""

    @property
    def directory(self) -> Directory: ...

    @property
    def patients(self) -> PatientLookup: ...

    @property
    def proxy_grants(self) -> GrantLookup: ...


def patient_scope(
    ports: AccessPorts, caller: Caller, origin: Origin, patient_id: Any, *, area: Area, acts: bool = False
) -> PatientScope:
    """The caller's view of this patient's record for one area of it, or NotFound (the answer an
    unknown patient gets, so that an id reveals nothing), with the refusal audited.

    In order: staff and admins, a patient of their organization; a patient, their own record
    (known from the session, no read), or one of an organization connected to their account and
    active; then a proxy, under a grant in force now (active, started, not ended) that covers
    ``area``, for a patient who is alive and not merged away. Those first three see the whole
    record; a proxy sees what the grant's scope shows (a cutoff, never sensitive care), and when
    the grant is read-only (or a parent's, from the child's 12th birthday on), may not act: ``acts``
    (sending, cancelling, requesting, signing, checking in, changing release preferences; not
    marking read) is then a 403 that says so.
    """
    if isinstance(patient_id, str) and RECORD_ID.fullmatch(patient_id):
        if caller.role in _STAFF_ROLES:
            patient = ports.patients.get(patient_id)
            if patient is not None and patient.organization_id == caller.organization_id:
                return PatientScope(patient_id, Standing.STAFF, record=patient)
        else:
            if patient_id == caller.patient_id:
                return PatientScope(patient_id, Standing.SELF)
            account = ports.directory.account(caller.account_id)
            if account is not None and any(
                c.patient_id == patient_id and c.status == "active" for c in account.connections
            ):
                return PatientScope(patient_id, Standing.CONNECTION)
            scope = _proxy_scope(ports, caller, patient_id, area)
            if scope is not None:
                if acts and scope.read_only:
                    # A child's 12th birthday ended the parent's acting, whatever the grant's access.
                    past_cutoff = scope.visible_until is not None and ports.clock.now() >= scope.visible_until
                    write_audit(
                        ports,
                        origin,
                        scope_actor(caller, scope),
                        "records.act",
                        Outcome.DENIED,
                        action=Action.EXECUTE,
                        patient_id=patient_id,
                        resource_type="Patient",
                        reason="proxy_past_cutoff" if past_cutoff else "proxy_read_only",
                    )
                    raise Forbidden(PAST_CUTOFF if past_cutoff else READ_ONLY)
                return scope
    staff = caller.role in _STAFF_ROLES
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "patient.read" if staff else "records.read",
        Outcome.DENIED,
        action=Action.READ,
        resource_type="Patient",
        reason="not_found_or_other_organization" if staff else "not_the_callers_patient",
    )
    raise NotFound("No such patient.")


def grants_in_force(ports: AccessPorts, account_id: str) -> list[_Grant]:
    """The account's grants in force now, for any patient and area, newest first."""
    now = ports.clock.now()
    return [g for g in ports.proxy_grants.of_proxy(account_id) if g.in_force(now)]


def _proxy_scope(ports: AccessPorts, caller: Caller, patient_id: str, area: Area) -> PatientScope | None:
    # Read on every call, strongly: a grant revoked or ended a moment ago is no longer honoured,
    # and a grant whose end date passed is over whether or not its timer has run.
    if area not in PROXY_AREAS:
        return None  # the access log and the list of proxies are the patient's own, whatever a grant says
    grants = [g for g in grants_in_force(ports, caller.account_id) if g.patient_id == patient_id and area in g.areas]
    if not grants:
        return None
    patient = ports.patients.get(patient_id)
    if patient is None or getattr(patient, "deceased", False) or getattr(patient, "merged_into", ""):
        # A deceased patient's record is closed to proxies (their estate's access is a records
        # request), and a merged-away one has moved with its grants to the survivor.
        return None
    grants = [g for g in grants if g.organization_id == patient.organization_id]
    if not grants:
        return None
    # Two grants for one patient (a parent's and, later, a trusted person's): the wider one.
    now = ports.clock.now()
    scope = min((g.scope(now) for g in grants), key=lambda s: s.read_only)
    return PatientScope(
        scope.patient_id,
        scope.standing,
        visible_until=scope.visible_until,
        hide_sensitive=scope.hide_sensitive,
        read_only=scope.read_only,
        grant_id=scope.grant_id,
        record=patient,
    )


def readable_areas(ports: AccessPorts, caller: Caller, patient_id: str) -> frozenset[Area]:
    """The areas of this patient's record the caller's scope may cover, decided without writing a
    denial (a collector of the whole record asks each one only of these): every area a proxy may
    have for staff, the patient and their connections (``patient_scope`` still decides each), a
    proxy's grants' areas in force now. Empty when the caller has no standing at all."""
    if not isinstance(patient_id, str) or not RECORD_ID.fullmatch(patient_id):
        return frozenset()
    if caller.role in _STAFF_ROLES or patient_id == caller.patient_id:
        return PROXY_AREAS
    account = ports.directory.account(caller.account_id)
    if account is not None and any(c.patient_id == patient_id and c.status == "active" for c in account.connections):
        return PROXY_AREAS
    areas: set[Area] = set()
    for grant in grants_in_force(ports, caller.account_id):
        if grant.patient_id == patient_id:
            areas.update(grant.areas)
    return frozenset(areas) & PROXY_AREAS
