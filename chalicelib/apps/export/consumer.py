"""The Lambda side of the record exports queue: each record one export to build
(apps/export/building.py). A record that fails comes back; the queue allows two tries, and the
second failure marks the export failed before the record goes to the dead-letter queue (whose
alarm tells the on-call engineer), so the page never waits on an export nobody will build."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.apps.export.building import build, fail
from chalicelib.errors import ValidationFailed
from chalicelib.observability import count, logger

if TYPE_CHECKING:  # for the type checker only: Powertools' batch utility is imported on first use
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

# The queue's maxReceiveCount (infra/template.yaml, RecordExportsQueue): the try that fails the export.
MAX_TRIES = 2


def handle_batch(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    from chalicelib.batches import QueueBatch

    container = wiring.container()

    def take(record: Any) -> None:
        logger.set_correlation_id(record.message_id)
        try:
            message = json.loads(record.body)
        except ValueError:
            raise ValidationFailed("A record export message is a JSON object.") from None
        try:
            outcome = build(container, message, container.clock.now())
        except Exception:  # any failure: on the last try the export is marked failed, then it re-raises
            if _receive_count(record) >= MAX_TRIES:
                fail(container, message, container.clock.now())
                count("RecordExportsFailed")
            raise
        count(f"RecordExports{outcome.title().replace('_', '')}")
        # ids only: never whose record
        logger.info("record export", extra={"outcome": outcome, "export_id": message.get("export_id")})

    return process_partial_response(event=event, record_handler=take, processor=QueueBatch(), context=context)


def _receive_count(record: Any) -> int:
    try:
        return int(record.attributes.approximate_receive_count)
    except (TypeError, ValueError):
        return 1
