"""Delivery records in the identity table (DeliveryModel, "delivery#<notification id>"). Each
write is one UpdateItem: cheap, and safe in any order the queue delivers in. A record about a
patient or an account is listed for them through the by-owner index, under an owner of its own
namespace ("emails#..."), newest first by when it was first queued."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pynamodb.exceptions import PynamoDBException

from chalicelib.data.dynamo import conditional_failure, from_keys
from chalicelib.data.models import DeliveryModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.clock import iso
from chalicelib.notifications.deliveries import DeliveryRecord, DeliveryState, FailureReason

PREFIX = "delivery#"
# Longer than a request can live: 4 days on the queue, then 14 on the dead-letter queue.
KEEP_SECONDS = 19 * 24 * 3600
_UNAVAILABLE = "The delivery records are unavailable."


def _key(notification_id: str) -> str:
    return PREFIX + notification_id


def _owner(about: str) -> str:
    return "emails#" + about


def _created_key(notification_id: str, at: datetime) -> str:
    return f"{iso(at)}#{notification_id}"


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

    def queued(self, notification_id: str, template: str, at: datetime, about: str = "") -> None:
        # The consumer may have written first (sent, failed): each field is set only where it is
        # missing, so this write never undoes its news, and a record it made still gets its owner.
        actions = [
            DeliveryModel.kind.set("delivery"),
            DeliveryModel.template.set(template),
            DeliveryModel.state.set(DeliveryModel.state | DeliveryState.QUEUED.value),
            DeliveryModel.updated_at.set(DeliveryModel.updated_at | at),
            DeliveryModel.expires_ttl.set(DeliveryModel.expires_ttl | int(at.timestamp()) + KEEP_SECONDS),
            DeliveryModel.asked_at.set(DeliveryModel.asked_at | at),
        ]
        if about:
            actions += [
                DeliveryModel.owner.set(_owner(about)),
                DeliveryModel.created_key.set(DeliveryModel.created_key | _created_key(notification_id, at)),
            ]
        self._update(notification_id, actions)

    def queued_by_timer(self, notification_id: str, template: str, at: datetime, about: str) -> dict[str, object]:
        # Low-level attribute values, as the state machine passes them to UpdateItem; the names
        # and formats are the model's (a UTCDateTimeAttribute's string, a number as a string).
        def moment(value: datetime) -> dict[str, str]:
            return {"S": DeliveryModel.asked_at.serialize(value)}

        return {
            "table": DeliveryModel.Meta.table_name,
            "key": {"pk": {"S": _key(notification_id)}},
            "values": {
                ":kind": {"S": "delivery"},
                ":template": {"S": template},
                ":queued": {"S": DeliveryState.QUEUED.value},
                ":at": moment(at),
                ":ttl": {"N": str(int(at.timestamp()) + KEEP_SECONDS)},
                ":owner": {"S": _owner(about)},
                ":created_key": {"S": _created_key(notification_id, at)},
            },
        }

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

    def about(self, subject: str, since: datetime, limit: int) -> list[DeliveryRecord]:
        try:
            keys = DeliveryModel.by_owner.query(
                _owner(subject),
                DeliveryModel.created_key >= iso(since),
                scan_index_forward=False,
                limit=limit,
            )
            return [_record(item) for item in from_keys(DeliveryModel, keys, lambda item: item.pk)]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error


def _record(item: DeliveryModel) -> DeliveryRecord:
    return DeliveryRecord(
        notification_id=item.pk[len(PREFIX) :],
        template=item.template,
        state=DeliveryState(item.state),
        updated_at=item.updated_at,
        reason=FailureReason(item.reason) if item.reason else None,
        sent_at=item.sent_at,
        failed_attempts=int(item.failed_attempts or 0),
        asked_at=item.asked_at,
    )
