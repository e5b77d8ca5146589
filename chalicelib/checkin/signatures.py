"""A signed form's record (what the PDF in the signed-documents bucket is, and proves) and what
its storage must do (data/signed_forms.py implements it over DynamoDB)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.acting import ActedBy
from chalicelib.audit.domain import AuditEvent
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.zones import UnknownZone, zone
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.domain import PORTAL_DOCUMENT_TYPES, StoredResult


@dataclass(frozen=True)
class SignedFormRecord:
    document_id: str
    patient_id: str
    organization_id: str
    appointment_id: str
    form_id: str
    title: str
    kind: str
    version: int
    form_sha256: str
    signed_at: datetime
    time_zone: str  # the organization's, which the PDF shows the time in
    signed_name: str
    has_drawn_signature: bool
    client_ip: str
    signed_by: str  # the account that signed: the patient's own, or a proxy's
    pdf_sha256: str
    size_bytes: int
    object_key: str
    object_version: str = ""  # the bucket's version id: what a download names
    retain_until: datetime | None = None
    # Signed by someone acting for the patient, with the patient's name as it was then: what the
    # record says of the signature ("Signed by Luis Rivera (parent) for Emma Rivera").
    acted_by: ActedBy | None = None
    signed_for: str = ""

    @property
    def signature(self) -> str:
        """Who signed, in words: the typed name, or the proxy's for the patient."""
        if self.acted_by is None:
            return f"Signed by {self.signed_name}"
        return f"Signed by {self.signed_name} ({self.acted_by.relationship_words}) for {self.signed_for}"


def document_id_of(patient_id: str, appointment_id: str, form_id: str, version: int) -> str:
    """One document per form version a patient signs for a visit, its id derived from those four:
    a retry of a signing that failed half-way finds the PDF it stored (signing.py), and a second
    signing of the same version meets the first."""
    return hashlib.sha256(f"signed-form|{patient_id}|{appointment_id}|{form_id}|{version}".encode()).hexdigest()[:32]


def object_key_of(document_id: str) -> str:
    return f"signed-forms/{document_id}.pdf"


# (patient_id, appointment_id, form_id, version): one form version signed for one visit.
SignedKey = tuple[str, str, str, int]


class SignedForms(Protocol):
    def of_visit(self, patient_id: str, appointment_id: str) -> list[SignedFormRecord]: ...

    def of_patient(self, patient_id: str, limit: int = 200) -> list[SignedFormRecord]:
        """The patient's signed forms, newest first."""
        ...

    def document(self, patient_id: str, document_id: str) -> SignedFormRecord | None: ...

    def signed_of(self, wanted: list[SignedKey]) -> set[SignedKey]:
        """Which of ``wanted`` (patient, visit, form and version) were signed: batch reads of the
        known keys, never a read per visit."""
        ...

    def add(
        self, record: SignedFormRecord, entry: StoredResult, event: OutboundEvent | None, audit: AuditEvent | None
    ) -> None:
        """The record (both copies), the patient's document ``entry`` (what GET .../documents
        lists), its outbound DocumentReference and its audit event in one transaction; Conflict
        when the same version was signed for the visit already."""
        ...


SIGNED_FORM_TYPE = PORTAL_DOCUMENT_TYPES[0]  # the document type the patient's documents list shows it under


def document_entry(record: SignedFormRecord) -> StoredResult:
    """The signed form as one of the patient's documents (records store, kind "document"): listed,
    shown and downloaded as the feeds' documents are, released at once (the patient signed it)."""
    return StoredResult(
        patient_id=record.patient_id,
        result_id=record.document_id,
        version=1,
        category=f"document:{SIGNED_FORM_TYPE}",
        status="final",
        content_sha256=record.pdf_sha256,
        content={
            "type": SIGNED_FORM_TYPE,
            "title": record.title,
            "authored_at": in_zone(record.signed_at, record.time_zone),
            "author": record.acted_by.for_patient(record.signed_for) if record.acted_by else record.signed_name,
            "content_type": "application/pdf",
            "size": record.size_bytes,
            "sha256": record.pdf_sha256,
            "form_id": record.form_id,
            "form_version": record.version,
            "appointment_id": record.appointment_id,
            "object_version": record.object_version,
        },
        organization_id=record.organization_id,
        source=f"checkin#{record.appointment_id}",
        filed_at=record.signed_at,
        release_at=record.signed_at,
        kind="document",
        object_key=record.object_key,
        listed_at=timed_key(record.signed_at, record.document_id),
    )


def in_zone(moment: datetime, zone_name: str) -> str:
    try:
        return moment.astimezone(zone(zone_name or "UTC")).isoformat(timespec="seconds")
    except UnknownZone:
        return moment.astimezone(zone("UTC")).isoformat(timespec="seconds")


def shown_signed(record: SignedFormRecord, download_url: str = "") -> dict[str, Any]:
    """The contract's SignedForm (with ``download_url`` when one is given)."""
    shown: dict[str, Any] = {
        "document_id": record.document_id,
        "form_id": record.form_id,
        "title": record.title,
        "version": record.version,
        "form_sha256": record.form_sha256,
        "signed_at": in_zone(record.signed_at, record.time_zone),
        "signed_name": record.signed_name,
        "has_drawn_signature": record.has_drawn_signature,
        "signature": record.signature,
        "signed_by": record.acted_by.as_json() if record.acted_by else None,
        "pdf_sha256": record.pdf_sha256,
        "size_bytes": record.size_bytes,
        "appointment_id": record.appointment_id,
    }
    if download_url:
        shown["download_url"] = download_url
    return shown
