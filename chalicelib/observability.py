"""Powertools logger, metrics and tracer, shared by the whole application.

Logger and Metrics are cheap to build and are created here at import; the Tracer pulls in the
X-Ray SDK (~80 ms), so it is built on first use and only when tracing is switched on
(``Settings.tracing_enabled``).

Logs carry ids, never payloads: a payload is PHI. ``log_exception`` is how code logs a failure
without the exception's message, which may quote a value.
"""

from __future__ import annotations

import functools
import traceback
import uuid
import warnings

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

SERVICE = "patient-portal"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace="PatientPortal", service=SERVICE)


def count(event_name: str, value: int = 1) -> None:
    """One metric per business event (FeedMessageAccepted, NotificationSent, QueueRecordFailed ...)."""
    # With POWERTOOLS_METRICS_DISABLED (the local stage) Powertools never clears what it was given,
    # so a long-running local server would pile metrics up: do not hand them over at all.
    if not is_metrics_disabled():
        metrics.add_metric(name=event_name, unit=MetricUnit.Count, value=value)


@functools.lru_cache(maxsize=1)
def tracer():
    """The Powertools Tracer, built on first use (callers check Settings.tracing_enabled first)."""
    from aws_lambda_powertools import Tracer

    # botocore only: every AWS call the portal makes (boto3 and PynamoDB alike) goes through it. The
    # default patches every library the X-Ray SDK knows that can be imported (sqlite3, http.client,
    # PynamoDB a second time over botocore ...), importing each on the first request: work the
    # first request paid for subsegments nobody reads.
    return Tracer(service=SERVICE, patch_modules=("botocore",))


def log_exception(where: str, error: BaseException, **ids: str) -> str:
    """Log a failure by type and stack frames only, and return an error id for the caller.

    The exception's message is left out on purpose: messages from boto3, PynamoDB or a parser
    can quote the data they choked on, and that data may be PHI.
    """
    error_id = uuid.uuid4().hex
    frames = [
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} in {f.name}" for f in traceback.extract_tb(error.__traceback__)
    ]
    logger.error(
        "unhandled error",
        extra={"where": where, "error_id": error_id, "error_type": type(error).__name__, "frames": frames[-12:], **ids},
    )
    return error_id


def tracing_middleware(enabled):
    """Chalice middleware that traces with X-Ray when ``enabled()`` says so, built on first use."""

    def middleware(event, get_response):
        if not enabled():
            return get_response(event)
        from chalice import ConvertToMiddleware

        # Responses and exception messages carry PHI: X-Ray keeps timings and call graphs only.
        capture = functools.partial(tracer().capture_lambda_handler, capture_response=False, capture_error=False)
        return ConvertToMiddleware(capture)(event, get_response)

    return middleware


# Powertools warns on every invocation that emitted no metric (health checks, most reads):
# that is normal here, not a fault worth a line in the log.
warnings.filterwarnings("ignore", message="No application metrics to publish")
