"""Every resource of a patient's record, as one reader may see it: ``resources_of``.

The writer's input is what the record collector (records.everything) gathered of what the
reader may see: the patient, their organization, results, documents and health-summary entries
(each a filed item, records.domain.StoredResult). The writer writes all of it and nothing else:
which items a reader may see (released, not withdrawn, within a proxy's cutoff and grant) is the
collector's decision, made with the same views the portal's pages use.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from chalicelib.accounts.domain import Organization
from chalicelib.interop.writer.context import AttachmentUrl, Writing
from chalicelib.interop.writer.documents import document_resource
from chalicelib.interop.writer.ids import fhir_id
from chalicelib.interop.writer.medications import medication_resource
from chalicelib.interop.writer.people import (
    lab_resource,
    organization_resource,
    patient_resource,
    practitioner_resource,
)
from chalicelib.interop.writer.provenance import provenance_resources
from chalicelib.interop.writer.results import result_resources
from chalicelib.interop.writer.summary import allergy_resource, condition_resource, immunization_resource
from chalicelib.interop.writer.visits import appointment_resource, encounter_resource
from chalicelib.interop.writer.vitals import vital_sign_resource
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import StoredResult


class WrittenRecord(Protocol):
    """What the writer reads of a collected record (records.everything.VisibleRecord)."""

    @property
    def patient(self) -> Patient: ...

    @property
    def organization(self) -> Organization: ...

    @property
    def results(self) -> Sequence[StoredResult]: ...

    @property
    def documents(self) -> Sequence[StoredResult]: ...

    @property
    def entries(self) -> Sequence[StoredResult]: ...


_ENTRY_WRITERS = {
    "allergy": allergy_resource,
    "condition": condition_resource,
    "medication": medication_resource,
    "immunization": immunization_resource,
    "visit": encounter_resource,
    "appointment": appointment_resource,
    "vital_sign": vital_sign_resource,
}


def writing_for(record: WrittenRecord, attachment_url: AttachmentUrl | None = None) -> Writing:
    return Writing(
        patient_id=record.patient.patient_id,
        organization_id=fhir_id(record.organization.organization_id, "org"),
        organization_name=record.organization.name,
        attachment_url=attachment_url,
    )


def item_resources(item: StoredResult, writing: Writing, documents: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The resources of one filed item (a result's report and lines; one resource of any other)."""
    if item.kind == "result":
        return result_resources(item, writing)
    if item.kind == "document":
        return [document_resource(item, writing, documents)]
    written = _ENTRY_WRITERS.get(item.kind)
    return [written(item, writing)] if written else []


def resources_of(
    record: WrittenRecord, *, base_url: str, attachment_url: AttachmentUrl | None = None
) -> list[dict[str, Any]]:
    """Every resource of the record: the Patient first, then their organization, the record's
    items (results, documents, health summary), the Practitioners and labs they name, and a
    Provenance per source. ``base_url`` is the FHIR base the references are relative to (kept in
    the signature so that a writer of absolute references needs no other change)."""
    del base_url  # references are relative: Bundles give each entry its absolute fullUrl
    writing = writing_for(record, attachment_url)
    listed = [d.result_id for d in record.documents]
    items: list[tuple[StoredResult, list[dict[str, Any]]]] = [
        (item, item_resources(item, writing, listed))
        for item in (*record.results, *record.documents, *record.entries)
        if not item.withdrawn
    ]
    sources: list[tuple[str, datetime, list[dict[str, Any]]]] = [
        (item.source or "portal", item.filed_at, written) for item, written in items
    ]
    return [
        patient_resource(record.patient, record.organization.organization_id),
        organization_resource(record.organization),
        *(resource for _, written in items for resource in written),
        *(practitioner_resource(i, name) for i, name in sorted(writing.practitioners.items())),
        *(lab_resource(i, name) for i, name in sorted(writing.labs.items())),
        *provenance_resources(sources, writing),
    ]
