"""``read_fhir``: a FHIR R4 document (one resource or a Bundle) read into one ClinicalMessage per
patient it is about.

The walk is in a fixed order: Patients first (the charts), then every DiagnosticReport and
Observation is validated, reports are read with the Observations they list, the Observations no
report lists become results of their own, then DocumentReferences and the rest of the record.
Resource types the portal does not file yet are counted in ``extra["ignored"]``, by their FHIR
name only, so the sender can be told; a document with nothing the portal files is Unreadable.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.fhir.bundle import RESOURCE_TYPES, Entry
from chalicelib.interop.fhir.document import Document
from chalicelib.interop.fhir.entries import ENTRY_TYPES, read_entry
from chalicelib.interop.fhir.patients import read_patient
from chalicelib.interop.fhir.results import read_document, read_report, read_standalone
from chalicelib.records.domain import ClinicalMessage, Unreadable


def read_fhir(document: dict[str, Any]) -> list[ClinicalMessage]:
    """One ClinicalMessage per patient the document is about, from a FHIR R4 resource or Bundle.

    Raises Unreadable when the document is not FHIR, a resource used fails validation, a Patient
    has no identifier with a system, a result's subject is not a Patient in the document, or the
    document holds nothing the portal files."""
    doc = Document(document)
    reports: list[Entry] = []
    observations: list[Entry] = []
    documents: list[Entry] = []
    others: list[Entry] = []
    for entry in doc.entries:
        if entry.type == "Patient":
            doc.validate(entry.resource, entry.label)
            doc.patients[id(entry)] = read_patient(entry)
        elif entry.type == "DiagnosticReport":
            reports.append(entry)
        elif entry.type == "Observation":
            observations.append(entry)
        elif entry.type == "DocumentReference":
            documents.append(entry)
        elif entry.type in ENTRY_TYPES:
            others.append(entry)
        elif not (entry.type == "MessageHeader" and entry.position == 0):
            doc.ignored[entry.type if entry.type in RESOURCE_TYPES else "unknown"] += 1
    if not doc.patients and not reports and not observations and not documents and not others:
        held = ", ".join(f"{name} x{count}" for name, count in sorted(doc.ignored.items())) or "no resources"
        raise Unreadable(
            "The document holds nothing the portal files (it holds "
            f"{held}): Patient, DiagnosticReport, Observation, DocumentReference, "
            f"{', '.join(ENTRY_TYPES)}."
        )

    for entry in reports + observations:
        doc.validate(entry.resource, entry.label)
    # Observations a report (or a panel Observation) lists are read as part of it; the others
    # are results of their own.
    listed = {
        id(member.resource)
        for entry in reports + observations
        for member in doc.listed(entry)
        if member.resource is not entry.resource
    }
    for entry in reports:
        patient = doc.subject(entry)
        found = read_report(doc, entry, patient)
        patient.results.extend([found.report] if found.report else [])
        patient.entries.extend(found.vital_signs)  # vital signs are the health summary's
    for entry in observations:
        if id(entry.resource) not in listed:
            patient = doc.subject(entry)
            found = read_standalone(doc, entry, patient)
            patient.results.extend([found.report] if found.report else [])
            patient.entries.extend(found.vital_signs)
    for entry in observations:
        if id(entry.resource) not in doc.included:  # listed only by panels that list each other
            raise Unreadable(
                f"Observation{entry.where} is only listed by Observations that list each other "
                "(a hasMember cycle): it belongs to no result."
            )

    for entry in documents:
        doc.validate(entry.resource, entry.label)
        patient = doc.subject(entry)
        patient.results.append(read_document(doc, entry))
    for entry in others:
        doc.validate(entry.resource, entry.label)
        kind, element = ENTRY_TYPES[entry.type]
        patient = doc.subject(entry, element)
        patient.entries.append(read_entry(doc, entry, kind))

    messages = []
    for record in [*doc.patients.values(), *doc.referred.values()]:
        extra: dict[str, Any] = {"ignored": dict(doc.ignored), "unresolved_references": len(doc.unresolved)}
        if record.unusable_identifiers:
            extra["unusable_identifiers"] = record.unusable_identifiers
        kind = "results" if record.results else "records" if record.entries else "demographics"
        messages.append(
            ClinicalMessage(
                kind=kind,
                patient=record.facts,
                results=tuple(record.results),
                entries=tuple(record.entries),
                event=doc.event,
                extra=extra,
            )
        )
    return messages
