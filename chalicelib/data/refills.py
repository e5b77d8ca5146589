"""Refill requests in DynamoDB (data/models.py: RefillRequestModel and RefillPendingModel in the
records table). Every change is one transaction with what it sets off: the outbound FHIR Task
(data.outbound.outbound_item) and, for a decision, the patient's notice (data.outbox.outbox_item).
So a request is never kept without its Task, nor a Task sent for a request that was not kept."""

from __future__ import annotations

import dataclasses

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.access.acting import from_json
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed, by_time_page, conditional_failure
from chalicelib.data.models import AuditEventModel, RefillPendingModel, RefillRequestModel
from chalicelib.data.outbound import outbound_item
from chalicelib.data.outbox import outbox_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import moment_key, timed_key
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.outbox import OutboxEntry
from chalicelib.refills.domain import DECIDED, PENDING, MedicationDetail, Pharmacy, RefillRequest, Status

_UNAVAILABLE = "The refill requests store is unavailable."


def patient_partition(patient_id: str) -> str:
    return f"refills#{patient_id}"


def queue_partition(organization_id: str) -> str:
    return f"refill-queue#{organization_id}"


def _queue_position(request: RefillRequest) -> str:
    """Waiting ones by when they were asked, decided ones by when they were decided: each status
    is a contiguous run of the partition's by-time index."""
    moment = request.decided_at if request.decided_at is not None else request.requested_at
    return f"{request.status.value}#{moment_key(moment)}#{request.request_id}"


def _items(request: RefillRequest) -> tuple[RefillRequestModel, RefillRequestModel]:
    detail = request.detail or MedicationDetail()

    def item(partition: str, listed_at: str, queued: bool) -> RefillRequestModel:
        return RefillRequestModel(
            partition,
            f"request#{request.request_id}",
            listed_at=listed_at,
            request_id=request.request_id,
            subject_patient_id=request.patient_id,
            organization_id=request.organization_id,
            medication_id=request.medication_id,
            medication_name=request.medication_name,
            pharmacy={
                "name": request.pharmacy.name,
                "phone": request.pharmacy.phone,
                "address": request.pharmacy.address,
            },
            note=request.note or None,
            status=request.status.value,
            requested_at=request.requested_at,
            requested_by=request.requested_by,
            requested_by_proxy=request.acted_by.stored_json() if request.acted_by else None,
            decided_at=request.decided_at,
            decided_by=request.decided_by or None,
            decided_by_name=request.decided_by_name or None,
            decision_reason=request.decision_reason or None,
            subject={"system": request.subject_system, "value": request.subject_value}
            if request.subject_value
            else None,
            patient={"name": request.patient_name, "birth_date": request.patient_birth_date} if queued else None,
            medication_detail={
                "dosage": list(detail.dosage),
                "prescriber": detail.prescriber,
                "refills_allowed": detail.refills_allowed,
                "expires_on": detail.expires_on,
            }
            if queued
            else None,
        )

    return (
        item(patient_partition(request.patient_id), timed_key(request.requested_at, request.request_id), False),
        item(queue_partition(request.organization_id), _queue_position(request), True),
    )


def _request(item: RefillRequestModel) -> RefillRequest:
    pharmacy = dict(item.pharmacy or {})
    subject = dict(item.subject or {})
    patient = dict(item.patient or {})
    detail = dict(item.medication_detail) if item.medication_detail is not None else None
    refills = detail.get("refills_allowed") if detail else None
    return RefillRequest(
        request_id=item.request_id,
        patient_id=item.subject_patient_id,
        organization_id=item.organization_id,
        medication_id=item.medication_id,
        medication_name=item.medication_name,
        pharmacy=Pharmacy(str(pharmacy.get("name") or ""), pharmacy.get("phone") or "", pharmacy.get("address") or ""),
        note=item.note or "",
        status=Status(item.status),
        requested_at=item.requested_at,
        requested_by=item.requested_by,
        acted_by=from_json(item.requested_by_proxy),
        decided_at=item.decided_at,
        decided_by=item.decided_by or "",
        decided_by_name=item.decided_by_name or "",
        decision_reason=item.decision_reason or "",
        subject_system=str(subject.get("system") or ""),
        subject_value=str(subject.get("value") or ""),
        patient_name=str(patient.get("name") or ""),
        patient_birth_date=str(patient.get("birth_date") or ""),
        detail=MedicationDetail(
            dosage=tuple(str(d) for d in detail.get("dosage") or ()),
            prescriber=str(detail.get("prescriber") or ""),
            refills_allowed=refills if isinstance(refills, int) else None,
            expires_on=str(detail.get("expires_on") or ""),
        )
        if detail is not None
        else None,
    )


def _pending_key(medication_id: str) -> str:
    return f"pending#{medication_id}"


class DynamoRefills:
    def add(self, request: RefillRequest, event: OutboundEvent, audit: AuditEvent | None = None) -> None:
        mine, queued = _items(request)
        mark = RefillPendingModel(
            patient_partition(request.patient_id), _pending_key(request.medication_id), request_id=request.request_id
        )
        try:
            with TransactWrite(connection=RefillRequestModel._get_connection().connection) as transaction:
                transaction.save(
                    mark,
                    condition=RefillPendingModel.record_key.does_not_exist()
                    | RefillPendingModel.request_id.does_not_exist(),
                )
                transaction.save(mine, condition=RefillRequestModel.record_key.does_not_exist())
                transaction.save(queued, condition=RefillRequestModel.record_key.does_not_exist())
                transaction.save(outbound_item(event))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(PENDING) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def pending(self, patient_id: str) -> dict[str, str]:
        try:
            marks = RefillPendingModel.query(
                patient_partition(patient_id),
                RefillPendingModel.record_key.startswith("pending#"),
                consistent_read=True,
            )
            return {mark.record_key.partition("#")[2]: mark.request_id for mark in marks if mark.request_id}
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def _get(self, partition: str, request_id: str) -> RefillRequest | None:
        try:
            return _request(RefillRequestModel.get(partition, f"request#{request_id}", consistent_read=True))
        except RefillRequestModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def of_patient(self, patient_id: str, request_id: str) -> RefillRequest | None:
        return self._get(patient_partition(patient_id), request_id)

    def of_organization(self, organization_id: str, request_id: str) -> RefillRequest | None:
        return self._get(queue_partition(organization_id), request_id)

    def _page(
        self, partition: str, limit: int, after: str, newest_first: bool, prefix: str = ""
    ) -> tuple[list[RefillRequest], str]:
        """One Query of the partition's by-time index (data/dynamo.by_time_page). by_time is a local
        index: read as strongly as the request's own item, so a request just made or decided is in
        the list the next page shows."""
        items, cursor = by_time_page(
            RefillRequestModel.by_time,
            partition,
            limit,
            after,
            _UNAVAILABLE,
            newest_first=newest_first,
            prefix=prefix,
            consistent_read=True,
        )
        return [_request(item) for item in items], cursor

    def patient_page(self, patient_id: str, limit: int, after: str = "") -> tuple[list[RefillRequest], str]:
        return self._page(patient_partition(patient_id), limit, after, newest_first=True)

    def queue_page(
        self, organization_id: str, status: Status, limit: int, after: str = ""
    ) -> tuple[list[RefillRequest], str]:
        return self._page(
            queue_partition(organization_id),
            limit,
            after,
            newest_first=status is not Status.REQUESTED,
            prefix=f"{status.value}#",
        )

    def decide(
        self,
        decided: RefillRequest,
        event: OutboundEvent | None,
        notice: OutboxEntry | None,
        clears_mark: bool = True,
        audit: AuditEvent | None = None,
    ) -> None:
        """``event``: the Task as decided (None when the patient cannot be named to the clinical
        systems: the decision still stands). ``clears_mark``: whether the pending mark names this
        request (a merge can leave two requests for one medication, one mark between them)."""
        mine, queued = _items(decided)
        still_waiting = RefillRequestModel.status == Status.REQUESTED.value
        try:
            with TransactWrite(connection=RefillRequestModel._get_connection().connection) as transaction:
                transaction.save(queued, condition=still_waiting)
                transaction.save(mine, condition=still_waiting)
                if clears_mark:
                    transaction.update(
                        RefillPendingModel(patient_partition(decided.patient_id), _pending_key(decided.medication_id)),
                        actions=[RefillPendingModel.request_id.remove()],
                        condition=RefillPendingModel.request_id == decided.request_id,
                    )
                if event is not None:
                    transaction.save(outbound_item(event))
                if notice is not None:
                    transaction.save(outbox_item(notice))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(DECIDED) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def move_requests(self, from_patient: str, to_patient: str) -> int:
        """A merge: the merged patient's requests and pending marks come to name the survivor, so
        the survivor's list shows them, a waiting one still blocks a second request for its
        medication (the records copied with the merge keep their medication ids), and a decision
        lands on the survivor's copy. Each request is copied under the survivor as its queue copy
        stands now (the queue is where it is decided), then the queue copy is pointed at the
        survivor. The merged patient's own items stay, as the records' do. Idempotent: a
        redelivered merge copies nothing twice. Returns how many requests were copied."""
        copied = 0
        try:
            for item in RefillRequestModel.query(
                patient_partition(from_patient),
                RefillRequestModel.record_key.startswith("request#"),
                consistent_read=True,
            ):
                queued = self._queue_item(item)
                copy = _request(queued or item)
                moved = dataclasses.replace(copy, patient_id=to_patient)
                mine, _ = _items(moved)
                mine.listed_at = item.listed_at
                try:
                    mine.save(condition=RefillRequestModel.record_key.does_not_exist())
                    copied += 1
                except PutError as error:
                    if not conditional_failure(error):
                        raise
                if queued is not None and queued.subject_patient_id == from_patient:
                    try:
                        queued.update(
                            actions=[RefillRequestModel.subject_patient_id.set(to_patient)],
                            condition=RefillRequestModel.subject_patient_id == from_patient,
                        )
                    except UpdateError as error:
                        if not conditional_failure(error):
                            raise
            for mark in RefillPendingModel.query(
                patient_partition(from_patient),
                RefillPendingModel.record_key.startswith("pending#"),
                consistent_read=True,
            ):
                if not mark.request_id:
                    continue
                # The survivor's own waiting request for the medication keeps the mark; the other
                # is decided all the same (a decision clears only a mark that names it).
                try:
                    RefillPendingModel(patient_partition(to_patient), mark.record_key, request_id=mark.request_id).save(
                        condition=RefillPendingModel.record_key.does_not_exist()
                        | RefillPendingModel.request_id.does_not_exist()
                    )
                except PutError as error:
                    if not conditional_failure(error):
                        raise
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return copied

    def _queue_item(self, item: RefillRequestModel) -> RefillRequestModel | None:
        try:
            return RefillRequestModel.get(queue_partition(item.organization_id), item.record_key, consistent_read=True)
        except RefillRequestModel.DoesNotExist:
            return None
