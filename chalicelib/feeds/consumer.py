"""The Lambda side of the clinical inbound queue: a FIFO batch (the message group is the sender).

The batch is split into lanes (chalicelib.feeds.lanes): the records about one patient, in queue
order. Lanes are filed side by side, so a sender's messages about different patients do not wait
for each other's round trips, while one patient's messages keep the order the sender sent them
in. After a failure, the later records of the same lane are returned unprocessed; other lanes,
the same sender's included, go on. Returned records come back after the visibility timeout (the
group waits for them: SQS hands a group's messages over in order) and, after maxReceiveCount,
wait on the dead-letter queue.

Each HL7 v2 message is answered on the acknowledgement queue once its outcome is recorded
(chalicelib.feeds.acks): the batch's answers go out together once its lanes are done, in queue
order, so a sender hears of its messages in the order it sent them. A failure to send them fails
those records like any other failure, and their redelivery, duplicates by then, sends the same
answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chalicelib import wiring
from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds import acks, lanes, quarantine, service
from chalicelib.feeds.domain import Decision
from chalicelib.observability import count, logger
from chalicelib.release import outbox

# Lanes filed side by side in one invocation: at most a batch's records (a FIFO batch holds 10).
MAX_LANES = 10

# What intake and filing take from the container, built here once before the lanes start: lanes
# building them side by side on a cold function's first batch would each build their own (a
# cached_property has no lock from Python 3.12 on) and bind the tables at the same time.
FILING_USES = (
    "records",
    "patients",
    "feed_messages",
    "feed_archive",
    "audit_log",
    "directory",
    "identity_records",
    "worklist",
    "outbox",
    "deliveries",
    "proxy_grants",
    "care_teams",
    "checkins",
    "signed_forms",
    "refills",
    "appointment_requests",
    "appointment_reminders",
    "documents",
    "timers",
    "notifications_queue",
    "clinical_inbound_queue",
    "clinical_ack_queue",
)


def handle_batch(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    container = wiring.container()
    records = [SQSRecord(raw) for raw in event.get("Records", [])]

    def file_one(envelope, message_key: str) -> Any:
        from chalicelib.filing import service as filing

        filed = filing.file_message(
            container, envelope, message_key, container.clock.now(), production=container.settings.is_production
        )
        logger.info("feed message filed", extra=filing.describe(filed))
        if filed.quarantined:
            # A batch's part left out waits for someone as a quarantined message does: same alarm.
            count("FeedMessageQuarantined", len(filed.quarantined))
        return filed  # intake records the parts it left out (filed.quarantined)

    def take(record) -> list[acks.Ack]:
        try:
            return take_one(record)
        except Exception:
            if_last_try(record)
            raise

    def if_last_try(record) -> None:
        tries = _receive_count(record)
        if tries >= quarantine.INBOUND_MAX_RECEIVES:  # SQS moves it to the dead-letter queue next
            _dead_lettered(record, tries)

    def _dead_lettered(record, tries: int) -> None:
        attributes = record.message_attributes
        sender = attributes["sender"].string_value if "sender" in attributes else ""
        try:
            quarantine.dead_lettered(
                container,
                record.body.encode("utf-8"),
                sender or record.attributes.message_group_id or "",
                tries,
                container.clock.now(),
            )
        except DependencyUnavailable:  # (the store may be what failed: the listing still shows it)
            logger.warning("dead-lettered feed message not put in quarantine")

    def take_one(record) -> list[acks.Ack]:
        """Intake and filing of one record; its answers, sent once the whole batch is decided."""
        attributes = record.message_attributes
        sender = attributes["sender"].string_value if "sender" in attributes else ""
        # (thread-safe keys: lanes run side by side, each line keeps its own record's id)
        logger.thread_safe_append_keys(correlation_id=record.message_id)
        decisions: list[Decision] = []
        results = service.receive(
            record.body.encode("utf-8"),
            archive=container.feed_archive,
            messages=container.feed_messages,
            filer=file_one,
            received_at=container.clock.now(),
            sender_hint=sender or record.attributes.message_group_id or "",
            decided=decisions.append,
        )
        now = container.clock.now()
        answers = [ack for decision in decisions for ack in acks.acks_for(decision, now)]
        for result, _key in results:
            count(f"FeedMessage{result.value.title()}")
        logger.info(
            "feed intake done",
            extra={"results": [result.value for result, _ in results], "acks": [ack.code for ack in answers]},
        )
        return answers

    from chalicelib.filing import lane_patients  # (loaded with a batch, as file_one loads filing)

    for name in FILING_USES:
        getattr(container, name)  # (built once, here: see FILING_USES)
    bodies = [(r.attributes.message_group_id or "", r.body) for r in records]
    outcome = run_lanes(records, take, lane_patients.chart_patients(container, bodies) if len(records) > 1 else ())
    failed = answer_in_order(container, records, outcome, if_last_try)
    # What a queue or Step Functions refused earlier goes now (the schedule drains it too).
    outbox.drain_quietly(container, container.clock.now())
    return {"batchItemFailures": [{"itemIdentifier": records[i].message_id} for i in sorted(failed)]}


def run_lanes(
    records: list[Any], take: Callable[[Any], list[acks.Ack]], patients: Sequence[frozenset[str] | None] = ()
) -> LaneOutcome:
    """Each lane (chalicelib.feeds.lanes) in queue order, lanes side by side. After a failure, the
    later records of its lane are returned unprocessed (the same patient's messages are never filed
    out of order); other lanes, of the same sender too, go on. ``patients``: the chart patients each
    record names (lane_patients.chart_patients), joined on besides the identifiers' text."""
    plan = lanes.lanes([(r.attributes.message_group_id or "", r.body) for r in records], patients)
    outcome = LaneOutcome()

    def run(lane: lanes.Lane) -> None:
        failed_id = ""
        for position in lane.positions:
            record = records[position]
            if failed_id:
                outcome.held(position, record, failed_id, lane.group)
                continue
            try:
                outcome.answers[position] = take(record)
            except Exception as error:  # the record comes back; the lane's later ones wait for it
                outcome.failed(position, record, error)
                failed_id = record.message_id
        logger.thread_safe_clear_keys()

    if len(plan) <= 1:
        for lane in plan:
            run(lane)
        return outcome
    with ThreadPoolExecutor(max_workers=min(len(plan), MAX_LANES), thread_name_prefix="feed-lane") as pool:
        for done in [pool.submit(run, lane) for lane in plan]:
            done.result()
    return outcome


class LaneOutcome:
    """What became of each record of a batch, by its position: the answers of those decided, and
    the positions that go back to the queue (logged as the batch processors log them)."""

    def __init__(self) -> None:
        self.answers: dict[int, list[acks.Ack]] = {}
        self.returned: set[int] = set()
        self._lock = threading.Lock()

    def failed(self, position: int, record: Any, error: Exception) -> None:
        self._log(position, record, type(error).__name__, {})

    def held(self, position: int, record: Any, behind: str, group: str) -> None:
        # (the error type Powertools' FIFO processor names a record held behind another: what
        # on-call's filters and runbooks know; the fields say which record and sender)
        self._log(
            position,
            record,
            "SQSFifoMessageGroupCircuitBreakerError",
            {"held_behind": behind, "message_group": group},  # (the line's correlation id is the failed one's)
        )

    def _log(self, position: int, record: Any, error_type: str, fields: dict[str, str]) -> None:
        with self._lock:
            self.returned.add(position)
        logger.warning(
            "queue record failed; it stays on the queue for a retry",
            extra={
                "sqs_message_id": record.message_id,
                "error_type": error_type,
                "receive_count": record.attributes.approximate_receive_count,
                **fields,
            },
        )
        count("QueueRecordFailed")


def answer_in_order(
    container: Any, records: list[Any], outcome: LaneOutcome, if_last_try: Callable[[Any], None]
) -> set[int]:
    """The answers of the batch's decided records, in queue order (each sender hears of its messages
    in the order it sent them), in one send; when that fails, those records go back too and their
    redelivery, duplicates by then, answers again. Returns the positions that go back."""
    returned = set(outcome.returned)
    decided = sorted(outcome.answers)
    answers = [ack for position in decided for ack in outcome.answers[position]]
    try:
        acks.send(container.clinical_ack_queue, answers)
    except DependencyUnavailable as error:
        for position in decided:
            if outcome.answers[position]:
                outcome.failed(position, records[position], error)
                returned.add(position)
                if_last_try(records[position])
    return returned


def _receive_count(record: Any) -> int:
    try:
        return int(record.attributes.approximate_receive_count)
    except (TypeError, ValueError):
        return 1
