"""Medications and refill requests (being built: the routes' shapes are final)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.refills.contract import NewRefillRequest, RefillDecision

_NOT_YET = "Refills are not available yet."


def medications(ports: Any, caller: Caller, origin: Origin, patient_id: str, now: datetime) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)


def request_refill(
    ports: Any, caller: Caller, origin: Origin, patient_id: str, body: NewRefillRequest, now: datetime
) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)


def patient_requests(
    ports: Any, caller: Caller, origin: Origin, patient_id: str, limit: int, cursor: str
) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)


def patient_request(ports: Any, caller: Caller, origin: Origin, patient_id: str, request_id: str) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)


def queue(ports: Any, caller: Caller, origin: Origin, status: str, limit: int, cursor: str) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)


def staff_request(ports: Any, caller: Caller, origin: Origin, request_id: str) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)


def decide(
    ports: Any, caller: Caller, origin: Origin, request_id: str, body: RefillDecision, now: datetime
) -> dict[str, Any]:
    raise DependencyUnavailable(_NOT_YET)
