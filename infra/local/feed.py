"""``make feed FILE=...``: put a file on the running local stack's inbound feed queue, as an
upstream system would (HL7 v2 in ER7, one message or a batch; or FHIR R4 JSON).

The stack (``make run``) files it within a second or two; watch its log, read the record with
the patient API, or see a quarantine reason in the FeedMessagesTable. PORTAL_AWS_PORT (default
5000) says where the local AWS stand-in listens; FEED_SENDER names a FHIR sender (default
"local-feed") and is the FIFO message group. A file too large for SQS goes as a claim check.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chalicelib.settings import CLINICAL_INBOUND_QUEUE_NAME
from infra.local.stack import LocalStackOptions, prepare_environment

CLAIM_CHECK_OVER = 200_000  # bytes: well under SQS's 256 KiB with the message attributes


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_file():
        print("usage: make feed FILE=path/to/message.hl7|.json", file=sys.stderr)
        return 2
    options = LocalStackOptions(aws_port=int(os.environ.get("PORTAL_AWS_PORT", "5000")))
    prepare_environment(options)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    sqs = boto3.client("sqs")
    try:
        queue_url = sqs.get_queue_url(QueueName=CLINICAL_INBOUND_QUEUE_NAME)["QueueUrl"]
    except (BotoCoreError, ClientError):  # nothing listening, or a stand-in without our queue
        print(f"no local stack answers on port {options.aws_port}: start it with `make run`", file=sys.stderr)
        return 1
    # Bytes as they are: HL7 segments end in CR, which a text read would turn into LF.
    body = Path(argv[0]).read_bytes().decode("utf-8", errors="replace")
    size = len(body.encode("utf-8"))
    if size > CLAIM_CHECK_OVER:
        # Too large for an SQS message (256 KiB): sent as a claim check, as a sender would
        # (docs/integrating.md, "Size"): the body in the archive bucket, its pointer on the queue.
        import json
        import uuid

        from chalicelib.feeds.service import CLAIM_CHECK_PREFIX

        s3 = boto3.client("s3")
        # (the stack provisioned the template's FeedArchiveBucket under a name of its own)
        bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "feedarchivebucket" in b["Name"].lower())
        key = f"{CLAIM_CHECK_PREFIX}{uuid.uuid4().hex}"
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode("utf-8"))
        print(f"{Path(argv[0]).name} is {size} bytes: sent as a claim check (s3://{bucket}/{key})")
        body = json.dumps({"s3": {"bucket": bucket, "key": key}})
    sender = os.environ.get("FEED_SENDER", "local-feed")
    sent = sqs.send_message(
        QueueUrl=queue_url,
        MessageBody=body,
        MessageGroupId=sender,
        MessageAttributes={"sender": {"DataType": "String", "StringValue": sender}},
    )
    print(f"sent {Path(argv[0]).name} ({len(body)} characters) as message {sent['MessageId']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
