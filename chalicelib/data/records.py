"""Patients' health records in DynamoDB (RecordModel): results, documents and the rest of the
record, each a current version with its kept versions beside it, listed from sparse indexes that
hold only what a patient may see. (The feed sources this repository also answers for are in
feed_sources.py.)
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from functools import partial
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.data.dynamo import (
    Backfill,
    any_condition_failed,
    backfill,
    conditional_failure,
    contended,
    one_page,
)
from chalicelib.data.feed_sources import DynamoFeedSources
from chalicelib.data.models import RecordModel
from chalicelib.data.outbox import outbox_item
from chalicelib.data.record_summaries import (
    SUMMARIZED,
    ResultSummaries,
    off_the_list,
    summarized,
    summary_actions,
    summary_key,
)
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import moment_key
from chalicelib.kernel.paging import decode_cursor, invalid_cursor
from chalicelib.records.domain import COPY_AT_ONCE, WITHDRAWN, CopyUnfinished, StoredResult, is_shown, is_waiting
from chalicelib.records.outbox import OutboxEntry

_UNAVAILABLE = "The health records store is unavailable."
_COPY_PAGE = 100  # copy_records(): items read per BatchGet of the survivor's (its most)


def waiting_sk(kind: str, record_id: str, release_at: datetime) -> str:
    """The waiting index's sort key: by release moment, soonest first (a hold's, 9999, last)."""
    return f"{moment_key(release_at)}#{kind}#{record_id}"


def _waiting_keys(patient_id: str, kind: str, record_id: str, release_at: datetime) -> list[Action]:
    return [
        RecordModel.waiting_pk.set(patient_id),
        RecordModel.waiting_sk.set(waiting_sk(kind, record_id, release_at)),
    ]


def _off_waiting() -> list[Action]:
    return [RecordModel.waiting_pk.remove(), RecordModel.waiting_sk.remove()]


def _listed_at(item: RecordModel) -> str:
    """The list time of a current item. Results carry it on the time index; documents and entries
    only inside their category key ("<category>#<listed_at>"), and a new version must keep it."""
    if item.listed_at:
        return item.listed_at
    return item.category_listed_at.partition("#")[2] if item.category_listed_at else ""


def _stored(item: RecordModel) -> StoredResult:
    return StoredResult(
        patient_id=item.patient_id,
        result_id=item.record_id,
        version=int(item.version),
        category=item.category,
        status=item.status,
        content_sha256=item.content_sha256,
        content=dict(item.content),
        organization_id=item.organization_id,
        source=item.source,
        filed_at=item.filed_at,
        release_at=item.release_at,
        critical=bool(item.critical),
        listed_at=_listed_at(item),
        release_timer=item.release_timer or "",
        held_reason=item.held_reason or "",
        kind=item.kind,
        object_key=item.object_key or "",
    )


class DynamoRecords(DynamoFeedSources, ResultSummaries):
    """A patient's records; and, inherited, the feed sources that say whose records a message
    holds (filing asks the records store where a message belongs), and the results list's
    summaries (data/record_summaries.py)."""

    stored = staticmethod(_stored)

    # -- results ----------------------------------------------------------------------------------
    def current(self, patient_id: str, result_id: str, kind: str = "result") -> StoredResult | None:
        try:
            return _stored(RecordModel.get(patient_id, f"{kind}#{result_id}", consistent_read=True))
        except RecordModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def copy_records(self, from_patient: str, to_patient: str, limit: int = COPY_AT_ONCE) -> int:
        """A40: every record item of a merged patient (results, documents, their kept versions,
        the rest of the record) copied under the survivor; items the survivor has already keep
        theirs. Idempotent (a redelivered merge copies nothing twice); the merged patient's own
        items stay, never deleted. Returns how many were copied.

        A large chart is copied in parts: at most ``limit`` new items per call, then
        CopyUnfinished (the queue delivers the merge again). The next call reads which items the
        survivor has already, a page at a time, and writes only the others, so it resumes where
        the last one stopped instead of writing everything again."""
        copied = 0
        try:
            page: list[RecordModel] = []
            for item in RecordModel.query(from_patient, consistent_read=True):
                page.append(item)
                if len(page) == _COPY_PAGE:
                    copied = self._copy_page(page, to_patient, copied, limit)
                    page = []
            if page:
                copied = self._copy_page(page, to_patient, copied, limit)
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return copied

    def _copy_page(self, page: list[RecordModel], to_patient: str, copied: int, limit: int) -> int:
        held = {
            item.record_key
            for item in RecordModel.batch_get(
                [(to_patient, item.record_key) for item in page], consistent_read=True, attributes_to_get=["record_key"]
            )
        }
        for item in page:
            if item.record_key in held:
                continue
            if copied >= limit:
                raise CopyUnfinished("The merge copies a large record in parts; its next delivery goes on.")
            item.patient_id = to_patient
            # The merged record's release timer guards the merged record's own copy (and tells
            # its account); the merge starts the survivor's own (filing/merges.py).
            item.release_timer = None
            if item.waiting_pk:  # still on its way: on the survivor's waiting list
                item.waiting_pk = to_patient
            if _copy(item):
                copied += 1
        return copied

    def put_version(self, result: StoredResult) -> None:  # (and its summary, when a result)
        """Write a result's new current version and keep the version itself, in one transaction:
        version 1 only if the result is new, version n+1 only if n is still the current one, so
        two deliveries racing cannot both win."""
        current = record_item(result, f"{result.kind}#{result.result_id}", listed=True)
        kept = record_item(result, f"{result.kind}#{result.result_id}#v{result.version:04d}", listed=False)
        expected = (
            RecordModel.record_key.does_not_exist()
            if result.version == 1
            else RecordModel.version == result.version - 1
        )
        try:
            with TransactWrite(connection=RecordModel._get_connection().connection) as transaction:
                transaction.save(current, condition=expected)
                transaction.save(kept, condition=RecordModel.record_key.does_not_exist())
                if result.kind == SUMMARIZED:
                    summary = summary_actions(result) if summarized(result) else off_the_list()
                    transaction.update(summary_key(result.patient_id, result.kind, result.result_id), actions=summary)
        except TransactWriteError as error:
            if contended(error):
                raise Conflict("The result changed at the same time.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

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
        """A patient's current results, newest first, one Query per page (two only when the
        filter drops items of the first). Only what is released by ``released_by`` and not
        withdrawn comes back: the filter runs in DynamoDB, so a result whose release timer failed
        still appears on time and one held back never leaks. With a prefix, ``listed_from`` and
        ``listed_to`` bound the listed time (ISO text) and ``oldest_first`` turns the order round
        (appointments to come, soonest first)."""
        # (documents list by a prefix of the category index: "document:" or "document:<type>#")
        prefix = prefix or (f"{category}#" if category else "")
        key_name = "category_listed_at" if prefix else "listed_at"
        index = RecordModel.by_category if prefix else RecordModel.by_time
        start = decode_cursor(after)
        if start is not None:
            if set(start) != {key_name, "record_key"} or (prefix and not start[key_name]["S"].startswith(prefix)):
                raise invalid_cursor("cursor")
            start = {"patient_id": {"S": patient_id}, **start}
        condition: Condition | None = RecordModel.category_listed_at.startswith(prefix) if prefix else None
        if start is not None and listed_from:
            # "now" moved on since the first page: the next one starts where that one ended, which
            # DynamoDB refuses if it falls below the key condition's lower bound.
            listed_from = min(listed_from, start[key_name]["S"][len(prefix) :])
        if prefix and (listed_from or listed_to):
            condition = RecordModel.category_listed_at.between(prefix + listed_from, prefix + (listed_to or "\uffff"))
        visible = is_shown(RecordModel.release_at, RecordModel.status, released_by)
        try:
            items = list(
                index.query(
                    patient_id,
                    range_key_condition=condition,
                    filter_condition=visible,
                    scan_index_forward=oldest_first,
                    limit=limit + 1,
                    page_size=limit + 1,
                    last_evaluated_key=start,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        shown, cursor = one_page(
            items, limit, lambda last: {key_name: getattr(last, key_name), "record_key": last.record_key}
        )
        return [_stored(item) for item in shown], cursor

    def set_release(self, result: StoredResult, release_at: datetime, held_reason: str, release_timer: str) -> None:
        """Change when the current version is released (staff release early, or hold), on
        condition it is still that version, and not withdrawn since it was read."""
        actions: list[Action] = [
            RecordModel.release_at.set(release_at),
            RecordModel.held_reason.set(held_reason) if held_reason else RecordModel.held_reason.remove(),
            RecordModel.release_timer.set(release_timer) if release_timer else RecordModel.release_timer.remove(),
            # (only what waits is moved or held: it stays on the waiting index at its new moment)
            *_waiting_keys(result.patient_id, result.kind, result.result_id, release_at),
        ]
        record = RecordModel(patient_id=result.patient_id, record_key=f"{result.kind}#{result.result_id}")
        try:
            if not summarized(result):
                record.update(actions=actions, condition=_as_read(result))
                return
            with TransactWrite(connection=RecordModel._get_connection().connection) as transaction:
                transaction.update(record, actions=actions, condition=_as_read(result))
                moved = dataclasses.replace(result, release_at=release_at, held_reason=held_reason)
                transaction.update(
                    summary_key(result.patient_id, result.kind, result.result_id), actions=summary_actions(moved)
                )
        except TransactWriteError as error:
            if contended(error):
                raise Conflict("The result changed at the same time; look again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("The result changed at the same time; look again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def release_now(self, copies: list[StoredResult], release_at: datetime, notice: OutboxEntry | None) -> None:
        """Staff release early: every copy shown from ``release_at`` (its hold and timer taken
        off), and the patient's notice put in the outbox, in one transaction. So a release is
        never without its notice: if queueing it fails afterwards, the drain sends it."""
        try:
            with TransactWrite(connection=RecordModel._get_connection().connection) as transaction:
                for copy in copies:
                    transaction.update(
                        RecordModel(patient_id=copy.patient_id, record_key=f"{copy.kind}#{copy.result_id}"),
                        actions=[
                            RecordModel.release_at.set(release_at),
                            RecordModel.held_reason.remove(),
                            RecordModel.release_timer.remove(),
                            *_off_waiting(),
                        ],
                        condition=_as_read(copy),
                    )
                    if summarized(copy):
                        released = dataclasses.replace(copy, release_at=release_at, held_reason="")
                        transaction.update(
                            summary_key(copy.patient_id, copy.kind, copy.result_id), actions=summary_actions(released)
                        )
                if notice is not None:
                    transaction.save(outbox_item(notice))
        except TransactWriteError as error:
            if contended(error):
                raise Conflict("The result changed at the same time; look again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def release_guard(self, result: StoredResult) -> dict[str, Any]:
        """The item a release timer marks released when its moment comes (the dated-event state
        machine's MarkReleased state updates it directly, on condition it still names the timer)."""
        return {
            "table": RecordModel.Meta.table_name,
            "key": {"patient_id": {"S": result.patient_id}, "record_key": {"S": f"{result.kind}#{result.result_id}"}},
        }

    def upcoming(self, patient_id: str, now: datetime, limit: int = 50) -> list[StoredResult]:
        """Current results and documents not released yet (held ones included), newest first: one
        Query of the sparse waiting index, whose key condition starts after ``now`` (an item whose
        moment passed before its release took it off the index is not even read), however many
        released results the patient has. The soonest ``limit`` are read, then shown newest first."""
        # (after every key of this very moment: "#" sorts below the kind that follows it)
        after_now = RecordModel.waiting_sk > f"{moment_key(now)}#\uffff"
        try:
            items = [
                _stored(item)
                for item in RecordModel.waiting.query(
                    patient_id,
                    range_key_condition=after_now,
                    filter_condition=is_waiting(RecordModel.release_at, RecordModel.status, now),
                    limit=limit,
                    page_size=limit,
                )
            ]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return sorted(items, key=lambda r: r.listed_at, reverse=True)

    def backfill_waiting_index(self, now: datetime, *, write: bool = True) -> Backfill:
        """Put the items still waiting for release that were filed before the waiting index
        existed into it. A Scan (an operator's step after an upgrade, never the API's); each write
        is conditional on the item's version and release moment being unchanged and its key still
        absent, so it never overwrites a newer save or a release, and a second run finds nothing."""
        found = RecordModel.scan(
            RecordModel.current_record_id.exists()
            & RecordModel.waiting_pk.does_not_exist()
            & is_waiting(RecordModel.release_at, RecordModel.status, now),
            attributes_to_get=["patient_id", "record_key", "kind", "record_id", "version", "release_at"],
        )
        writes = (
            partial(
                item.update,
                actions=_waiting_keys(item.patient_id, item.kind, item.record_id, item.release_at),
                condition=RecordModel.waiting_pk.does_not_exist()
                & (RecordModel.version == item.version)
                & (RecordModel.release_at == item.release_at),
            )
            for item in found
        )
        return backfill(writes, write=write, unavailable=_UNAVAILABLE)

    def with_versions(
        self, patient_id: str, result_id: str, kind: str = "result"
    ) -> tuple[StoredResult | None, list[StoredResult]]:
        """The current version and the kept ones, in one Query (ids have a fixed length, so the
        key prefix matches this record alone). Kept versions come newest first."""
        current_key = f"{kind}#{result_id}"
        try:
            items = list(
                RecordModel.query(
                    patient_id,
                    RecordModel.record_key.startswith(current_key),
                    scan_index_forward=False,
                    consistent_read=True,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        current = next((_stored(item) for item in items if item.record_key == current_key), None)
        return current, [_stored(item) for item in items if item.record_key != current_key]

    def versions(self, patient_id: str, result_id: str, kind: str = "result") -> list[StoredResult]:
        try:
            return [
                _stored(item)
                for item in RecordModel.query(
                    patient_id, RecordModel.record_key.startswith(f"{kind}#{result_id}#v"), scan_index_forward=False
                )
            ]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def locate(self, record_id: str) -> list[tuple[str, str]]:
        """Whose record this id is, and of which kind: ``[(patient_id, kind)]``, one Query of the
        sparse by-record-id index (current items only). Usually one; a result filed under another
        patient later, or a result and a document with the same sender id, make more. The index
        is eventually consistent: read the record itself before acting on it."""
        try:
            return [
                (item.patient_id, item.record_key.partition("#")[0])
                for item in RecordModel.by_record_id.query(record_id, limit=10, page_size=10)
            ]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def withdraw(self, patient_id: str, kind: str, record_id: str) -> None:
        """Take a record off a patient's lists (a copy A40 made, when the lab withdraws the
        original): marked cancelled and out of the list indexes; kept, never deleted."""
        record = RecordModel(patient_id=patient_id, record_key=f"{kind}#{record_id}")
        actions = [
            RecordModel.status.set(WITHDRAWN),
            RecordModel.listed_at.remove(),
            RecordModel.category_listed_at.remove(),
            *_off_waiting(),
        ]
        try:
            if kind != SUMMARIZED:
                record.update(actions=actions, condition=RecordModel.record_key.exists())
                return
            with TransactWrite(connection=RecordModel._get_connection().connection) as transaction:
                transaction.update(record, actions=actions, condition=RecordModel.record_key.exists())
                transaction.update(summary_key(patient_id, kind, record_id), actions=off_the_list())
        except TransactWriteError as error:
            if not any_condition_failed(error):
                raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            if not conditional_failure(error):
                raise DependencyUnavailable(_UNAVAILABLE) from error

    # -- other names of a record (filing/entry_ids.py) ----------------------------------------------
    def alias(self, patient_id: str, kind: str, alias_id: str) -> str:
        try:
            item = RecordModel.get(patient_id, _alias_key(kind, alias_id), consistent_read=True)
        except RecordModel.DoesNotExist:
            return ""
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return item.record_id

    def add_alias(self, record: StoredResult, alias_id: str) -> None:
        # A whole RecordModel, so whatever reads a patient's items (a merge's copy) reads it too;
        # with no list key and no current_record_id, no index and no list ever shows it.
        item = RecordModel(
            patient_id=record.patient_id,
            record_key=_alias_key(record.kind, alias_id),
            kind="alias",
            record_id=record.result_id,
            version=0,
            category="alias",
            status="alias",
            content_sha256="",
            content={},
            organization_id=record.organization_id,
            source=record.source,
            filed_at=record.filed_at,
            release_at=record.filed_at,
        )
        try:
            item.save(condition=RecordModel.record_key.does_not_exist())
        except PutError as error:
            if not conditional_failure(error):
                raise DependencyUnavailable(_UNAVAILABLE) from error


def _as_read(result: StoredResult) -> Condition:
    """The current item is still the version staff read, and still as withdrawn or not as they
    read it: a withdrawal (of a copy a merge left behind) keeps the version, and a hold or release
    that rewrote the summary from a read made before it would put the result back on the list."""
    same = RecordModel.version == result.version
    return same if result.withdrawn else same & (RecordModel.status != WITHDRAWN)


def _copy(item: RecordModel) -> bool:
    """A merge's copy of one item under the survivor, on condition the survivor has none by its
    key (False then); a current result's summary is written with it."""
    try:
        if not (item.kind == SUMMARIZED and item.listed_at and item.record_key == f"{item.kind}#{item.record_id}"):
            item.save(condition=RecordModel.record_key.does_not_exist())
            return True
        with TransactWrite(connection=RecordModel._get_connection().connection) as transaction:
            transaction.save(item, condition=RecordModel.record_key.does_not_exist())
            transaction.update(
                summary_key(item.patient_id, item.kind, item.record_id), actions=summary_actions(_stored(item))
            )
        return True
    except TransactWriteError as error:
        if not any_condition_failed(error):
            raise DependencyUnavailable(_UNAVAILABLE) from error
    except PutError as error:
        if not conditional_failure(error):
            raise DependencyUnavailable(_UNAVAILABLE) from error
    return False


def _alias_key(kind: str, alias_id: str) -> str:
    return f"alias#{kind}#{alias_id}"


def record_item(result: StoredResult, record_key: str, listed: bool) -> RecordModel:
    # Only current, not withdrawn versions are in the list indexes (sparse): a page's Query then
    # reads nothing it throws away but what waits for its release.
    indexed = listed and not result.withdrawn
    # On the waiting index while its release is still to come when filed (the release takes it off).
    waiting = indexed and result.release_at > result.filed_at
    return RecordModel(
        patient_id=result.patient_id,
        record_key=record_key,
        # Documents and the rest of the record are kept off the time index: the results list is results.
        listed_at=result.listed_at if indexed and result.kind == "result" else None,
        category_listed_at=f"{result.category}#{result.listed_at}" if indexed else None,
        kind=result.kind,
        object_key=result.object_key or None,
        record_id=result.result_id,
        version=result.version,
        category=result.category,
        status=result.status,
        content_sha256=result.content_sha256,
        content=result.content,
        organization_id=result.organization_id,
        source=result.source,
        filed_at=result.filed_at,
        release_at=result.release_at,
        critical=result.critical or None,
        release_timer=result.release_timer or None if listed else None,
        held_reason=result.held_reason or None,
        current_record_id=result.result_id if listed else None,
        waiting_pk=result.patient_id if waiting else None,
        waiting_sk=waiting_sk(result.kind, result.result_id, result.release_at) if waiting else None,
    )
