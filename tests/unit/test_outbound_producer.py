"""The producer's promises with in-memory fakes: an event SQS refuses waits; the drain keeps one
patient's events in order and stops at the first refusal instead of letting later ones overtake."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.errors import DependencyUnavailable
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import MESSAGE, OutboundEvent

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PATIENT = fhir.PatientIdentifier("AMC-MRN", "MRN-1")


class FakeStore:
    def __init__(self) -> None:
        self.rows: dict[str, OutboundEvent] = {}

    def put(self, event: OutboundEvent) -> None:
        self.rows[event.event_id] = event

    def pending(self, limit: int) -> list[OutboundEvent]:
        return sorted(self.rows.values(), key=lambda e: e.created_at)[:limit]

    def done(self, event: OutboundEvent) -> None:
        self.rows.pop(event.event_id, None)


class FakeQueue:
    def __init__(self, refuse_after: int | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.refuse_after = refuse_after

    def send_raw(self, body: str, group_id: str, deduplication_id: str, attributes: dict[str, str]) -> str:
        if self.refuse_after is not None and len(self.sent) >= self.refuse_after:
            raise DependencyUnavailable("A queue is unavailable.")
        self.sent.append((group_id, deduplication_id))
        return "id"


class Ports:
    def __init__(self, queue: FakeQueue) -> None:
        self.outbound = FakeStore()
        self.clinical_outbound_queue = queue


def event(number: int) -> OutboundEvent:
    at = NOW + timedelta(seconds=number)
    resource = fhir.communication(
        message_id=f"m-{number}",
        patient=PATIENT,
        sender=PATIENT.reference(),
        recipients=[fhir.care_team("t")],
        text=f"Message {number}",
        sent=at,
    )
    return producer.event(f"m-{number}", "p1", MESSAGE, resource, "AMC-MRN", at)


def test_an_event_the_queue_refuses_waits_and_the_request_is_not_failed():
    ports = Ports(FakeQueue(refuse_after=0))

    assert producer.emit(ports, event(1)) is False

    assert list(ports.outbound.rows) == ["m-1"]


def test_the_drain_sends_oldest_first_and_stops_at_the_first_refusal():
    ports = Ports(FakeQueue(refuse_after=0))
    for number in (3, 1, 2):
        ports.outbound.put(event(number))
    ports.clinical_outbound_queue.refuse_after = 1

    assert producer.drain(ports) == producer.Drained(1, 2)
    assert ports.clinical_outbound_queue.sent == [("p1", "m-1")]
    assert sorted(ports.outbound.rows) == ["m-2", "m-3"]

    ports.clinical_outbound_queue.refuse_after = None
    assert producer.drain(ports) == producer.Drained(2, 0)
    assert ports.clinical_outbound_queue.sent == [("p1", "m-1"), ("p1", "m-2"), ("p1", "m-3")]
