"""What the messaging service needs of storage: the threads (data/messages.py implements it over
DynamoDB) and the attachments' files (adapters/s3.py S3Attachments)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import AuditEvent
from chalicelib.messaging.domain import AttachmentState, FileHead, SentMessage, Status, StoredAttachment, Thread
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.outbox import OutboxEntry


class Messages(Protocol):
    def add_attachment(self, attachment: StoredAttachment, audit: AuditEvent | None = None) -> None:
        """With its audit event, in one write."""
        ...

    def attachment(self, patient_id: str, attachment_id: str) -> StoredAttachment | None: ...

    def set_attachment(
        self, attachment: StoredAttachment, state: AttachmentState, object_key: str, size_bytes: int | None = None
    ) -> None:
        """Its check's outcome, on condition it still waited for one (Conflict if not)."""
        ...

    def thread(self, patient_id: str, thread_id: str) -> Thread | None: ...

    def thread_by_id(self, thread_id: str) -> Thread | None: ...

    def messages(self, thread: Thread) -> list[SentMessage]:
        """Oldest first."""
        ...

    def page(self, patient_id: str, limit: int, after: str = "") -> tuple[list[Thread], str]:
        """The patient's threads, newest activity first, and the next page's cursor ("" on the last)."""
        ...

    def unread_for_patients(self, patient_ids: list[str]) -> int:
        """Care-team messages unread across these records' threads (one consistent read)."""
        ...

    def team_counts(self, team_ids: list[str]) -> dict[str, tuple[int, int]]:
        """Each team's (open threads, unread patient messages)."""
        ...

    def inbox(
        self, team_ids: list[str], status: Status, assigned_to: str | None, limit: int, after: str = ""
    ) -> tuple[list[Thread], str]:
        """These teams' threads of one status in the inbox's order; ``assigned_to`` "" unassigned,
        None anyone."""
        ...

    def overdue(self, team_id: str, now: datetime) -> int:
        """The team's open threads whose reply was due before ``now``."""
        ...

    def send(
        self,
        thread: Thread,
        message: SentMessage,
        outbox: list[OutboxEntry],
        outbound: OutboundEvent | None,
        audit: AuditEvent | None = None,
    ) -> None:
        """The message with everything it sets off and its audit event, in one write (Conflict if
        the thread changed, or an attachment was taken, meanwhile)."""
        ...

    def record(self, events: list[AuditEvent]) -> None:
        """Audit events of one read, in one write."""
        ...

    def save(self, thread: Thread, outbox: list[OutboxEntry] | None = None) -> Thread:
        """On the thread's version (Conflict if it changed since it was read), with the counts it
        changes and the notices it sets off."""
        ...


class PatientsOfAPage(Patients, Protocol):
    def many(self, patient_ids: list[str]) -> dict[str, Patient]:
        """Several patients in one read; those not found left out."""
        ...


class AttachmentFiles(Protocol):
    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]: ...

    def head_bytes(self, key: str, count: int) -> FileHead | None:
        """The first ``count`` bytes, the whole size and the version read; None when there is no
        such object."""
        ...

    def copy(self, source: FileHead, source_key: str, target: str, content_type: str, disposition: str) -> None:
        """The very version ``source`` read, stored to be served as ``content_type`` under the
        ``disposition`` (Conflict when that version is gone)."""
        ...

    def mark_sent(self, key: str) -> None:
        """The file went with a message: no longer deleted as unsent."""
        ...

    def delete(self, key: str) -> None: ...

    def delete_quietly(self, key: str) -> None: ...

    def presigned_get(self, key: str, expires_in: int = 300) -> str:
        """A bare link: the object carries its own type and download name."""
        ...
