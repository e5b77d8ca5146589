"""Patient, Organization and Practitioner: who the record is about, the organization that holds
it, and the clinicians and labs it names.

US Core's mandatory elements and where the portal lacks them:
- Patient: identifier (each of the record's identifiers, and the portal's own id), name (a
  data-absent-reason when the feed gave none), gender ("unknown" when not sent);
- Organization: active and name;
- Practitioner: identifier and name. The feeds name a clinician by text only ("Sharon J Rawlings
  MD"), so the identifier is the portal's (the digest of the name) and the name is its text with
  the family name marked unknown (the text's order of parts differs by sender: no guess is made).
"""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.domain import Organization
from chalicelib.interop.writer.ids import fhir_id
from chalicelib.interop.writer.profiles import IDENTIFIER_TYPE, PROFILES
from chalicelib.interop.writer.values import (
    ORGANIZATION_SYSTEM,
    PATIENT_SYSTEM,
    PRACTITIONER_SYSTEM,
    absent,
    authority_system,
    date_time,
    profiled,
    reference,
)
from chalicelib.patients.domain import SEXES, Patient

# HL7 table 0203's identifier types, as FHIR's identifier-type value set codes them.
_TYPE_NAMES = {"MR": "Medical record number", "PI": "Patient internal identifier", "AN": "Account number"}


def patient_resource(patient: Patient, organization_id: str) -> dict[str, Any]:
    identifiers: list[dict[str, Any]] = [{"system": PATIENT_SYSTEM, "value": patient.patient_id}]
    for kept in patient.identifiers:
        identifier: dict[str, Any] = {"system": authority_system(kept.authority), "value": kept.value}
        if kept.type:
            kind: dict[str, Any] = {"system": IDENTIFIER_TYPE, "code": kept.type}
            if kept.type in _TYPE_NAMES:
                kind["display"] = _TYPE_NAMES[kept.type]
            identifier["type"] = {"coding": [kind]}
        if kept.type == "MR":
            identifier["use"] = "usual"
        identifiers.append(identifier)
    name: dict[str, Any] = {"use": "official"}
    if patient.family_name.strip():
        name["family"] = patient.family_name.strip()
    given = [g.strip() for g in patient.given_names if g.strip()]
    if given:
        name["given"] = given
    if len(name) == 1:
        name["extension"] = absent()["extension"]
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient.patient_id,
        **profiled(PROFILES["Patient"]),
        "identifier": identifiers,
        "active": True,
        "name": [name],
        "gender": patient.sex if patient.sex in SEXES else "unknown",
    }
    if patient.email:
        resource["telecom"] = [{"system": "email", "value": patient.email, "use": "home"}]
    birth_date = date_time(patient.birth_date)
    if birth_date:
        resource["birthDate"] = birth_date
    if patient.deceased:
        deceased_on = date_time(patient.deceased_on)
        resource.update({"deceasedDateTime": deceased_on} if deceased_on else {"deceasedBoolean": True})
    resource["managingOrganization"] = reference("Organization", fhir_id(organization_id, "org"))
    return resource


def organization_resource(organization: Organization) -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "id": fhir_id(organization.organization_id, "org"),
        **profiled(PROFILES["Organization"]),
        "identifier": [{"system": ORGANIZATION_SYSTEM, "value": organization.organization_id}],
        "active": True,
        "name": organization.name or organization.organization_id,
    }


def lab_resource(lab_id: str, name: str) -> dict[str, Any]:
    """A performing lab known by its name as the result gave it."""
    return {
        "resourceType": "Organization",
        "id": lab_id,
        **profiled(PROFILES["Organization"]),
        "identifier": [{"system": ORGANIZATION_SYSTEM, "value": lab_id}],
        "active": True,
        "name": name,
    }


def practitioner_resource(practitioner_id: str, name: str) -> dict[str, Any]:
    return {
        "resourceType": "Practitioner",
        "id": practitioner_id,
        **profiled(PROFILES["Practitioner"]),
        "identifier": [{"system": PRACTITIONER_SYSTEM, "value": practitioner_id}],
        "name": [{"text": name, "_family": absent()}],
    }
