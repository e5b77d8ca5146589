"""A signed form's record (what the PDF in the signed-documents bucket is, and proves) and what
its storage must do (data/signed_forms.py implements it over DynamoDB)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.kernel.zones import UnknownZone, zone
from chalicelib.outbound.domain import OutboundEvent


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


def document_id_of(patient_id: str, appointment_id: str, form_id: str, version: int) -> str:
    """One document per form version a patient signs for a visit, its id derived from those four:
    a retry of a signing that failed half-way finds the PDF it stored (signing.py), and a second
    signing of the same version meets the first."""
    return hashlib.sha256(f"signed-form|{patient_id}|{appointment_id}|{form_id}|{version}".encode()).hexdigest()[:32]


def object_key_of(document_id: str) -> str:
    return f"signed-forms/{document_id}.pdf"


class SignedForms(Protocol):
    def of_visit(self, patient_id: str, appointment_id: str) -> list[SignedFormRecord]: ...

    def of_patient(self, patient_id: str, limit: int = 200) -> list[SignedFormRecord]:
        """The patient's signed forms, newest first."""
        ...

    def document(self, patient_id: str, document_id: str) -> SignedFormRecord | None: ...

    def add(self, record: SignedFormRecord, event: OutboundEvent | None, audit: AuditEvent | None) -> None:
        """The record (both copies), its outbound DocumentReference and its audit event in one
        transaction; Conflict when the same version was signed for the visit already."""
        ...


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
        "pdf_sha256": record.pdf_sha256,
        "size_bytes": record.size_bytes,
        "appointment_id": record.appointment_id,
    }
    if download_url:
        shown["download_url"] = download_url
    return shown
