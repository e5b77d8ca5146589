"""The Lambda side of the notifications queue: each record is one NotificationRequest, sent once.

Idempotency (Powertools, on notification_id) makes a redelivered record, or the same request
put twice, one email. A record that is not a valid request fails; after maxReceiveCount it waits
on the dead-letter queue, whose alarm tells the on-call engineer.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib import wiring
from chalicelib.errors import ValidationFailed
from chalicelib.notifications import service
from chalicelib.notifications.domain import NotificationRequest
from chalicelib.observability import count, logger

# Longer than a message can live anywhere: 4 days on the queue, then 14 on the dead-letter queue.
IDEMPOTENCY_WINDOW_SECONDS = 19 * 24 * 3600
# The payload check covers every field of a request but its id: a reused id with other content
# (another address, template or parameter) is refused, not taken for a duplicate.
PAYLOAD_JMESPATH = "[template, to_address, token, username, code]"


def handle_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    from chalicelib.batches import QueueBatch

    container = wiring.container()

    def send(message: dict[str, Any]) -> dict[str, str]:
        request = NotificationRequest.from_message(message)
        ses_id = service.send(request, mailer=container.mailer, public_base_url=container.settings.public_base_url)
        count("NotificationSent")
        logger.info("notification sent", extra={"notification_id": request.notification_id,
                                                 "template": request.template})
        return {"ses_message_id": ses_id}

    send_once, config = container.idempotent("notifications.send", send, "notification_id", PAYLOAD_JMESPATH,
                                             IDEMPOTENCY_WINDOW_SECONDS)
    if context is not None:
        config.register_lambda_context(context)

    def take(record) -> None:
        logger.set_correlation_id(record.message_id)
        try:
            message = json.loads(record.body)
        except ValueError:
            raise ValidationFailed("A notification is a JSON object.") from None
        NotificationRequest.from_message(message)  # refuse before taking an idempotency key
        send_once(message=message)

    return process_partial_response(event=event, record_handler=take, processor=QueueBatch(),
                                    context=context)
