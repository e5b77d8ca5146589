"""The International Patient Summary (IPS 1.1) of a record: a FHIR document Bundle, its
Composition first, for a SMART Health Link (and any reader that wants one page of a record).

- Sections, each with its LOINC code and a readable narrative: problems (11450-4), allergies
  (48765-2) and medications (10160-0), which IPS requires (an empty one says why: emptyReason
  "unavailable", or "withheld" when the reader may not see that part of the record); then
  immunizations (11369-6), results (30954-2: the reports, their lines with them) and vital signs
  (8716-3), only when the record has some.
- The resources are the writer's US Core ones, each also claiming its IPS profile; the Bundle
  holds the Composition, the Patient and what the sections' entries refer to, nothing more (no
  documents, visits or Provenance: IPS does not summarise them).
- Entries' fullUrls are absolute (``<base>/<Type>/<id>``), so the resources' relative references
  resolve inside the document as on the FHIR API.
- The document's identity and time come from ``now``: the same record at the same moment makes
  the same document.
"""

from __future__ import annotations

import html
import uuid
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any

from chalicelib.interop.writer.bundles import full_url
from chalicelib.interop.writer.profiles import (
    IPS_LAB_RESULT,
    IPS_PROFILES,
    IPS_RADIOLOGY_RESULT,
    LIST_EMPTY_REASON,
    LOINC,
    VITALSIGNS_BASE,
)
from chalicelib.interop.writer.record import WrittenRecord, resources_of
from chalicelib.interop.writer.values import absent, instant, reference

# key -> (LOINC code, title, required by IPS)
SECTIONS = {
    "problems": ("11450-4", "Problem list", True),
    "allergies": ("48765-2", "Allergies and intolerances", True),
    "medications": ("10160-0", "Medication summary", True),
    "immunizations": ("11369-6", "Immunizations", False),
    "results": ("30954-2", "Results", False),
    "vital_signs": ("8716-3", "Vital signs", False),
}
_NAMESPACE = uuid.UUID("5b0f3c4e-5f7a-4a8e-9d0c-2f1e7f6b1c11")  # the portal's IPS documents
_NARRATIVE = '<div xmlns="http://www.w3.org/1999/xhtml">{}</div>'


def _section_of(resource: dict[str, Any]) -> str:
    kind = resource["resourceType"]
    if kind == "Condition":
        codes = [c.get("code") for cat in resource.get("category", []) for c in cat.get("coding", [])]
        return "" if "encounter-diagnosis" in codes else "problems"
    if kind == "Observation":
        codes = [c.get("code") for cat in resource.get("category", []) for c in cat.get("coding", [])]
        return "vital_signs" if "vital-signs" in codes else ""  # a result's lines go with its report
    return {
        "AllergyIntolerance": "allergies",
        "MedicationRequest": "medications",
        "Immunization": "immunizations",
        "DiagnosticReport": "results",
    }.get(kind, "")


def _with_ips_profile(resource: dict[str, Any]) -> dict[str, Any]:
    kind = resource["resourceType"]
    extra = IPS_PROFILES.get(kind)
    if kind == "Observation":
        codes = [c.get("code") for cat in resource.get("category", []) for c in cat.get("coding", [])]
        extra = {"vital-signs": VITALSIGNS_BASE, "imaging": IPS_RADIOLOGY_RESULT, "laboratory": IPS_LAB_RESULT}.get(
            next((c for c in codes if c in ("vital-signs", "imaging", "laboratory")), "")
        )
    if extra is None:
        return resource
    claimed = resource.get("meta", {}).get("profile", [])
    profiles = claimed if extra in claimed else [*claimed, extra]  # the Composition already claims it
    written = {**resource, "meta": {**resource.get("meta", {}), "profile": profiles}}
    if kind == "Patient" and "birthDate" not in written:
        written["_birthDate"] = absent()  # IPS requires a birth date; the record has none
    return written


def _narrative(resources: list[dict[str, Any]]) -> str:
    if not resources:
        return _NARRATIVE.format("<p>No information available.</p>")
    items = "".join(f"<li>{html.escape(_label(r))}</li>" for r in resources)
    return _NARRATIVE.format(f"<ul>{items}</ul>")


def _label(resource: dict[str, Any]) -> str:
    """One line a reader of the summary sees of an entry: what it is, and when."""
    concept: dict[str, Any] = next(
        (
            resource[key]
            for key in ("code", "medicationCodeableConcept", "vaccineCode")
            if isinstance(resource.get(key), dict)
        ),
        {},
    )
    what = concept.get("text") or next((c.get("display") or c.get("code") for c in concept.get("coding", [])), "")
    value = resource.get("valueQuantity")
    if value:
        what += f": {value.get('value')} {value.get('unit', '')}".rstrip()
    when = next(
        (
            resource[key]
            for key in ("effectiveDateTime", "onsetDateTime", "authoredOn", "occurrenceDateTime", "recordedDate")
            if resource.get(key)
        ),
        "",
    )
    status = next((c.get("code") for c in (resource.get("clinicalStatus") or {}).get("coding", [])), "")
    return " · ".join(part for part in (what or "Not named", status, when[:10]) if part)


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value["reference"]
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def ips_document(
    record: WrittenRecord, *, base_url: str, now: datetime, withheld: Collection[str] = ()
) -> dict[str, Any]:
    """``withheld``: the SECTIONS keys the reader may not see (their emptiness then says so)."""
    written = resources_of(record, base_url=base_url)
    by_reference = {f"{r['resourceType']}/{r['id']}": r for r in written}
    patient, organization = written[0], written[1]
    in_section: dict[str, list[dict[str, Any]]] = {key: [] for key in SECTIONS}
    for resource in written:
        key = _section_of(resource)
        if key and key not in withheld:
            in_section[key].append(resource)
    stamp = instant(now)
    document_id = str(uuid.uuid5(_NAMESPACE, f"{patient['id']}|{stamp}"))
    sections = []
    for key, (code, title, required) in SECTIONS.items():
        entries = in_section[key]
        if not entries and not required:
            continue
        section: dict[str, Any] = {
            "title": title,
            "code": {"coding": [{"system": LOINC, "code": code, "display": title}]},
            "text": {"status": "generated", "div": _narrative(entries)},
        }
        if entries:
            section["entry"] = [reference(r["resourceType"], r["id"]) for r in entries]
        else:
            reason = "withheld" if key in withheld else "unavailable"
            section["emptyReason"] = {
                "coding": [{"system": LIST_EMPTY_REASON, "code": reason, "display": reason.title()}]
            }
        sections.append(section)
    composition = {
        "resourceType": "Composition",
        "id": document_id,
        "meta": {"profile": [IPS_PROFILES["Composition"]]},
        "status": "final",
        "type": {"coding": [{"system": LOINC, "code": "60591-5", "display": "Patient summary Document"}]},
        "subject": reference("Patient", patient["id"]),
        "date": stamp,
        "author": [reference("Organization", organization["id"], organization.get("name", ""))],
        "title": f"Patient summary as of {stamp[:10]}",
        "custodian": reference("Organization", organization["id"]),
        "section": sections,
    }
    # The document holds what the Composition refers to, and what those refer to in turn.
    included: dict[str, dict[str, Any]] = {}
    waiting = list(_references(composition))
    while waiting:
        name = waiting.pop()
        if name in included or name not in by_reference:
            continue
        included[name] = by_reference[name]
        waiting.extend(_references(by_reference[name]))
    ordered = [r for r in written if f"{r['resourceType']}/{r['id']}" in included]
    return {
        "resourceType": "Bundle",
        "id": document_id,
        "meta": {"profile": [IPS_PROFILES["Bundle"]]},
        "identifier": {"system": "urn:ietf:rfc:3986", "value": f"urn:uuid:{document_id}"},
        "type": "document",
        "timestamp": stamp,
        "entry": [
            {"fullUrl": full_url(base_url, r), "resource": _with_ips_profile(r)} for r in (composition, *ordered)
        ],
    }
