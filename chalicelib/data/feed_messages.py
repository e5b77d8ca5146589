"""Inbound clinical messages in DynamoDB (FeedMessageModel), keyed on sender and control id so a
message delivered twice is recorded once. Each is recorded with its audit event in one
transaction; later it moves on from status to status (accepted, filed, quarantined, dismissed),
each move on condition of the status it leaves, so two deliveries or two staff cannot both move it.

Staff's lists read them by organization (by-organization-status: only what waits for staff);
everything else by status, whose index key is a shard of the status (``status_key``), so a
hospital's stream of filed messages is spread over 16 keys and read back from all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import Backfill, backfill, conditional_failure, first_item_exists, one_page
from chalicelib.data.feed_sources import LISTED, org_status, owner_of
from chalicelib.data.models import AuditEventModel, FeedMessageModel
from chalicelib.data.sharded import merged_page
from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedStatus
from chalicelib.kernel.paging import decode_cursor, invalid_cursor
from chalicelib.kernel.shards import every_shard, sharded

_UNAVAILABLE = "The feed store is unavailable."


class DynamoFeedMessages:
    """The feed store: one record per inbound message, listed by status for staff."""

    def add(self, message: FeedMessage, audit_event: AuditEvent) -> bool:
        """Record a message once, with its audit event, in one transaction; False when a record
        with this key is already there (and then neither is written)."""
        model = FeedMessageModel(
            message_key=message.key,
            sha256=message.sha256,
            format=message.format.value,
            message_type=message.message_type or None,
            sender=message.sender or None,
            control_id=message.control_id or None,
            status=message.status.value,
            status_shard=status_key(message.key, message.status.value),
            reason=message.reason or None,
            archive_key=message.archive_key,
            received_at=message.received_at,
            # quarantined on arrival: on its sender's organization's list at once
            org_status=org_status(owner_of(message.sender), message.status.value)
            if message.status.value in LISTED
            else None,
        )
        try:
            with TransactWrite(connection=FeedMessageModel._get_connection().connection) as transaction:
                transaction.save(model, condition=FeedMessageModel.message_key.does_not_exist())
                transaction.save(audit_item(audit_event), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if first_item_exists(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def mark(self, key: str, status: FeedStatus, reason: str = "") -> bool:
        return mark_feed_message(key, status.value, reason)

    def hold(self, key: str, reason: str, patient_id: str) -> bool:
        return mark_feed_message(key, FeedStatus.HELD.value, reason, held_for=patient_id)

    def decide(self, key: str, decision: str) -> bool:
        return mark_feed_message(key, FeedStatus.ACCEPTED.value, expected=FeedStatus.HELD.value, decision=decision)

    def move(self, key: str, from_status: FeedStatus, to_status: FeedStatus) -> bool:
        """Quarantine to accepted (replay) or dismissed, if it is still in quarantine."""
        return mark_feed_message(key, to_status.value, expected=from_status.value)

    def in_status(
        self, status: FeedStatus, limit: int, after: str = "", organization_id: str = ""
    ) -> tuple[list[FeedMessage], str]:
        """Newest first. With an organization (quarantined and held only): its own messages
        alone, read by the key in one Query a page, so another organization's, however many,
        cost nothing. Without: every shard of the status, one Query each, merged."""
        if not organization_id:
            items, cursor = merged_page(
                _shard_query,
                every_shard(status.value),
                limit,
                after,
                position=lambda item: {
                    "message_key": item.message_key,
                    "received_at": FeedMessageModel.received_at.serialize(item.received_at),
                },
                names=frozenset({"message_key", "received_at"}),
                # (the index's sort key alone: a batch's messages share it, and each shard gives
                # them in DynamoDB's own order, which the merge keeps)
                order=lambda item: item.received_at,
                unavailable=_UNAVAILABLE,
                field="cursor",
            )
            return [_feed_message(item) for item in items], cursor
        start = decode_cursor(after)
        if start is not None and set(start) != {"message_key", "org_status", "received_at"}:
            raise invalid_cursor("cursor")
        try:
            items = list(
                FeedMessageModel.by_organization_status.query(
                    org_status(organization_id, status.value) or "-",
                    scan_index_forward=False,
                    limit=limit + 1,
                    page_size=limit + 1,
                    last_evaluated_key=start,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        shown, cursor = one_page(
            items,
            limit,
            lambda last: {
                "message_key": last.message_key,
                "org_status": last.org_status,
                "received_at": FeedMessageModel.received_at.serialize(last.received_at),
            },
        )
        return [_feed_message(item) for item in shown], cursor

    def quarantined_from(self, sender: str) -> bool:
        """One filtered Query of each shard of the quarantine (kept small by staff), stopping at
        the first match."""
        try:
            return any(
                next(iter(found), None) is not None
                for found in (
                    FeedMessageModel.by_status.query(
                        key, filter_condition=FeedMessageModel.sender == sender, page_size=500
                    )
                    for key in every_shard(FeedStatus.QUARANTINED.value)
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def backfill_status_shards(self, *, write: bool = True) -> Backfill:
        """Key the messages recorded before the by-status-shard index existed by a shard of their
        status. A Scan (an operator's step after an upgrade, never the API's); each write is
        conditional on the status being unchanged and the key still absent (a move since wrote
        its own); a second run finds nothing to do."""

        def writes() -> Iterator[Callable[[], object]]:
            found = FeedMessageModel.scan(
                FeedMessageModel.status_shard.does_not_exist(), attributes_to_get=["message_key", "status"]
            )
            for item in found:
                yield partial(
                    FeedMessageModel(message_key=item.message_key).update,
                    actions=[FeedMessageModel.status_shard.set(status_key(item.message_key, item.status))],
                    condition=FeedMessageModel.status_shard.does_not_exist() & (FeedMessageModel.status == item.status),
                )

        return backfill(writes(), write=write, unavailable=_UNAVAILABLE)

    def backfill_organization_index(self, feed_source: Any, *, write: bool = True) -> Backfill:
        """Key the quarantined and held messages recorded before the by-organization-status index
        existed by their sender's owner (``feed_source``: the registrations' lookup). A Scan (an
        operator's step after an upgrade, never the API's); each write is conditional on the
        status being unchanged and the key still absent; a second run finds nothing to do.
        Messages nobody owns stay off the index (the operator's, as before)."""
        owners: dict[str, str] = {}

        def writes() -> Iterator[Callable[[], object]]:
            found = FeedMessageModel.scan(
                FeedMessageModel.status.is_in(*LISTED) & FeedMessageModel.org_status.does_not_exist(),
                attributes_to_get=["message_key", "status", "sender"],
            )
            for item in found:
                sender = item.sender or ""
                if sender not in owners:
                    source = feed_source(sender) if sender else None
                    owners[sender] = source.organization_id if source else ""
                key = org_status(owners[sender], item.status)
                if key is not None:
                    yield partial(
                        FeedMessageModel(message_key=item.message_key).update,
                        actions=[FeedMessageModel.org_status.set(key)],
                        condition=FeedMessageModel.org_status.does_not_exist()
                        & (FeedMessageModel.status == item.status),
                    )

        return backfill(writes(), write=write, unavailable=_UNAVAILABLE)

    def get(self, key: str) -> FeedMessage | None:
        try:
            item = FeedMessageModel.get(key, consistent_read=True)
        except FeedMessageModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _feed_message(item)


def status_key(message_key: str, status: str) -> str:
    """A message's by-status-shard key: its status, on the shard its key hashes to."""
    return sharded(status, message_key)


def _shard_query(key: str, start: dict[str, Any] | None, count: int) -> list[FeedMessageModel]:
    start = {"status_shard": {"S": key}, **start} if start else None
    found = FeedMessageModel.by_status.query(
        key, scan_index_forward=False, limit=count, page_size=count, last_evaluated_key=start
    )
    return list(found)


def _feed_message(item: FeedMessageModel) -> FeedMessage:
    return FeedMessage(
        key=item.message_key,
        sha256=item.sha256,
        format=FeedFormat(item.format),
        message_type=item.message_type or "",
        sender=item.sender or "",
        control_id=item.control_id or "",
        status=FeedStatus(item.status),
        reason=item.reason or "",
        archive_key=item.archive_key,
        received_at=item.received_at,
        held_for=item.held_for or "",
        decision=item.decision or "",
    )


def mark_feed_message(
    key: str, status: str, reason: str = "", expected: str = "accepted", *, held_for: str = "", decision: str = ""
) -> bool:
    """Move a feed record on from ``expected`` (from "accepted": filed, quarantined or held by
    filing; from "quarantined": back to "accepted" for a replay, or dismissed; from "held": back
    to "accepted" with staff's decision, or dismissed); False if it had moved on already (a
    redelivery that raced the first delivery, two staff at once)."""
    model = FeedMessageModel(message_key=key)
    actions: list[Any] = [
        FeedMessageModel.status.set(status),
        FeedMessageModel.status_shard.set(status_key(key, status)),
    ]
    if status not in LISTED:
        actions.append(FeedMessageModel.org_status.remove())  # off its organization's list
    if reason:
        actions.append(FeedMessageModel.reason.set(reason))
    if held_for:
        actions.append(FeedMessageModel.held_for.set(held_for))
    if decision:
        actions.append(FeedMessageModel.decision.set(decision))
    try:
        model.update(actions=actions, condition=FeedMessageModel.status == expected)
        if status in LISTED:
            # onto its sender's organization's list (the update gave back the sender): a second
            # write, on condition it is still in this status (a replay may have moved it on)
            key_now = org_status(owner_of(model.sender or ""), status)
            if key_now:
                FeedMessageModel(message_key=key).update(
                    actions=[FeedMessageModel.org_status.set(key_now)], condition=FeedMessageModel.status == status
                )
    except PynamoDBException as error:
        if conditional_failure(error):
            return False
        raise DependencyUnavailable(_UNAVAILABLE) from error
    return True
