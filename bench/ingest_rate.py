"""Ingest rate: messages per second from one sender, through the real feed handler
(chalicelib.feeds.consumer.handle_batch) as Lambda hands a FIFO queue over, in batches of 10 in
queue order: 200 ORU^R01 (20 OBX) over 50 patients, each patient's four in turn (a preliminary,
its final, its correction, a new order), interleaved as a lab's burst interleaves them.

Two sides take turns (A B A B), each round on a fresh moto backend (decorator mode, in-process):

- lanes: the handler as it is, a batch's patients filed side by side (chalicelib.feeds.lanes);
- serial: the same handler with one lane per sender, which is how intake filed before.

In-process, AWS answers in moto's own CPU time, which in AWS is spent elsewhere while the
caller waits on the network. So each call is metered: moto's work runs one request at a time
(as a service applies each request atomically), its CPU and wall time are added up apart, and
the caller then waits the round trip a call takes in a Region (``ROUND_TRIP_MS``, a model:
printed with the figures). Reported per side (medians over the rounds):

- msg/s measured: wall time, moto included;
- msg/s without moto: wall time less the time spent inside moto (in-process, moto holds the
  interpreter while it works: nothing else runs then, so that time is taken off whole);
- CPU per message (process time), and the same without moto's CPU: the portal's own CPU, which
  bounds one function instance (a vCPU) at 1000 / that many messages per second.

Each round checks what matters: every message filed, and each patient's result showing its
correction (a later message never overwritten by an earlier one).
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from bench import feed_intake  # (sets the fake credentials before boto3 is imported)
from bench.table import Row, render

MESSAGES = 200
PATIENTS = 50
BATCH = 10  # the most a FIFO event source hands a function at once
ROUNDS = 3
SENDER = "LAB"  # the message group: one sender
# A call's round trip in a Region, in ms, by service or service.operation: DynamoDB answers in
# single-digit milliseconds (a transaction touches several items), S3 and SQS writes in tens.
ROUND_TRIP_MS = {"dynamodb": 5.0, "dynamodb.TransactWriteItems": 10.0, "s3": 20.0, "sqs": 10.0}


def message(number: int, patients: int) -> bytes:
    """The ``number``th message of the burst: patient ``number % patients``, its ``number //
    patients``th message (0 preliminary, 1 final, 2 correction of that order, 3 a new order)."""
    patient, step = number % patients, number // patients
    order = f"ORD{patient:03d}-{1 if step < 3 else step}"
    status = "PFCF"[min(step, 3)]
    segments = [
        f"MSH|^~\\&|LAB|ALBANYMED|PORTAL|ALBANYMED|20261125120000||ORU^R01^ORU_R01|CTRL{number:06d}|P|2.5.1",
        f"PID|1||MRN{patient:05d}^^^ALBANYMED^MR||DOE^JANE||19800101|F",
        f"OBR|1|{order}|FIL-{order}|24323-8^Comprehensive metabolic panel^LN|||20261125110000",
    ]
    segments += [
        f"OBX|{i}|NM|{2000 + i}-0^Analyte {i}^LN||{i * 1.5 + step:.1f}|mg/dL|1.0-50.0|N|||{status}"
        for i in range(1, 21)
    ]
    return "\r".join(segments).encode()


def records(bodies: list[bytes]) -> list[dict[str, Any]]:
    """As Lambda hands a FIFO queue's messages over (the group is the sender)."""
    return [
        {
            "messageId": f"m-{number}",
            "receiptHandle": f"r-{number}",
            "body": body.decode(),
            "attributes": {
                "ApproximateReceiveCount": "1",
                "MessageGroupId": SENDER,
                "MessageDeduplicationId": f"d-{number}",
                "SequenceNumber": str(number),
            },
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:patient-portal-clinical-inbound.fifo",
            "awsRegion": "us-east-1",
        }
        for number, body in enumerate(bodies)
    ]


# -- moto, metered ------------------------------------------------------------------------------


class Meter:
    """Time spent inside moto (CPU and wall), and the modelled round trip after each call."""

    def __init__(self, round_trip_ms: dict[str, float]) -> None:
        self.round_trip_ms = round_trip_ms
        self.cpu = 0.0
        self.wall = 0.0
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def round_trip(self, service: str, operation: str) -> float:
        ms = self.round_trip_ms.get(f"{service}.{operation}", self.round_trip_ms.get(service, 0.0))
        return ms / 1000


@contextlib.contextmanager
def metered(meter: Meter) -> Iterator[Meter]:
    from moto.core.botocore_stubber import BotocoreStubber

    real = BotocoreStubber.__call__

    def call(self, event_name: str, request: Any, **kwargs: Any) -> Any:
        _, service, operation = event_name.split(".", 2)
        with meter._lock:  # one request at a time, as the service applies each atomically
            cpu, wall = time.thread_time(), time.perf_counter()
            response = real(self, event_name, request, **kwargs)
            meter.cpu += time.thread_time() - cpu
            meter.wall += time.perf_counter() - wall
            meter.calls[f"{service}.{operation}"] += 1
        if response is not None:
            time.sleep(meter.round_trip(service, operation))  # the network; other lanes run meanwhile
        return response

    BotocoreStubber.__call__ = call  # type: ignore[method-assign]
    try:
        yield meter
    finally:
        BotocoreStubber.__call__ = real  # type: ignore[method-assign]


class _NoTableCopy:
    """moto copies every table a transaction touches, to put it back if the transaction is refused:
    a cost that grows with the table, which DynamoDB does not have. This workload's transactions
    are never refused (each round checks every message filed), so the copy is skipped."""

    @staticmethod
    def deepcopy(value: Any) -> Any:
        return value


@contextlib.contextmanager
def without_table_copies() -> Iterator[None]:
    import copy

    from moto.dynamodb import models

    real = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
        models.copy = _NoTableCopy  # type: ignore[assignment]
        try:
            return real(self, *args, **kwargs)
        finally:
            models.copy = copy

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    try:
        yield
    finally:
        models.DynamoDBBackend.transact_write_items = real  # type: ignore[method-assign]


@contextlib.contextmanager
def serial() -> Iterator[None]:
    """The handler with one lane per sender: its messages filed one after the other, as before."""
    from chalicelib.feeds import lanes

    real = lanes.lanes

    def one_lane_per_group(batch: list[tuple[str, str]], patients: object = ()) -> list[lanes.Lane]:
        groups: dict[str, list[int]] = {}
        for position, (group, _) in enumerate(batch):
            groups.setdefault(group, []).append(position)
        return [lanes.Lane(group, tuple(positions)) for group, positions in groups.items()]

    lanes.lanes = one_lane_per_group  # type: ignore[assignment]
    try:
        yield
    finally:
        lanes.lanes = real  # type: ignore[assignment]


# -- a round ------------------------------------------------------------------------------------


class Side:
    def __init__(self, name: str) -> None:
        self.name = name
        self.rate: list[float] = []  # msg/s, wall, moto included
        self.rate_without_moto: list[float] = []
        self.cpu_ms: list[float] = []  # per message
        self.cpu_ms_without_moto: list[float] = []
        self.outcomes: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()

    def median(self, values: list[float]) -> float:
        return statistics.median(values)


def one_round(side: Side, bodies: list[bytes], patients: int, round_trip_ms: dict[str, float]) -> None:
    from moto import mock_aws

    from chalicelib.feeds import consumer
    from chalicelib.feeds.domain import FeedSource

    with mock_aws():
        container, _, _, _ = feed_intake.filing_stack()
        container.records.add_feed_source(FeedSource("*", feed_intake.ORGANIZATION, "ALBANYMED"))
        warm = records([message(10**6, 1)])
        warm[0]["body"] = warm[0]["body"].replace("CTRL1000000", "WARM").replace("MRN00000", "WARM")
        consumer.handle_batch({"Records": warm}, None)  # clients, tables, imports: not part of the rate
        events = records(bodies)
        batches = [events[start : start + BATCH] for start in range(0, len(events), BATCH)]
        meter = Meter(round_trip_ms)
        with (
            feed_intake.frozen_heap(),
            metered(meter),
            without_table_copies(),
            serial() if side.name == "serial" else contextlib.nullcontext(),
        ):
            cpu, wall = time.process_time(), time.perf_counter()
            for batch in batches:
                answer = consumer.handle_batch({"Records": batch}, None)
                side.outcomes["returned"] += len(answer["batchItemFailures"])
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        side.rate.append(len(bodies) / wall)
        side.rate_without_moto.append(len(bodies) / (wall - meter.wall))
        side.cpu_ms.append(cpu * 1000 / len(bodies))
        side.cpu_ms_without_moto.append((cpu - meter.cpu) * 1000 / len(bodies))
        side.calls += meter.calls
        side.outcomes.update(check(container, bodies, patients))


def check(container: Any, bodies: list[bytes], patients: int) -> Counter[str]:
    """Every message's outcome, and whether each patient's result shows its correction."""
    from chalicelib.patients.domain import Identifier
    from chalicelib.records.domain import result_id

    found: Counter[str] = Counter()
    for number in range(len(bodies)):
        record = container.feed_messages.get(f"LAB|ALBANYMED|CTRL{number:06d}")
        found[record.status.value if record else "missing"] += 1
    for patient in range(min(patients, len(bodies) // 3)):  # those whose correction was sent
        who = container.patients.by_identifier(feed_intake.ORGANIZATION, Identifier("ALBANYMED", f"MRN{patient:05d}"))
        order = f"ORD{patient:03d}-1"
        current = who and container.records.current(
            who.patient_id,
            result_id(container.record_id_key, feed_intake.ORGANIZATION, "LAB|ALBANYMED", f"FIL-{order}"),
        )
        found["correction shown" if current and current.status == "corrected" else "correction NOT shown"] += 1
    return found


def measure(
    messages: int = MESSAGES, patients: int = PATIENTS, rounds: int = ROUNDS, round_trip_ms: dict | None = None
) -> tuple[Side, Side]:
    import logging
    import os

    # A log line and a metric per message are not the measure (they would fill the table's screen).
    os.environ["POWERTOOLS_METRICS_DISABLED"] = "true"
    from chalicelib.observability import logger

    logger.setLevel(logging.WARNING)
    bodies = [message(number, patients) for number in range(messages)]
    lanes, before = Side("lanes"), Side("serial")
    for _ in range(rounds):  # the sides take turns, each round on a fresh backend
        one_round(lanes, bodies, patients, ROUND_TRIP_MS if round_trip_ms is None else round_trip_ms)
        one_round(before, bodies, patients, ROUND_TRIP_MS if round_trip_ms is None else round_trip_ms)
    return lanes, before


_measured: tuple[Side, Side] | None = None


def main(messages: int = MESSAGES, patients: int = PATIENTS, rounds: int = ROUNDS) -> None:
    global _measured
    lanes, before = _measured = measure(messages, patients, rounds)
    print(
        f"one sender, {messages} ORU^R01 (20 OBX) over {patients} patients, batches of {BATCH} through "
        f"feeds.consumer.handle_batch; {rounds} rounds per side, taking turns; medians"
    )
    print("modelled round trip per call, ms: " + ", ".join(f"{k} {v:g}" for k, v in ROUND_TRIP_MS.items()))
    print(f"{'':<8} {'msg/s':>8} {'msg/s without moto':>19} {'CPU ms/msg':>11} {'without moto':>13}")
    for side in (lanes, before):
        print(
            f"{side.name:<8} {side.median(side.rate):8.1f} {side.median(side.rate_without_moto):19.1f}"
            f" {side.median(side.cpu_ms):11.2f} {side.median(side.cpu_ms_without_moto):13.2f}"
        )
        print(f"         outcomes over all rounds: {dict(side.outcomes)}")
    print(f"AWS calls per message: {feed_intake.by_operation(lanes.calls, messages * rounds)}")


def rows() -> list[Row]:
    if _measured is None:
        main()
    assert _measured is not None
    lanes, before = _measured
    own_cpu = lanes.median(lanes.cpu_ms_without_moto)
    return [
        Row(
            "ingest from one sender, 50 patients (lanes), without moto",
            lanes.median(lanes.rate_without_moto),
            "msg/s",
            ">= 50 msg/s",
            note="floor column: the same handler filing one message after another, as before; AWS round trips"
            " modelled (bench/ingest_rate.py ROUND_TRIP_MS), moto's own time taken off",
            floor=before.median(before.rate_without_moto),
        ),
        Row(
            "ingest from one sender (lanes), moto in-process",
            lanes.median(lanes.rate),
            "msg/s",
            "(moto's CPU included)",
            floor=before.median(before.rate),
        ),
        Row(
            "ingest CPU per message (lanes vs serial), without moto",
            own_cpu,
            "ms CPU",
            "<= 1.25x floor",
            floor=before.median(before.cpu_ms_without_moto),
            note=f"one vCPU files at most {1000 / own_cpu:.0f} msg/s from one sender in one function instance",
        ),
        Row(
            "ingest (lanes): patients whose correction is shown over its result",
            lanes.outcomes["correction shown"],
            "patients",
            f"all {lanes.outcomes['correction shown'] + lanes.outcomes['correction NOT shown']}",
            note="over all rounds: one patient's messages filed in the order sent",
        ),
    ]


if __name__ == "__main__":
    if len(sys.argv) > 1:  # python -m bench.ingest_rate MESSAGES PATIENTS ROUNDS (a quick look)
        main(*(int(a) for a in sys.argv[1:4]))
    else:
        main()
    print(render(rows()))
