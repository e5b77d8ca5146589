"""Delivery records in the identity table (DeliveryModel, "delivery#<notification id>"). Each
write is one conditional UpdateItem: cheap, and safe in any order the queue delivers in."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.exceptions import PynamoDBException

from chalicelib.data.dynamo import conditional_failure
from chalicelib.data.models import DeliveryModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.notifications.deliveries import DeliveryRecord, DeliveryState, FailureReason

PREFIX = "delivery#"
# Longer than a request can live: 4 days on the queue, then 14 on the dead-letter queue.
KEEP_SECONDS = 19 * 24 * 3600
_UNAVAILABLE = "The delivery records are unavailable."


def _key(notification_id: str) -> str:
    return PREFIX + notification_id


class DynamoDeliveries:
    def _update(self, notification_id: str, actions: list, condition=None) -> bool:
        try:
            DeliveryModel(pk=_key(notification_id)).update(actions=actions, condition=condition)
        except PynamoDBException as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def _common(self, template: str, at: datetime) -> list:
        return [
            DeliveryModel.kind.set("delivery"),
            DeliveryModel.template.set(template),
            DeliveryModel.updated_at.set(at),
            DeliveryModel.expires_ttl.set(int(at.timestamp()) + KEEP_SECONDS),
        ]

    def queued(self, notification_id: str, template: str, at: datetime) -> None:
        # The consumer may have sent it before this write lands: never over an existing record.
        self._update(
            notification_id,
            [*self._common(template, at), DeliveryModel.state.set(DeliveryState.QUEUED.value)],
            condition=DeliveryModel.pk.does_not_exist(),
        )

    def sent(self, notification_id: str, template: str, at: datetime, *, emailed: bool) -> None:
        state = DeliveryState.SENT if emailed else DeliveryState.NOT_EMAILED
        self._update(
            notification_id,
            [
                *self._common(template, at),
                DeliveryModel.state.set(state.value),
                DeliveryModel.sent_at.set(DeliveryModel.sent_at | at),  # the first success: a replay keeps it
                DeliveryModel.reason.remove(),
            ],
        )

    def failed(self, notification_id: str, template: str, reason: FailureReason, at: datetime) -> None:
        # A failure reported after a success (a late retry of an attempt that sent) changes nothing.
        self._update(
            notification_id,
            [
                *self._common(template, at),
                DeliveryModel.state.set(DeliveryState.FAILED.value),
                DeliveryModel.reason.set(reason.value),
                DeliveryModel.failed_attempts.add(1),
            ],
            condition=DeliveryModel.state.does_not_exist() | (DeliveryModel.state != DeliveryState.SENT.value),
        )

    def many(self, notification_ids: Iterable[str]) -> dict[str, DeliveryRecord]:
        keys = sorted({_key(i) for i in notification_ids})
        if not keys:
            return {}
        try:
            items = list(DeliveryModel.batch_get(keys))
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return {item.pk[len(PREFIX) :]: _record(item) for item in items}


def _record(item: DeliveryModel) -> DeliveryRecord:
    return DeliveryRecord(
        notification_id=item.pk[len(PREFIX) :],
        template=item.template,
        state=DeliveryState(item.state),
        updated_at=item.updated_at,
        reason=FailureReason(item.reason) if item.reason else None,
        sent_at=item.sent_at,
        failed_attempts=int(item.failed_attempts or 0),
    )
