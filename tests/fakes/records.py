"""FakeRecords: DynamoRecords in memory (a patient's records with their kept versions, and the feed
sources that say whose records a message holds).

What it keeps faithful, because services rely on it:
- an item is a current version ``<kind>#<id>`` and its kept versions ``<kind>#<id>#v<nnnn>``;
  ``put_version`` writes both, version 1 only if the record is new and n+1 only if n is current,
  else Conflict;
- only current, not withdrawn items are listed: results by ``listed_at`` (the time list), every
  kind by ``<category>#<listed_at>`` (the category list, which ``prefix`` selects); ``page`` also
  hides what is not released by ``released_by``, newest first unless ``oldest_first``;
- what the store gives back is what DynamoDB gives back: ``listed_at`` on a current item of any
  kind (not on withdrawn items or kept versions), no ``release_timer`` on kept
  versions or on copies a merge made;
- cursors are the repository's: opaque, refused (ValidationFailed) when not one or from another
  listing.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.data.record_summaries import list_content
from chalicelib.errors import Conflict
from chalicelib.feeds.domain import FeedSource
from chalicelib.kernel.paging import invalid_cursor
from chalicelib.records.domain import COPY_AT_ONCE, WITHDRAWN, CopyUnfinished, StoredResult
from tests.fakes.cursors import cursor, position


@dataclass(frozen=True)
class _Row:
    result: StoredResult  # as the store gives it back
    time_key: str = ""  # the time list's key ("" when not listed there)
    category_key: str = ""  # the category list's key ("" when not listed there)
    record_id: str = ""  # the by-record-id lookup ("" for kept versions)


@dataclass
class _Sender:
    files_for: str
    retired_by: str = ""
    default_authority: str = ""
    files_test_messages: bool = False
    authorities: tuple[tuple[str, str], ...] = ()
    category_codes: tuple[tuple[str, str], ...] = ()


class FakeRecords:
    table_name = "records"

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], _Row] = {}  # (patient_id, record key)
        self.senders: dict[str, _Sender] = {}  # "<sender>" or "*" (the catch-all)
        self.senders_listed: dict[str, set[str]] = {}  # organization -> senders
        self.released_notices: list[Any] = []  # release_now's notices, as the outbox would hold them

    # -- seen by tests ------------------------------------------------------------------------------
    def stored(self, patient_id: str) -> list[StoredResult]:
        """Every item of a patient (current and kept versions), by key."""
        return [row.result for (pid, _), row in sorted(self.rows.items()) if pid == patient_id]

    # -- feed sources ---------------------------------------------------------------------------------
    def feed_source(self, sender: str) -> FeedSource | None:
        for key in (sender, "*"):
            registration = self.senders.get(key)
            if registration is None:
                continue
            if not registration.files_for:
                return None  # retired: quarantined, never passed on to the catch-all
            return FeedSource(
                sender=sender,
                organization_id=registration.files_for,
                default_authority=registration.default_authority,
                files_test_messages=registration.files_test_messages,
                authorities=registration.authorities,
                category_codes=registration.category_codes,
            )
        return None

    def held_by(self, sender: str) -> str:
        held = self.senders.get(sender)
        return (held.files_for or held.retired_by) if held is not None else ""

    def add_feed_source(self, source: FeedSource) -> None:
        self.senders_listed.setdefault(source.organization_id, set()).add(source.sender)
        self.senders[source.sender] = _Sender(
            source.organization_id,
            "",
            source.default_authority,
            source.files_test_messages,
            source.authorities,
            source.category_codes,
        )

    def feed_sources_of(self, organization_id: str, limit: int = 100) -> list[FeedSource]:
        sources = []
        for sender in sorted(self.senders_listed.get(organization_id, ()))[:limit]:
            registration = self.senders.get(sender)
            if registration is not None and registration.files_for == organization_id:
                sources.append(
                    FeedSource(
                        sender,
                        organization_id,
                        registration.default_authority,
                        registration.files_test_messages,
                        registration.authorities,
                        registration.category_codes,
                    )
                )
        return sources

    def claim_feed_source(self, source: FeedSource) -> None:
        self.senders_listed.setdefault(source.organization_id, set()).add(source.sender)
        held = self.senders.get(source.sender)
        free = (
            held is None
            or held.files_for == source.organization_id
            or (held.files_for == "" and held.retired_by == source.organization_id)
        )
        if not free:
            self.senders_listed[source.organization_id].discard(source.sender)
            raise Conflict("This sender is registered to another organization.")
        self.senders[source.sender] = _Sender(
            source.organization_id,
            "",
            source.default_authority,
            source.files_test_messages,
            source.authorities,
            source.category_codes,
        )

    def retire_feed_source(self, organization_id: str, sender: str) -> bool:
        held = self.senders.get(sender)
        if held is None or held.files_for != organization_id:
            return False
        self.senders[sender] = _Sender("", organization_id, "")
        self.senders_listed.get(organization_id, set()).discard(sender)
        return True

    # -- records ----------------------------------------------------------------------------------------
    def current(self, patient_id: str, result_id: str, kind: str = "result") -> StoredResult | None:
        row = self.rows.get((patient_id, f"{kind}#{result_id}"))
        return row.result if row is not None else None

    def put_version(self, result: StoredResult) -> None:
        key = f"{result.kind}#{result.result_id}"
        kept_key = f"{key}#v{result.version:04d}"
        existing = self.rows.get((result.patient_id, key))
        expected = (
            existing is None
            if result.version == 1
            else (existing is not None and existing.result.version == result.version - 1)
        )
        if not expected or (result.patient_id, kept_key) in self.rows:
            raise Conflict("The result changed at the same time.")
        result = dataclasses.replace(result, content=copy.deepcopy(result.content))
        self.rows[(result.patient_id, key)] = _current_row(result)
        self.rows[(result.patient_id, kept_key)] = _Row(dataclasses.replace(result, listed_at="", release_timer=""))

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
        prefix = prefix or (f"{category}#" if category else "")
        key_name = "category_listed_at" if prefix else "listed_at"
        start = position(after, {key_name, "record_key"})
        if start is not None and prefix and not start[key_name].startswith(prefix):
            raise invalid_cursor("cursor")
        if start is not None and listed_from:
            listed_from = min(listed_from, start[key_name][len(prefix) :])
        low, high = (
            (prefix + listed_from, prefix + (listed_to or "\uffff"))
            if prefix and (listed_from or listed_to)
            else (prefix, None)
        )
        listed = []
        for (pid, record_key), row in self.rows.items():
            index_key = row.category_key if prefix else row.time_key
            if pid != patient_id or not index_key:
                continue
            in_range = (low <= index_key <= high) if high is not None else index_key.startswith(low)
            if in_range:
                listed.append(((index_key, record_key), row.result))
        listed.sort(key=lambda pair: pair[0], reverse=not oldest_first)
        if start is not None:
            mark = (start[key_name], start["record_key"])
            listed = [pair for pair in listed if (pair[0] > mark if oldest_first else pair[0] < mark)]
        shown = [pair for pair in listed if pair[1].shown_to_patient(released_by)][: limit + 1]
        if len(shown) <= limit:
            return [result for _, result in shown], ""
        (last_key, last_record_key), _ = shown[limit - 1]
        return [result for _, result in shown[:limit]], cursor(**{key_name: last_key, "record_key": last_record_key})

    def set_release(self, result: StoredResult, release_at: datetime, held_reason: str, release_timer: str) -> None:
        key = (result.patient_id, f"{result.kind}#{result.result_id}")
        row = self.rows.get(key)
        if row is None or row.result.version != result.version:
            raise Conflict("The result changed at the same time; look again.")
        self.rows[key] = dataclasses.replace(
            row,
            result=dataclasses.replace(
                row.result, release_at=release_at, held_reason=held_reason, release_timer=release_timer
            ),
        )

    def release_now(self, copies: list[StoredResult], release_at: datetime, notice: Any) -> None:
        """Every copy shown from ``release_at`` (hold and timer taken off) and the notice kept in
        ``released_notices``, all or nothing: Conflict if any copy changed since it was read."""
        keys = [(c.patient_id, f"{c.kind}#{c.result_id}") for c in copies]
        if any(k not in self.rows or self.rows[k].result.version != c.version for k, c in zip(keys, copies)):
            raise Conflict("The result changed at the same time; look again.")
        for key in keys:
            self.set_release(self.rows[key].result, release_at, "", "")
        if notice is not None:
            self.released_notices.append(notice)

    def release_guard(self, result: StoredResult) -> dict[str, Any]:
        return {
            "table": self.table_name,
            "key": {"patient_id": {"S": result.patient_id}, "record_key": {"S": f"{result.kind}#{result.result_id}"}},
        }

    def result_summaries(
        self, patient_id: str, category: str, released_by: datetime, limit: int, after: str = ""
    ) -> tuple[list[StoredResult], str]:
        found, next_cursor = self.page(patient_id, category, released_by, limit, after)
        return [dataclasses.replace(r, content=list_content(r.content)) for r in found], next_cursor

    def upcoming(self, patient_id: str, now: datetime, limit: int = 50) -> list[StoredResult]:
        # As the waiting index: the soonest ``limit`` to be released, then shown newest first.
        waiting = sorted(
            (row.result for (pid, _), row in self.rows.items() if pid == patient_id and row.category_key),
            key=lambda r: (r.release_at, r.kind, r.result_id),
        )
        soonest = [result for result in waiting if result.waiting(now)][:limit]
        return sorted(soonest, key=lambda r: r.listed_at, reverse=True)

    def with_versions(
        self, patient_id: str, result_id: str, kind: str = "result"
    ) -> tuple[StoredResult | None, list[StoredResult]]:
        current_key = f"{kind}#{result_id}"
        rows = self._keys_from(patient_id, current_key)
        current = next((row.result for record_key, row in rows if record_key == current_key), None)
        return current, [row.result for record_key, row in rows if record_key != current_key]

    def versions(self, patient_id: str, result_id: str, kind: str = "result") -> list[StoredResult]:
        return [row.result for _, row in self._keys_from(patient_id, f"{kind}#{result_id}#v")]

    def locate(self, record_id: str) -> list[tuple[str, str]]:
        return [
            (pid, record_key.partition("#")[0])
            for (pid, record_key), row in sorted(self.rows.items())
            if row.record_id == record_id
        ][:10]

    def withdraw(self, patient_id: str, kind: str, record_id: str) -> None:
        key = (patient_id, f"{kind}#{record_id}")
        row = self.rows.get(key)
        if row is not None:
            self.rows[key] = dataclasses.replace(
                row,
                time_key="",
                category_key="",
                result=dataclasses.replace(row.result, status=WITHDRAWN, listed_at=""),
            )

    def alias(self, patient_id: str, kind: str, alias_id: str) -> str:
        row = self.rows.get((patient_id, f"alias#{kind}#{alias_id}"))
        return row.result.result_id if row else ""

    def add_alias(self, record: StoredResult, alias_id: str) -> None:
        # (a row no list shows, as DynamoRecords writes it: a merge copies it like the others)
        self.rows.setdefault(
            (record.patient_id, f"alias#{record.kind}#{alias_id}"),
            _Row(result=dataclasses.replace(record, kind="alias", listed_at="", release_timer="")),
        )

    def copy_records(self, from_patient: str, to_patient: str, limit: int = COPY_AT_ONCE) -> int:
        copied = 0
        for (pid, record_key), row in sorted(self.rows.items()):
            if pid != from_patient or (to_patient, record_key) in self.rows:
                continue
            if copied >= limit:
                raise CopyUnfinished("The merge copies a large record in parts; its next delivery goes on.")
            self.rows[(to_patient, record_key)] = dataclasses.replace(
                row, result=dataclasses.replace(row.result, patient_id=to_patient, release_timer="")
            )
            copied += 1
        return copied

    def _keys_from(self, patient_id: str, key_prefix: str) -> list[tuple[str, _Row]]:
        """A patient's items whose key starts so, the highest key first."""
        return sorted(
            (
                (record_key, row)
                for (pid, record_key), row in self.rows.items()
                if pid == patient_id and record_key.startswith(key_prefix)
            ),
            key=lambda pair: pair[0],
            reverse=True,
        )


def _current_row(result: StoredResult) -> _Row:
    listed = not result.withdrawn
    time_key = result.listed_at if listed and result.kind == "result" else ""
    return _Row(
        result=dataclasses.replace(result, listed_at=result.listed_at if listed else ""),
        time_key=time_key,
        category_key=f"{result.category}#{result.listed_at}" if listed else "",
        record_id=result.result_id,
    )
