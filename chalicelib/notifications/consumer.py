"""The Lambda side of the notifications queue: each record is one NotificationRequest, sent once.

A record's parameters arrive sealed (sealing.py) and are opened here, just before the email is
rendered; the opened values never leave this function (they are not logged, and idempotency
keeps a hash of the sealed form only).

Idempotency (Powertools, on notification_id) makes a redelivered record, or the same request
put twice, one email and at most one inbox item (the inbox write is itself conditional on the id,
so a retry after a failed email does not add a second). A record that is not a valid request
fails; after maxReceiveCount it waits on the dead-letter queue, whose alarm tells the on-call
engineer.

Each outcome goes on the request's delivery record (deliveries.py) after the fact and never in
the way: sent (or kept in the inbox only) once the send returned, failed with its reason when it
raised, and dead_letter on the last receive the queue allows. A record that cannot be written is
logged and skipped: the email stands sent, or the request stays on the queue, as it would anyway.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.errors import ValidationFailed
from chalicelib.notifications import sealing, service
from chalicelib.notifications.deliveries import NOTIFICATIONS_MAX_RECEIVES, DeliveryState, FailureReason, note
from chalicelib.notifications.domain import NotificationRequest
from chalicelib.observability import count, logger

if TYPE_CHECKING:  # for the type checker only: Powertools' batch utility is imported on first use
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

# Longer than a message can live anywhere: 4 days on the queue, then 14 on the dead-letter queue.
IDEMPOTENCY_WINDOW_SECONDS = 19 * 24 * 3600
# The payload check covers every field of a request but its id: a reused id with other content
# (another address, account, template or parameter) is refused, not taken for a duplicate. It
# hashes the sealed parameters, never the opened ones: a stored hash of a six-digit code could be
# reversed by trying all million. Not the release time: a redelivery of a notice may carry a
# later one (a drained outbox entry), and is that notice all the same (take() below).
PAYLOAD_JMESPATH = "[template, to_address, sealed, account_id]"


def handle_batch(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    from chalicelib.batches import QueueBatch

    container = wiring.container()

    def send(message: dict[str, Any], request: NotificationRequest) -> dict[str, str]:
        # (``message``, as queued, is what idempotency keys and checks; ``request`` is it opened)
        delivery = service.deliver(container, request, wiring.container().clock.now())
        if delivery.ses_message_id:
            count("NotificationSent")
        if delivery.inbox == "added":
            count("NotificationInboxed")
        # ids and codes only: never the address
        logger.info(
            "notification sent" if delivery.ses_message_id else "notification not emailed",
            extra={
                "notification_id": request.notification_id,
                "template": request.template,
                "account_id": request.account_id or None,
                "inbox": delivery.inbox or None,
                "not_emailed": delivery.not_emailed or None,
            },
        )
        return delivery.as_json()

    send_once, config = container.idempotent(
        "notifications.send", send, "notification_id", PAYLOAD_JMESPATH, IDEMPOTENCY_WINDOW_SECONDS
    )
    if context is not None:
        config.register_lambda_context(context)

    def take(record) -> None:
        logger.set_correlation_id(record.message_id)
        try:
            message = json.loads(record.body)
        except ValueError:
            raise ValidationFailed("A notification is a JSON object.") from None
        notification_id, template = _names(message)
        try:
            # opened and checked before an idempotency key is taken: a request refused takes none
            request = NotificationRequest.from_message(sealing.unseal(container.keys, message))
            delivery = send_once(message=message, request=request)
        except Exception as error:
            if notification_id:
                reason = failure_reason(error, _receive_count(record))
                note(
                    lambda: container.deliveries.failed(
                        notification_id, template or "unknown", reason, container.clock.now()
                    ),
                    notification_id,
                    DeliveryState.FAILED.value,
                )
            raise
        # (a replay of a request sent before answers with that send's result: it stays sent once)
        note(
            lambda: container.deliveries.sent(
                request.notification_id,
                request.template,
                container.clock.now(),
                emailed=bool((delivery or {}).get("ses_message_id")),
            ),
            request.notification_id,
            DeliveryState.SENT.value,
        )
        if request.released_at and request.account_id:
            # A redelivery of a notice already sent is answered by idempotency: if the patient read
            # it before this release, it is unread again (a notice folded into another did that
            # for the other when it was delivered: deliver()).
            container.inbox.unread_again(
                request.account_id, request.notification_id, datetime.fromisoformat(request.released_at)
            )

    return process_partial_response(event=event, record_handler=take, processor=QueueBatch(), context=context)


def _names(message: Any) -> tuple[str, str]:
    """The request's notification id and template as queued (in clear: only its parameters are
    sealed), or "" when the message is no request at all."""
    if not isinstance(message, dict):
        return "", ""
    notification_id, template = message.get("notification_id"), message.get("template")
    if not isinstance(notification_id, str) or not 0 < len(notification_id) <= 200:
        return "", ""
    return notification_id, template if isinstance(template, str) and len(template) <= 64 else ""


def _receive_count(record: Any) -> int:
    try:
        return int(record.attributes.approximate_receive_count)
    except (TypeError, ValueError):
        return 1


def failure_reason(error: BaseException, receive_count: int) -> FailureReason:
    """Why a request is not sent, in a word of FailureReason: on the last receive SQS allows, it
    waits on the dead-letter queue next (the record says so before it gets there)."""
    if receive_count >= NOTIFICATIONS_MAX_RECEIVES:
        return FailureReason.DEAD_LETTER
    if isinstance(error, service.MailRefused):
        return FailureReason.MAIL_REFUSED
    return FailureReason.NOT_SENT
