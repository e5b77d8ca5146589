"""Feed intake: ORU^R01 messages with 20 OBX (moto decorator mode), each a new result for one patient.

Two paths are measured, per message (medians of CPU and wall time):

- intake alone: archived, split, identified, recorded and audited, nothing filed;
- the handler's path: the same, then filed (chalicelib.filing.service.file_message: feed source,
  organization, patient match, the result's new version) and the record marked filed.

against floors measured in the same run:

- parse only: python-hl7 alone, and python-hl7 + chalicelib.interop.hl7v2.read_hl7;
- raw boto3 writing the very same items (taken from a dry run): the archive object, the feed
  record + audit transaction, then the patient's identifier claim read and the records transaction.

DynamoDB and S3 calls are counted per message with a botocore "before-call" hook on every client
(the container's boto3 clients and each PynamoDB model's own client).

Each side runs on a fresh moto backend: moto's TransactWriteItems copies the tables it touches,
so its cost grows with what earlier rounds left there; every side writes the same items, so the
growth is the same on each.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import hl7  # noqa: E402
import moto  # noqa: E402,F401
from botocore import xform_name  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.table import Row, render  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
N = 10 if QUICK else 200
PER_BACKEND = 5 if QUICK else 25  # moto copies a table at each transaction: kept small, its cost stays near its floor
ORGANIZATION = "bench-org"


def oru_with_20_obx(number: int, status: str = "F", shift: float = 0.0, order: int | None = None) -> bytes:
    """Control id and order numbers both from ``number``: each number is a new message and a new
    result (``order`` names an earlier result's order instead: a new version of it, with ``status``
    "C" and values moved by ``shift``)."""
    order = number if order is None else order
    segments = [
        f"MSH|^~\\&|LAB|ALBANYMED|PORTAL|ALBANYMED|20261125120000||ORU^R01^ORU_R01|CTRL{number:06d}|P|2.5.1",
        "PID|1||MRN12345^^^ALBANYMED^MR||DOE^JANE||19800101|F",
        f"OBR|1|ORD{order}|FIL{order}|24323-8^Comprehensive metabolic panel^LN|||20261125110000",
    ]
    segments += [
        f"OBX|{i}|NM|{2000 + i}-0^Analyte {i}^LN||{i * 1.5 + shift:.1f}|mg/dL|1.0-50.0|N|||{status}"
        for i in range(1, 21)
    ]
    return "\r".join(segments).encode()


# -- counting and capturing AWS calls (results_reads uses these too) --------------------------------

CALLS: Counter[str] = Counter()  # "dynamodb.GetItem" -> calls since the last clear()
_captured: list[tuple[str, str, dict]] | None = None  # (service, operation, params) while capturing


def _count(event_name: str, **_: Any) -> None:
    CALLS[event_name.split(".", 1)[1]] += 1


def _capture(event_name: str, params: dict, **_: Any) -> None:
    if _captured is not None:
        _, service, operation = event_name.split(".")
        _captured.append((service, operation, copy.deepcopy(params)))
    # (returns None: a value here would replace the call's parameters)


def clients(container) -> list:
    """Every botocore client the app calls AWS through: PynamoDB gives each model its own session
    and client, beside the container's boto3 clients."""
    from pynamodb.models import Model

    from chalicelib.data import models

    container._bind_tables()
    found = [container.client("dynamodb"), container.client("s3")]
    for value in vars(models).values():
        if (
            isinstance(value, type)
            and issubclass(value, Model)
            and value is not Model
            and getattr(value.Meta, "table_name", None)
        ):
            found.append(value._get_connection().connection.client)
    return found


def watch(container) -> None:
    """Count (and, inside ``capturing``, record) every DynamoDB and S3 call from now on, on every
    client. Idempotent (one handler per client, by unique id)."""
    for client in clients(container):
        client.meta.events.register("before-call", _count, unique_id="bench-count-calls")
        client.meta.events.register("provide-client-params", _capture, unique_id="bench-capture-calls")


class capturing:
    """``with capturing() as calls:`` the (service, operation, params) of each call made inside."""

    def __enter__(self) -> list[tuple[str, str, dict]]:
        global _captured
        _captured = []
        return _captured

    def __exit__(self, *exc: Any) -> None:
        global _captured
        _captured = None


def replay(container, call: tuple[str, str, dict]) -> Any:
    """One captured call made again through the container's plain boto3 client."""
    service, operation, params = call
    return getattr(container.client(service), xform_name(operation))(**params)


def by_operation(counts: Counter, per: int = 1) -> str:
    return ", ".join(f"{name} {count / per:g}" for name, count in sorted(counts.items())) or "none"


def stack():
    """A fresh moto-backed stack (call inside mock_aws): the container, its environment."""
    from chalicelib import wiring
    from infra.local.provision import provision

    provisioned = provision(boto3.session.Session())
    os.environ.update(provisioned.environment)
    wiring.reset()
    container = wiring.container()
    watch(container)
    return container, provisioned.environment


def filing_stack():
    """A stack with the organization and a catch-all feed source, and the handler's filer."""
    from chalicelib.accounts import service as accounts
    from chalicelib.feeds.domain import FeedSource
    from chalicelib.filing import service as filing

    container, env = stack()
    accounts.ensure_organization(container.directory, ORGANIZATION, "Bench", now=container.clock.now())
    container.records.add_feed_source(FeedSource("*", ORGANIZATION, "BENCH-MRN"))
    filed: list = []

    def filer(envelope, message_key: str) -> None:  # what feeds.consumer.handle_batch hands to receive
        filed.append(filing.file_message(container, envelope, message_key, datetime.now(timezone.utc)))

    return container, env, filer, filed


# -- timing -----------------------------------------------------------------------------------


@contextlib.contextmanager
def frozen_heap():
    """What exists before the timed loop (captured calls, earlier rounds' leftovers) is moved
    out of the collector's sight, so each side pays only for the garbage it makes itself."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class Timings:
    def __init__(self) -> None:
        self.cpu: list[float] = []
        self.wall: list[float] = []

    def time(self, function: Callable[[], Any]) -> Any:
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()
        self.cpu.append((time.process_time() - cpu) * 1000)
        self.wall.append((time.perf_counter() - wall) * 1000)
        return result

    def add(self, other: Timings) -> Timings:
        total = Timings()
        total.cpu = [a + b for a, b in zip(self.cpu, other.cpu)]
        total.wall = [a + b for a, b in zip(self.wall, other.wall)]
        return total

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    def line(self, label: str, floor: Timings | None = None, floor_name: str = "") -> str:
        text = f"{label:<58} {self.median_cpu:7.2f} {self.median_wall:7.2f}"
        if floor is not None:
            text += (
                f"   {self.median_cpu / floor.median_cpu:5.2f}x CPU, {self.median_wall / floor.median_wall:5.2f}x"
                f" wall of {floor_name}"
            )
        return text


def parse_floors(bodies: list[bytes]) -> tuple[Timings, Timings]:
    from chalicelib.interop.hl7v2 import read_hl7

    parse, read = Timings(), Timings()
    texts = [body.decode() for body in bodies]
    read_hl7(texts[0])  # imports
    with frozen_heap():
        for text in texts:
            parse.time(lambda: hl7.parse(text))
        for text in texts:
            read.time(lambda: read_hl7(text))
    return parse, read


def capture_handler_calls(bodies: list[bytes], warm: bytes) -> tuple[list[tuple], list[list[tuple]]]:
    """A dry run of the handler's path: the calls of the warm-up message, then of each message."""
    from chalicelib.feeds import service

    with mock_aws():
        container, _, filer, _ = filing_stack()
        with capturing() as setup:
            service.receive(
                warm,
                archive=container.feed_archive,
                messages=container.feed_messages,
                sender_hint="LAB",
                filer=filer,
                received_at=container.clock.now(),
            )
        per_message = []
        for body in bodies:
            with capturing() as calls:
                service.receive(
                    body,
                    archive=container.feed_archive,
                    messages=container.feed_messages,
                    sender_hint="LAB",
                    filer=filer,
                    received_at=container.clock.now(),
                )
            per_message.append(calls)
        return setup, per_message


def _is_claim_read(call: tuple[str, str, dict]) -> bool:
    service, operation, params = call
    return operation == "GetItem" and any(
        str(value.get("S", "")).startswith("identifier#") for value in params["Key"].values()
    )


def floor_plan(per_message: list[list[tuple]]) -> tuple[list[tuple[list, list, list]], Counter]:
    """Per message: (archive + feed record/audit transaction), (identifier claim read + records
    transaction), and the handler's other calls; and the floor's calls counted."""
    plan, floor_calls = [], Counter()
    for calls in per_message:
        archive = [c for c in calls if c[1] == "PutObject"]
        transactions = [c for c in calls if c[1] == "TransactWriteItems"]
        claims = [c for c in calls if _is_claim_read(c)]
        first, rest = archive + transactions[:1], claims + transactions[1:]
        plan.append((first, rest, [c for c in calls if not any(c is f for f in first + rest)]))
        for call in first + rest:
            floor_calls[f"{call[0]}.{call[1]}"] += 1
    return plan, floor_calls


def raw_round(setup: list[tuple], plan: list[tuple[list, list, list]], timings: tuple[Timings, Timings, Timings]):
    """The same items written with boto3 on a fresh backend, timed apart: the floor's two parts,
    then the handler's other calls made raw too (not part of the floor: what they cost)."""
    with mock_aws():
        container, _ = stack()
        for call in setup:  # the patient and its claims, as the warm-up message left them
            if call[1] in ("PutObject", "TransactWriteItems", "PutItem", "UpdateItem"):
                replay(container, call)
        intake, filing, others = timings
        with frozen_heap():
            for first, rest, other in plan:
                intake.time(lambda: [replay(container, call) for call in first])
                filing.time(lambda: [replay(container, call) for call in rest])
                others.time(lambda: [replay(container, call) for call in other])


def intake_round(bodies: list[bytes], warm: bytes, timings: Timings) -> None:
    from chalicelib.feeds import service

    with mock_aws():
        container, _ = stack()
        service.receive(
            warm,
            archive=container.feed_archive,
            messages=container.feed_messages,
            sender_hint="LAB",
            received_at=container.clock.now(),
        )
        with frozen_heap():
            for body in bodies:
                timings.time(
                    lambda: service.receive(
                        body,
                        archive=container.feed_archive,
                        messages=container.feed_messages,
                        sender_hint="LAB",
                        received_at=container.clock.now(),
                    )
                )


class HandlerPath:
    """receive + file_message, as the handler does it: times, AWS calls, python-hl7 parses, outcomes."""

    def __init__(self) -> None:
        self.timings = Timings()
        self.calls: Counter = Counter()
        self.parses = 0
        self.outcomes: Counter = Counter()
        self.results_new = 0

    def round(self, bodies: list[bytes], warm: bytes) -> None:
        from chalicelib.feeds import service

        real_parse = hl7.parse

        def counted_parse(*args, **kwargs):
            self.parses += 1
            return real_parse(*args, **kwargs)

        with mock_aws():
            container, _, filer, filed = filing_stack()
            service.receive(
                warm,
                archive=container.feed_archive,
                messages=container.feed_messages,
                sender_hint="LAB",
                filer=filer,
                received_at=container.clock.now(),
            )
            CALLS.clear()
            hl7.parse = counted_parse
            try:
                with frozen_heap():
                    for body in bodies:
                        found = self.timings.time(
                            lambda: service.receive(
                                body,
                                archive=container.feed_archive,
                                messages=container.feed_messages,
                                sender_hint="LAB",
                                filer=filer,
                                received_at=container.clock.now(),
                            )
                        )
                        self.outcomes.update(result.value for result, _ in found)
            finally:
                hl7.parse = real_parse
            self.calls += CALLS
            self.results_new += sum(f.results_new for f in filed[1:])


def rows() -> list[Row]:
    bodies = [oru_with_20_obx(i) for i in range(N)]
    warm = oru_with_20_obx(999_999)
    parse, read = parse_floors(bodies)
    setup, per_message = capture_handler_calls(bodies, warm)
    plan, floor_calls = floor_plan(per_message)
    raw_intake, raw_filing, raw_others = Timings(), Timings(), Timings()
    intake, handler = Timings(), HandlerPath()
    for start in range(0, N, PER_BACKEND):  # the sides take turns, each round on fresh backends
        chunk = slice(start, start + PER_BACKEND)
        raw_round(setup, plan[chunk], (raw_intake, raw_filing, raw_others))
        intake_round(bodies[chunk], warm, intake)
        handler.round(bodies[chunk], warm)
    raw_floor_all = raw_intake.add(raw_filing)
    raw_every = raw_floor_all.add(raw_others)

    calls = handler.calls
    other_calls = calls - floor_calls
    print(
        f"ORU^R01 with 20 OBX, {N} new messages (new control id and order number each) for one patient, "
        f"{PER_BACKEND} per fresh moto backend;"
    )
    print("medians per message in ms; moto's own CPU is inside every AWS figure")
    print(f"{'':<58} {'CPU':>7} {'wall':>7}")
    print(parse.line("floor: python-hl7 parse"))
    print(read.line("floor: python-hl7 parse + interop.hl7v2.read_hl7"))
    print(raw_intake.line("floor: raw boto3 put_object + feed/audit transact_write"))
    print(raw_filing.line("floor: raw boto3 claim get_item + records transact_write"))
    print(raw_floor_all.line("floor: raw boto3, the 4 calls above"))
    print(raw_others.line(f"raw boto3, the handler's {sum(other_calls.values()) // N} other calls (not a floor)"))
    print(
        intake.line(
            "intake only (no filer): archive, split, record, audit", parse.add(raw_intake), "parse + raw intake writes"
        )
    )
    handler_floor, handler_raw = read.add(raw_floor_all), read.add(raw_every)
    print(handler.timings.line("handler path: receive + file_message + mark", handler_floor, "read_hl7 + raw floor"))
    print(
        f"{'':<74}   {handler.timings.median_cpu / handler_raw.median_cpu:5.2f}x CPU, "
        f"{handler.timings.median_wall / handler_raw.median_wall:5.2f}x wall of read_hl7 + all its calls raw"
    )
    print(f"handler path outcomes: {dict(handler.outcomes)}; new results filed: {handler.results_new} of {N}")
    print(f"AWS calls per message, handler path ({sum(calls.values()) / N:g}): {by_operation(calls, N)}")
    print(f"AWS calls per message, raw floor    ({sum(floor_calls.values()) / N:g}): {by_operation(floor_calls, N)}")
    print(f"python-hl7 parses per message, handler path: {handler.parses / N:g} (floor: 1)")
    note = (
        f"ORU^R01 with 20 OBX, {N} new messages for one patient, sides in turns ({PER_BACKEND} per fresh moto "
        "backend), medians; moto's CPU is inside both sides (reported, not removed); floor: python-hl7 + "
        "read_hl7 + raw boto3 writing the very same items"
    )
    return [
        Row("feed message, handler path, CPU", handler.timings.median_cpu, "ms CPU", "reported",
            handler_floor.median_cpu, note),
        Row("feed message, handler path, wall", handler.timings.median_wall, "ms wall", "reported",
            handler_floor.median_wall),
        Row("feed message, AWS calls", sum(calls.values()) / N, "calls", "reported",
            sum(floor_calls.values()) / N),
    ]  # fmt: skip


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
