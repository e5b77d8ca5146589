"""Feed intake: an ORU^R01 with 20 OBX, archived, identified, recorded and audited (moto decorator
mode), against the floor of parsing it with python-hl7 alone and of the same AWS calls made raw.

Each side runs on a fresh moto backend: moto's TransactWriteItems copies the tables it touches,
so its cost grows with what earlier rounds left there.
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import moto  # noqa: E402,F401
import boto3  # noqa: E402
import hl7  # noqa: E402
from moto import mock_aws  # noqa: E402

N = 200


def oru_with_20_obx(number: int) -> bytes:
    segments = [f"MSH|^~\\&|LAB|ALBANYMED|PORTAL|ALBANYMED|20261125120000||ORU^R01^ORU_R01|CTRL{number:06d}|P|2.5.1",
                "PID|1||MRN12345^^^ALBANYMED^MR||DOE^JANE||19800101|F",
                "OBR|1|ORD1|FIL1|24323-8^Comprehensive metabolic panel^LN|||20261125110000"]
    segments += [f"OBX|{i}|NM|{2000 + i}-0^Analyte {i}^LN||{i * 1.5:.1f}|mg/dL|1.0-50.0|N|||F" for i in range(1, 21)]
    return "\r".join(segments).encode()


def _stack():
    from chalicelib import wiring
    from infra.local.provision import provision

    provisioned = provision(boto3.session.Session())
    os.environ.update(provisioned.environment)
    wiring.reset()
    return wiring.container(), provisioned.environment


def raw_writes(bodies: list[bytes]) -> float:
    """The same S3 object and the same two DynamoDB items (serialized up front), written with boto3."""
    from chalicelib.feeds import service

    with mock_aws():
        container, env = _stack()
        captured = _capture_items(bodies, service)
        s3, dynamodb = container.client("s3"), container.client("dynamodb")
        start = time.process_time()
        for number, (body, (record, event)) in enumerate(zip(bodies, captured)):
            s3.put_object(Bucket=env["PORTAL_FEED_ARCHIVE_BUCKET"], Key=f"raw/{number}", Body=body,
                          ServerSideEncryption="aws:kms", SSEKMSKeyId=env["PORTAL_KMS_KEY_ID"])
            dynamodb.transact_write_items(TransactItems=[
                {"Put": {"TableName": env["PORTAL_FEED_MESSAGES_TABLE"], "Item": record,
                         "ConditionExpression": "attribute_not_exists(message_key)"}},
                {"Put": {"TableName": env["PORTAL_AUDIT_TABLE"], "Item": event,
                         "ConditionExpression": "attribute_not_exists(subject_id)"}}])
        return (time.process_time() - start) * 1000 / len(bodies)


def _capture_items(bodies: list[bytes], service) -> list[tuple[dict, dict]]:
    """The DynamoDB items intake writes for each body, taken from a dry run with a fake store."""
    from chalicelib.data.models import FeedMessageModel
    from chalicelib.data.repositories import audit_item

    class Capture:
        def __init__(self):
            self.items = []

        def put(self, *args, **kwargs):
            pass

        def add(self, message, audit_event):
            record = FeedMessageModel(
                message_key=message.key, sha256=message.sha256, format=message.format.value,
                message_type=message.message_type, sender=message.sender, control_id=message.control_id,
                status=message.status.value, archive_key=message.archive_key, received_at=message.received_at)
            self.items.append((record.serialize(), audit_item(audit_event).serialize()))
            return True

    capture = Capture()
    for body in bodies:
        service.receive(body, archive=capture, messages=capture, sender_hint="LAB")
    return capture.items


def intake(bodies: list[bytes]) -> float:
    from chalicelib.feeds import service

    with mock_aws():
        container, _ = _stack()
        start = time.process_time()
        for body in bodies:
            service.receive(body, archive=container.feed_archive, messages=container.feed_messages, sender_hint="LAB")
        return (time.process_time() - start) * 1000 / len(bodies)


def main() -> None:
    bodies = [oru_with_20_obx(i) for i in range(N)]
    start = time.process_time()
    for body in bodies:
        hl7.parse(body.decode())
    parse_ms = (time.process_time() - start) * 1000 / N
    raw_ms = raw_writes(bodies)
    intake_ms = intake(bodies)
    print(f"python-hl7 parse of ORU^R01 with 20 OBX            {parse_ms:6.2f} ms CPU per message (floor)")
    print(f"raw boto3 put_object + 2-item transact_write       {raw_ms:6.2f} ms CPU per message (floor, moto)")
    print(f"intake: archive, split, identify, record, audit    {intake_ms:6.2f} ms CPU per message "
          f"({intake_ms / (raw_ms + parse_ms):.2f}x the two floors together; moto's own CPU included)")


if __name__ == "__main__":
    main()
