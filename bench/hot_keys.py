"""Hot keys and index write costs: what one signed-in request writes to DynamoDB (its session's
touch and its audit event), in write units with the indexes as they were (every one projecting
ALL) and as they are now; how evenly a burst spreads over the shards of a sharded key; and what
reading a sharded key costs in round trips.

Write units are computed from the items the portal really wrote (read back from moto) by
DynamoDB's sizing rules: a write costs one unit per started KB of the item, and each global
index the write reaches costs one more per started KB of its index entry; an update reaches an
index only when it changes an attribute the index holds (a key, or a projected attribute).
moto's own ConsumedCapacity is not used: it answers a constant whatever the item and indexes.
"""

from __future__ import annotations

import math
import os
import uuid
from collections import Counter
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.table import Row, render  # noqa: E402

BURST = 1000
VOLUMES = (20, 200)
# The indexes of the two tables a signed-in request writes, as they were before they projected
# only what their readers read: (index key attributes, projection).
BEFORE = {
    "IdentityTable": [(("owner", "created_key"), "ALL")],
    "AuditEventsTable": [(("actor_id", "sort_key"), "ALL")],
}


def _size(value: dict[str, Any]) -> int:
    """DynamoDB's size of one attribute value (strings and binaries by length, numbers about one
    byte per two digits plus one, containers 3 bytes plus their elements)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return math.ceil(len(inner.lstrip("-").replace(".", "")) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _size(v) for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_size(v) + 1 for v in inner)
    return sum(len(v.encode()) if isinstance(v, str) else len(v) for v in inner)  # SS, NS, BS


def item_size(item: dict[str, Any], names: set[str] | None = None) -> int:
    return sum(len(name.encode()) + _size(value) for name, value in item.items() if names is None or name in names)


def write_units(
    item: dict[str, Any], table_keys: set[str], indexes: list[tuple[tuple[str, ...], str]], changed: set[str] | None
) -> tuple[int, int]:
    """(table units, index units) of writing ``item``: a new item (``changed`` None) or an update
    of the ``changed`` attributes."""
    table = math.ceil(item_size(item) / 1024) or 1
    on_indexes = 0
    for keys, projection in indexes:
        if not all(key in item for key in keys):
            continue  # sparse: the item is not in this index
        held = set(item) if projection == "ALL" else set(keys) | table_keys
        if changed is not None and not changed & held:
            continue  # the index entry is unchanged: nothing written to it
        on_indexes += math.ceil(item_size(item, held) / 1024) or 1
    return table, on_indexes


def _now_indexes(resources: dict[str, Any], logical_id: str) -> list[tuple[tuple[str, ...], str]]:
    props = resources[logical_id]["Properties"]
    return [
        (tuple(k["AttributeName"] for k in index["KeySchema"]), index["Projection"]["ProjectionType"])
        for index in props.get("GlobalSecondaryIndexes", [])
    ]


def signed_in_request_writes() -> tuple[dict[str, tuple[int, int]], dict[int, int]]:
    """{"before" / "now": (table units, index units)} of one signed-in request that reads a patient's
    record: the session check's touch and the read's audit event, as the portal writes them; and
    the calls a page of a sharded key's events costs at each of VOLUMES events stored."""
    with mock_aws():
        from chalicelib import wiring
        from chalicelib.accounts import service as accounts
        from chalicelib.accounts.domain import Role
        from chalicelib.audit import service as audit
        from chalicelib.audit.domain import Action, Actor, Outcome
        from chalicelib.identity import session_check, sessions
        from chalicelib.kernel.origin import Origin
        from infra.local.provision import provision
        from infra.local.template import load_template

        provisioned = provision(boto3.session.Session())
        os.environ.update(provisioned.environment)
        os.environ["PORTAL_STAGE"] = "local"
        os.environ["PORTAL_SECOND_FACTOR_EXEMPT_USERS"] = "bench.staff"
        wiring.reset()
        container = wiring.container()
        now = container.clock.now
        accounts.ensure_organization(container.directory, "bench-org", "Bench", now=now())
        account = accounts.create_staff_account(
            container.directory,
            organization_id="bench-org",
            username="bench.staff",
            password="a bench passphrase",
            role=Role.STAFF,
            email="b@bench.example",
            now=now(),
        )
        from chalicelib.identity.contract import SignIn

        opened = sessions.sign_in(
            container,
            Origin("203.0.113.7"),
            SignIn.model_validate({"username": "bench.staff", "password": "a bench passphrase"}),
            now(),
        )
        raw = container.client("dynamodb")
        writes: list[tuple[str, dict[str, Any]]] = []

        def seen(model: Any, params: dict[str, Any], **_: Any) -> None:
            if model.name in ("PutItem", "UpdateItem"):
                writes.append((model.name, params))

        from chalicelib.data.models import AuditEventModel, IdentityRecordModel

        clients = [raw] + [m._get_connection().connection.client for m in (IdentityRecordModel, AuditEventModel)]
        for client in {id(c): c for c in clients}.values():  # (one hook a client, however shared)
            client.meta.events.register("before-parameter-build.dynamodb", seen)
        assert session_check.authorize(container, f"Bearer {opened['token']}", now()) is not None
        audit.append_event(
            container.audit_log,
            actor=Actor(account_id=account.account_id, role="staff"),
            action=Action.READ,
            event_type="results.list",
            outcome=Outcome.SUCCESS,
            patient_id=uuid.uuid4().hex,
            resource_type="Observation",
            correlation_id=uuid.uuid4().hex,
            source_ip="203.0.113.7",
            recorded_at=now(),
        )
        resources = load_template()["Resources"]
        tables = {provisioned.environment["PORTAL_IDENTITY_TABLE"]: "IdentityTable"}
        tables[provisioned.environment["PORTAL_AUDIT_TABLE"]] = "AuditEventsTable"
        totals = {"before": [0, 0], "now": [0, 0]}
        for operation, params in writes:
            logical_id = tables.get(params["TableName"])
            if logical_id is None:
                continue
            key_names = {k["AttributeName"] for k in resources[logical_id]["Properties"]["KeySchema"]}
            key = {name: value for name, value in (params.get("Key") or params["Item"]).items() if name in key_names}
            item = raw.get_item(TableName=params["TableName"], Key=key, ConsistentRead=True)["Item"]
            changed = None
            if operation == "UpdateItem":
                names = params.get("ExpressionAttributeNames", {})
                changed = set(names.values()) or {w for w in params["UpdateExpression"].split() if w in item}
            for when, indexes in (("before", BEFORE[logical_id]), ("now", _now_indexes(resources, logical_id))):
                table_units, index_units = write_units(item, key_names, indexes, changed)
                totals[when][0] += table_units
                totals[when][1] += index_units
        calls = {volume: _page_calls(container, clients, volume) for volume in VOLUMES}
        return {when: (units[0], units[1]) for when, units in totals.items()}, calls


def _page_calls(container: Any, clients: list[Any], volume: int) -> int:
    """DynamoDB calls to read one page of 20 of the anonymous actor's events (every unknown user's
    failed sign-in) once ``volume`` of them are stored."""
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Action, Outcome
    from chalicelib.audit.trail import ANONYMOUS

    have = len(container.audit_log.for_patient("account#anonymous", 1000)[0])
    for _ in range(volume - have):
        audit.append_event(
            container.audit_log,
            actor=ANONYMOUS,
            action=Action.EXECUTE,
            event_type="session.sign_in",
            outcome=Outcome.FAILURE,
            reason="unknown_user",
            recorded_at=container.clock.now(),
        )
    made: list[str] = []
    hooks = {id(c): c for c in clients}.values()
    for client in hooks:
        client.meta.events.register("before-call.dynamodb", lambda model, **_: made.append(model.name))
    events, _ = container.audit_log.by_actor("anonymous", 20)
    assert len(events) == min(20, volume)
    return len(made)


def busiest_shard_share() -> float:
    """The busiest shard's share of a burst of feed messages' status keys, as a multiple of an
    even share (1.0: perfectly even)."""
    from chalicelib.data.feed_messages import status_key
    from chalicelib.kernel.shards import SHARDS

    counts = Counter(status_key(f"LAB|AMC|{n:08d}", "filed") for n in range(BURST))
    return max(counts.values()) / (BURST / SHARDS)


def rows() -> list[Row]:
    from chalicelib.kernel.shards import SHARDS

    writes, calls = signed_in_request_writes()
    before, now = writes["before"], writes["now"]
    print(f"signed-in request, write units (table, indexes): before {before}, now {now}")
    print("calls to read a page of 20 of a sharded key: " + ", ".join(f"{n} stored: {c}" for n, c in calls.items()))
    share = busiest_shard_share()
    few, many = VOLUMES
    return [
        Row(
            "signed-in request: write units (session touch + audit event)",
            float(sum(now)),
            "write units",
            f"< {sum(before)} (every index ALL)",
            note=f"before: {before[0]} table + {before[1]} index; now {now[0]} table + {now[1]} index (the audit "
            "event's by-actor-key entry: one unit, however small; the session's touch no longer reaches its "
            "index); computed from the written items by DynamoDB's sizing rules (moto reports no real units)",
        ),
        Row(
            f"busiest of {SHARDS} status shards, {BURST} messages",
            share,
            "x even share",
            "< 2x",
            note="a sharded key's busiest partition against a perfectly even spread",
        ),
        Row(
            f"calls for a page of a sharded key, {many} stored",
            float(calls[many]),
            "calls",
            f"= {few} stored",
            floor=float(calls[few]),
            note=f"{SHARDS} Queries (one a shard) + 1 BatchGetItem (keys-only index), whatever the volume",
        ),
    ]


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
