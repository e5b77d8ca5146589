"""The results list's own small items: each current result has a summary beside it in the records
table, under "summaries#<patient>", keyed and listed like the result itself (the same record key,
listed_at and category_listed_at, so the by-time and by-category indexes list it, and a page's
cursor means the same on both), holding what the list shows and what its rules read, and nothing
else: the release moment and status (released, not withdrawn), the hold, the clinical dates (a
proxy's cutoff), the sender's confidentiality and every code (sensitive care), and of each
observation its code and flags (abnormal, how many). Values, units, ranges and notes stay on the
result. A page of 20 then reads about 20 x 1-2 KB instead of 20 x 6-8 KB.

Every write that changes what the list reads of a result changes its summary in the same
transaction (data/records.py): a new version, a hold or release, a withdrawal, a merge's copy.
They write it with UpdateItem setting every attribute (an upsert), which the API function's role
may do on the records table (staff hold and release results), and which writes a whole summary
even where an older version left none. Results filed before summaries existed get theirs from
``DynamoRecords.backfill_result_summaries``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.data.dynamo import Backfill, backfill
from chalicelib.data.models import RecordModel
from chalicelib.records.domain import WITHDRAWN, StoredResult

SUMMARIZED = "result"  # the kind of record that has summaries (documents are small already)


def summary_partition(patient_id: str) -> str:
    return f"summaries#{patient_id}"


def _coding(concept: Any) -> Any:
    """A code as the sensitive-care check reads it: its system and code, and its other codings'."""
    if not isinstance(concept, dict):
        return concept
    kept = {name: concept[name] for name in ("code", "system") if concept.get(name)}
    codings = [_coding(c) for c in concept.get("codings") or () if isinstance(c, dict)]
    return {**kept, "codings": codings} if codings else kept


def _observation(observation: dict[str, Any]) -> dict[str, Any]:
    """An observation as the list reads it: its code (sensitive care) and, when it says anything
    (not normal), its flags; the list counts them and calls the result abnormal."""
    flags = observation.get("flags") or []
    kept: dict[str, Any] = {"code": _coding(observation.get("code"))}
    return {**kept, "flags": flags} if flags and flags != ["N"] else kept


def list_content(content: dict[str, Any]) -> dict[str, Any]:
    """A result's content as its summary keeps it: every field of the report but its notes, and
    of each observation what ``_observation`` keeps."""
    kept = {name: value for name, value in content.items() if name not in ("notes", "observations")}
    if "observations" in content:
        kept["observations"] = [_observation(o) for o in content.get("observations") or [] if isinstance(o, dict)]
    return kept


def summary_key(patient_id: str, kind: str, record_id: str) -> RecordModel:
    return RecordModel(patient_id=summary_partition(patient_id), record_key=f"{kind}#{record_id}")


def summary_actions(result: StoredResult) -> list[Action]:
    """Every attribute of the current version's summary, as UpdateItem sets them (an upsert)."""

    def maybe(attribute: Any, value: Any) -> Action:
        return attribute.set(value) if value else attribute.remove()

    return [
        RecordModel.listed_at.set(result.listed_at),
        RecordModel.category_listed_at.set(f"{result.category}#{result.listed_at}"),
        RecordModel.kind.set(result.kind),
        RecordModel.record_id.set(result.result_id),
        RecordModel.version.set(result.version),
        RecordModel.category.set(result.category),
        RecordModel.status.set(result.status),
        RecordModel.content_sha256.set(result.content_sha256),
        RecordModel.content.set(list_content(result.content)),
        RecordModel.organization_id.set(result.organization_id),
        RecordModel.source.set(result.source),
        RecordModel.filed_at.set(result.filed_at),
        RecordModel.release_at.set(result.release_at),
        maybe(RecordModel.critical, result.critical),
        maybe(RecordModel.held_reason, result.held_reason),
        maybe(RecordModel.object_key, result.object_key),
    ]


def off_the_list() -> list[Action]:
    """A withdrawn result's summary: off both list indexes, and marked withdrawn."""
    return [RecordModel.listed_at.remove(), RecordModel.category_listed_at.remove(), RecordModel.status.set(WITHDRAWN)]


def summarized(result: StoredResult) -> bool:
    """Whether this current version is on the results list (so its summary must say so)."""
    return result.kind == SUMMARIZED and bool(result.listed_at) and not result.withdrawn


class ResultSummaries:
    """The records store's reads and backfill of the summaries (DynamoRecords inherits them; it
    gives ``page``, the by-time and by-category Query of one partition, and ``stored``, an item as
    a StoredResult)."""

    page: Callable[..., tuple[list[StoredResult], str]]
    stored: Callable[[RecordModel], StoredResult]

    def result_summaries(
        self, patient_id: str, category: str, released_by: datetime, limit: int, after: str = ""
    ) -> tuple[list[StoredResult], str]:
        """A page of the results list as ``page`` gives it (newest first, shown by
        ``released_by``, the same cursor), read from the summaries: each result's content as
        ``list_content`` keeps it."""
        found, cursor = self.page(summary_partition(patient_id), category, released_by, limit, after)
        return [dataclasses.replace(result, patient_id=patient_id) for result in found], cursor

    def backfill_result_summaries(self, *, write: bool = True) -> Backfill:
        """Write the summary of every current result filed before summaries existed. A Scan (an
        operator's step after an upgrade, never the API's); each write is conditional on the
        summary being absent or of an older version, so it never overwrites a newer one, and on
        the result being still as the Scan read it (that version, listed, not withdrawn: a
        withdrawal keeps the version and leaves a summary without one), so a stale Scan never
        lists a withdrawn result again; a second run writes nothing."""
        found = RecordModel.scan(
            (RecordModel.kind == SUMMARIZED) & RecordModel.listed_at.exists() & RecordModel.current_record_id.exists()
        )

        def writes() -> Iterator[Callable[[], object]]:
            for item in found:
                if item.patient_id.startswith("summaries#"):
                    continue
                result = self.stored(item)
                summary = summary_key(result.patient_id, result.kind, result.result_id)
                try:
                    held = RecordModel.get(summary.patient_id, summary.record_key, attributes_to_get=["version"])
                except RecordModel.DoesNotExist:
                    held = None
                if held is not None and held.version is not None and int(held.version) >= result.version:
                    continue
                yield partial(_backfill_one, result, summary)

        return backfill(writes(), write=write, unavailable="The health records store is unavailable.")


def _backfill_one(result: StoredResult, summary: RecordModel) -> None:
    """One result's summary, written only while the result is still what the Scan read."""
    still = (RecordModel.version == result.version) & RecordModel.listed_at.exists() & (RecordModel.status != WITHDRAWN)
    newer = RecordModel.version.does_not_exist() | (RecordModel.version < result.version)
    with TransactWrite(connection=RecordModel._get_connection().connection) as transaction:
        transaction.condition_check(
            RecordModel, result.patient_id, f"{result.kind}#{result.result_id}", condition=still
        )
        transaction.update(summary, actions=summary_actions(result), condition=newer)
