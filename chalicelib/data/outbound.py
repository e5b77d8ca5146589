"""Outbound events waiting to be sent, in the records table (OutboxModel under the partition
"outbound"): a caller saves ``outbound_item(event)`` in the transaction of its own change, and the
producer (outbound.producer) deletes it once SQS took it.

The row holds the whole resource, a message's words included: the event must leave exactly as it
was decided, even if what it came from changes meanwhile, and the records table already holds the
chart (encrypted with the portal's key). Its own partition keeps it apart from the notices'
outbox: each drain reads only its own rows, and each function's role names the partition it may
touch."""

from __future__ import annotations

from pynamodb.exceptions import PynamoDBException

from chalicelib.data.models import OutboxModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.outbound.domain import OutboundEvent

PARTITION = "outbound"
_UNAVAILABLE = "The health records store is unavailable."


def outbound_item(event: OutboundEvent) -> OutboxModel:
    """The row to save in the caller's TransactWrite (``transaction.save(outbound_item(event))``).
    Written again with the same event id, it replaces the waiting one: one event, sent once."""
    return OutboxModel(
        patient_id=PARTITION,
        record_key=event.event_id,
        kind=event.kind,
        payload=event.as_payload(),
        created_at=event.created_at,
    )


class DynamoOutbound:
    def put(self, event: OutboundEvent) -> None:
        try:
            outbound_item(event).save()
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def pending(self, limit: int) -> list[OutboundEvent]:
        """The oldest events not sent yet, at most ``limit``, oldest first."""
        try:
            items = list(OutboxModel.query(PARTITION, consistent_read=True, limit=limit, page_size=limit))
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        events = [OutboundEvent.from_payload(item.record_key, dict(item.payload), item.created_at) for item in items]
        return sorted(events, key=lambda e: e.created_at)

    def done(self, event: OutboundEvent) -> None:
        """Sent: the row is deleted (deleting one gone already is no error)."""
        try:
            OutboxModel(patient_id=PARTITION, record_key=event.event_id).delete()
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
