"""The Lambda side of the appointment reminders queue: each record one reminder that came due
(appointments/reminders.py decides whether it is still to be sent). A record that is not a
reminder fails; after maxReceiveCount it waits on the dead-letter queue, whose alarm tells the
on-call engineer."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.appointments.reminders import remind_if_still_due
from chalicelib.errors import ValidationFailed
from chalicelib.observability import count, logger

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
            raise ValidationFailed("A reminder is a JSON object.") from None
        outcome = remind_if_still_due(container, message, container.clock.now())
        if outcome == "queued":
            count("AppointmentRemindersQueued")
        # ids only: never the visit's time, place or the patient
        logger.info("appointment reminder", extra={"outcome": outcome, "entry_id": message.get("entry_id")})

    return process_partial_response(event=event, record_handler=take, processor=QueueBatch(), context=context)
