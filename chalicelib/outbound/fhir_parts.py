"""What every outbound resource checks before it is sent: a moment carries its zone, a text is
within bounds, and the resource is valid FHIR R4 (the writer's validation), each refused as
InvalidOutboundEvent (the code built it wrongly: nothing is stored or sent)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.interop.writer.validation import InvalidResource
from chalicelib.interop.writer.validation import validated as written_validated
from chalicelib.interop.writer.values import instant
from chalicelib.outbound.domain import InvalidOutboundEvent

MAX_TEXT = 20_000  # characters of a message or note: what a care team reads, not a document


def instant_at(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidOutboundEvent("outbound times carry their zone")
    return instant(moment)


def checked_text(value: str, what: str) -> str:
    if not value.strip() or len(value) > MAX_TEXT:
        raise InvalidOutboundEvent(f"{what} is 1 to {MAX_TEXT} characters")
    return value


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as fhir.resources reads and writes it back, or InvalidOutboundEvent."""
    try:
        return written_validated(resource)
    except InvalidResource as error:
        raise InvalidOutboundEvent(str(error)) from None
