"""Powertools batch processors that tell the on-call engineer which record failed and why, by
id and error type only (Powertools' own failure logging prints the exception's message, which may
quote a payload). Imported lazily by the SQS consumers: Powertools' batch module is not needed
for an API cold start."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import BasePartialProcessor, BatchProcessor, EventType

from chalicelib.observability import count, logger


class _LogsFailures(BasePartialProcessor):
    """Mixed in before a processor: its failure handler logs, counts, then hands on to the processor's."""

    def failure_handler(self, record, exception):
        logger.warning(
            "queue record failed; it stays on the queue for a retry",
            extra={
                "sqs_message_id": record.message_id,
                "error_type": exception[0].__name__,
                "receive_count": record.attributes.approximate_receive_count,
            },
        )
        count("QueueRecordFailed")
        return super().failure_handler(record, exception)


# raise_on_entire_batch_failure=False: when every record fails, report them all as failed (Lambda
# retries them just the same) instead of raising an error whose text quotes each record's exception.
class QueueBatch(_LogsFailures, BatchProcessor):
    def __init__(self) -> None:
        super().__init__(EventType.SQS, raise_on_entire_batch_failure=False)
