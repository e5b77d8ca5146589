"""What the appointment requests service needs of storage (data/appointment_requests.py
implements it over DynamoDB)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.access.acting import ActedBy
from chalicelib.appointments.requests import AppointmentRequest, VisitMark
from chalicelib.audit.domain import AuditEvent
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.outbox import OutboxEntry


class AppointmentRequests(Protocol):
    def add(self, request: AppointmentRequest, event: OutboundEvent | None, audit: AuditEvent) -> None:
        """The request (both copies), its outbound Appointment and its audit event, in one transaction."""
        ...

    def of_patient(self, patient_id: str, request_id: str) -> AppointmentRequest | None: ...

    def of_organization(self, organization_id: str, request_id: str) -> AppointmentRequest | None: ...

    def reschedules_of(self, patient_id: str, appointment_id: str) -> list[AppointmentRequest]:
        """The patient's requests to move this visit, open or closed (a Query of the patient's
        own requests: a patient has few)."""
        ...

    def patient_page(self, patient_id: str, limit: int, after: str = "") -> tuple[list[AppointmentRequest], str]:
        """Newest first; the cursor of the next page, "" on the last."""
        ...

    def queue_page(
        self, organization_id: str, queue: str, limit: int, after: str = ""
    ) -> tuple[list[AppointmentRequest], str]:
        """to_do oldest first; waiting and done newest first (by their last change)."""
        ...

    def change(
        self,
        changed: AppointmentRequest,
        event: OutboundEvent | None,
        notice: OutboxEntry | None,
        audit: AuditEvent | None,
        visit: VisitMark | None = None,
    ) -> None:
        """Both copies as ``changed`` (its version one more than the one read: Conflict when
        another change came first), with what it sets off, in one transaction. ``visit``: the
        filed appointment that closed it, marked with the request's id."""
        ...

    def visit_marks(self, patient_id: str) -> dict[str, VisitMark]:
        """Every mark of the patient's appointments, by entry id."""
        ...

    def visit_mark(self, patient_id: str, entry_id: str) -> VisitMark | None: ...

    def remember_scheduler_id(self, patient_id: str, entry_id: str, system: str, value: str) -> None:
        """The scheduling system's id of a filed appointment (idempotent)."""
        ...

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
        """The patient's cancellation (``acted``: by someone acting for them), its outbound
        Appointment and audit event, in one transaction; Conflict when it was cancelled already."""
        ...

    def move_requests(self, from_patient: str, to_patient: str) -> int:
        """A merge: the merged patient's requests and visit marks under the survivor too (the
        merged patient's own stay). Idempotent; how many requests were copied."""
        ...
