"""The session check in front of every signed-in call: DynamoDB round trips counted with a
botocore event hook, and its time against the raw boto3 UpdateItem it comes down to (the same
conditional update, returning the whole session), the two taking turns, medians of CPU and wall.

Timed twice: against moto (its server-side CPU inside both sides), and with moto switched off
and its recorded answer handed back at before-send (what the client side costs: what a Lambda
pays on top of DynamoDB's latency)."""

from __future__ import annotations

import os

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import moto  # noqa: E402,F401
from moto import mock_aws  # noqa: E402

from bench.table import Row, render  # noqa: E402

CHECKS = 20 if os.environ.get("BENCH_QUICK") == "1" else 300


def measure() -> tuple[dict, list[str]]:
    from bench.feed_intake import Timings, frozen_heap
    from bench.results_reads import _hook_answers, canned, recording

    with mock_aws():
        from chalicelib import wiring
        from chalicelib.accounts import service as accounts
        from chalicelib.accounts.domain import Role
        from chalicelib.identity import session_check, sessions
        from chalicelib.identity.contract import SignIn
        from chalicelib.kernel.clock import SystemClock
        from chalicelib.kernel.origin import Origin
        from infra.local.provision import provision

        now = SystemClock().now
        provisioned = provision(boto3.session.Session())
        os.environ.update(provisioned.environment)
        os.environ["PORTAL_STAGE"] = "local"
        os.environ["PORTAL_SECOND_FACTOR_EXEMPT_USERS"] = "bench.staff"
        wiring.reset()
        container = wiring.container()
        accounts.ensure_organization(container.directory, "bench-org", "Bench", now=container.clock.now())
        accounts.create_staff_account(
            container.directory,
            organization_id="bench-org",
            username="bench.staff",
            password="a bench passphrase",
            role=Role.STAFF,
            email="b@bench.example",
            now=container.clock.now(),
        )
        body = SignIn(username="bench.staff", password="a bench passphrase")
        opened = sessions.sign_in(container, Origin("127.0.0.1"), body, now())
        header = f"Bearer {opened['token']}"
        container.identity_records  # noqa: B018  (binds the tables: every model shares this client)
        raw = container.client("dynamodb")
        _hook_answers(container)

        calls: list[str] = []
        raw.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(model.name))
        with recording() as answers:
            assert session_check.authorize(container, header, now()) is not None
        checked = list(calls)

        table = provisioned.environment["PORTAL_IDENTITY_TABLE"]
        selector = opened["token"][:16]
        verifier = _hash(opened["token"])

        def floor() -> None:
            epoch = int(now().timestamp())
            raw.update_item(
                TableName=table,
                Key={"pk": {"S": f"session#{selector}"}},
                ReturnValues="ALL_NEW",
                UpdateExpression="SET idle_expires_at = :idle",
                ConditionExpression="secret_hash = :h AND idle_expires_at > :now AND expires_at > :now",
                ExpressionAttributeValues={
                    ":idle": {"N": str(epoch + 900)},
                    ":now": {"N": str(epoch)},
                    ":h": {"S": verifier},
                },
            )

        def check() -> None:
            session_check.authorize(container, header, now())

        t = {name: Timings() for name in ("floor", "check", "c_floor", "c_check")}
        with frozen_heap():
            for _ in range(CHECKS):  # in turns
                t["floor"].time(floor)
                t["check"].time(check)
                with canned(answers):
                    t["c_floor"].time(floor)
                    t["c_check"].time(check)
    return t, checked


def _hash(token: str) -> str:
    from chalicelib.identity import tokens

    return tokens.parse(token).verifier_hash


def rows() -> list[Row]:
    t, calls = measure()
    print(f"DynamoDB calls per session check: {len(calls)} ({', '.join(calls)})")
    print(t["floor"].line("raw boto3 conditional UpdateItem (floor, moto)"))
    print(t["check"].line("session check through the service (moto)", t["floor"], "floor"))
    print(t["c_floor"].line("raw boto3 UpdateItem, client side"))
    print(t["c_check"].line("session check, client side", t["c_floor"], "floor"))
    note = (
        f"{CHECKS} checks each way in turns, medians; client side: moto's recorded answer replayed at "
        "before-send; floor: the same conditional UpdateItem with raw boto3"
    )
    return [
        Row("session check (client side), CPU", t["c_check"].median_cpu, "ms CPU", "<= 1.5x floor",
            t["c_floor"].median_cpu, note),
        Row("session check (client side), wall", t["c_check"].median_wall, "ms wall", "<= 1.5x floor",
            t["c_floor"].median_wall),
        Row("session check, DynamoDB calls", float(len(calls)), "calls", "1 UpdateItem", 1.0),
    ]  # fmt: skip


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
