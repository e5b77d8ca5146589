"""The CapabilityStatement at ``<base>/metadata``: what the FHIR API serves (each resource type
with its US Core profiles, read and search-type, the US Core searches), and how an app gets a
token (SMART on FHIR, with the oauth-uris extension that SMART clients such as fhirclient read
the authorize and token endpoints from; ``.well-known/smart-configuration`` says the same in
SMART App Launch 2's way)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.interop.writer.profiles import PROFILES, SUPPORTED_PROFILES, US_CORE_SERVER

OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"
SECURITY_SERVICE = "http://terminology.hl7.org/CodeSystem/restful-security-service"
US_CORE_GUIDE = "http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core"
FHIR_VERSION = "4.0.1"
# When this statement last changed (CapabilityStatement.date): its content is the code's, so
# its date is the code's too, not the moment it is served.
STATEMENT_DATE = "2026-12-05"

# Search parameters and their types.
_TYPES = {
    "_id": "token",
    "patient": "reference",
    "category": "token",
    "code": "token",
    "date": "date",
    "type": "token",
    "clinical-status": "token",
    "identifier": "token",
    "name": "string",
    "birthdate": "date",
    "gender": "token",
    "status": "token",
    "intent": "token",
    "authoredon": "date",
    "onset-date": "date",
    "class": "token",
}
# US Core's mandatory searches (and the SHOULD ones the API serves) of each type.
SEARCHES: dict[str, tuple[str, ...]] = {
    "Patient": ("_id", "identifier", "name", "birthdate", "gender"),
    "Observation": ("_id", "patient", "category", "code", "date"),
    "DiagnosticReport": ("_id", "patient", "category", "code", "date"),
    "DocumentReference": ("_id", "patient", "category", "type", "date"),
    "AllergyIntolerance": ("_id", "patient", "clinical-status"),
    "Condition": ("_id", "patient", "category", "clinical-status", "code", "onset-date"),
    "Immunization": ("_id", "patient", "date"),
    "MedicationRequest": ("_id", "patient", "intent", "status", "authoredon"),
    "Encounter": ("_id", "patient", "date", "class", "type"),
    "Appointment": ("_id", "patient", "date", "status"),
    "Practitioner": ("_id",),
    "Organization": ("_id",),
    "Provenance": ("_id",),
}
_FHIR_SEARCH = "http://hl7.org/fhir/SearchParameter/"
_US_CORE_SEARCH = "http://hl7.org/fhir/us/core/SearchParameter/"


def capability_statement(
    base_url: str,
    *,
    authorize_url: str,
    token_url: str,
    revoke_url: str | None = None,
    introspect_url: str | None = None,
    resource_types: Sequence[str] = tuple(PROFILES),
    searches: Mapping[str, Sequence[str]] | None = None,
    software: str = "Patient portal FHIR API",
) -> dict[str, Any]:
    """``resource_types``: those served (apps.domain.RESOURCE_TYPES); ``searches``: the search
    parameters served per type, when they are not ``SEARCHES``'."""
    searches = SEARCHES if searches is None else searches
    uris = [("authorize", authorize_url), ("token", token_url), ("revoke", revoke_url), ("introspect", introspect_url)]
    resources = []
    for resource_type in resource_types:
        described: dict[str, Any] = {"type": resource_type}
        profile = PROFILES.get(resource_type)
        if profile:
            described["profile"] = profile
            described["supportedProfile"] = list(SUPPORTED_PROFILES.get(resource_type, (profile,)))
        described["interaction"] = [{"code": "read"}, {"code": "search-type"}]
        described["searchParam"] = [
            {"name": name, "definition": _definition(resource_type, name), "type": _TYPES[name]}
            for name in searches.get(resource_type, ("_id",))
        ]
        resources.append(described)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STATEMENT_DATE,
        "kind": "instance",
        "instantiates": [US_CORE_SERVER],
        "software": {"name": software},
        "implementation": {"description": software, "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["json", "application/fhir+json"],
        "implementationGuide": [US_CORE_GUIDE],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "extension": [
                        {
                            "url": OAUTH_URIS,
                            "extension": [{"url": name, "valueUri": url} for name, url in uris if url],
                        }
                    ],
                    "cors": True,
                    "service": [
                        {
                            "coding": [{"system": SECURITY_SERVICE, "code": "SMART-on-FHIR"}],
                            "text": "OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)",
                        }
                    ],
                },
                "resource": resources,
            }
        ],
    }


def _definition(resource_type: str, name: str) -> str:
    """US Core's SearchParameter of that name (FHIR's own for ``_id``, as US Core's statement has it)."""
    if name == "_id":
        return f"{_US_CORE_SEARCH}us-core-patient-id" if resource_type == "Patient" else f"{_FHIR_SEARCH}Resource-id"
    return f"{_US_CORE_SEARCH}us-core-{resource_type.lower()}-{name}"
