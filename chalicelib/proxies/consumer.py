"""The Lambda side of the proxy grant timers queue: each record one grant timer that came due (a
child's 12th birthday, a grant's end date, or a hop toward one further off than a timer can wait);
proxies/grants.py decides whether it still stands. A record that is not a grant timer fails;
after maxReceiveCount it waits on the dead-letter queue, whose alarm tells the on-call engineer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.errors import ValidationFailed
from chalicelib.observability import count, logger
from chalicelib.proxies.grant_timers import on_timer

if TYPE_CHECKING:  # for the type checker only: Powertools' batch utility is imported on first use
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse


def handle_batch(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    from chalicelib.batches import QueueBatch

    container = wiring.container()

    def take(record: Any) -> None:
        logger.set_correlation_id(record.message_id)
        try:
            message = json.loads(record.body)
        except ValueError:
            raise ValidationFailed("A proxy grant timer is a JSON object.") from None
        outcome = on_timer(container, message, container.clock.now())
        if outcome in ("narrowed", "ended"):
            count(f"ProxyGrants{outcome.capitalize()}")
        # ids only: never whose record, nor the proxy
        logger.info("proxy grant timer", extra={"outcome": outcome, "grant_id": message.get("grant_id")})

    return process_partial_response(event=event, record_handler=take, processor=QueueBatch(), context=context)
