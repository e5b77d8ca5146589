"""What the check-in services need of storage (data/checkins.py implements it over DynamoDB)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.checkin.domain import CheckInRecord, DayVisit
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.worklist.domain import WorklistItem


class CheckIns(Protocol):
    def get(self, patient_id: str, appointment_id: str) -> CheckInRecord | None: ...

    def many(self, visits: list[tuple[str, str]]) -> dict[str, CheckInRecord]:
        """{appointment id: check-in} of these (patient id, appointment id) pairs, in batch reads
        (never one call per visit); a visit no one began checking in for is absent."""
        ...

    def save(
        self,
        record: CheckInRecord,
        audit: AuditEvent,
        *,
        event: OutboundEvent | None = None,
        to_staff: WorklistItem | None = None,
    ) -> CheckInRecord:
        """The check-in as changed, with its audit event, the outbound event it sends and the
        worklist item it opens, in one transaction; on condition no one changed it since it was
        read (``record.version``): Conflict otherwise. Returns it with its new version."""
        ...

    def file_visit(self, visit: DayVisit) -> None:
        """The visit on its day's list as filed now, and off the list of the day it was on before
        (the scheduler moved it). Idempotent."""
        ...

    def day(self, organization_id: str, day: str) -> list[DayVisit]:
        """The visits of the organization's day (one Query, every page of it), in no order."""
        ...
