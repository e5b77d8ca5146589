"""``make feed FILE=...``: put a file on the running local stack's inbound feed queue, as an
upstream system would (HL7 v2 in ER7, one message or a batch; or FHIR R4 JSON), and say what became
of each message in it: filed, duplicate, or quarantined with the reason; then the HL7 v2
acknowledgements (ACK) the portal answered it with, as the sender's interface engine would read
them from the acknowledgement queue.

The running stack is found through the file it writes on start (infra/local/state.py); nothing to
configure. The tool waits for the stack to have taken the message off the queue, then reads the
feed's records of this delivery from the local DynamoDB through the portal's own repository.
FEED_SENDER names a FHIR sender (default "local-feed") and is the FIFO message group;
FEED_WAIT_SECONDS (default 30) is how long to wait. A file too large for SQS goes as a claim check.

Exit status: 0 when the stack took the message, whatever became of it; 1 when no stack runs or it
did not finish in time; 2 when the file is missing.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from chalicelib.settings import CLINICAL_INBOUND_QUEUE_NAME
from infra.local.state import StackState, running_stack, state_file

CLAIM_CHECK_OVER = 200_000  # bytes: well under SQS's 256 KiB with the message attributes
POLL_SECONDS = 0.25


class Refused(Exception):
    """One plain sentence for the person at the terminal, and the exit status."""

    def __init__(self, sentence: str, status: int):
        super().__init__(sentence)
        self.status = status


@dataclass(frozen=True)
class Outcome:
    status: str  # filed, duplicate, quarantined (accepted: recorded, not filed: should not last)
    what: str  # message type and control id: no clinical content
    reason: str = ""

    def line(self) -> str:
        return f"{self.status}: {self.what}" + (f" ({self.reason})" if self.reason else "")


def main(argv: list[str], environ: Mapping[str, str] = os.environ, out=None, err=None) -> int:
    """``environ``: where the tool's own variables are read (PORTAL_LOCAL_STATE, FEED_*)."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        path = _file(argv)
        stack = running_stack(state_file(environ))
        if stack is None:
            raise Refused("The local portal is not running: start it with `make run` in another terminal.", 1)
        for line in send_and_wait(path, stack, environ):
            print(line, file=out, flush=True)
    except Refused as refusal:
        print(str(refusal), file=err)
        return refusal.status
    return 0


def _file(argv: list[str]) -> Path:
    if len(argv) != 1 or not argv[0]:
        raise Refused("Say which file to send: make feed FILE=path/to/message.hl7 (or a FHIR .json).", 2)
    path = Path(argv[0])
    if path.is_dir():
        raise Refused(f"{path} is a folder: name one file in it (make feed FILE={path}/<file>).", 2)
    if not path.is_file():
        raise Refused(f"There is no file at {path}.", 2)
    return path


def send_and_wait(path: Path, stack: StackState, environ: Mapping[str, str]):
    """Yields what to print: the sending, then one line per message of the file."""
    _point_at(stack, os.environ)  # (boto3 and the portal's settings read the process's environment)
    import boto3

    from chalicelib import wiring

    wiring.reset()
    container = wiring.container()
    sqs = boto3.client("sqs")
    queue_url = (
        container.settings.clinical_inbound_queue_url
        or sqs.get_queue_url(QueueName=CLINICAL_INBOUND_QUEUE_NAME)["QueueUrl"]
    )
    # Bytes as they are: HL7 segments end in CR, which a text read would turn into LF.
    body = path.read_bytes().decode("utf-8", errors="replace")
    raw = body.encode("utf-8")  # what intake will archive, hash and read
    size = len(raw)
    if size > CLAIM_CHECK_OVER:
        # Too large for an SQS message (256 KiB): sent as a claim check, as a sender would
        # (docs/integrating.md, "Size"): the body in the archive bucket, its pointer on the queue.
        import json
        import uuid

        from chalicelib.feeds.service import CLAIM_CHECK_PREFIX

        bucket = container.settings.feed_archive_bucket
        key = f"{CLAIM_CHECK_PREFIX}{uuid.uuid4().hex}"
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=raw)
        yield f"{path.name} is {size} bytes: sent as a claim check (s3://{bucket}/{key})"
        body = json.dumps({"s3": {"bucket": bucket, "key": key}})
    sender = environ.get("FEED_SENDER", "local-feed")
    sent_at = datetime.now(timezone.utc)
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=body,
        MessageGroupId=sender,
        MessageAttributes={"sender": {"DataType": "String", "StringValue": sender}},
    )
    yield f"sent {path.name} ({len(body)} characters) as message {sent['MessageId']}"
    wait_seconds = float(environ.get("FEED_WAIT_SECONDS", "30"))
    if not _wait(lambda: _queue_is_empty(sqs, queue_url), wait_seconds):
        raise Refused(
            f"The stack had not finished with it after {wait_seconds:g} seconds: its console says why "
            "(a failing message is retried, then parked on the dead-letter queue).",
            1,
        )
    records = _records_since(container, sent_at, raw)
    for outcome in outcomes(raw, sender, records, container.feed_messages.get):
        yield outcome.line()
    if container.settings.clinical_ack_queue_url:
        yield from ack_lines(sqs, container.settings.clinical_ack_queue_url, raw)


def ack_lines(sqs, queue_url: str, raw: bytes):
    """The acknowledgements of this body's messages, taken off the acknowledgement queue as an
    interface engine takes them (received, then deleted). The queue is first in, first out per
    sender, so older ones (the demo feed's, say) are taken too, and only counted."""
    from chalicelib.feeds.envelope import msh_segments
    from chalicelib.interop.hl7v2.ack import read_header

    headers = [read_header(segment) for segment in msh_segments(raw)]
    answering = {header.control_id or "-" for header in headers if header} or {"-"}
    older = 0
    while True:
        received = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
        messages = received.get("Messages", [])
        if not messages:
            break
        for message in messages:
            attributes = {name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()}
            if attributes.get("acknowledges") in answering:
                yield f"acknowledgement {attributes.get('ack_code', '')} to {attributes.get('sender', '')}:"
                for segment in message["Body"].split("\r"):
                    yield f"  {segment}"
            else:
                older += 1
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    if older:
        yield f"({older} older acknowledgement{'' if older == 1 else 's'} taken off the queue)"


def _point_at(stack: StackState, environ: MutableMapping[str, str]) -> None:
    from infra.local.stack import LocalStackOptions, prepare_environment

    host_port = stack.aws_url.rsplit("//", 1)[-1]
    host, port = host_port.rsplit(":", 1)
    prepare_environment(LocalStackOptions(host=host, aws_port=int(port)), environ)
    environ.update(stack.environment)


def _wait(done: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(POLL_SECONDS)  # another process is doing the work: look again shortly
    return True


def _queue_is_empty(sqs, queue_url: str) -> bool:
    """Nothing waiting and nothing being handled: the stack's poller deletes a message only once
    the consumer is done with it (a failed one comes back), so ours is done too."""
    names = [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ]
    counts = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=names)["Attributes"]
    return all(counts.get(name, "0") == "0" for name in names)


def _records_since(container, since: datetime, raw: bytes):
    """The feed records this delivery wrote: received after it was sent, archived under its body."""
    from chalicelib.feeds.domain import FeedStatus
    from chalicelib.feeds.service import sha256_hex

    body_sha = sha256_hex(raw)
    found = []
    for status in (FeedStatus.ACCEPTED, FeedStatus.FILED, FeedStatus.QUARANTINED):
        cursor = ""
        while True:
            page, cursor = container.feed_messages.in_status(status, 50, cursor)  # newest first
            recent = [r for r in page if r.received_at >= since]
            found += [r for r in recent if r.archive_key.endswith(f"/{body_sha}")]
            if len(recent) < len(page) or not cursor:
                break
    return sorted(found, key=lambda r: r.received_at)


def outcomes(raw: bytes, sender: str, records, lookup) -> list[Outcome]:
    """One line per message of the body: the record this delivery wrote for it, or, for one it
    wrote nothing for, a duplicate (intake records a message once; a second delivery of the same
    message changes nothing). Read with intake's own reader, so the two count messages alike.
    ``lookup(key)`` reads a record, to say what a body unreadable as a whole became the first time."""
    from chalicelib.feeds.domain import PART_PREFIX, Unfileable
    from chalicelib.feeds.envelope import read_messages
    from chalicelib.feeds.service import sha256_hex

    try:
        messages = read_messages(raw, sender)
    except Unfileable:
        messages = []  # the body as a whole: one quarantine record, or (sent before) none
    shown: list[Outcome] = []
    unmatched = list(records)
    for message in messages:
        identity = (message.sender, message.control_id)
        record = next(
            (
                r
                for r in unmatched
                if identity[1] and (r.sender, r.control_id) == identity and not r.key.startswith(PART_PREFIX)
            ),
            None,
        )
        if record is None and isinstance(message, Unfileable):
            record = next((r for r in unmatched if r.key.startswith("quarantine|") and not r.control_id), None)
        what = " ".join(part for part in (message.message_type, message.control_id) if part) or "a message"
        if record is None:
            shown.append(Outcome("duplicate", what, "received before; nothing changed"))
            continue
        unmatched.remove(record)
        shown.append(Outcome(record.status.value, what, record.reason))
    # The body as a whole could not be read; or the parts of a FHIR batch quarantined on their own.
    for record in unmatched:
        what = " ".join(part for part in (record.message_type, record.control_id) if part) or "the file"
        shown.append(Outcome(record.status.value, what, record.reason))
    if not shown:  # an unreadable body sent again: its one quarantine record is the first one's
        earlier = lookup(f"quarantine|{sha256_hex(raw)}")
        reason = f"received before: {earlier.reason}" if earlier else "received before; nothing changed"
        shown.append(Outcome(earlier.status.value if earlier else "duplicate", "the file", reason))
    return shown


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
