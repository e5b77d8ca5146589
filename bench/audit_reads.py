"""DynamoDB round trips of an audit page (the read behind "who looked at my record"): counted
with a botocore event hook, timed against the raw boto3 Query that returns the same items."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import moto  # noqa: E402,F401
from moto import mock_aws  # noqa: E402

PAGES = 200


def main() -> None:
    with mock_aws():
        from chalicelib import wiring
        from chalicelib.audit import service as audit
        from chalicelib.audit.domain import Action, Actor, Outcome
        from chalicelib.data.models import AuditEventModel
        from infra.local.provision import provision

        provisioned = provision(boto3.session.Session())
        os.environ.update(provisioned.environment)
        wiring.reset()
        container = wiring.container()
        start_at = datetime(2026, 11, 25, tzinfo=timezone.utc)
        for minute in range(100):
            audit.append_event(
                container.audit_log,
                actor=Actor("staff-1", "staff"),
                action=Action.READ,
                event_type="record.read",
                outcome=Outcome.SUCCESS,
                patient_id="patient-1",
                resource_type="Observation",
                resource_id=f"obs-{minute}",
                recorded_at=start_at + timedelta(minutes=minute),
            )

        calls: list[str] = []
        AuditEventModel._get_connection().connection.client.meta.events.register(
            "before-call.dynamodb", lambda model, **_: calls.append(model.name)
        )
        audit.access_history(container.audit_log, "patient-1", limit=20)
        print(f"DynamoDB calls for one page of 20 events: {len(calls)} ({', '.join(calls)})")

        raw = container.client("dynamodb")
        table = provisioned.environment["PORTAL_AUDIT_TABLE"]
        started = time.perf_counter()
        for _ in range(PAGES):
            raw.query(
                TableName=table,
                KeyConditionExpression="subject_id = :p",
                Limit=21,
                ScanIndexForward=False,
                ExpressionAttributeValues={":p": {"S": "patient-1"}},
            )
        floor_ms = (time.perf_counter() - started) * 1000 / PAGES
        started = time.perf_counter()
        for _ in range(PAGES):
            audit.access_history(container.audit_log, "patient-1", limit=20)
        page_ms = (time.perf_counter() - started) * 1000 / PAGES
    print(f"raw boto3 Query, 21 items (floor, moto)   {floor_ms:6.2f} ms per page")
    print(f"audit page of 20 through the repository   {page_ms:6.2f} ms per page ({page_ms / floor_ms:.2f}x the floor)")


if __name__ == "__main__":
    main()
