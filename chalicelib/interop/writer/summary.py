"""Health-summary entries as US Core resources: an allergy as AllergyIntolerance, a condition as
Condition, an immunization as Immunization.

A stored entry keeps the sender's status codes as text; a code FHIR's value set has is written
with its system, any other is left out (US Core makes clinicalStatus conditional, and a wrong code
would be worse than none). Where US Core requires an element the entry lacks, a data-absent-reason
says so: an allergy's or a condition's code, an immunization's vaccine, date and primarySource
(the feeds do not say whether the immunization was recorded by whoever gave it).
A condition is a problem-list item unless its sender called it an encounter diagnosis or a health
concern, and carries the matching US Core profile.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.profiles import (
    ALLERGY_CLINICAL,
    ALLERGY_VERIFICATION,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    PROFILES,
    US_CORE_CONDITION_CATEGORY,
    us_core,
)
from chalicelib.interop.writer.values import absent, absent_concept, concept, date_time, notes, one_of, profiled, texts
from chalicelib.records.domain import StoredResult


def _status(value: Any, system: str, allowed: tuple[str, ...]) -> dict[str, Any] | None:
    code = one_of(value, allowed)
    return {"coding": [{"system": system, "code": code}]} if code else None


def _onset(value: Any, element: str) -> dict[str, Any]:
    """``<element>DateTime`` when the sender gave a date, else its words as ``<element>String``."""
    text = str(value or "").strip()
    if not text:
        return {}
    written = date_time(text)
    return {f"{element}DateTime": written} if written else {f"{element}String": text}


def allergy_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance",
        "id": entry.result_id,
        **profiled(PROFILES["AllergyIntolerance"]),
    }
    clinical = _status(content.get("clinical_status"), ALLERGY_CLINICAL, ("active", "inactive", "resolved"))
    verification = _status(
        content.get("verification_status"), ALLERGY_VERIFICATION, ("unconfirmed", "confirmed", "refuted")
    )
    if clinical:
        resource["clinicalStatus"] = clinical
    if verification:
        resource["verificationStatus"] = verification
    kind = one_of(content.get("type"), ("allergy", "intolerance"))
    if kind:
        resource["type"] = kind
    categories = [
        c
        for c in (
            one_of(c, ("food", "medication", "environment", "biologic")) for c in texts(content.get("categories"))
        )
        if c
    ]
    if categories:
        resource["category"] = list(dict.fromkeys(categories))
    criticality = one_of(content.get("criticality"), ("low", "high", "unable-to-assess"))
    if criticality:
        resource["criticality"] = criticality
    resource["code"] = concept(content.get("substance")) or absent_concept()
    resource["patient"] = writing.patient()
    resource.update(_onset(content.get("onset"), "onset"))
    recorded = date_time(content.get("recorded_at"))
    if recorded:
        resource["recordedDate"] = recorded
    reactions = []
    for reaction in content.get("reactions") or []:
        manifestations = texts((reaction or {}).get("manifestations"))
        if not manifestations:
            continue
        written: dict[str, Any] = {"manifestation": [{"text": m} for m in manifestations]}
        severity = one_of((reaction or {}).get("severity"), ("mild", "moderate", "severe"))
        if severity:
            written["severity"] = severity
        reactions.append(written)
    if reactions:
        resource["reaction"] = reactions
    if notes(content.get("notes")):
        resource["note"] = notes(content.get("notes"))
    return resource


# The sender's words for a condition's category -> (US Core profile, category coding)
_ENCOUNTER_DIAGNOSIS = (
    "us-core-condition-encounter-diagnosis",
    CONDITION_CATEGORY,
    "encounter-diagnosis",
    "Encounter Diagnosis",
)
_HEALTH_CONCERN = (
    "us-core-condition-problems-health-concerns",
    US_CORE_CONDITION_CATEGORY,
    "health-concern",
    "Health Concern",
)
_PROBLEM = ("us-core-condition-problems-health-concerns", CONDITION_CATEGORY, "problem-list-item", "Problem List Item")


def condition_kind(entry: StoredResult) -> str:
    """``problem-list-item``, ``encounter-diagnosis`` or ``health-concern``."""
    return _condition_kind(entry)[2]


def _condition_kind(entry: StoredResult) -> tuple[str, str, str, str]:
    said = " ".join(texts(entry.content.get("categories"))).lower()
    if "encounter" in said or "diagnosis" in said:
        return _ENCOUNTER_DIAGNOSIS
    if "concern" in said:
        return _HEALTH_CONCERN
    return _PROBLEM


def condition_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    profile, system, code, display = _condition_kind(entry)
    resource: dict[str, Any] = {"resourceType": "Condition", "id": entry.result_id, **profiled(us_core(profile))}
    clinical = _status(
        content.get("clinical_status"),
        CONDITION_CLINICAL,
        ("active", "recurrence", "relapse", "inactive", "remission", "resolved"),
    )
    verification = _status(
        content.get("verification_status"),
        CONDITION_VERIFICATION,
        ("unconfirmed", "provisional", "differential", "confirmed", "refuted"),
    )
    if clinical:
        resource["clinicalStatus"] = clinical
    if verification:
        resource["verificationStatus"] = verification
    resource["category"] = [{"coding": [{"system": system, "code": code, "display": display}]}]
    if content.get("severity"):
        resource["severity"] = {"text": str(content["severity"])}
    resource["code"] = concept(content.get("condition")) or absent_concept()
    resource["subject"] = writing.patient()
    resource.update(_onset(content.get("onset"), "onset"))
    resource.update(_onset(content.get("abated"), "abatement"))
    recorded = date_time(content.get("recorded_at"))
    if recorded:
        resource["recordedDate"] = recorded
    if notes(content.get("notes")):
        resource["note"] = notes(content.get("notes"))
    return resource


def immunization_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    resource: dict[str, Any] = {
        "resourceType": "Immunization",
        "id": entry.result_id,
        **profiled(PROFILES["Immunization"]),
        "status": one_of(content.get("status"), ("completed", "not-done"), "completed"),
        "vaccineCode": concept(content.get("vaccine")) or absent_concept(),
        "patient": writing.patient(),
    }
    occurred = str(content.get("occurred_at") or "").strip()
    if date_time(occurred):
        resource["occurrenceDateTime"] = date_time(occurred)
    elif occurred:
        resource["occurrenceString"] = occurred
    else:
        resource["_occurrenceDateTime"] = absent()
    resource["_primarySource"] = absent()
    if content.get("location"):
        resource["location"] = {"display": str(content["location"])}
    if content.get("lot_number"):
        resource["lotNumber"] = str(content["lot_number"])
    for element, key in (("site", "site"), ("route", "route")):
        if content.get(key):
            resource[element] = {"text": str(content[key])}
    performers = [{"actor": writing.practitioner(name)} for name in texts(content.get("performers"))]
    if performers:
        resource["performer"] = performers
    if notes(content.get("notes")):
        resource["note"] = notes(content.get("notes"))
    return resource
