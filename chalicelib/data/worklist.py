"""The staff worklist in DynamoDB (WorklistItemModel, in the records table under
"worklist#<organization>"): to-dos such as calling a patient about a critical result or moving a
merged record's portal account, added once per item id, listed open and oldest first, and closed
once (the first to close one wins).

The open list never reads a closed item: an open item carries the keys of the records table's
sparse "waiting" index, under "worklist-open#<organization>#<shard>", and closing it removes them
in the same write. So a list is one Query per shard (``OPEN_SHARDS``, a constant) however many
items an organization ever closed, and an organization's open items are spread over that many
index keys, not one. The item itself stays under "worklist#<organization>", where it is written
once when added and once when closed, and never queried by the API.
"""

from __future__ import annotations

import hashlib
import heapq
from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial

from pynamodb.exceptions import PutError, PynamoDBException
from pynamodb.expressions.update import Action

from chalicelib.data.dynamo import Backfill, backfill, conditional_failure
from chalicelib.data.models import WorklistItemModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.worklist.domain import WorklistItem

# It shares the records table, and so the records store's message when that table cannot be reached.
_UNAVAILABLE = "The health records store is unavailable."

# The open index's keys per organization. A list reads each (one Query apiece), so it is a small
# constant: enough to keep a busy clinic's open items off one key, few enough that a list stays a
# handful of round trips. Changing it moves open items between keys: backfill_open_index after.
OPEN_SHARDS = 4


def open_shard(organization_id: str, item_id: str) -> str:
    """The open index's key an item is listed under while open: its organization's, and a shard
    chosen by a hash of its id (stable: the same item always lands on the same key)."""
    shard = int.from_bytes(hashlib.sha256(item_id.encode()).digest()[:4], "big") % OPEN_SHARDS
    return f"worklist-open#{organization_id}#{shard}"


def open_shards(organization_id: str) -> list[str]:
    """Every open index key of an organization: what a list reads."""
    return [f"worklist-open#{organization_id}#{shard}" for shard in range(OPEN_SHARDS)]


def _on_open_index(organization_id: str, item_id: str, sort_key: str) -> list[Action]:
    return [
        WorklistItemModel.waiting_pk.set(open_shard(organization_id, item_id)),
        WorklistItemModel.waiting_sk.set(sort_key),
    ]


def worklist_item(item: WorklistItem) -> WorklistItemModel:
    """A new item as stored: on the open index while it is open (the check-in store writes its
    items with this too, in its own transaction)."""
    is_open = item.status == "open"
    return WorklistItemModel(
        patient_id=f"worklist#{item.organization_id}",
        record_key=item.sort_key,
        item_id=item.item_id,
        task=item.task,
        subject_patient_id=item.patient_id,
        result_id=item.result_id,
        result_version=item.result_version,
        status=item.status,
        created_at=item.created_at,
        waiting_pk=open_shard(item.organization_id, item.item_id) if is_open else None,
        waiting_sk=item.sort_key if is_open else None,
    )


def _worklist_item(item: WorklistItemModel) -> WorklistItem:
    return WorklistItem(
        item_id=item.item_id,
        organization_id=item.patient_id.partition("#")[2],
        task=item.task,
        patient_id=item.subject_patient_id,
        result_id=item.result_id,
        result_version=int(item.result_version),
        status=item.status,
        created_at=item.created_at,
        done_by=item.done_by or "",
        done_at=item.done_at,
        outcome=item.outcome or "",
        sort_key=item.record_key,
    )


class DynamoWorklist:
    """Each organization's worklist: its items in one partition, its open ones on a few keys of
    the sparse open index."""

    def add(self, item: WorklistItem) -> bool:
        """Once per item id (a redelivered critical result does not make a second call)."""
        try:
            worklist_item(item).save(condition=WorklistItemModel.record_key.does_not_exist())
        except PutError as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def open_items(self, organization_id: str, limit: int = 100) -> list[WorklistItem]:
        """Open items, oldest first: one Query of each shard (each asks for ``limit``, so the
        oldest ``limit`` of all are among what the shards return), merged by the range key."""
        try:
            shards = [
                WorklistItemModel.open_items.query(key, limit=limit, page_size=limit)
                for key in open_shards(organization_id)
            ]
            oldest = heapq.merge(*shards, key=lambda item: item.record_key)
            return [_worklist_item(item) for _, item in zip(range(limit), oldest, strict=False)]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def open_item(self, organization_id: str, item_id: str) -> WorklistItem | None:
        """The organization's open item of this id: one Query of the shard it is listed under
        (however old it is, and however many others are open)."""
        try:
            found = WorklistItemModel.open_items.query(
                open_shard(organization_id, item_id), filter_condition=WorklistItemModel.item_id == item_id
            )
            return next((_worklist_item(item) for item in found), None)
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def close(self, organization_id: str, sort_key: str, done_by: str, outcome: str, now: datetime) -> bool:
        """Mark an open item done and take it off the open index; False if it was done already
        (or is not there)."""
        model = WorklistItemModel(patient_id=f"worklist#{organization_id}", record_key=sort_key)
        try:
            model.update(
                actions=[
                    WorklistItemModel.status.set("done"),
                    WorklistItemModel.done_by.set(done_by),
                    WorklistItemModel.done_at.set(now),
                    WorklistItemModel.outcome.set(outcome),
                    WorklistItemModel.waiting_pk.remove(),
                    WorklistItemModel.waiting_sk.remove(),
                ],
                condition=WorklistItemModel.status == "open",
            )
        except PynamoDBException as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def backfill_open_index(self, *, write: bool = True) -> Backfill:
        """Put the open items added before the open index existed on it. A Scan (an operator's
        step after an upgrade, never the API's); each write is conditional on the item being
        still open and its key still absent, so it never reopens a closed item, and a second run
        finds nothing."""
        found = WorklistItemModel.scan(
            WorklistItemModel.patient_id.startswith("worklist#")
            & (WorklistItemModel.status == "open")
            & WorklistItemModel.waiting_pk.does_not_exist(),
            attributes_to_get=["patient_id", "record_key", "item_id"],
        )

        def writes() -> Iterator[Callable[[], object]]:
            for item in found:
                organization_id = item.patient_id.partition("#")[2]
                yield partial(
                    item.update,
                    actions=_on_open_index(organization_id, item.item_id, item.record_key),
                    condition=(WorklistItemModel.status == "open") & WorklistItemModel.waiting_pk.does_not_exist(),
                )

        return backfill(writes(), write=write, unavailable=_UNAVAILABLE)
