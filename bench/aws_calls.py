"""Every AWS call a request makes, and DynamoDB's read and write units for each, for
bench/route_costs.py: a patch on botocore's BaseClient._make_api_call (so it sees every client,
whichever session made it) that sizes the items each DynamoDB call touched through a client of
its own (bench/capacity_units.py has the billing rules). It also notes the partition key each
write lands on, in the table and in each index it changes, so the model can name the keys every
caller shares (hot keys). And MotoClock: moto's own CPU, to take out of a timing.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.client import BaseClient
from moto.core.botocore_stubber import BotocoreStubber

from bench import capacity_units as cu

_ID = re.compile(r"[0-9a-fA-F]{16,}|[0-9a-fA-F-]{36}")


PER_CALLER: list[re.Pattern[str]] = [_ID]  # more values that differ by caller (route_costs adds its user name)


def key_shape(value: str) -> str:
    """A partition key with what differs by caller masked: "patient#<id>" is one key per patient,
    spread; "account#anonymous" is the same key for every caller."""
    for pattern in PER_CALLER:
        value = pattern.sub("<id>", value)
    return value


@dataclass
class Call:
    service: str
    operation: str
    table: str = ""
    read_units: float = 0.0
    write_units: float = 0.0
    # (table or table/index, the partition key's shape, write units landing there)
    keys: list[tuple[str, str, float]] = field(default_factory=list)


@dataclass
class Counted:
    calls: list[Call] = field(default_factory=list)

    def by_operation(self) -> str:
        counts = Counter(f"{c.service}.{c.operation}" for c in self.calls)
        return ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"

    @property
    def dynamodb_calls(self) -> int:
        return sum(1 for c in self.calls if c.service == "dynamodb")

    @property
    def read_units(self) -> float:
        return sum(c.read_units for c in self.calls)

    @property
    def write_units(self) -> float:
        return sum(c.write_units for c in self.calls)

    def units_by_table(self) -> dict[str, tuple[float, float]]:
        tables: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for c in self.calls:
            if c.table:
                tables[c.table][0] += c.read_units
                tables[c.table][1] += c.write_units
        return {name: (r, w) for name, (r, w) in tables.items()}

    def shared_keys(self) -> dict[tuple[str, str], float]:
        """Write units per partition key that has no id in it: the same key for every caller."""
        found: dict[tuple[str, str], float] = defaultdict(float)
        for c in self.calls:
            for where, shape, units in c.keys:
                if "<id>" not in shape:
                    found[(where, shape)] += units
        return dict(found)


def _scalar(value: dict | None) -> str:
    if not value:
        return ""
    ((_, inner),) = value.items()
    return str(inner)


class Sizer:
    """Sizes the items a DynamoDB call read or wrote, through a client of its own (its calls are
    neither counted nor part of any timing)."""

    def __init__(self) -> None:
        self.client = boto3.client("dynamodb")
        self._tables: dict[str, tuple[tuple[str, ...], list[cu.Index]]] = {}

    def table(self, name: str) -> tuple[tuple[str, ...], list[cu.Index]]:
        if name not in self._tables:
            described = self.client.describe_table(TableName=name)["Table"]
            keys = tuple(k["AttributeName"] for k in described["KeySchema"])
            indexes = [
                cu.Index(
                    gsi["IndexName"],
                    tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                    gsi["Projection"]["ProjectionType"],
                    tuple(gsi["Projection"].get("NonKeyAttributes", ())),
                )
                for gsi in described.get("GlobalSecondaryIndexes", [])
            ]
            self._tables[name] = (keys, indexes)
        return self._tables[name]

    def item(self, table: str, key: dict) -> dict | None:
        return self.client.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")

    def key_of(self, table: str, item: dict) -> dict:
        return {name: item[name] for name in self.table(table)[0]}

    def examined(self, params: dict) -> list[dict]:
        """The items a Query examined: the same key condition, start and limit, without the filter
        and projection (DynamoDB bills the examined items, whole as the table or index holds them)."""
        condition = params["KeyConditionExpression"]
        query = {
            k: v
            for k, v in params.items()
            if k in ("TableName", "IndexName", "KeyConditionExpression", "ExclusiveStartKey", "Limit")
        }
        query["ScanIndexForward"] = params.get("ScanIndexForward", True)
        names = {k: v for k, v in params.get("ExpressionAttributeNames", {}).items() if k in condition}
        values = {k: v for k, v in params.get("ExpressionAttributeValues", {}).items() if k in condition}
        if names:
            query["ExpressionAttributeNames"] = names
        if values:
            query["ExpressionAttributeValues"] = values
        return self.client.query(**query).get("Items", [])

    def writes(self, operation: str, params: dict) -> list[tuple[str, dict]]:
        """(table, key) of each item a write call names."""
        if operation == "PutItem":
            return [(params["TableName"], self.key_of(params["TableName"], params["Item"]))]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], params["Key"])]
        if operation == "TransactWriteItems":
            found = []
            for entry in params["TransactItems"]:
                ((kind, inner),) = entry.items()
                if kind == "ConditionCheck":
                    continue
                key = inner["Key"] if "Key" in inner else self.key_of(inner["TableName"], inner["Item"])
                found.append((inner["TableName"], key))
            return found
        if operation == "BatchWriteItem":
            found = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        found.append((table, self.key_of(table, request["PutRequest"]["Item"])))
                    else:
                        found.append((table, request["DeleteRequest"]["Key"]))
            return found
        return []

    def read_calls(self, operation: str, params: dict, response: dict) -> list[Call]:
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            item = self.item(params["TableName"], params["Key"])
            return [Call("dynamodb", operation, params["TableName"], cu.read_units([cu.item_size(item)], consistent))]
        if operation == "Query":
            sizes = [cu.item_size(i) for i in self.examined(params)]
            return [Call("dynamodb", operation, params["TableName"], cu.read_units(sizes, consistent))]
        if operation == "Scan":
            sizes = [cu.item_size(i) for i in response.get("Items", [])]
            return [Call("dynamodb", operation, params["TableName"], cu.read_units(sizes, consistent))]
        if operation == "BatchGetItem":
            calls = []
            for table, items in response.get("Responses", {}).items():
                strong = bool(params["RequestItems"][table].get("ConsistentRead"))
                units = sum(
                    cu.read_units([cu.item_size(self.item(table, self.key_of(table, i)))], strong) for i in items
                )
                calls.append(Call("dynamodb", operation, table, units))
            return calls or [Call("dynamodb", operation)]
        if operation == "TransactGetItems":
            calls = []
            for entry in params["TransactItems"]:
                got = entry["Get"]
                item = self.item(got["TableName"], got["Key"])
                calls.append(
                    Call("dynamodb", operation, got["TableName"], 2 * cu.read_units([cu.item_size(item)], True))
                )
            return calls
        return [Call("dynamodb", operation)]


class Recorder:
    """While ``active``, every AWS call any client makes is counted, and DynamoDB's units sized."""

    def __init__(self) -> None:
        self.sizer = Sizer()
        self.counted: Counted | None = None
        self._inside = False

    @contextlib.contextmanager
    def counting(self) -> Iterator[Counted]:
        self.counted = Counted()
        original = BaseClient._make_api_call
        recorder = self

        def counted_call(client: BaseClient, operation: str, params: dict) -> Any:
            if recorder._inside or recorder.counted is None or client is recorder.sizer.client:
                return original(client, operation, params)
            service = client.meta.service_model.service_name
            if service != "dynamodb":
                recorder.counted.calls.append(Call(service, operation))
                return original(client, operation, params)
            recorder._inside = True
            try:
                writes = recorder.sizer.writes(operation, params)
                before = [recorder.sizer.item(table, key) for table, key in writes]
            finally:
                recorder._inside = False
            response = original(client, operation, params)
            recorder._inside = True
            try:
                recorder.counted.calls += recorder._units(operation, params, response, writes, before)
            finally:
                recorder._inside = False
            return response

        BaseClient._make_api_call = counted_call  # type: ignore[method-assign]
        try:
            yield self.counted
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]
            self.counted = None

    def _units(self, operation: str, params: dict, response: dict, writes: list, before: list) -> list[Call]:
        if not writes:
            return self.sizer.read_calls(operation, params, response)
        factor = 2 if operation == "TransactWriteItems" else 1
        calls = []
        for (table, key), old in zip(writes, before, strict=True):
            new = self.sizer.item(table, key)
            table_keys, indexes = self.sizer.table(table)
            base = factor * cu.write_units(cu.item_size(old), cu.item_size(new))
            keys = [(table, key_shape(_scalar((new or old or {}).get(table_keys[0]))), float(base))]
            index_units = 0
            for index in indexes:
                written = cu.index_write_units([index], table_keys, old, new)
                if written:
                    index_units += written
                    copy = index.copy(new, table_keys) or index.copy(old, table_keys) or {}
                    keys.append((f"{table}/{index.name}", key_shape(_scalar(copy.get(index.keys[0]))), float(written)))
            calls.append(Call("dynamodb", operation, table, write_units=base + index_units, keys=keys))
        return calls


# -- moto's own CPU, taken out of the timings ----------------------------------------------------


class MotoClock:
    """CPU spent inside moto's stubber (it builds and serializes every answer in this process)."""

    def __init__(self) -> None:
        self.spent = 0.0
        self._original = BotocoreStubber.__call__

    def __enter__(self) -> MotoClock:
        original, clock = self._original, self

        def timed(stubber: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return original(stubber, *args, **kwargs)
            finally:
                clock.spent += time.process_time() - start

        BotocoreStubber.__call__ = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: Any) -> None:
        BotocoreStubber.__call__ = self._original  # type: ignore[method-assign]
