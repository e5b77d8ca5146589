"""Signed check-in forms in the records table (data/models.py: SignedFormModel), two copies under
"signed-forms#<patient_id>": one keyed by the visit, form and version (the check-in lists a
visit's), one by the document id (a download finds it). Both are written with the patient's
document entry (data/records.py: what GET .../documents lists), their outbound
DocumentReference and their audit event in one transaction, each on condition it is new: a
version signed twice for a visit is refused by the store itself, whatever two requests race."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.audit.domain import AuditEvent
from chalicelib.checkin.signatures import SignedFormRecord, SignedKey
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed
from chalicelib.data.models import AuditEventModel, RecordModel, SignedFormModel
from chalicelib.data.outbound import outbound_item
from chalicelib.data.records import record_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.domain import StoredResult

_UNAVAILABLE = "The signed forms store is unavailable."
BATCH = 100  # keys one BatchGetItem takes
ALREADY_SIGNED = "Already signed: this version of the form was signed for this visit."


def partition(patient_id: str) -> str:
    return f"signed-forms#{patient_id}"


def _visit_key(appointment_id: str, form_id: str = "", version: int | None = None) -> str:
    key = f"visit#{appointment_id}#"
    if form_id:
        key += f"{form_id}#"
        if version is not None:
            key += f"{version:06d}"
    return key


def _document_key(document_id: str) -> str:
    return f"document#{document_id}"


def _item(record: SignedFormRecord, key: str) -> SignedFormModel:
    return SignedFormModel(
        partition(record.patient_id),
        key,
        document_id=record.document_id,
        subject_patient_id=record.patient_id,
        organization_id=record.organization_id,
        appointment_id=record.appointment_id,
        form_id=record.form_id,
        title=record.title,
        kind=record.kind,
        version=record.version,
        form_sha256=record.form_sha256,
        signed_at=record.signed_at,
        signed_name=record.signed_name,
        has_drawn_signature=record.has_drawn_signature,
        client_ip=record.client_ip,
        signed_by=record.signed_by,
        time_zone=record.time_zone,
        pdf_sha256=record.pdf_sha256,
        size_bytes=record.size_bytes,
        object_key=record.object_key,
        object_version=record.object_version or None,
        retain_until=record.retain_until,
    )


def _record(item: SignedFormModel) -> SignedFormRecord:
    return SignedFormRecord(
        document_id=item.document_id,
        patient_id=item.subject_patient_id,
        organization_id=item.organization_id,
        appointment_id=item.appointment_id,
        form_id=item.form_id,
        title=item.title,
        kind=item.kind,
        version=int(item.version),
        form_sha256=item.form_sha256,
        signed_at=item.signed_at,
        time_zone=item.time_zone,
        signed_name=item.signed_name,
        has_drawn_signature=bool(item.has_drawn_signature),
        client_ip=item.client_ip,
        signed_by=item.signed_by,
        pdf_sha256=item.pdf_sha256,
        size_bytes=int(item.size_bytes),
        object_key=item.object_key,
        object_version=item.object_version or "",
        retain_until=item.retain_until,
    )


class DynamoSignedForms:
    def of_visit(self, patient_id: str, appointment_id: str) -> list[SignedFormRecord]:
        try:
            items = SignedFormModel.query(
                partition(patient_id), SignedFormModel.record_key.startswith(_visit_key(appointment_id))
            )
            return [_record(item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def of_patient(self, patient_id: str, limit: int = 200) -> list[SignedFormRecord]:
        try:
            items = SignedFormModel.query(
                partition(patient_id), SignedFormModel.record_key.startswith("document#"), limit=limit
            )
            found = [_record(item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return sorted(found, key=lambda r: (r.signed_at, r.document_id), reverse=True)

    def document(self, patient_id: str, document_id: str) -> SignedFormRecord | None:
        try:
            item = SignedFormModel.get(partition(patient_id), _document_key(document_id))
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _record(item)

    def signed_of(self, wanted: list[SignedKey]) -> set[SignedKey]:
        keys = {(partition(p), _visit_key(a, f, v)): (p, a, f, v) for p, a, f, v in wanted}
        found: set[SignedKey] = set()
        listed = list(keys)
        try:
            for start in range(0, len(listed), BATCH):
                for item in SignedFormModel.batch_get(listed[start : start + BATCH]):
                    found.add(keys[(item.patient_id, item.record_key)])
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return found

    def add(
        self, record: SignedFormRecord, entry: StoredResult, event: OutboundEvent | None, audit: AuditEvent | None
    ) -> None:
        try:
            with TransactWrite(connection=SignedFormModel._get_connection().connection) as transaction:
                # As the feeds file a document: the current entry and its version 1, both new.
                for key, listed in (
                    (f"{entry.kind}#{entry.result_id}", True),
                    (f"{entry.kind}#{entry.result_id}#v0001", False),
                ):
                    transaction.save(record_item(entry, key, listed), condition=RecordModel.record_key.does_not_exist())
                for key in (
                    _visit_key(record.appointment_id, record.form_id, record.version),
                    _document_key(record.document_id),
                ):
                    transaction.save(_item(record, key), condition=SignedFormModel.record_key.does_not_exist())
                if event is not None:
                    transaction.save(outbound_item(event))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(ALREADY_SIGNED, [{"field": "form", "issue": "already_signed"}]) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
