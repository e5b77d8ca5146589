"""The health records store, as services use it: a patient's results, documents and the rest of
the record, each a current version with its kept versions (chalicelib.data.records implements it
over DynamoDB). The same store also says which organization a feed sender files for: that part
is chalicelib.feeds.stores.FeedSources."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.service import AccessPorts
from chalicelib.records.domain import COPY_AT_ONCE, StoredResult
from chalicelib.records.outbox import OutboxEntry


class Records(Protocol):
    def current(self, patient_id: str, result_id: str, kind: str = "result") -> StoredResult | None: ...

    def with_versions(
        self, patient_id: str, result_id: str, kind: str = "result"
    ) -> tuple[StoredResult | None, list[StoredResult]]:
        """The current version and the kept ones, kept ones newest first."""
        ...

    def page(
        self,
        patient_id: str,
        category: str,
        released_by: datetime,
        limit: int,
        after: str = "",
        prefix: str = "",
        listed_from: str = "",
        listed_to: str = "",
        oldest_first: bool = False,
    ) -> tuple[list[StoredResult], str]:
        """A patient's current items shown by ``released_by`` (released, not withdrawn), newest
        first, and the cursor of the next page ("" when there is none)."""
        ...

    def result_summaries(
        self, patient_id: str, category: str, released_by: datetime, limit: int, after: str = ""
    ) -> tuple[list[StoredResult], str]:
        """The results list's page, as ``page`` gives it (the same items, order and cursor), each
        result read from its small summary: its content holds what the list shows and what its
        rules read (dates, codes, flags, confidentiality), not the report's values and notes."""
        ...

    def upcoming(self, patient_id: str, now: datetime, limit: int = 50) -> list[StoredResult]:
        """Current results and documents not released yet (held ones included), newest first."""
        ...

    def locate(self, record_id: str) -> list[tuple[str, str]]:
        """``[(patient_id, kind)]`` of the current items with this id (eventually consistent)."""
        ...

    def put_version(self, result: StoredResult) -> None:
        """Write the next version, on condition the one before is still current; Conflict if not."""
        ...

    def set_release(self, result: StoredResult, release_at: datetime, held_reason: str, release_timer: str) -> None:
        """Change when the current version is released, on condition it is still that version."""
        ...

    def release_now(self, copies: list[StoredResult], release_at: datetime, notice: OutboxEntry | None) -> None:
        """Release every copy now and put the patient's notice in the outbox, in one transaction."""
        ...

    def release_guard(self, result: StoredResult) -> dict[str, Any]:
        """The item a release timer checks (and takes itself off) when its moment comes."""
        ...

    def copy_records(self, from_patient: str, to_patient: str, limit: int = COPY_AT_ONCE) -> int:
        """A40: a merged patient's items copied under the survivor (idempotent). At most ``limit``
        new ones per call: CopyUnfinished when more are left (the next call goes on)."""
        ...

    def withdraw(self, patient_id: str, kind: str, record_id: str) -> None:
        """Take a record off a patient's lists (kept, never deleted)."""
        ...

    def alias(self, patient_id: str, kind: str, alias_id: str) -> str:
        """The id of the patient's record of this kind that ``alias_id`` is another name of, else ""."""
        ...

    def add_alias(self, record: StoredResult, alias_id: str) -> None:
        """Remember ``alias_id`` as another name of ``record`` (its patient's, of its kind), unless
        that name is taken already: the first record to claim a name keeps it. Never listed; a
        merge copies it with the rest of the record."""
        ...


class RecordReadPorts(AccessPorts, Protocol):
    """A patient's records, read through the caller's scope (chalicelib.access) and audited."""

    @property
    def records(self) -> Records: ...
