"""The outbox in the records table (OutboxModel, under the partition "outbox"): the drain reads
one partition, and an entry can be written in the same transaction as the record it follows."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException

from chalicelib.data.models import OutboxModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.records.outbox import OutboxEntry

PARTITION = "outbox"
_UNAVAILABLE = "The health records store is unavailable."


def outbox_item(entry: OutboxEntry) -> OutboxModel:
    return OutboxModel(
        patient_id=PARTITION,
        record_key=f"{entry.kind}#{entry.entry_id}",
        kind=entry.kind,
        payload=entry.payload,
        created_at=entry.created_at,
    )


class DynamoOutbox:
    def item(self, entry: OutboxEntry) -> OutboxModel:
        """The entry as an item for another store's transaction (``also`` of a proxy grant's change)."""
        return outbox_item(entry)

    def put(self, entry: OutboxEntry) -> None:
        try:
            outbox_item(entry).save()
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def pending(self, limit: int) -> list[OutboxEntry]:
        try:
            items = list(OutboxModel.query(PARTITION, consistent_read=True, limit=limit, page_size=limit))
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        entries = [
            OutboxEntry(item.kind, item.record_key.partition("#")[2], dict(item.payload), item.created_at)
            for item in items
        ]
        return sorted(entries, key=lambda e: e.created_at)

    def done(self, entry: OutboxEntry) -> None:
        try:
            OutboxModel(patient_id=PARTITION, record_key=f"{entry.kind}#{entry.entry_id}").delete()
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
