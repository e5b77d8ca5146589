"""Feed intake: an ORU^R01 with 20 OBX, archived, identified, recorded and audited (moto decorator
mode), against the floor of parsing it with python-hl7 alone and of the same AWS calls made raw."""

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


def main() -> None:
    bodies = [oru_with_20_obx(i) for i in range(N)]
    start = time.process_time()
    for body in bodies:
        hl7.parse(body.decode())
    parse_ms = (time.process_time() - start) * 1000 / N

    with mock_aws():
        from chalicelib import wiring
        from chalicelib.feeds import service
        from infra.local.provision import provision

        provisioned = provision(boto3.session.Session())
        os.environ.update(provisioned.environment)
        wiring.reset()
        container = wiring.container()
        s3, dynamodb = container.client("s3"), container.client("dynamodb")
        bucket, table = provisioned.environment["PORTAL_FEED_ARCHIVE_BUCKET"], provisioned.environment["PORTAL_FEED_MESSAGES_TABLE"]

        audit_table = provisioned.environment["PORTAL_AUDIT_TABLE"]
        start = time.process_time()
        for number, body in enumerate(bodies):  # the floor: the same three writes, raw boto3
            s3.put_object(Bucket=bucket, Key=f"raw/{number}", Body=body)
            dynamodb.put_item(TableName=table, Item={"message_key": {"S": f"raw|{number}"}, "sha256": {"S": "x"}},
                              ConditionExpression="attribute_not_exists(message_key)")
            dynamodb.put_item(TableName=audit_table, Item={"subject_id": {"S": "raw"}, "sort_key": {"S": str(number)}},
                              ConditionExpression="attribute_not_exists(subject_id)")
        raw_ms = (time.process_time() - start) * 1000 / N

        start = time.process_time()
        for body in bodies:
            service.receive(body, archive=container.feed_archive, messages=container.feed_messages,
                            audit_log=container.audit_log, sender_hint="LAB")
        intake_ms = (time.process_time() - start) * 1000 / N

    print(f"python-hl7 parse of ORU^R01 with 20 OBX          {parse_ms:6.2f} ms CPU per message (floor)")
    print(f"raw boto3 put_object + 2 conditional put_item     {raw_ms:6.2f} ms CPU per message (floor, moto)")
    print(f"intake: archive, split, identify, record, audit   {intake_ms:6.2f} ms CPU per message "
          f"({intake_ms / (raw_ms + parse_ms):.2f}x the two floors together)")


if __name__ == "__main__":
    main()
