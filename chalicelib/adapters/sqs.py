from __future__ import annotations

import json
from typing import Any

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import DependencyUnavailable


class SqsQueue:
    """A queue the portal writes to (notifications, the outbound feed toward clinical systems)."""

    def __init__(self, client, queue_url: str):
        self._sqs = client
        self.url = queue_url

    @property
    def is_fifo(self) -> bool:
        return self.url.endswith(".fifo")

    def send(self, message: dict[str, Any], group_id: str = "", deduplication_id: str = "") -> str:
        params: dict[str, Any] = {"QueueUrl": self.url, "MessageBody": json.dumps(message, separators=(",", ":"))}
        if self.is_fifo:
            params["MessageGroupId"] = group_id or "default"
            if deduplication_id:
                params["MessageDeduplicationId"] = deduplication_id
        try:
            return self._sqs.send_message(**params)["MessageId"]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("A queue is unavailable.") from error

    def send_raw(self, body: str, group_id: str, deduplication_id: str, attributes: dict[str, str]) -> str:
        """A body as it is (a feed message, not JSON of ours), to a FIFO queue."""
        try:
            return self._sqs.send_message(
                QueueUrl=self.url,
                MessageBody=body,
                MessageGroupId=group_id,
                MessageDeduplicationId=deduplication_id,
                MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
            )["MessageId"]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("A queue is unavailable.") from error

    def send_raw_batch(self, messages: list[tuple[str, str, str, dict[str, str]]]) -> None:
        """Bodies as they are (body, group id, deduplication id, attributes), to a FIFO queue, in
        order, ten to a request (SQS's limit). Any message SQS refuses raises, after the ones
        before it went: a retry sends them again under the same deduplication ids."""
        for start in range(0, len(messages), 10):
            entries = [
                {
                    "Id": str(number),
                    "MessageBody": body,
                    "MessageGroupId": group_id,
                    "MessageDeduplicationId": deduplication_id,
                    "MessageAttributes": {k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
                }
                for number, (body, group_id, deduplication_id, attributes) in enumerate(messages[start : start + 10])
            ]
            try:
                answer = self._sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
            except AWS_FAILURES as error:
                raise DependencyUnavailable("A queue is unavailable.") from error
            if answer.get("Failed"):
                raise DependencyUnavailable("A queue refused a message.")

    def ping(self) -> None:
        self._sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])
