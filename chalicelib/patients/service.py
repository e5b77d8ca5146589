"""Registering a patient by staff, finding one within the caller's organization, and the
portal access of a patient (suspend, reinstate, terminate, unlock).

Every patient a staff member reaches is in their own organization: any other answers 404, as an
unknown one does, so that an id tells nothing about another organization's patients. Every read
of a patient record is audited.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import GrantLookup, patient_scope
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import NotFound, Problems, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.contract import EMAIL_PATTERN
from chalicelib.kernel.origin import Origin
from chalicelib.patients.contract import PatientRegistration, PatientSearch
from chalicelib.patients.domain import (
    Patient,
    PortalStatus,
    fold_name,
    identifier,
    is_sensitive,
    parse_birth_date,
    universal_id,
)
from chalicelib.patients.stores import Patients

_EMAIL = re.compile(EMAIL_PATTERN)


class RegistryPorts(AuditPorts, Protocol):
    """Registering and finding patients: the patients, the organization's identifier authority
    (the directory), and the audit trail."""

    @property
    def patients(self) -> Patients: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def proxy_grants(self) -> GrantLookup: ...  # the one check reads them (staff never reach them)


def email_address(value: Any, field: str = "email") -> str:
    if not isinstance(value, str) or not _EMAIL.match(value.strip()):
        raise ValidationFailed("That is not an email address.", [{"field": field}])
    return value.strip()


def register(
    ports: RegistryPorts, caller: Caller, origin: Origin, request: PatientRegistration, now: datetime
) -> dict[str, Any]:
    """POST /v1/staff/patients: a patient the feeds have not (yet) sent. (The request model bounds
    the identifiers at 10: the claims go in one DynamoDB transaction, and real records have a handful.)"""
    # Every field is checked before anything is refused, so staff fix the form in one go.
    problems = Problems()
    identifiers = []
    if request.mrn is not None:
        authority = problems.gather(_mrn_authority, ports, caller)
        if authority:
            identifiers.append(identifier(authority, request.mrn))  # its form checked by the request model
    for index, entry in enumerate(request.identifiers or []):
        at = f"identifiers.{index}"
        candidate = problems.gather(identifier, entry.authority, entry.value, entry.type, prefix=f"{at}.")
        if candidate is None:
            continue
        if is_sensitive(candidate.authority, candidate.type):
            # Never kept (patients.domain.SENSITIVE_TYPES); the message names the rule, not the value.
            problems.add(
                at,
                "a social security, driver's licence or passport number",
                "The portal does not keep social security, driver's licence or passport numbers: "
                "identify the patient by a record number.",
            )
        elif any((i.authority, i.value) == (candidate.authority, candidate.value) for i in identifiers):
            problems.add(at, "the same identifier is given twice", "The same identifier is given twice.")
        else:
            identifiers.append(candidate)
    if not identifiers and not problems:
        problems.add(
            "mrn",
            "required, or identifiers with their authority",
            "A patient needs an identifier: mrn, or identifiers with their authority.",
        )
    birth_date = problems.gather(parse_birth_date, request.birth_date.isoformat(), now.date())
    problems.raise_if_any()
    assert birth_date is not None  # or a problem was raised
    patient = Patient(
        patient_id=uuid.uuid4().hex,
        organization_id=caller.organization_id,
        identifiers=tuple(identifiers),
        family_name=request.family_name,
        given_names=tuple(request.given_names or ()),
        birth_date=birth_date,
        sex=request.sex,
        email=request.email or "",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=now,
    )
    ports.patients.add(patient)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "patient.registered",
        action=Action.CREATE,
        patient_id=patient.patient_id,
        resource_type="Patient",
        resource_id=patient.patient_id,
    )
    return {"patient_id": patient.patient_id, "portal_status": patient.portal_status.value}


def _mrn_authority(ports: RegistryPorts, caller: Caller) -> str:
    organization = ports.directory.organization(caller.organization_id)
    if organization is None or not organization.mrn_authority:
        raise ValidationFailed(
            "This organization has no medical record number authority; give identifiers.",
            [{"field": "mrn", "issue": "this organization has no record number authority: give identifiers"}],
        )
    return organization.mrn_authority


def find(ports: RegistryPorts, caller: Caller, origin: Origin, patient_id: Any = None, mrn: Any = None) -> Patient:
    """A patient of the caller's organization, by id or medical record number; 404 otherwise."""
    patient: Patient | None = None
    if patient_id not in (None, "") and mrn not in (None, ""):
        raise ValidationFailed("Give patient_id or mrn, not both.", [{"field": "patient_id"}, {"field": "mrn"}])
    if mrn not in (None, "") and not isinstance(mrn, str):
        raise ValidationFailed("mrn is text.", [{"field": "mrn"}])
    if patient_id in (None, "") and mrn in (None, ""):  # a query's empty or absent parameter too
        raise ValidationFailed("Give patient_id or mrn.", [{"field": "patient_id"}])
    if patient_id not in (None, ""):
        # By id: the one access check decides (and audits a refusal), reading the record as it does.
        scope = patient_scope(ports, caller, origin, patient_id, area=Area.PROXIES)
        patient = scope.record if isinstance(scope.record, Patient) else ports.patients.get(scope.patient_id)
        if patient is None:
            raise NotFound("No such patient.")
        return patient
    if isinstance(mrn, str) and mrn:
        patient = ports.patients.by_identifier(caller.organization_id, identifier(_mrn_authority(ports, caller), mrn))
    if patient is None or patient.organization_id != caller.organization_id:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "patient.read",
            Outcome.DENIED,
            action=Action.READ,
            resource_type="Patient",
            reason="not_found_or_other_organization",
        )
        raise NotFound("No such patient.")
    return patient


def summary(patient: Patient) -> dict[str, Any]:
    return {
        "patient_id": patient.patient_id,
        "organization_id": patient.organization_id,
        # (A record filed before sensitive identifiers were dropped on reading may still hold one.)
        "identifiers": [
            {"authority": i.authority, "value": i.value, "type": i.type}
            for i in patient.identifiers
            if not is_sensitive(i.authority, i.type)
        ],
        "family_name": patient.family_name,
        "given_names": list(patient.given_names),
        "birth_date": patient.birth_date or None,
        "sex": patient.sex or None,
        "deceased": patient.deceased,
        "deceased_on": patient.deceased_on or None,
    }


SEARCH_LIMIT = 10  # a short list a person reads; narrow the search for more
_BORN_ON_READ = 200  # patients born on one day an organization reads to compare names


def search(
    ports: RegistryPorts, caller: Caller, origin: Origin, request: PatientSearch, now: datetime
) -> dict[str, Any]:
    """POST /v1/staff/patients/search: the caller's organization's patients by its record number,
    by any identifier (authority and value), or by family name and birth date (up to
    SEARCH_LIMIT). Every patient listed is a read of their record, audited on their trail; a search
    that finds none is audited on the caller's."""
    forms = [
        request.mrn is not None,
        request.identifier is not None,
        request.family_name is not None or request.birth_date is not None,
    ]
    if sum(forms) != 1:
        raise ValidationFailed(
            "Search by one of: mrn; identifier (authority and value); family_name with birth_date.",
            [{"field": "mrn"}, {"field": "identifier"}, {"field": "family_name"}],
        )
    truncated = False
    if request.mrn is not None:
        found = ports.patients.by_identifier(
            caller.organization_id, identifier(_mrn_authority(ports, caller), request.mrn)
        )
        patients = [found] if found else []
    elif request.identifier is not None:
        authority = universal_id(request.identifier.authority) or request.identifier.authority.strip()
        found = ports.patients.by_identifier(caller.organization_id, identifier(authority, request.identifier.value))
        patients = [found] if found else []
    else:
        if not request.family_name or request.birth_date is None:
            missing = "birth_date" if request.family_name else "family_name"
            raise ValidationFailed("A search by name needs the family name and the birth date.", [{"field": missing}])
        wanted = fold_name(request.family_name)
        born = ports.patients.born_on(caller.organization_id, request.birth_date.isoformat(), _BORN_ON_READ)
        patients = sorted(
            (p for p in born if fold_name(p.family_name) == wanted and not p.merged_into),
            key=lambda p: (fold_name(" ".join(p.given_names)), p.patient_id),
        )
        truncated = len(patients) > SEARCH_LIMIT or len(born) >= _BORN_ON_READ
        patients = patients[:SEARCH_LIMIT]
    # A record merged into another answers as the survivor (the one staff should open).
    shown: list[Patient] = []
    for listed in patients:
        current: Patient | None = listed
        while current is not None and current.merged_into:
            current = ports.patients.get(current.merged_into)
        if current is not None and current.organization_id == caller.organization_id and current not in shown:
            shown.append(current)
    form = "mrn" if forms[0] else "identifier" if forms[1] else "name_and_birth_date"
    for patient in shown:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "patient.search",
            action=Action.READ,
            patient_id=patient.patient_id,
            resource_type="Patient",
            resource_id=patient.patient_id,
            reason=form,
        )
    if not shown:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "patient.search",
            action=Action.READ,
            resource_type="Patient",
            reason=f"{form}:none",
        )
    return {
        "patients": [
            {"patient": summary(p), "portal_status": p.shown_status(int(now.timestamp())).value} for p in shown
        ],
        "truncated": truncated,
    }
