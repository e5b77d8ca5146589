"""The Lambda side of the notifications queue: each record is one NotificationRequest, sent once.

A record's parameters arrive sealed (sealing.py) and are opened here, just before the email is
rendered; the opened values never leave this function (they are not logged, and idempotency
keeps a hash of the sealed form only).

Idempotency (Powertools, on notification_id) makes a redelivered record, or the same request
put twice, one email and at most one inbox item (the inbox write is itself conditional on the id,
so a retry after a failed email does not add a second). A record that is not a valid request
fails; after maxReceiveCount it waits on the dead-letter queue, whose alarm tells the on-call
engineer.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.errors import ValidationFailed
from chalicelib.notifications import sealing, service
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
        # opened and checked before an idempotency key is taken: a request refused takes none
        request = NotificationRequest.from_message(sealing.unseal(container.keys, message))
        send_once(message=message, request=request)
        if request.released_at and request.account_id:
            # A redelivery of a notice already sent is answered by idempotency: if the patient read
            # it before this release, it is unread again (a notice folded into another did that
            # for the other when it was delivered: deliver()).
            container.inbox.unread_again(
                request.account_id, request.notification_id, datetime.fromisoformat(request.released_at)
            )

    return process_partial_response(event=event, record_handler=take, processor=QueueBatch(), context=context)
