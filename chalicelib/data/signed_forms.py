"""Signed check-in forms in the records table (data/models.py: SignedFormModel), two copies under
"signed-forms#<patient_id>": one keyed by the visit, form and version (the check-in lists a
visit's), one by the document id (a download finds it, and it is on the by-category index: GET
.../documents lists it beside the chart's documents, records/documents.py). Both are written
with their outbound DocumentReference and their audit event in one transaction, each on
condition it is new: a version signed twice for a visit is refused by the store itself, whatever
two requests race. Nothing is written in the patient's own partition: the API may not write
there (infra/template.yaml, CheckinForms)."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist, PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.access.acting import from_json
from chalicelib.audit.domain import AuditEvent
from chalicelib.checkin.signatures import SignedFormRecord, SignedKey, document_entry
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed, conditional_failure, one_page
from chalicelib.data.models import AuditEventModel, SignedFormModel
from chalicelib.data.outbound import outbound_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.paging import decode_cursor, invalid_cursor
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


def _item(record: SignedFormRecord, key: str, listed_as: str = "") -> SignedFormModel:
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
        category_listed_at=listed_as or None,
        signed_by_proxy=record.acted_by.stored_json() if record.acted_by else None,
        signed_for=record.signed_for or None,
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
        acted_by=from_json(item.signed_by_proxy),
        signed_for=item.signed_for or "",
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

    def documents_page(
        self, patient_id: str, released_by: datetime, limit: int, after: str = "", prefix: str = "document:"
    ) -> tuple[list[StoredResult], str]:
        """The patient's signed forms as documents (checkin/signatures.document_entry), in the
        order and with the cursor of the records store's page of documents (the same index and
        keys): the documents list reads both and merges them. Shown from their signing on."""
        start = decode_cursor(after)
        if start is not None:
            if set(start) != {"category_listed_at", "record_key"} or not start["category_listed_at"]["S"].startswith(
                prefix
            ):
                raise invalid_cursor("cursor")
            start = {"patient_id": {"S": partition(patient_id)}, **start}
        try:
            items = list(
                SignedFormModel.by_category.query(
                    partition(patient_id),
                    range_key_condition=SignedFormModel.category_listed_at.startswith(prefix),
                    filter_condition=SignedFormModel.signed_at <= released_by,
                    scan_index_forward=False,
                    limit=limit + 1,
                    page_size=limit + 1,
                    last_evaluated_key=start,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        shown, cursor = one_page(
            items, limit, lambda last: {"category_listed_at": last.category_listed_at, "record_key": last.record_key}
        )
        return [document_entry(_record(item)) for item in shown], cursor

    def as_document(self, patient_id: str, document_id: str) -> StoredResult | None:
        """One signed form as the patient's document, or None."""
        record = self.document(patient_id, document_id)
        return document_entry(record) if record is not None else None

    def move_forms(self, from_patient: str, to_patient: str) -> int:
        """A merge: each signed form of the merged patient copied under the survivor as it is
        (its visit's id, its document id and its PDF stay: the copied visit keeps its id), so the
        survivor's check-in shows it signed and its documents list it. The merged patient's own
        items stay. Idempotent (each copy on condition it is new). Returns how many were copied."""
        copied = 0
        try:
            for item in SignedFormModel.query(partition(from_patient), consistent_read=True):
                item.patient_id = partition(to_patient)
                item.subject_patient_id = to_patient
                try:
                    item.save(condition=SignedFormModel.record_key.does_not_exist())
                    copied += 1
                except PutError as error:
                    if not conditional_failure(error):
                        raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return copied

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
                # The document copy is listed where ``entry`` would be among the chart's documents.
                for key, listed_as in (
                    (_visit_key(record.appointment_id, record.form_id, record.version), ""),
                    (_document_key(record.document_id), f"{entry.category}#{entry.listed_at}"),
                ):
                    transaction.save(
                        _item(record, key, listed_as), condition=SignedFormModel.record_key.does_not_exist()
                    )
                if event is not None:
                    transaction.save(outbound_item(event))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(ALREADY_SIGNED, [{"field": "form", "issue": "already_signed"}]) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
