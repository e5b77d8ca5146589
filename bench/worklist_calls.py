"""The staff worklist's read (moto decorator mode): its DynamoDB round trips and time with 5, 20
and 50 open items, and with 1,000 closed items beside 5 open ones.

What is counted: every DynamoDB call chalicelib.worklist.service.open_items makes (a botocore hook
on every client), which should not grow with the items: one Query per shard of the open index,
one BatchGetItem of the patients named, the read's audit PutItem. (The session check a request
adds is one call more, the same for every list; it is not part of this read.)

What is timed: the service against raw boto3 making the very same calls (their parameters taken
from the service's own calls; the audit PutItem under a fresh sort key each time), the two taking
turns, medians of CPU and wall time. Both sides pay moto's own CPU (serializing its answers), so
the ratio says what the portal's code adds to the same round trips, not what DynamoDB would take.
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import moto  # noqa: E402,F401  (moto must patch botocore before any client exists)
from botocore.client import BaseClient  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.table import Row, render  # noqa: E402

ORGANIZATION = "bench-org"
OPEN_COUNTS = (5, 20, 50)
CLOSED = 1000
PATIENTS = 10
REPEATS = 15
START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)


@contextmanager
def dynamodb_calls() -> Iterator[list[tuple[str, dict]]]:
    """Every DynamoDB call made meanwhile, as (operation, parameters), on any client."""
    calls: list[tuple[str, dict]] = []
    original = BaseClient._make_api_call

    def counted(client, operation, params):
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params))
        return original(client, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


class Timings:
    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def time(self, function: Callable[[], Any]) -> None:
        cpu, wall = time.process_time(), time.perf_counter()
        function()
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)


def _stack():
    """A fresh moto-backed container (inside mock_aws) with the organization and its patients."""
    from chalicelib import wiring
    from chalicelib.accounts import service as accounts
    from chalicelib.patients.domain import Patient, PortalStatus
    from infra.local.provision import provision

    os.environ.update(provision(boto3.session.Session()).environment)
    wiring.reset()
    container = wiring.container()
    accounts.ensure_organization(container.directory, ORGANIZATION, "Bench", now=START)
    patient_ids = [f"{number:032x}" for number in range(1, PATIENTS + 1)]
    for number, patient_id in enumerate(patient_ids):
        container.patients.add(
            Patient(
                patient_id=patient_id,
                organization_id=ORGANIZATION,
                identifiers=(),
                family_name=f"Family{number}",
                given_names=(f"Given{number}",),
                birth_date="1980-01-01",
                sex="female",
                email="",
                portal_status=PortalStatus.NOT_INVITED,
                account_id="",
                created_at=START,
            )
        )
    return container, patient_ids


def _item(number: int, patient_id: str, status: str = "open"):
    from chalicelib.kernel.keys import timed_key
    from chalicelib.worklist.domain import WorklistItem

    created = START + timedelta(minutes=number)
    item_id = f"bench-{number:06d}"
    return WorklistItem(
        item_id=item_id,
        organization_id=ORGANIZATION,
        task="call_patient",
        patient_id=patient_id,
        result_id=f"{number:032x}",
        result_version=1,
        status=status,
        created_at=created,
        sort_key=timed_key(created, item_id),
    )


def _fresh(call: tuple[str, dict], number: int) -> tuple[str, dict]:
    """The read's audit PutItem again under a sort key of its own (its condition refuses a second)."""
    operation, params = call
    if operation != "PutItem":
        return call
    item = dict(params["Item"])
    item["sort_key"] = {"S": f"{item['sort_key']['S']}#{number}"}
    return operation, {**params, "Item": item}


def measure(
    open_counts: tuple[int, ...] = OPEN_COUNTS, closed: int = CLOSED, repeats: int = REPEATS
) -> list[dict[str, Any]]:
    """One case per open count, and one with ``closed`` closed items beside the first count's open
    ones: each its calls by operation, and the service's and the raw calls' timings."""
    from chalicelib.data.models import WorklistItemModel
    from chalicelib.data.worklist import worklist_item
    from chalicelib.kernel.caller import Caller
    from chalicelib.kernel.origin import Origin
    from chalicelib.worklist import service

    caller = Caller(
        account_id="bench-staff",
        role="staff",
        organization_id=ORGANIZATION,
        patient_id="",
        session_id="s",
        restriction="",
    )
    origin = Origin("127.0.0.1")
    cases: list[dict[str, Any]] = []
    with mock_aws():
        container, patient_ids = _stack()
        raw = container.client("dynamodb")
        added = 0

        def case(label: str, expected: int) -> None:
            with dynamodb_calls() as calls:
                shown = service.open_items(container, caller, origin)["items"]
            assert len(shown) == expected, (label, len(shown))
            serial = iter(range(10**9))
            portal, floor = Timings(), Timings()
            for _ in range(repeats):  # the two sides taking turns
                portal.time(lambda: service.open_items(container, caller, origin))
                floor.time(lambda: [raw._make_api_call(*_fresh(c, next(serial))) for c in calls])
            cases.append({"label": label, "calls": Counter(op for op, _ in calls), "portal": portal, "floor": floor})

        for count in open_counts:
            for number in range(added, count):
                container.worklist.add(_item(number, patient_ids[number % PATIENTS]))
            added = count
            case(f"{count} open items", count)
        # the first count's open items, and ``closed`` closed ones (written as the store keeps them)
        for number in range(open_counts[0], added):
            container.worklist.close(ORGANIZATION, _item(number, "").sort_key, "bench-staff", "reached", START)
        with WorklistItemModel.batch_write() as batch:
            for number in range(100_000, 100_000 + closed):
                batch.save(worklist_item(_item(number, patient_ids[number % PATIENTS], status="done")))
        case(f"{open_counts[0]} open items and {closed:,} closed", open_counts[0])
    return cases


def rows(open_counts: tuple[int, ...] = OPEN_COUNTS, closed: int = CLOSED, repeats: int = REPEATS) -> list[Row]:
    cases = measure(open_counts, closed, repeats)
    first = sum(cases[0]["calls"].values())
    out: list[Row] = []
    for case in cases:
        calls = case["calls"]
        detail = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
        out.append(
            Row(
                f"worklist read, {case['label']}: DynamoDB calls",
                sum(calls.values()),
                "calls",
                "constant in items",
                floor=first,
                note=f"{detail}; floor: the calls with {open_counts[0]} open items",
            )
        )
    for case in cases:
        out.append(
            Row(
                f"worklist read, {case['label']}: CPU",
                statistics.median(case["portal"].cpu),
                "ms CPU",
                "-",
                floor=statistics.median(case["floor"].cpu),
                note=(
                    f"median of {len(case['portal'].cpu)}, taking turns with raw boto3 making the same calls; "
                    f"wall {statistics.median(case['portal'].wall):.1f} against "
                    f"{statistics.median(case['floor'].wall):.1f} ms; moto's CPU inside both"
                ),
            )
        )
    return out


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
