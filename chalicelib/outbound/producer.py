"""Sending outbound events: once the caller's write holds the event, ``send_now`` sends it and
takes its row out; whatever a refused send left, ``drain`` sends later (app.py's drain_outbox,
every five minutes).

Sent once: SQS drops a second message with the same deduplication id (the event id) in the same
message group within five minutes, and the row goes only after SQS took the message. A crash
between the send and the delete sends the event again at the next drain, usually within the five
minutes; past them the consumer's rule (apply each event id once) folds it. Never lost: the row
stays until a send succeeded."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.errors import DependencyUnavailable
from chalicelib.observability import logger
from chalicelib.outbound.domain import MAX_BODY_BYTES, InvalidOutboundEvent, OutboundEvent

DRAIN_BATCH = 100  # events one drain sends at most: the next drain takes the rest


class OutboundStore(Protocol):
    def put(self, event: OutboundEvent) -> None: ...

    def pending(self, limit: int) -> list[OutboundEvent]: ...

    def done(self, event: OutboundEvent) -> None: ...


class OutboundQueue(Protocol):
    def send_raw(self, body: str, group_id: str, deduplication_id: str, attributes: dict[str, str]) -> str: ...


class OutboundPorts(Protocol):
    @property
    def outbound(self) -> OutboundStore: ...

    @property
    def clinical_outbound_queue(self) -> OutboundQueue: ...


@dataclass(frozen=True)
class Drained:
    sent: int = 0
    left: int = 0  # SQS still refused: the next drain tries again


def event(
    event_id: str, patient_id: str, kind: str, resource: dict[str, Any], patient_system: str, now: datetime
) -> OutboundEvent:
    """An event ready to write: its resource built by outbound.fhir (validated there) and small
    enough for SQS. Raises InvalidOutboundEvent, before anything is written, when it is not."""
    built = OutboundEvent(event_id, patient_id, kind, resource, patient_system, now)
    if len(body(built).encode()) > MAX_BODY_BYTES:
        raise InvalidOutboundEvent(f"an outbound resource is at most {MAX_BODY_BYTES} bytes")
    return built


def body(event: OutboundEvent) -> str:
    return json.dumps(event.resource, separators=(",", ":"), ensure_ascii=False)


def emit(ports: OutboundPorts, event: OutboundEvent) -> bool:
    """An event that follows no write of the caller's own: stored, then sent. True when sent now;
    False when SQS refused and the drain will send it. A store that is down raises (nothing kept,
    nothing sent: the caller's request fails whole)."""
    ports.outbound.put(event)
    return send_now(ports, event)


def send_now(ports: OutboundPorts, event: OutboundEvent) -> bool:
    """After the caller's transaction wrote the event: send it and take its row out. False (it
    waits for the drain) when SQS refused; the caller's request still succeeds either way."""
    try:
        ports.clinical_outbound_queue.send_raw(body(event), event.patient_id, event.event_id, event.attributes())
    except DependencyUnavailable:
        logger.warning("outbound event left for the drain", extra={"event_id": event.event_id, "kind": event.kind})
        return False
    try:
        ports.outbound.done(event)
    except DependencyUnavailable:
        # Sent, but still stored: the drain sends it again under the same deduplication id.
        logger.warning("outbound event sent but not taken out", extra={"event_id": event.event_id})
    return True


def drain(ports: OutboundPorts, limit: int = DRAIN_BATCH) -> Drained:
    """Send what waits, oldest first. The first refusal stops the drain: the queue is down, and
    a later event of the same patient must not overtake an earlier one that waits."""
    waiting = ports.outbound.pending(limit)
    for number, waiting_event in enumerate(waiting):
        try:
            ports.clinical_outbound_queue.send_raw(
                body(waiting_event), waiting_event.patient_id, waiting_event.event_id, waiting_event.attributes()
            )
        except DependencyUnavailable:
            return Drained(number, len(waiting) - number)
        ports.outbound.done(waiting_event)
    return Drained(len(waiting), 0)
