"""The step of filing an appointment (chalicelib.filing.appointments.AFTER_FILING) that ties a
filed visit to the portal: it remembers the scheduling system's id of the visit (what a patient's
cancellation names when it leaves), and when the booking names a portal request, closes that
request as scheduled and marks the visit with the request's id.

A booking names a request by its id as the placer's appointment id (SIU SCH-1) or as a FHIR
Appointment identifier under outbound.fhir.APPOINTMENT_REQUEST_SYSTEM. The request is looked up
among the filed patient's own requests only: a booking for another patient that names a request
closes nothing. Idempotent (a redelivered message finds the request closed and the marks set), and
it raises on a store failure, so the feed message is retried and nothing is left half done.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

from chalicelib.appointments import requests
from chalicelib.appointments.domain import AppointmentFiled, status_of
from chalicelib.appointments.requests import VisitMark
from chalicelib.appointments.stores import AppointmentRequests
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.observability import logger
from chalicelib.outbound.fhir import APPOINTMENT_REQUEST_SYSTEM

PLACER, FILLER = "PLAC", "FILL"
# Only a visit the scheduler has booked closes a request. One still proposed, pending or on a
# waiting list is not a booking (and the portal's own outbound "proposed" Appointment, echoed
# back by an engine, names the request too); a cancelled one never books anything.
_BOOKED = frozenset({"booked", "arrived", "checked-in", "fulfilled"})


class BookingPorts(Protocol):
    @property
    def appointment_requests(self) -> AppointmentRequests: ...


def close_requests_it_books(filed: AppointmentFiled) -> None:
    ports: BookingPorts = filed.ports
    scheduler = scheduler_id(filed.ids)
    if scheduler is not None:
        mark = ports.appointment_requests.visit_mark(filed.patient_id, filed.entry_id)
        if mark is None or (mark.scheduler_system, mark.scheduler_value) != scheduler:
            ports.appointment_requests.remember_scheduler_id(filed.patient_id, filed.entry_id, *scheduler)
    if filed.withdrawn or status_of(str(filed.content.get("status") or "")) not in _BOOKED:
        return  # a cancellation, a proposal or a waiting list naming a request books nothing
    for request_id in named_requests(filed.ids):
        request = ports.appointment_requests.of_patient(filed.patient_id, request_id)
        if request is None:
            continue  # another patient's request, or none: nothing of the portal's to close
        closed = requests.scheduled(request, filed.entry_id, filed.now)
        if closed is None:
            continue  # closed already: a redelivered message, or staff declined it first
        ports.appointment_requests.change(
            replace(closed, version=closed.version + 1), None, None, None, VisitMark(entry_id=filed.entry_id)
        )
        logger.info("appointment request scheduled by the feed", request_id=request_id)


def scheduler_id(ids: tuple[Any, ...]) -> tuple[str, str] | None:
    """The scheduling system's own id of the visit (SCH-2, a FHIR identifier of type FILL or
    none), with its issuer as a system: what the engine finds the booking by."""
    for sent in ids:
        if getattr(sent, "type", "") != FILLER:
            continue
        system = sent.universal_id or sent.namespace
        if system and system != APPOINTMENT_REQUEST_SYSTEM and sent.value:
            return system, sent.value
    return None


def named_requests(ids: tuple[Any, ...]) -> list[str]:
    """Request ids a booking names: a placer id that is a portal id (the portal's request id was
    the placer's appointment id), or any id under the portal's request system."""
    found = []
    for sent in ids:
        value = str(getattr(sent, "value", ""))
        under_portal = APPOINTMENT_REQUEST_SYSTEM in (sent.universal_id, sent.namespace)
        if RECORD_ID.fullmatch(value) and (under_portal or sent.type == PLACER):
            found.append(value)
    return list(dict.fromkeys(found))
