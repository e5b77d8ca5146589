"""``patient_scope``: the single check every read or action on one patient's record goes through."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.access.domain import PatientScope, Standing
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin

_STAFF_ROLES = ("staff", "admin")


class _Patient(Protocol):
    @property
    def organization_id(self) -> str: ...


class PatientLookup(Protocol):
    """The patient records, as far as the check needs them (chalicelib.patients.stores.Patients
    is one; declared here so that the patients package may use this check without a cycle)."""

    def get(self, patient_id: str) -> _Patient | None: ...


class AccessPorts(AuditPorts, Protocol):
    """What deciding a caller's scope reads (the caller's account, the patient) and audits."""

    @property
    def directory(self) -> Directory: ...

    @property
    def patients(self) -> PatientLookup: ...


def patient_scope(ports: AccessPorts, caller: Caller, origin: Origin, patient_id: Any) -> PatientScope:
    """The caller's view of this patient's record, or NotFound (the answer an unknown patient
    gets, so that an id reveals nothing), with the refusal audited.

    A patient: their own record (known from the session, no read), or one of an organization
    connected to their account and active. Staff and admins: a patient of their organization.
    """
    if isinstance(patient_id, str) and RECORD_ID.fullmatch(patient_id):
        if caller.role in _STAFF_ROLES:
            patient = ports.patients.get(patient_id)
            if patient is not None and patient.organization_id == caller.organization_id:
                return PatientScope(patient_id, Standing.STAFF, record=patient)
        elif patient_id == caller.patient_id:
            return PatientScope(patient_id, Standing.SELF)
        else:
            account = ports.directory.account(caller.account_id)
            if account is not None and any(
                c.patient_id == patient_id and c.status == "active" for c in account.connections
            ):
                return PatientScope(patient_id, Standing.CONNECTION)
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
