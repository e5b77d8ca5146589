"""The Lambda side of the clinical inbound queue: a FIFO batch, processed with Powertools.

Each HL7 v2 message is answered on the acknowledgement queue once its outcome is recorded
(chalicelib.feeds.acks); a failure to send the answer fails the record like any other, and the
redelivery, a duplicate by then, sends the same answer.

After a failure, the later records of the same message group (the same sender) are returned
unprocessed, so a sender's messages are never filed out of order, while other senders' records
go on; returned records come back after the visibility timeout and, after maxReceiveCount, wait
on the dead-letter queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds import acks, quarantine, service
from chalicelib.feeds.domain import Decision
from chalicelib.observability import count, logger
from chalicelib.release import outbox

if TYPE_CHECKING:  # Powertools' batch utilities are imported by the handler, on first use
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse


def handle_batch(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    from aws_lambda_powertools.utilities.batch import process_partial_response

    from chalicelib.batches import OrderedQueueBatch

    container = wiring.container()

    def file_one(envelope, message_key: str) -> Any:
        from chalicelib.filing import service as filing

        filed = filing.file_message(
            container, envelope, message_key, container.clock.now(), production=container.settings.is_production
        )
        logger.info("feed message filed", extra=filing.describe(filed))
        if filed.quarantined:
            # A batch's part left out waits for someone as a quarantined message does: same alarm.
            count("FeedMessageQuarantined", len(filed.quarantined))
        return filed  # intake records the parts it left out (filed.quarantined)

    def take(record) -> None:
        try:
            take_one(record)
        except Exception:
            tries = _receive_count(record)
            if tries >= quarantine.INBOUND_MAX_RECEIVES:  # SQS moves it to the dead-letter queue next
                _dead_lettered(record, tries)
            raise

    def _dead_lettered(record, tries: int) -> None:
        attributes = record.message_attributes
        sender = attributes["sender"].string_value if "sender" in attributes else ""
        try:
            quarantine.dead_lettered(
                container,
                record.body.encode("utf-8"),
                sender or record.attributes.message_group_id or "",
                tries,
                container.clock.now(),
            )
        except DependencyUnavailable:  # (the store may be what failed: the listing still shows it)
            logger.warning("dead-lettered feed message not put in quarantine")

    def take_one(record) -> None:
        attributes = record.message_attributes
        sender = attributes["sender"].string_value if "sender" in attributes else ""
        logger.set_correlation_id(record.message_id)  # ties this record's log lines together
        decisions: list[Decision] = []
        results = service.receive(
            record.body.encode("utf-8"),
            archive=container.feed_archive,
            messages=container.feed_messages,
            filer=file_one,
            received_at=container.clock.now(),
            sender_hint=sender or record.attributes.message_group_id or "",
            decided=decisions.append,
        )
        now = container.clock.now()
        answers = [ack for decision in decisions for ack in acks.acks_for(decision, now)]
        acks.send(container.clinical_ack_queue, answers)
        for result, _key in results:
            count(f"FeedMessage{result.value.title()}")
        logger.info(
            "feed intake done",
            extra={"results": [result.value for result, _ in results], "acks": [ack.code for ack in answers]},
        )

    answer = process_partial_response(event=event, record_handler=take, processor=OrderedQueueBatch(), context=context)
    # What a queue or Step Functions refused earlier goes now (the schedule drains it too).
    outbox.drain_quietly(container, container.clock.now())
    return answer


def _receive_count(record: Any) -> int:
    try:
        return int(record.attributes.approximate_receive_count)
    except (TypeError, ValueError):
        return 1
