"""What the refill service needs of storage (data/refills.py implements it over DynamoDB)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.outbox import OutboxEntry
from chalicelib.refills.domain import RefillRequest, Status


class RefillRequests(Protocol):
    def add(self, request: RefillRequest, event: OutboundEvent, audit: AuditEvent | None = None) -> None:
        """The request (both copies), its medication's pending mark, its outbound Task and its
        audit event, in one transaction. Conflict when a request for the medication already waits."""
        ...

    def pending(self, patient_id: str) -> dict[str, str]:
        """{medication id: id of the request that waits for it} of the patient's medications."""
        ...

    def of_patient(self, patient_id: str, request_id: str) -> RefillRequest | None: ...

    def of_organization(self, organization_id: str, request_id: str) -> RefillRequest | None: ...

    def patient_page(self, patient_id: str, limit: int, after: str = "") -> tuple[list[RefillRequest], str]:
        """Newest first; the cursor of the next page, "" on the last."""
        ...

    def queue_page(
        self, organization_id: str, status: Status, limit: int, after: str = ""
    ) -> tuple[list[RefillRequest], str]:
        """Waiting ones oldest first; decided ones newest decided first."""
        ...

    def decide(
        self,
        decided: RefillRequest,
        event: OutboundEvent | None,
        notice: OutboxEntry | None,
        clears_mark: bool = True,
        audit: AuditEvent | None = None,
    ) -> None:
        """The decision on both copies (on condition the request still waits: Conflict if not),
        the pending mark cleared (when ``clears_mark``: it names this request), the outbound Task
        (when there is one), the patient's notice and the audit event, in one transaction."""
        ...

    def move_requests(self, from_patient: str, to_patient: str) -> int:
        """A merge: the merged patient's requests and waiting marks under the survivor (the
        merged patient's own stay). Idempotent; how many requests were copied."""
        ...
