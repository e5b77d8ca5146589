"""DynamoDB round trips of an audit page (the read behind "who looked at my record"): counted
with a botocore event hook, timed against the raw boto3 Query that returns the same items, the
two taking turns, medians of CPU and wall; against moto (its CPU inside both sides) and client
side only (moto's recorded answers replayed at before-send)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import moto  # noqa: E402,F401
from moto import mock_aws  # noqa: E402

from bench.table import Row, render  # noqa: E402

PAGES = 20 if os.environ.get("BENCH_QUICK") == "1" else 200


def measure() -> tuple[dict, list[str]]:
    from bench.feed_intake import Timings, frozen_heap
    from bench.results_reads import _hook_answers, canned, recording

    with mock_aws():
        from chalicelib import wiring
        from chalicelib.audit import service as audit
        from chalicelib.audit.domain import Action, Actor, Outcome
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

        container.audit_log  # noqa: B018  (binds the tables: every model shares this client)
        raw = container.client("dynamodb")
        _hook_answers(container)
        calls: list[str] = []
        raw.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
        with recording() as answers:
            audit.access_history(container.audit_log, "patient-1", limit=20)
        counted = list(calls)
        print(f"DynamoDB calls for one page of 20 events: {len(counted)} ({', '.join(counted)})")

        table = provisioned.environment["PORTAL_AUDIT_TABLE"]

        def floor() -> None:
            raw.query(
                TableName=table,
                KeyConditionExpression="subject_id = :p",
                Limit=21,
                ScanIndexForward=False,
                ExpressionAttributeValues={":p": {"S": "patient-1"}},
            )

        def portal() -> None:
            audit.access_history(container.audit_log, "patient-1", limit=20)

        t = {name: Timings() for name in ("floor", "page", "c_floor", "c_page")}
        with frozen_heap():
            for _ in range(PAGES):  # in turns
                t["floor"].time(floor)
                t["page"].time(portal)
                with canned(answers):
                    t["c_floor"].time(floor)
                    t["c_page"].time(portal)
    return t, counted


def rows() -> list[Row]:
    t, calls = measure()
    print(t["floor"].line("raw boto3 Query, 21 items (floor, moto)"))
    print(t["page"].line("audit page of 20 through the repository (moto)", t["floor"], "floor"))
    print(t["c_floor"].line("raw boto3 Query, client side"))
    print(t["c_page"].line("audit page of 20, client side", t["c_floor"], "floor"))
    note = (
        f"{PAGES} pages each way in turns, medians; client side: moto's recorded answers replayed at "
        "before-send; floor: raw boto3 Query returning the same 21 items"
    )
    return [
        Row("audit page of 20 (client side), CPU", t["c_page"].median_cpu, "ms CPU", "<= 1.5x floor",
            t["c_floor"].median_cpu, note),
        Row("audit page of 20 (client side), wall", t["c_page"].median_wall, "ms wall", "<= 1.5x floor",
            t["c_floor"].median_wall),
        Row("audit page of 20, DynamoDB calls", float(len(calls)), "calls", "1 Query", 1.0),
    ]  # fmt: skip


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
