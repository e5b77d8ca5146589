"""The dead-letter queues, for operators and admins: what waits on each (in ids and kinds, never a
body, an address or a clinical value) and its redrive back to the queue it came from.

The same code runs against AWS and the local stand-in (infra.admin dead-letters / redrive, and
GET /v1/admin/dead-letters): a queue's dead-letter queue is read from its own RedrivePolicy, so
nothing here names a stage's queues but the settings' source queue URLs.

Redrive: each message is sent to its source queue and deleted from the dead-letter queue only once
that send succeeded (a failure leaves it where it was, to run again). FIFO keeps the message's
group (its sender's order) and takes a fresh deduplication id: SQS would otherwise drop the return,
within its five-minute window, as a duplicate of the message first sent. A standard queue's message
goes back as it is."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.errors import DependencyUnavailable

# Which source queue each short name stands for (Settings fields).
QUEUES = {
    "notifications": "notifications_queue_url",
    "inbound": "clinical_inbound_queue_url",
    "outbound": "clinical_outbound_queue_url",
    "acks": "clinical_ack_queue_url",
    # Reminders that failed five times (a store down when they came due): redriven, each is
    # checked again against the visit as it is then, so a late one for a past visit sends nothing.
    "reminders": "appointment_reminders_queue_url",
}
# While a listing or a redrive holds a batch: long enough to send it back, short enough that a
# command interrupted midway leaves nothing hidden for long.
HOLD_SECONDS = 60
_ATTRIBUTE_KEYS = ("DataType", "StringValue", "BinaryValue")


@dataclass(frozen=True)
class DeadLetter:
    """One message waiting on a dead-letter queue, as an operator may see it."""

    queue: str
    message_id: str
    first_sent_at: datetime | None
    receive_count: int
    kind: str  # notifications: the template; inbound: the message type where readable; else ""
    notification_id: str = ""  # notifications: its delivery record's id
    sender: str = ""  # inbound: the sending system (its message group)
    control_id: str = ""  # inbound: the sender's control id, where readable

    def line(self) -> str:
        sent = self.first_sent_at.isoformat(timespec="seconds") if self.first_sent_at else "?"
        parts = [self.queue, sent, f"received {self.receive_count} times", self.kind or "-"]
        if self.notification_id:
            parts.append(f"delivery record {self.notification_id}")
        if self.sender:
            parts.append(f"sender {self.sender}")
        if self.control_id:
            parts.append(f"control id {self.control_id}")
        return "  ".join(parts)


@dataclass
class QueueCount:
    queue: str
    waiting: int
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class Redriven:
    moved: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    inbound_bodies: list[str] = field(default_factory=list)  # moved back: their quarantine entries close


def source_url(settings: Any, queue: str) -> str:
    return str(getattr(settings, QUEUES[queue]))


def dead_letter_url(sqs: Any, source: str) -> str:
    """The dead-letter queue named by ``source``'s redrive policy."""
    attributes = sqs.get_queue_attributes(QueueUrl=source, AttributeNames=["RedrivePolicy"])["Attributes"]
    arn = json.loads(attributes["RedrivePolicy"])["deadLetterTargetArn"]
    account, name = arn.split(":")[4], arn.split(":")[5]
    return str(sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"])


def waiting(sqs: Any, dead_letters: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=dead_letters, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0)
    )


def _batches(sqs: Any, url: str) -> Iterator[list[dict[str, Any]]]:
    while True:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=HOLD_SECONDS,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        yield messages


def describe(queue: str, message: dict[str, Any]) -> DeadLetter:
    """What an operator may see of one message: ids, times and kinds, read from the clear parts of
    its body (a notification's parameters are sealed; its address is left out)."""
    attributes = message.get("Attributes", {})
    first = attributes.get("SentTimestamp")
    kind, notification_id, sender, control_id = "", "", "", ""
    body = message.get("Body", "")
    if queue == "notifications":
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict):
            kind = str(request.get("template") or "")[:64]
            notification_id = str(request.get("notification_id") or "")[:200]
    elif queue == "inbound":
        sender = attributes.get("MessageGroupId", "")
        kind, control_id = _inbound_ids(body)
    return DeadLetter(
        queue=queue,
        message_id=message["MessageId"],
        first_sent_at=datetime.fromtimestamp(int(first) / 1000, timezone.utc) if first else None,
        receive_count=int(attributes.get("ApproximateReceiveCount", 0)),
        kind=kind,
        notification_id=notification_id,
        sender=sender,
        control_id=control_id,
    )


def _inbound_ids(body: str) -> tuple[str, str]:
    """An HL7 v2 body's first message type and control id (MSH-9, MSH-10), read from its MSH
    segment alone, so a message intake could not file still shows them; ("", "") otherwise (a
    FHIR body or a claim check: its sender is the group)."""
    # (as chalicelib.feeds.envelope.msh_segments finds them; the adapters import no domain code)
    segments = [line for line in re.split(r"\r\n|\r|\n", body) if re.match(r"MSH[!-/:-@\[-`{-~]", line)]
    if not segments:
        return "", ""
    fields = segments[0].split(segments[0][3])
    # MSH-1 is the separator itself: MSH-9 and MSH-10 are fields[8] and fields[9]
    message_type = fields[8][:40] if len(fields) > 8 else ""
    control_id = fields[9][:64] if len(fields) > 9 else ""
    return message_type, control_id


def list_dead_letters(sqs: Any, settings: Any, queues: list[str]) -> list[DeadLetter]:
    """Every message waiting (a FIFO queue shows at most ten of a message group: the rest wait
    behind them), each left visible again afterwards."""
    found: list[DeadLetter] = []
    for queue in queues:
        url = dead_letter_url(sqs, source_url(settings, queue))
        held: list[str] = []
        try:
            for messages in _batches(sqs, url):
                found.extend(describe(queue, m) for m in messages)
                held.extend(m["ReceiptHandle"] for m in messages)
        finally:
            for start in range(0, len(held), 10):
                sqs.change_message_visibility_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                        for i, handle in enumerate(held[start : start + 10])
                    ],
                )
    return found


def counts(sqs: Any, settings: Any, queues: list[str]) -> list[QueueCount]:
    """How many wait on each dead-letter queue (the queue's own counter) and, for notifications,
    of which kinds (templates, from the listing: no address, no parameter)."""
    try:
        return _counts(sqs, settings, queues)
    except (BotoCoreError, ClientError) as error:
        raise DependencyUnavailable("The queues are unavailable.") from error


def _counts(sqs: Any, settings: Any, queues: list[str]) -> list[QueueCount]:
    answer = []
    for queue in queues:
        url = dead_letter_url(sqs, source_url(settings, queue))
        count = QueueCount(queue, waiting(sqs, url))
        if queue == "notifications" and count.waiting:
            for letter in list_dead_letters(sqs, settings, [queue]):
                count.kinds[letter.kind or "unreadable"] = count.kinds.get(letter.kind or "unreadable", 0) + 1
        answer.append(count)
    return answer


def return_message(message: dict[str, Any], fifo: bool) -> dict[str, Any]:
    """The SendMessage arguments that put a dead letter back on its (FIFO or standard) source queue."""
    params: dict[str, Any] = {"MessageBody": message["Body"]}
    attributes = {
        name: {k: v for k, v in value.items() if k in _ATTRIBUTE_KEYS}
        for name, value in (message.get("MessageAttributes") or {}).items()
    }
    if attributes:
        params["MessageAttributes"] = attributes
    if fifo:
        params["MessageGroupId"] = message.get("Attributes", {}).get("MessageGroupId") or "default"
        params["MessageDeduplicationId"] = f"redrive-{uuid.uuid4().hex}"
    return params


def redrive(sqs: Any, settings: Any, queues: list[str]) -> Redriven:
    """Move every dead letter of ``queues`` back to its source queue, in the order received."""
    done = Redriven()
    for queue in queues:
        source = source_url(settings, queue)
        url = dead_letter_url(sqs, source)
        fifo = source.endswith(".fifo")
        moved = failed = 0
        for messages in _batches(sqs, url):
            for message in messages:
                try:
                    sqs.send_message(QueueUrl=source, **return_message(message, fifo))
                except Exception:  # it stays on the dead-letter queue (visible again shortly) for the next run
                    failed += 1
                    if fifo:
                        break  # later messages of the group must not overtake it
                    continue
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
                if queue == "inbound":
                    done.inbound_bodies.append(message["Body"])
            else:
                continue
            break
        done.moved[queue] = moved
        if failed:
            done.failed[queue] = failed
    return done
