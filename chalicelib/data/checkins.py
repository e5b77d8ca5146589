"""Check-ins and the organizations' visits by day, in the records table (data/models.py:
CheckInModel, VisitDayModel, VisitDayPointerModel). A change to a check-in is one transaction with
what it sets off (its audit event, the QuestionnaireResponse on the outbound outbox, the item on
staff's worklist), on condition of the version read: two tabs cannot each half-win."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.audit.domain import AuditEvent
from chalicelib.checkin.answered import questionnaire_from_json, questionnaire_json
from chalicelib.checkin.domain import CheckInRecord, DayVisit, RequestedChange
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed, conditional_failure
from chalicelib.data.models import AuditEventModel, CheckInModel, VisitDayModel, VisitDayPointerModel, WorklistItemModel
from chalicelib.data.outbound import outbound_item
from chalicelib.data.worklist import worklist_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.worklist.domain import WorklistItem

# It shares the records table, and so the records store's message when that table cannot be reached.
_UNAVAILABLE = "The health records store is unavailable."
CHANGED = "The check-in changed meanwhile: open it again."
BATCH = 100  # keys one BatchGetItem takes
_ROW_ATTRIBUTES = (
    "appointment_id",
    "subject_patient_id",
    "patient_name",
    "birth_date",
    "starts_at",
    "visit_type",
    "clinicians",
    "status",
)


def checkin_partition(patient_id: str) -> str:
    return f"checkin#{patient_id}"


def day_partition(organization_id: str, day: str) -> str:
    return f"visits#{organization_id}#{day}"


def _record(item: CheckInModel) -> CheckInRecord:
    answers = item.answers
    return CheckInRecord(
        patient_id=item.subject_patient_id,
        appointment_id=item.appointment_id,
        organization_id=item.organization_id,
        confirmed_at=item.confirmed_at,
        change=RequestedChange.from_json(item.change) if item.change else None,
        changes_requested=int(item.changes_requested or 0),
        answers=tuple((str(pair[0]), pair[1]) for pair in answers) if answers is not None else None,
        answered_at=item.answered_at,
        answer_revision=int(item.answer_revision or 0),
        questionnaire_response=item.questionnaire_response,
        completed_at=item.completed_at,
        version=item.version,
        questionnaire=questionnaire_from_json(item.questionnaire),
        completed_forms=tuple((str(f), int(v)) for f, v in item.completed_forms)
        if item.completed_forms is not None
        else None,
    )


def _item(record: CheckInRecord) -> CheckInModel:
    item = CheckInModel(
        checkin_partition(record.patient_id),
        f"visit#{record.appointment_id}",
        appointment_id=record.appointment_id,
        subject_patient_id=record.patient_id,
        organization_id=record.organization_id,
        confirmed_at=record.confirmed_at,
        change=record.change.as_json() if record.change else None,
        changes_requested=record.changes_requested or None,
        answers=[[link_id, value] for link_id, value in record.answers] if record.answers is not None else None,
        answered_at=record.answered_at,
        answer_revision=record.answer_revision or None,
        questionnaire_response=record.questionnaire_response,
        completed_at=record.completed_at,
        questionnaire=questionnaire_json(record.questionnaire) if record.questionnaire else None,
        completed_forms=[[f, v] for f, v in record.completed_forms] if record.completed_forms is not None else None,
    )
    if record.version is not None:  # a new check-in has none: the write is then on condition it is new
        item.version = record.version
    return item


def _visit(item: VisitDayModel) -> DayVisit:
    _, organization_id, day = item.patient_id.split("#", 2)
    return DayVisit(
        organization_id=organization_id,
        day=day,
        appointment_id=item.appointment_id,
        patient_id=item.subject_patient_id,
        patient_name=item.patient_name,
        birth_date=item.birth_date,
        starts_at=item.starts_at,
        type=item.visit_type,
        clinicians=tuple(str(c) for c in item.clinicians or ()),
        status=item.status,
    )


class DynamoCheckIns:
    def get(self, patient_id: str, appointment_id: str) -> CheckInRecord | None:
        try:
            return _record(
                CheckInModel.get(checkin_partition(patient_id), f"visit#{appointment_id}", consistent_read=True)
            )
        except CheckInModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def many(self, visits: list[tuple[str, str]]) -> dict[str, CheckInRecord]:
        keys = list(dict.fromkeys((checkin_partition(p), f"visit#{a}") for p, a in visits))
        found: dict[str, CheckInRecord] = {}
        try:
            for start in range(0, len(keys), BATCH):
                for item in CheckInModel.batch_get(keys[start : start + BATCH]):
                    found[item.appointment_id] = _record(item)
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return found

    def completed(self, patient_id: str, appointment_ids: list[str]) -> dict[str, datetime]:
        found = self.many([(patient_id, appointment_id) for appointment_id in appointment_ids])
        return {aid: record.completed_at for aid, record in found.items() if record.completed_at is not None}

    def save(
        self,
        record: CheckInRecord,
        audit: AuditEvent,
        *,
        event: OutboundEvent | None = None,
        to_staff: WorklistItem | None = None,
    ) -> CheckInRecord:
        item = _item(record)
        try:
            with TransactWrite(connection=CheckInModel._get_connection().connection) as transaction:
                # The version attribute makes the condition: new (no version read) or unchanged.
                transaction.save(item)
                if event is not None:
                    transaction.save(outbound_item(event))
                if to_staff is not None:
                    transaction.save(worklist_item(to_staff), condition=WorklistItemModel.record_key.does_not_exist())
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CHANGED, [{"field": "appointment", "issue": "changed"}]) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _record(item)

    def file_visit(self, visit: DayVisit) -> None:
        where = day_partition(visit.organization_id, visit.day)
        key = f"visit#{visit.appointment_id}"
        row = VisitDayModel(
            where,
            key,
            appointment_id=visit.appointment_id,
            subject_patient_id=visit.patient_id,
            patient_name=visit.patient_name,
            birth_date=visit.birth_date,
            starts_at=visit.starts_at,
            visit_type=visit.type,
            clinicians=list(visit.clinicians),
            status=visit.status,
        )
        pointer = VisitDayPointerModel(
            checkin_partition(visit.patient_id), f"day#{visit.appointment_id}", day_partition=where
        )
        try:
            before = self._pointer(visit.patient_id, visit.appointment_id)
            with TransactWrite(connection=VisitDayModel._get_connection().connection) as transaction:
                transaction.save(row)
                transaction.save(pointer)
                if before and before != where:
                    # Off the old day's list: marked moved, not deleted (nothing deletes from the
                    # records table), and left out when that day is read.
                    left = VisitDayModel(before, key, **{a: getattr(row, a) for a in _ROW_ATTRIBUTES})
                    left.moved_to = where
                    transaction.save(left)
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def _pointer(self, patient_id: str, appointment_id: str) -> str:
        try:
            found = VisitDayPointerModel.get(
                checkin_partition(patient_id), f"day#{appointment_id}", consistent_read=True
            )
        except VisitDayPointerModel.DoesNotExist:
            return ""
        return found.day_partition

    def day(self, organization_id: str, day: str) -> list[DayVisit]:
        try:
            rows = VisitDayModel.query(day_partition(organization_id, day))
            return [_visit(item) for item in rows if item.moved_to is None]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def move_check_ins(self, from_patient: str, to_patient: str) -> int:
        """A merge: the merged patient's check-ins and day pointers copied under the survivor (the
        copied visits keep their ids), and each visit's row on its day's list pointed at the
        survivor, so staff's day list and the survivor's check-in show what the patient already
        confirmed and answered. The merged patient's own items stay. Idempotent: each copy on
        condition it is new, each row changed only while it still names the merged patient.
        Returns how many check-ins were copied."""
        copied = 0
        try:
            for item in CheckInModel.query(
                checkin_partition(from_patient), CheckInModel.record_key.startswith("visit#"), consistent_read=True
            ):
                item.patient_id = checkin_partition(to_patient)
                item.subject_patient_id = to_patient
                # A new item under the survivor: without a version its write is on condition it is new.
                item.attribute_values.pop("version", None)
                if _saved_if_new(item, CheckInModel.record_key.does_not_exist()):
                    copied += 1
            for pointer in VisitDayPointerModel.query(
                checkin_partition(from_patient),
                VisitDayPointerModel.record_key.startswith("day#"),
                consistent_read=True,
            ):
                moved = VisitDayPointerModel(
                    checkin_partition(to_patient), pointer.record_key, day_partition=pointer.day_partition
                )
                _saved_if_new(moved, VisitDayPointerModel.record_key.does_not_exist())
                row = VisitDayModel(pointer.day_partition, f"visit#{pointer.record_key.removeprefix('day#')}")
                try:
                    row.update(
                        actions=[VisitDayModel.subject_patient_id.set(to_patient)],
                        condition=VisitDayModel.subject_patient_id == from_patient,
                    )
                except UpdateError as error:
                    if not conditional_failure(error):  # (a row another patient's, or moved already)
                        raise
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return copied


def _saved_if_new(item: CheckInModel | VisitDayPointerModel, condition) -> bool:
    try:
        item.save(condition=condition)
    except PutError as error:
        if not conditional_failure(error):
            raise
        return False
    return True
