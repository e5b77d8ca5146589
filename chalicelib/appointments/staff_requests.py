"""Staff's side of appointment requests: the organization's three queues, one request, and the
decisions: propose a time, book it, or decline with a reason.

Staff reach their own organization's requests only: a request is read from the caller's
organization's queue partition, so another's is simply not there (404). Each decision is one
write with what it sets off: the patient's notice (that there is an update, never what), the
outbound FHIR Appointment for a booking or a decline, and the audit event; then both are sent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.appointments import requests, service
from chalicelib.appointments.contract import DeclineAppointmentRequest, SlotChoice
from chalicelib.appointments.request_parts import (
    FHIR_MODE,
    NO_REQUEST,
    RequestPorts,
    notice,
    outbound,
    request_subject,
    staff_shown,
    zone_of,
)
from chalicelib.appointments.requests import AppointmentRequest, RefusedChange, Slot
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.release import outbox

NO_RECORD_NUMBER = (
    "This patient has no record number the scheduling system knows: book the visit there, "
    "then decline or close this request."
)


def queue(
    ports: RequestPorts, caller: Caller, origin: Origin, queue_name: str, limit: int, cursor: str, now: datetime
) -> dict[str, Any]:
    found, next_cursor = ports.appointment_requests.queue_page(caller.organization_id, queue_name, limit, cursor)
    zone_name = zone_of(ports, caller.organization_id)
    shown = [staff_shown(r, zone_name, _moved_visit(ports, r, now)) for r in found]
    # The page shows each patient's name, birth date and reasons: a read of each listed patient's
    # record, audited on their own trail (one event a patient, as the staff patient search does),
    # so their access log shows it; an empty page is audited on the caller's.
    listed = list(dict.fromkeys(r.patient_id for r in found))
    for patient_id in listed or [""]:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "appointment_request_queue.read",
            action=Action.READ,
            patient_id=patient_id,
            resource_type="Appointment",
            reason=f"{queue_name} count:{sum(r.patient_id == patient_id for r in found)}",
        )
    return {"appointment_requests": shown, "next_cursor": next_cursor or None}


def staff_request(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, now: datetime
) -> dict[str, Any]:
    request = _of_organization(ports, caller, request_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "appointment_request.read",
        action=Action.READ,
        patient_id=request.patient_id,
        resource_type="Appointment",
        resource_id=request_id,
    )
    return staff_shown(request, zone_of(ports, caller.organization_id), _moved_visit(ports, request, now))


def propose(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, body: SlotChoice, now: datetime
) -> dict[str, Any]:
    """Offer the patient a time; they answer in the portal. Nothing leaves for the scheduling
    system: a proposal is not a booking."""
    request = _of_organization(ports, caller, request_id)
    zone_name = zone_of(ports, caller.organization_id)
    slot = _slot(body, zone_name, now)
    name = _name(ports, caller)
    changed = _changing(
        lambda: requests.proposed(request, slot, body.note, caller.account_id, name, now), request.closed
    )
    return _decide(ports, caller, origin, changed, None, "appointment_request.proposed", zone_name, now)


def book(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, body: SlotChoice, now: datetime
) -> dict[str, Any]:
    """Book the visit: the request waits as booked until the scheduling system's feed sends the
    booking naming it (SCH-1, or the request's FHIR identifier), which closes it."""
    request = _of_organization(ports, caller, request_id)
    zone_name = zone_of(ports, caller.organization_id)
    slot = _slot(body, zone_name, now)
    name = _name(ports, caller)
    changed = _changing(lambda: requests.booked(request, slot, body.note, caller.account_id, name, now), request.closed)
    subject = request_subject(changed)
    if subject is None:
        # Nothing could name the patient to the scheduling system, so its feed would never send
        # the booking back and the request would wait as booked for ever: staff book it there.
        raise Conflict(NO_RECORD_NUMBER, [{"field": "request", "issue": "no_record_number"}])
    event = outbound(
        changed,
        "booked",
        fhir.appointment_booking(
            request_id=changed.request_id,
            patient=subject,
            care_team_id=changed.care_team_id,
            start=slot.starts_at,
            minutes=slot.minutes,
            mode=FHIR_MODE[slot.mode],
            clinician=slot.clinician,
            place=slot.place,
            note=body.note,
        ),
        now,
    )
    return _decide(ports, caller, origin, changed, event, "appointment_request.booked", zone_name, now)


def decline(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    request_id: str,
    body: DeclineAppointmentRequest,
    now: datetime,
) -> dict[str, Any]:
    """Decline with a reason the patient reads: the Appointment the request began leaves as
    "cancelled" by the clinic, so the clinic's systems close it too."""
    request = _of_organization(ports, caller, request_id)
    name = _name(ports, caller)
    changed = _changing(lambda: requests.declined(request, body.reason, caller.account_id, name, now), True)
    subject = request_subject(changed)
    event = (
        outbound(
            changed,
            "declined",
            fhir.appointment_request_closed(
                request_id=changed.request_id,
                patient=subject,
                care_team_id=changed.care_team_id,
                by="clinic",
                reason=body.reason,
            ),
            now,
        )
        if subject is not None
        else None
    )
    zone_name = zone_of(ports, caller.organization_id)
    return _decide(ports, caller, origin, changed, event, "appointment_request.declined", zone_name, now)


# -- helpers --------------------------------------------------------------------------------------


def _decide(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    changed: AppointmentRequest,
    event: OutboundEvent | None,
    event_type: str,
    zone_name: str,
    now: datetime,
) -> dict[str, Any]:
    told = notice(changed, now)
    audit = audit_event(
        ports,
        origin,
        caller_actor(caller),
        event_type,
        action=Action.UPDATE,
        patient_id=changed.patient_id,
        resource_type="Appointment",
        resource_id=changed.request_id,
    )
    ports.appointment_requests.change(changed, event, told, audit)
    if event is not None:
        producer.send_now(ports, event)
    outbox.send_now(ports, told, now)
    return staff_shown(changed, zone_name, _moved_visit(ports, changed, now))


def _of_organization(ports: RequestPorts, caller: Caller, request_id: str) -> AppointmentRequest:
    found = (
        ports.appointment_requests.of_organization(caller.organization_id, request_id)
        if isinstance(request_id, str) and RECORD_ID.fullmatch(request_id)
        else None
    )
    if found is None:
        raise NotFound(NO_REQUEST)
    return found


def _moved_visit(ports: RequestPorts, request: AppointmentRequest, now: datetime) -> dict[str, Any] | None:
    if not request.appointment_id:
        return None
    return service.appointment_of(ports, request.patient_id, request.appointment_id, now)


def _name(ports: RequestPorts, caller: Caller) -> str:
    """Who decided, as staff see them (accounts have their user name and no other display name)."""
    account = ports.directory.account(caller.account_id)
    return account.username if account is not None else ""


def _slot(body: SlotChoice, zone_name: str, now: datetime) -> Slot:
    starts_at = requests.slot_start(body.starts_at, zone_name)
    problems = Problems()
    if starts_at is None:
        problems.add("starts_at", "not a time", "The start is not a time.")
    elif starts_at <= now:
        problems.add("starts_at", "in the past", "The start is in the past: choose a time to come.")
    problems.raise_if_any()
    assert starts_at is not None
    return Slot(starts_at, body.minutes, body.clinician, body.place, body.mode)


def _changing(change: Any, closed: bool) -> AppointmentRequest:
    """A decision, its version one more; refused (409) with the reason in words."""
    try:
        changed: AppointmentRequest = change()
    except RefusedChange as refused:
        raise Conflict(
            refused.message, [{"field": "request", "issue": "closed" if closed else "not_waiting"}]
        ) from None
    return replace(changed, version=changed.version + 1)
