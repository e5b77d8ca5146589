"""Records to write as FHIR, for tests: each item filed as the portal files it, read by the real
feed readers from the sample messages (tests/samples), so the writer meets the content shapes
the chart holds, not shapes a test imagined. EXPORT, LINKS and the FHIR API's tests may use them too.

``sample_record()`` is one patient's record of every sample FHIR document and a few HL7 v2
messages: lab panels, a chest X-ray report, vital signs (a blood pressure with its parts), documents
(one with a file), allergies, conditions, medications, an immunization, visits and appointments.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.accounts.domain import Organization
from chalicelib.filing.documents import document_type
from chalicelib.interop.fhir import read_fhir_parts
from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from chalicelib.records.domain import (
    ClinicalEntry,
    ClinicalMessage,
    ResultReport,
    StoredResult,
    report_content,
)
from tests.conftest import PROJECT_DIR

SAMPLES = PROJECT_DIR / "tests" / "samples"
FILED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
PATIENT_ID = "a" * 32
ORGANIZATION = Organization("albany-medical-center", "Albany Medical Center", FILED, mrn_authority="urn:oid:1.2.3.4")
FHIR_SAMPLES = (
    "synthea_Alberto_Atencio.json",
    "uscore_diagnosticreport-metabolic-panel.json",
    "uscore_DiagnosticReport-chest-xray-report.json",
    "uscore_bp-data-absent.json",
    "uscore_observation-cbc-hemoglobin.json",
    "uscore_documentreference-discharge-summary.json",
    "uscore_allergyintolerance-provenance-example1.json",
    "uscore_encounter-1036.json",
    "uscore_medicationrequest-self-tylenol.json",
    "uscore_medicationrequest-contained-oral-axid.json",
    "r4spec_appointment-example.json",
    "r4spec_diagnosticreport-example-bundle101.json",
)
HL7_SAMPLES = (
    "hl7org_ORU_R01_lab-panel_v2.3.1.hl7",
    "nist_ORU_R01_lead-high_v2.5.1.hl7",
    "hl7org_MDM_T02_text-with-line-breaks_v2.3.1.hl7",
    "ms_MDM_T02_ED-pdf-empty_v2.8.hl7",
    "ms_ORU_R01_RP-pointer-PRT_v2.5.1.hl7",
    "elr_ORU_R01_hepC-SN-multiflag_v2.5.1.hl7",
    "hl7org_SIU_S12_new-appointment_v2.3.hl7",
    "nhapi_ADT_A03_discharge_v2.5.hl7",
)


@dataclass
class Record:
    """What records.everything collects, as the writer reads it (interop.writer.WrittenRecord)."""

    patient: Patient
    organization: Organization = ORGANIZATION
    results: list[StoredResult] = field(default_factory=list)
    documents: list[StoredResult] = field(default_factory=list)
    entries: list[StoredResult] = field(default_factory=list)


def a_patient(**changes: Any) -> Patient:
    values: dict[str, Any] = {
        "patient_id": PATIENT_ID,
        "organization_id": ORGANIZATION.organization_id,
        "identifiers": (Identifier("urn:oid:1.2.3.4", "MRN-0042"), Identifier("AMC", "55-12", "PI")),
        "family_name": "Rivera",
        "given_names": ("Ana", "Lucia"),
        "birth_date": "1984-03-09",
        "sex": "female",
        "email": "ana@example.org",
        "portal_status": PortalStatus.ACTIVE,
        "account_id": "b" * 32,
        "created_at": FILED,
    }
    return Patient(**(values | changes))


def item_id(*parts: str) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def stored(kind: str, category: str, content: dict[str, Any], source: str, key: str, **changes: Any) -> StoredResult:
    values: dict[str, Any] = {
        "patient_id": PATIENT_ID,
        "result_id": item_id(kind, source, key),
        "version": 1,
        "category": category,
        "status": str(content.get("status") or "final"),
        "content_sha256": "0" * 64,
        "content": content,
        "organization_id": ORGANIZATION.organization_id,
        "source": source,
        "filed_at": FILED,
        "release_at": FILED,
        "kind": kind,
    }
    return StoredResult(**(values | changes))


def document_content(report: ResultReport) -> dict[str, Any]:
    """As filing.documents keeps a document (its file's digest and size, not its bytes)."""
    files = [o.document for o in report.observations if o.document is not None]
    data = files[0].data if files else b""
    return {
        "title": report.code.display or report.code.code or None,
        "type": document_type(report),
        "code": report.code.content(),
        "status": report.status.value,
        "authored_at": report.collected_at or None,
        "reported_at": report.reported_at or None,
        "author": report.ordering_provider or None,
        "content_type": files[0].content_type if files else "text/plain",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def file_message(record: Record, message: ClinicalMessage, source: str) -> None:
    """Each result, document and entry of the message as the chart keeps it (withdrawn ones left out)."""
    for report in message.results:
        if report.is_document or message.kind == "document":
            content = document_content(report)
            record.documents.append(
                stored("document", f"document:{content['type']}", content, source, report.source_id)
            )
        elif report.status.value != "cancelled":
            content = report_content(report)
            record.results.append(stored("result", report.category.value, content, source, report.source_id))
    for entry in message.entries:
        if not entry.withdrawn:
            record.entries.append(_entry(entry, source))


def _entry(entry: ClinicalEntry, source: str) -> StoredResult:
    content = {k: v for k, v in entry.content.items()}
    return stored(entry.kind, entry.kind, content, source, entry.source_id)


def sample_record(**patient_changes: Any) -> Record:
    record = Record(a_patient(**patient_changes))
    for name in FHIR_SAMPLES:
        for message in read_fhir_parts(json.loads((SAMPLES / "fhir" / name).read_text())).messages:
            file_message(record, message, f"feeds/fhir/{name}")
    for name in HL7_SAMPLES:
        text = (SAMPLES / "hl7v2" / name).read_text().replace("\r\n", "\r").replace("\n", "\r")
        file_message(record, read_hl7(text), f"feeds/hl7/{name}")
    return record


def later(item: StoredResult, hours: int) -> StoredResult:
    return StoredResult(**{**item.__dict__, "filed_at": item.filed_at + timedelta(hours=hours)})
