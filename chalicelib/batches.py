"""Powertools batch processors that tell the on-call engineer which record failed and why, by
id and error type only (Powertools' own failure logging prints the exception's message, which may
quote a payload). Imported lazily by the SQS consumers: Powertools' batch module is not needed
for an API cold start."""

from __future__ import annotations

from aws_lambda_powertools.utilities.batch import (
    BasePartialProcessor,
    BatchProcessor,
    EventType,
    SqsFifoPartialProcessor,
)
from aws_lambda_powertools.utilities.batch.exceptions import (
    SQSFifoCircuitBreakerError,
    SQSFifoMessageGroupCircuitBreakerError,
)

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
                **self._why_held(record, exception),
            },
        )
        count("QueueRecordFailed")
        return super().failure_handler(record, exception)

    def _why_held(self, record, exception) -> dict[str, str]:
        """Fields naming what a record returned unprocessed waited behind (none: it failed itself)."""
        return {}


# raise_on_entire_batch_failure=False: when every record fails, report them all as failed (Lambda
# retries them just the same) instead of raising an error whose text quotes each record's exception.
class QueueBatch(_LogsFailures, BatchProcessor):
    def __init__(self) -> None:
        super().__init__(EventType.SQS, raise_on_entire_batch_failure=False)


class OrderedQueueBatch(_LogsFailures, SqsFifoPartialProcessor):
    """FIFO: after a failure, the later records of the same message group are returned unprocessed
    (so a sender's messages are never filed out of order); other groups go on.

    A record returned unprocessed is logged with the failure it waited behind: ``held_behind``
    is the failed record's ``sqs_message_id``, also the line's correlation id (the one the
    consumer set while that record ran), and ``message_group`` the group (the sending system, not
    a patient). On-call then reads one failure, not one line per record of a busy sender."""

    def __init__(self) -> None:
        super().__init__(skip_group_on_error=True)
        self.raise_on_entire_batch_failure = False
        self._first_failed: dict[str, str] = {}  # message group -> the message id of its failed record

    def failure_handler(self, record, exception):
        group = record.attributes.message_group_id or ""
        if not issubclass(exception[0], SQSFifoCircuitBreakerError | SQSFifoMessageGroupCircuitBreakerError):
            self._first_failed.setdefault(group, record.message_id)
        return super().failure_handler(record, exception)

    def _why_held(self, record, exception) -> dict[str, str]:
        if not issubclass(exception[0], SQSFifoCircuitBreakerError | SQSFifoMessageGroupCircuitBreakerError):
            return {}
        group = record.attributes.message_group_id or ""
        failed = self._first_failed.get(group, "")
        if failed:
            logger.set_correlation_id(failed)  # the line sits with the failure's own lines
        return {"held_behind": failed, "message_group": group}

    def _clean(self) -> None:
        self._first_failed.clear()
        super()._clean()
