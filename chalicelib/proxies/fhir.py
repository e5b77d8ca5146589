"""A proxy grant as FHIR R4 resources, for exchange with the clinical systems: a RelatedPerson
(who acts, and as what: parent, guardian, health-care agent, trusted person) and a Consent (scope
patient-privacy: what that person may see and do, from when to when).

The Consent's base provision permits the RelatedPerson access to the record for the grant's
period. Nested provisions say what the portal enforces beside it:
- one permit per area the grant covers, by the FHIR resource types that area shows;
- a deny of every data item dated from the minor's 12th birthday on (``provision.dataPeriod``
  starting at ``visible_until``), when the grant has that cutoff;
- a deny of whatever carries a sensitivity security label (v3 Confidentiality R and V, and the
  v3 ActCode sensitivity codes for HIV, mental health, substance use, sexual and reproductive
  health, genetic information...): a proxy never sees sensitive care, whatever the grant.

Built as plain JSON and validated with fhir.resources' R4B models through the FHIR writer's
validation (R4B's Consent and RelatedPerson are R4's), imported on first use: it costs about 100 ms, which only the staff
route that exports a grant pays. Pure: no storage, clock or network. It lives with the grants
rather than in interop: appointments use interop and proxy requests use appointments, so interop
reading the grant's domain would close an import cycle between the packages.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from chalicelib.access.domain import Area
from chalicelib.interop.writer.validation import validate
from chalicelib.interop.writer.values import ACCOUNT_SYSTEM as ACCOUNT_SYSTEM
from chalicelib.interop.writer.values import PATIENT_SYSTEM as PATIENT_SYSTEM
from chalicelib.interop.writer.values import instant
from chalicelib.proxies.domain import ROLE_CODES, GrantStatus, ProxyGrant

GRANT_SYSTEM = "urn:patient-portal:proxy-grant"  # the portal's id of a grant (the Consent's identifier)
# The proxy's portal account (the RelatedPerson's identifier) and the portal's id of the record,
# when no MRN names it, are under the FHIR writer's systems (ACCOUNT_SYSTEM, PATIENT_SYSTEM).
ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
SCOPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentscope"
CATEGORY_SYSTEM = "http://loinc.org"
ACTION_SYSTEM = "http://terminology.hl7.org/CodeSystem/consentaction"
ACT_CODE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONFIDENTIALITY_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
RESOURCE_TYPES_SYSTEM = "http://hl7.org/fhir/resource-types"
# The policy the grant is given under (an opaque URI: it names, it does not resolve).
POLICY_URI = "urn:patient-portal:policy:proxy-access"

# The FHIR resource types each area shows.
AREA_RESOURCES: dict[Area, tuple[str, ...]] = {
    Area.RESULTS: ("Observation", "DiagnosticReport"),
    Area.DOCUMENTS: ("DocumentReference",),
    Area.HEALTH_SUMMARY: ("AllergyIntolerance", "Condition", "Immunization"),
    Area.MESSAGES: ("Communication",),
    Area.APPOINTMENTS: ("Appointment",),
    Area.MEDICATIONS: ("MedicationRequest", "MedicationStatement"),
}

# What is never shown to a proxy, as security labels: restricted and very restricted, and the
# sensitivity codes of the categories admins keep code lists for.
SENSITIVE_LABELS: tuple[tuple[str, str, str], ...] = (
    (CONFIDENTIALITY_SYSTEM, "R", "restricted"),
    (CONFIDENTIALITY_SYSTEM, "V", "very restricted"),
    (ACT_CODE_SYSTEM, "HIV", "HIV/AIDS information sensitivity"),
    (ACT_CODE_SYSTEM, "PSY", "psychiatry disorder information sensitivity"),
    (ACT_CODE_SYSTEM, "ETH", "substance abuse information sensitivity"),
    (ACT_CODE_SYSTEM, "SDV", "sexual assault, abuse, or domestic violence information sensitivity"),
    (ACT_CODE_SYSTEM, "SEX", "sexuality and reproductive health information sensitivity"),
    (ACT_CODE_SYSTEM, "GDIS", "genetic disease information sensitivity"),
)

# R4's Consent.status for each grant status.
_CONSENT_STATUS = {
    GrantStatus.INVITED: "proposed",
    GrantStatus.AWAITING_CONSENT: "proposed",
    GrantStatus.ACTIVE: "active",
    GrantStatus.ENDED: "inactive",
    GrantStatus.REVOKED: "inactive",
    GrantStatus.TERMINATED: "inactive",
    GrantStatus.DECLINED: "rejected",
}


def _instant(moment: datetime) -> str:
    return instant(moment)


def _period(start: datetime | None, end: datetime | None) -> dict[str, str]:
    period = {}
    if start is not None:
        period["start"] = _instant(start)
    if end is not None:
        period["end"] = _instant(end)
    return period


def _patient_reference(grant: ProxyGrant, mrn: tuple[str, str] | None) -> dict[str, Any]:
    """The patient by the organization's MRN when there is one (as the clinical systems match
    their own patients), else by the portal's id of the record."""
    system, value = mrn if mrn else (PATIENT_SYSTEM, grant.patient_id)
    return {"type": "Patient", "identifier": {"system": system, "value": value}}


def _end_of(grant: ProxyGrant) -> datetime | None:
    """When the grant stopped or stops: the moment it was ended, else its end date."""
    return grant.ended_at or grant.ends_at


def related_person(grant: ProxyGrant, mrn: tuple[str, str] | None = None) -> dict[str, Any]:
    """The proxy as a RelatedPerson of the patient (never the patient's name: only the proxy's
    own, as they gave it)."""
    code, display = ROLE_CODES[grant.relationship]
    person: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "active": grant.status is GrantStatus.ACTIVE,
        "patient": _patient_reference(grant, mrn),
        "relationship": [
            {
                "coding": [{"system": ROLE_SYSTEM, "code": code, "display": display}],
                "text": grant.relationship.value.replace("_", " "),
            }
        ],
        "period": _period(grant.starts_at, _end_of(grant)),
    }
    if grant.proxy_account_id:
        person["identifier"] = [{"system": ACCOUNT_SYSTEM, "value": grant.proxy_account_id}]
    if grant.proxy_name:
        person["name"] = [{"text": grant.proxy_name}]
    return _validated("relatedperson", "RelatedPerson", person)


def consent(grant: ProxyGrant, actor_reference: str, mrn: tuple[str, str] | None = None) -> dict[str, Any]:
    """The grant as a Consent: ``actor_reference`` is the RelatedPerson's reference (a bundle's
    ``urn:uuid:`` full URL, or ``RelatedPerson/<id>``)."""
    role_code, role_display = ROLE_CODES[grant.relationship]
    actions: list[dict[str, Any]] = [{"coding": [{"system": ACTION_SYSTEM, "code": "access"}]}]
    if grant.access.value == "full":
        actions.append({"coding": [{"system": ACTION_SYSTEM, "code": "use"}], "text": "act for the patient"})
    nested: list[dict[str, Any]] = [
        {
            "type": "permit",
            "class": [
                {"system": RESOURCE_TYPES_SYSTEM, "code": resource}
                for area in sorted(grant.areas, key=lambda a: a.value)
                for resource in AREA_RESOURCES.get(area, ())
            ],
        }
    ]
    if grant.visible_until is not None:
        # What is recorded from the 12th birthday on is the minor's own.
        nested.append({"type": "deny", "dataPeriod": {"start": _instant(grant.visible_until)}})
    nested.append(
        {
            "type": "deny",
            "securityLabel": [{"system": s, "code": c, "display": d} for s, c, d in SENSITIVE_LABELS],
        }
    )
    nested = [provision for provision in nested if provision.get("class", True)]
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "identifier": [{"system": GRANT_SYSTEM, "value": grant.grant_id}],
        "status": _CONSENT_STATUS[grant.status],
        "scope": {"coding": [{"system": SCOPE_SYSTEM, "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": CATEGORY_SYSTEM, "code": "59284-0", "display": "Patient Consent"}]}],
        "patient": _patient_reference(grant, mrn),
        "dateTime": _instant(grant.consented_at or grant.created_at),
        "policy": [{"uri": POLICY_URI}],
        "provision": {
            "type": "permit",
            "period": _period(grant.starts_at, _end_of(grant)),
            "actor": [
                {
                    "role": {"coding": [{"system": ROLE_SYSTEM, "code": role_code, "display": role_display}]},
                    "reference": {"reference": actor_reference},
                }
            ],
            "action": actions,
            "provision": nested,
        },
    }
    return _validated("consent", "Consent", resource)


def grant_bundle(grant: ProxyGrant, mrn: tuple[str, str] | None = None) -> dict[str, Any]:
    """A collection Bundle of the grant's RelatedPerson and Consent, the Consent naming the
    RelatedPerson by its full URL in the bundle. The full URLs are derived from the grant's id, so
    the same grant exports the same URLs."""
    person_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, GRANT_SYSTEM + ':person:' + grant.grant_id)}"
    consent_url = f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, GRANT_SYSTEM + ':consent:' + grant.grant_id)}"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": person_url, "resource": related_person(grant, mrn)},
            {"fullUrl": consent_url, "resource": consent(grant, person_url, mrn)},
        ],
    }
    return _validated("bundle", "Bundle", bundle)


def _validated(module: str, name: str, resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as given, once fhir.resources accepts it (the writer's validation: a
    ValueError if not, a bug here). ``module`` and ``name`` say which model, as the callers name it."""
    if resource.get("resourceType") != name:
        raise ValueError(f"expected a {name} ({module})")
    validate(resource)
    return resource
