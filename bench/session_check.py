"""The session check in front of every signed-in call (the authorizer): DynamoDB round trips
counted with a botocore event hook, and its time against the raw boto3 UpdateItem it comes down
to. Also what a whole authenticated read (GET /v1/me through the app) costs in round trips."""

from __future__ import annotations

import os
import time

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import moto  # noqa: E402,F401
from moto import mock_aws  # noqa: E402

CHECKS = 300


def main() -> None:
    with mock_aws():
        from chalicelib import wiring
        from chalicelib.accounts import service as accounts
        from chalicelib.accounts.domain import Role
        from chalicelib.identity import session_check, sessions
        from chalicelib.kernel.clock import SystemClock

        now = SystemClock().now
        from chalicelib.kernel.origin import Origin
        from infra.local.provision import provision

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
        opened = sessions.sign_in(
            container, Origin("127.0.0.1"), {"username": "bench.staff", "password": "a bench passphrase"}, now()
        )
        header = f"Bearer {opened['token']}"

        client = container.identity_records  # bind tables
        from chalicelib.data.models import IdentityRecordModel

        calls: list[str] = []
        IdentityRecordModel._get_connection().connection.client.meta.events.register(
            "before-call.dynamodb", lambda model, **_: calls.append(model.name)
        )
        assert session_check.authorize(container, header, now()) is not None
        print(f"DynamoDB calls per session check: {len(calls)} ({', '.join(calls)})")

        raw = container.client("dynamodb")
        table = provisioned.environment["PORTAL_IDENTITY_TABLE"]
        selector = opened["token"][:16]
        started = time.perf_counter()
        for _ in range(CHECKS):
            epoch = int(time.time())
            # The same answer the check needs: the whole session back (who, role, organization).
            raw.update_item(
                TableName=table,
                Key={"pk": {"S": f"session#{selector}"}},
                ReturnValues="ALL_NEW",
                UpdateExpression="SET idle_expires_at = :idle",
                ConditionExpression="secret_hash = :h AND idle_expires_at > :now AND expires_at > :now",
                ExpressionAttributeValues={
                    ":idle": {"N": str(epoch + 900)},
                    ":now": {"N": str(epoch)},
                    ":h": {"S": _hash(opened["token"])},
                },
            )
        floor_ms = (time.perf_counter() - started) * 1000 / CHECKS
        started = time.perf_counter()
        for _ in range(CHECKS):
            session_check.authorize(container, header, now())
        check_ms = (time.perf_counter() - started) * 1000 / CHECKS
        del client
    print(f"raw boto3 conditional UpdateItem (floor, moto)  {floor_ms:6.2f} ms")
    print(f"session check through the service           {check_ms:6.2f} ms ({check_ms / floor_ms:.2f}x the floor)")


def _hash(token: str) -> str:
    from chalicelib.identity import tokens

    return tokens.parse(token).verifier_hash


if __name__ == "__main__":
    main()
