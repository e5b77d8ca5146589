"""A visit has at most one open request to move it, and none once it is cancelled.

A second request to move the same visit while one is open is refused (409, naming the open one):
two would be two tasks on staff's queue for one visit, and two answers for the patient to follow.
When the visit is cancelled (by the patient in the portal, or by the scheduling system through the
feed), its open requests to move it are withdrawn: there is nothing left to move, so neither the
patient's list ("waiting for your care team") nor staff's to-do queue should keep them. One staff
have booked already is left to the feed, which closes it as scheduled when the new time arrives. Each
withdrawal leaves as the closed FHIR Appointment a patient's own withdrawal sends, so the clinic's
systems close the proposal too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from chalicelib.appointments.domain import AppointmentFiled, status_of
from chalicelib.appointments.request_parts import outbound, request_subject
from chalicelib.appointments.requests import PATIENT_WITHDRAWS, AppointmentRequest, Status
from chalicelib.appointments.stores import AppointmentRequests
from chalicelib.audit.domain import AuditEvent
from chalicelib.errors import Conflict
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer

ALREADY_ASKED = "You have already asked to move this visit."
_CANCELLED = frozenset({"cancelled", "entered-in-error"})


class ReschedulePorts(producer.OutboundPorts, Protocol):
    @property
    def appointment_requests(self) -> AppointmentRequests: ...


def open_reschedules(ports: ReschedulePorts, patient_id: str, appointment_id: str) -> list[AppointmentRequest]:
    return [
        request
        for request in ports.appointment_requests.reschedules_of(patient_id, appointment_id)
        if not request.closed
    ]


def refuse_a_second(ports: ReschedulePorts, patient_id: str, appointment_id: str) -> None:
    """409 when a request to move this visit is open already, naming it (the page links to it)."""
    for request in open_reschedules(ports, patient_id, appointment_id):
        raise Conflict(
            ALREADY_ASKED,
            [{"field": "appointment", "issue": "reschedule_requested", "request_id": request.request_id}],
        )


def withdraw_reschedules(
    ports: ReschedulePorts,
    patient_id: str,
    appointment_id: str,
    now: datetime,
    audit: Callable[[AppointmentRequest], AuditEvent] | None = None,
    by: str = "patient",
) -> int:
    """Withdraw the cancelled visit's open requests to move it, each with its closing Appointment
        (``by`` the patient or the clinic, whichever cancelled the visit; and, for a patient's
    cancellation, its audit event) in one write; then send them. Idempotent:
        a closed request is left as it is. How many were withdrawn."""
    events = []
    withdrawn = 0
    for request in open_reschedules(ports, patient_id, appointment_id):
        if request.status not in PATIENT_WITHDRAWS:
            # Booked: staff moved it in the scheduling system, whose feed closes it as scheduled
            # (a move often arrives as the old visit's cancellation, then the new booking).
            continue
        changed = replace(request, status=Status.WITHDRAWN, updated_at=now, version=request.version + 1)
        subject = request_subject(request)
        event = (
            outbound(
                changed,
                "withdrawn",
                fhir.appointment_request_closed(
                    request_id=request.request_id,
                    patient=subject,
                    care_team_id=request.care_team_id,
                    by=by,
                    reason="The visit it would move was cancelled.",
                ),
                now,
            )
            if subject is not None
            else None
        )
        ports.appointment_requests.change(changed, event, None, audit(changed) if audit else None)
        withdrawn += 1
        logger.info("a cancelled visit's request to move it withdrawn", request_id=request.request_id)
        if event is not None:
            events.append(event)
    for event in events:
        producer.send_now(ports, event)
    return withdrawn


def withdraw_when_the_feed_cancels(filed: AppointmentFiled) -> None:
    """The step of filing an appointment (filing.appointments.AFTER_FILING): a visit the
    scheduling system cancelled (or took back) has its open requests to move it withdrawn. Raises
    on a store failure, so the feed message is retried; a redelivery finds them closed."""
    if filed.withdrawn or status_of(str(filed.content.get("status") or "")) in _CANCELLED:
        withdraw_reschedules(filed.ports, filed.patient_id, filed.entry_id, filed.now, by="clinic")
