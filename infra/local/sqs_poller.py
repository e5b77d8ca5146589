"""Delivers SQS messages to the app's ``on_sqs_message`` handlers the way Lambda's event source
mapping does, because ``chalice local`` never calls them:

- a batch of up to ``batch_size`` records in Lambda's SQS event shape;
- ``batchItemFailures`` honoured: the records it names stay on the queue, the rest are deleted;
- a handler that raises, or answers with an itemIdentifier that is not one of the batch's message
  ids, fails the whole batch: nothing is deleted;
- what is not deleted comes back after the queue's visibility timeout, and SQS itself moves it to
  the dead-letter queue after maxReceiveCount (moto implements the redrive policy).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from chalice.local import LambdaContext

log = logging.getLogger("portal.local.sqs")


def lambda_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    def binary(value: bytes | None) -> str | None:  # Lambda hands binary attributes over in base64
        return base64.b64encode(value).decode() if value is not None else None

    attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": binary(value.get("BinaryValue")),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": attributes,
        "md5OfBody": message.get("MD5OfBody") or hashlib.md5(message["Body"].encode()).hexdigest(),  # noqa: S324
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class SqsPoller:
    def __init__(
        self,
        sqs_client,
        queue_url: str,
        handler: Callable[[dict, Any], Any],
        *,
        batch_size: int = 10,
        function_name: str = "handler",
        timeout_seconds: int = 30,
        wait_seconds: int = 1,
        dispatch_lock: Any = None,
    ):
        self._sqs = sqs_client
        self.queue_url = queue_url
        self._handler = handler
        self._batch_size = batch_size
        self._function_name = function_name
        self._timeout_ms = timeout_seconds * 1000
        self._wait_seconds = wait_seconds
        self._queue_arn = sqs_client.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        # Shared with the local API server: one invocation at a time, as each Lambda has its own process.
        self._dispatch_lock = dispatch_lock or threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> tuple[int, int]:
        """One receive and one invocation. Returns (records delivered, records deleted)."""
        answer = self._sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=self._wait_seconds,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return 0, 0
        region = self._sqs.meta.region_name
        event = {"Records": [lambda_record(message, self._queue_arn, region) for message in messages]}
        try:
            with self._dispatch_lock:
                # The clock of the invocation starts once it runs, not while it waits its turn.
                context = LambdaContext(self._function_name, 512, max_runtime_ms=self._timeout_ms)
                response = self._handler(event, context)
        except Exception as error:  # a crashed invocation: Lambda keeps the whole batch on the queue
            log.error(
                "%s failed (%s at %s); %d records stay on the queue",
                self._function_name,
                type(error).__name__,
                _frames(error),
                len(messages),
            )
            return len(messages), 0
        failed = {item.get("itemIdentifier") for item in (response or {}).get("batchItemFailures", [])}
        if not failed <= {m["MessageId"] for m in messages}:
            log.error("%s named an unknown itemIdentifier; Lambda fails the whole batch", self._function_name)
            return len(messages), 0
        done = [m for m in messages if m["MessageId"] not in failed]
        for start in range(0, len(done), 10):
            self._sqs.delete_message_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done[start : start + 10])
                ],
            )
        return len(messages), len(done)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"sqs-{self._function_name}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception as error:  # the poller outlives a hiccup of the stand-in, as Lambda's would
                log.warning(
                    "polling %s failed (%s at %s); retrying", self.queue_url, type(error).__name__, _frames(error)
                )
                self._stop.wait(1)

    def ask_to_stop(self) -> None:
        """Stop after the current receive or run, without waiting for it (stop() waits)."""
        self._stop.set()

    def stop(self) -> None:
        self.ask_to_stop()
        if self._thread is not None:
            self._thread.join(timeout=self._wait_seconds + 5)


def _frames(error: BaseException) -> str:
    """Where it failed, without the exception's message (which may quote a message body)."""
    return " <- ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(traceback.extract_tb(error.__traceback__)[-4:])
    )


def pollers_for_app(
    app_module, sqs_client, lambda_timeouts: dict[str, int] | None = None, dispatch_lock: Any = None
) -> list[SqsPoller]:
    """One poller per ``@app.on_sqs_message`` handler of the chalice app in ``app_module``."""
    pollers = []
    for source in app_module.app.event_sources:
        if type(source).__name__ != "SQSEventConfig":
            continue
        handler = getattr(app_module, source.handler_string.split(".")[-1])
        url = sqs_client.get_queue_url(QueueName=source.queue)["QueueUrl"]
        pollers.append(
            SqsPoller(
                sqs_client,
                url,
                handler,
                batch_size=source.batch_size,
                function_name=source.name,
                timeout_seconds=(lambda_timeouts or {}).get(source.name, 30),
                dispatch_lock=dispatch_lock,
            )
        )
    return pollers
