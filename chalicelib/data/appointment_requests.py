"""Appointment requests and the marks beside filed appointments, in DynamoDB (data/models.py:
AppointmentRequestModel and AppointmentVisitModel in the records table). Every change is one
transaction with what it sets off: the outbound FHIR Appointment (data.outbound.outbound_item),
the patient's notice (data.outbox.outbox_item) and the audit event. So a request is never kept
without its Appointment, nor an Appointment sent for a change that was not kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.access.acting import ActedBy, from_json
from chalicelib.appointments.requests import (
    AppointmentRequest,
    Preferred,
    Slot,
    Status,
    VisitMark,
    queue_of,
)
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed, by_time_page, conditional_failure
from chalicelib.data.models import AppointmentRequestModel, AppointmentVisitModel, AuditEventModel
from chalicelib.data.outbound import outbound_item
from chalicelib.data.outbox import outbox_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import moment_key, timed_key
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.outbox import OutboxEntry

_UNAVAILABLE = "The appointment requests store is unavailable."
CHANGED_MEANWHILE = "This request changed a moment ago. Reload it and try again."
CANCELLED_ALREADY = "This visit is cancelled already."


def patient_partition(patient_id: str) -> str:
    return f"appointment-requests#{patient_id}"


def queue_partition(organization_id: str) -> str:
    return f"appointment-queue#{organization_id}"


def _visit_key(entry_id: str) -> str:
    return f"visit#{entry_id}"


def _slot_json(slot: Slot | None) -> dict[str, Any] | None:
    if slot is None:
        return None
    return {
        "starts_at": slot.starts_at.isoformat(),
        "minutes": slot.minutes,
        "clinician": slot.clinician,
        "place": slot.place,
        "mode": slot.mode,
    }


def _slot(value: Any) -> Slot | None:
    if not value:
        return None
    return Slot(
        starts_at=datetime.fromisoformat(value["starts_at"]),
        minutes=int(value["minutes"]),
        clinician=str(value.get("clinician") or ""),
        place=str(value.get("place") or ""),
        mode=str(value.get("mode") or "in_person"),
    )


def _json(request: AppointmentRequest) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "patient_id": request.patient_id,
        "organization_id": request.organization_id,
        "kind": request.kind,
        "care_team": {"id": request.care_team_id, "name": request.care_team_name},
        "reason": request.reason,
        "mode": request.mode,
        "preferred": [{"date": p.day.isoformat(), "time_of_day": p.time_of_day} for p in request.preferred],
        "requested_at": request.requested_at.isoformat(),
        "updated_at": request.updated_at.isoformat(),
        "requested_by": request.requested_by,
        "acted_by": request.acted_by.stored_json() if request.acted_by else None,
        "appointment_id": request.appointment_id,
        "proposal": _slot_json(request.proposal),
        "booking": _slot_json(request.booking),
        "decline_reason": request.decline_reason,
        "staff_note": request.staff_note,
        "decided_by": request.decided_by,
        "decided_by_name": request.decided_by_name,
        "scheduled_appointment_id": request.scheduled_appointment_id,
        "subject": {"system": request.subject_system, "value": request.subject_value},
        # What staff see beside it, in both copies: either side's change writes both from the
        # copy it read, so neither may lack what the other shows.
        "patient": {"name": request.patient_name, "birth_date": request.patient_birth_date},
    }


def _request(item: AppointmentRequestModel) -> AppointmentRequest:
    value = dict(item.request)
    team = value.get("care_team") or {}
    subject = value.get("subject") or {}
    patient = value.get("patient") or {}
    return AppointmentRequest(
        request_id=value["request_id"],
        patient_id=value["patient_id"],
        organization_id=value["organization_id"],
        kind=value["kind"],
        care_team_id=str(team.get("id") or ""),
        care_team_name=str(team.get("name") or ""),
        reason=value["reason"],
        mode=value["mode"],
        preferred=tuple(
            Preferred(date.fromisoformat(p["date"]), p["time_of_day"]) for p in value.get("preferred") or ()
        ),
        status=Status(item.status),
        requested_at=datetime.fromisoformat(value["requested_at"]),
        updated_at=datetime.fromisoformat(value["updated_at"]),
        requested_by=value["requested_by"],
        acted_by=from_json(value.get("acted_by")),
        appointment_id=value.get("appointment_id") or "",
        proposal=_slot(value.get("proposal")),
        booking=_slot(value.get("booking")),
        decline_reason=value.get("decline_reason") or "",
        staff_note=value.get("staff_note") or "",
        decided_by=value.get("decided_by") or "",
        decided_by_name=value.get("decided_by_name") or "",
        scheduled_appointment_id=value.get("scheduled_appointment_id") or "",
        patient_name=str(patient.get("name") or ""),
        patient_birth_date=str(patient.get("birth_date") or ""),
        subject_system=str(subject.get("system") or ""),
        subject_value=str(subject.get("value") or ""),
        version=int(item.version),
    )


def _queue_position(request: AppointmentRequest) -> str:
    """By queue, then by the last change: each queue is a contiguous run of the by-time index."""
    return f"{queue_of(request.status)}#{moment_key(request.updated_at)}#{request.request_id}"


def _items(request: AppointmentRequest) -> tuple[AppointmentRequestModel, AppointmentRequestModel]:
    def item(partition: str, listed_at: str) -> AppointmentRequestModel:
        return AppointmentRequestModel(
            partition,
            f"request#{request.request_id}",
            listed_at=listed_at,
            status=request.status.value,
            version=request.version,
            request=_json(request),
        )

    return (
        item(patient_partition(request.patient_id), timed_key(request.requested_at, request.request_id)),
        item(queue_partition(request.organization_id), _queue_position(request)),
    )


def _mark(item: AppointmentVisitModel) -> VisitMark:
    scheduler = dict(item.scheduler_id or {})
    return VisitMark(
        entry_id=item.record_key.partition("#")[2],
        cancelled_at=item.cancelled_at,
        cancelled_by=item.cancelled_by or "",
        cancelled_acted_by=from_json(item.cancelled_by_proxy),
        request_id=item.request_id or "",
        scheduler_system=str(scheduler.get("system") or ""),
        scheduler_value=str(scheduler.get("value") or ""),
    )


def _connection() -> Any:
    return AppointmentRequestModel._get_connection().connection


class DynamoAppointmentRequests:
    def add(self, request: AppointmentRequest, event: OutboundEvent | None, audit: AuditEvent) -> None:
        mine, queued = _items(request)
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(mine, condition=AppointmentRequestModel.record_key.does_not_exist())
                transaction.save(queued, condition=AppointmentRequestModel.record_key.does_not_exist())
                if event is not None:
                    transaction.save(outbound_item(event))
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):  # a fresh id met an existing one: never, but not silently
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def _get(self, partition: str, request_id: str) -> AppointmentRequest | None:
        try:
            return _request(AppointmentRequestModel.get(partition, f"request#{request_id}", consistent_read=True))
        except AppointmentRequestModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def of_patient(self, patient_id: str, request_id: str) -> AppointmentRequest | None:
        return self._get(patient_partition(patient_id), request_id)

    def of_organization(self, organization_id: str, request_id: str) -> AppointmentRequest | None:
        return self._get(queue_partition(organization_id), request_id)

    def _page(
        self, partition: str, limit: int, after: str, newest_first: bool, prefix: str = ""
    ) -> tuple[list[AppointmentRequest], str]:
        """One Query of the partition's by-time index, read as strongly as the items themselves,
        so a request just made or changed is where the next page shows it."""
        items, cursor = by_time_page(
            AppointmentRequestModel.by_time,
            partition,
            limit,
            after,
            _UNAVAILABLE,
            newest_first=newest_first,
            prefix=prefix,
            consistent_read=True,
        )
        return [_request(item) for item in items], cursor

    def reschedules_of(self, patient_id: str, appointment_id: str) -> list[AppointmentRequest]:
        try:
            items = AppointmentRequestModel.query(
                patient_partition(patient_id),
                AppointmentRequestModel.record_key.startswith("request#"),
                consistent_read=True,
            )
            found = [_request(item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return [r for r in found if r.kind == "reschedule" and r.appointment_id == appointment_id]

    def patient_page(self, patient_id: str, limit: int, after: str = "") -> tuple[list[AppointmentRequest], str]:
        return self._page(patient_partition(patient_id), limit, after, newest_first=True)

    def queue_page(
        self, organization_id: str, queue: str, limit: int, after: str = ""
    ) -> tuple[list[AppointmentRequest], str]:
        return self._page(
            queue_partition(organization_id), limit, after, newest_first=queue != "to_do", prefix=f"{queue}#"
        )

    def change(
        self,
        changed: AppointmentRequest,
        event: OutboundEvent | None,
        notice: OutboxEntry | None,
        audit: AuditEvent | None,
        visit: VisitMark | None = None,
    ) -> None:
        mine, queued = _items(changed)
        as_read = AppointmentRequestModel.version == changed.version - 1
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(queued, condition=as_read)
                transaction.save(mine, condition=as_read)
                if visit is not None:
                    transaction.update(
                        AppointmentVisitModel(patient_partition(changed.patient_id), _visit_key(visit.entry_id)),
                        actions=[AppointmentVisitModel.request_id.set(changed.request_id)],
                    )
                if event is not None:
                    transaction.save(outbound_item(event))
                if notice is not None:
                    transaction.save(outbox_item(notice))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def visit_marks(self, patient_id: str) -> dict[str, VisitMark]:
        try:
            items = AppointmentVisitModel.query(
                patient_partition(patient_id),
                AppointmentVisitModel.record_key.startswith("visit#"),
                consistent_read=True,
            )
            return {mark.entry_id: mark for mark in map(_mark, items)}
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def visit_mark(self, patient_id: str, entry_id: str) -> VisitMark | None:
        try:
            return _mark(
                AppointmentVisitModel.get(patient_partition(patient_id), _visit_key(entry_id), consistent_read=True)
            )
        except AppointmentVisitModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def remember_scheduler_id(self, patient_id: str, entry_id: str, system: str, value: str) -> None:
        try:
            AppointmentVisitModel(patient_partition(patient_id), _visit_key(entry_id)).update(
                actions=[AppointmentVisitModel.scheduler_id.set({"system": system, "value": value})]
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def cancel(
        self,
        patient_id: str,
        entry_id: str,
        at: datetime,
        by: str,
        event: OutboundEvent,
        audit: AuditEvent,
        acted: ActedBy | None = None,
    ) -> None:
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.update(
                    AppointmentVisitModel(patient_partition(patient_id), _visit_key(entry_id)),
                    actions=[
                        AppointmentVisitModel.cancelled_at.set(at),
                        AppointmentVisitModel.cancelled_by.set(by),
                        *([AppointmentVisitModel.cancelled_by_proxy.set(acted.stored_json())] if acted else []),
                    ],
                    condition=AppointmentVisitModel.cancelled_at.does_not_exist(),
                )
                transaction.save(outbound_item(event))
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CANCELLED_ALREADY, [{"field": "appointment", "issue": "cancelled"}]) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def move_requests(self, from_patient: str, to_patient: str) -> int:
        """A merge. Each request is copied under the survivor as its queue copy stands now (the
        queue is where staff change it), then the queue copy is pointed at the survivor, so a
        change lands on the survivor's copy; each visit mark is copied where the survivor has
        none (the copied visits keep their ids). Idempotent: a redelivered merge copies nothing
        twice. Returns how many requests were copied."""
        copied = 0
        try:
            for item in AppointmentRequestModel.query(
                patient_partition(from_patient),
                AppointmentRequestModel.record_key.startswith("request#"),
                consistent_read=True,
            ):
                request = _request(item)
                queued = self.of_organization(request.organization_id, request.request_id) or request
                moved = replace(queued, patient_id=to_patient)
                mine, survivor_queued = _items(moved)
                try:
                    mine.save(condition=AppointmentRequestModel.record_key.does_not_exist())
                    copied += 1
                except PutError as error:
                    if not conditional_failure(error):
                        raise
                if queued.patient_id == from_patient:
                    try:
                        survivor_queued.save(condition=AppointmentRequestModel.version == queued.version)
                    except PutError as error:
                        if not conditional_failure(error):
                            raise
            for mark in AppointmentVisitModel.query(
                patient_partition(from_patient),
                AppointmentVisitModel.record_key.startswith("visit#"),
                consistent_read=True,
            ):
                try:
                    AppointmentVisitModel(
                        patient_partition(to_patient),
                        mark.record_key,
                        cancelled_at=mark.cancelled_at,
                        cancelled_by=mark.cancelled_by,
                        cancelled_by_proxy=mark.cancelled_by_proxy,
                        request_id=mark.request_id,
                        scheduler_id=mark.scheduler_id,
                    ).save(condition=AppointmentVisitModel.record_key.does_not_exist())
                except PutError as error:
                    if not conditional_failure(error):
                        raise
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return copied
