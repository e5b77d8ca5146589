"""The patient's side of appointment requests: asking for a visit, asking to move a booked one,
the list, answering a proposed time, and withdrawing.

A patient reaches a request only through the one access check (access.patient_scope), and then
only in their own partition: another patient's request is simply not there (404). Each change is
one write with what it sets off (data/appointment_requests.py): the outbound FHIR Appointment and
the audit event; the Appointment is then sent at once, and what a refused send leaves waits for
the drain, so an outage of SQS loses nothing and sends nothing twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, NoReturn

from chalicelib.access.acting import acted_by
from chalicelib.access.domain import Area, PatientScope
from chalicelib.access.service import patient_scope
from chalicelib.access.visibility import Visibility
from chalicelib.appointments import requests, reschedules, service
from chalicelib.appointments.contract import NewAppointmentRequest, PreferredTime, RequestAnswer, RescheduleRequest
from chalicelib.appointments.request_parts import (
    FHIR_MODE,
    NO_APPOINTMENT,
    NO_REQUEST,
    RequestPorts,
    outbound,
    patient_of,
    request_subject,
    shown,
    subject_of,
    zone_of,
)
from chalicelib.appointments.requests import AppointmentRequest, Preferred, RefusedChange, Status
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, scope_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.common import NO_TEAM
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.patients.domain import Patient

NOT_MOVABLE = {
    "started": "This visit has started or is over: it cannot be moved.",
    "cancelled": "This visit is cancelled: ask for a new appointment instead.",
    "not_booked": "Only a booked visit can be moved.",
}


def request_new(
    ports: RequestPorts, caller: Caller, origin: Origin, patient_id: str, body: NewAppointmentRequest, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=True)
    patient = patient_of(ports, scope.patient_id)
    zone_name = zone_of(ports, patient.organization_id)
    preferred = _preferred(body.preferred, zone_name, now)
    # Only a team of the organization holding this record, open to patients: any other is
    # answered as one that does not exist (a team id says nothing of another organization).
    teams, _ = ports.care_teams.teams_of(patient.organization_id)
    team = next((t for t in teams if t.team_id == body.care_team_id), None)
    if team is None or not team.open_to_patients:
        raise NotFound(NO_TEAM)
    request = _new(ports, caller, patient, "new", body.reason, body.mode, preferred, now)
    request = replace(
        request, care_team_id=team.team_id, care_team_name=team.name, acted_by=acted_by(ports.proxy_grants, scope)
    )
    return _keep(ports, caller, origin, request, zone_name, now, scope)


def reschedule(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    appointment_id: str,
    body: RescheduleRequest,
    now: datetime,
) -> dict[str, Any]:
    """A request to move a booked upcoming visit. The cutoff does not apply: staff decide, and the
    visit stands as it is until the scheduling system moves it."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=True)
    visit = service.appointment_of(ports, scope.patient_id, appointment_id, now, scope)
    if visit is None:
        raise NotFound(NO_APPOINTMENT)
    reason = visit["cancellation"]["reason"]
    if reason in NOT_MOVABLE:
        raise Conflict(NOT_MOVABLE[reason], [{"field": "appointment", "issue": reason}])
    reschedules.refuse_a_second(ports, scope.patient_id, appointment_id)
    patient = patient_of(ports, scope.patient_id)
    zone_name = zone_of(ports, patient.organization_id)
    preferred = _preferred(body.preferred, zone_name, now)
    request = _new(ports, caller, patient, "reschedule", body.reason, body.mode, preferred, now)
    request = replace(request, appointment_id=appointment_id, acted_by=acted_by(ports.proxy_grants, scope))
    return _keep(ports, caller, origin, request, zone_name, now, scope)


def patient_requests(
    ports: RequestPorts, caller: Caller, origin: Origin, patient_id: str, limit: int, cursor: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS)
    found, next_cursor = ports.appointment_requests.patient_page(scope.patient_id, limit, cursor)
    view = request_view(ports, scope)
    found = found if view.everything else [r for r in found if view.shows(request_date(r))]
    zone_name = zone_of(ports, patient_of(ports, scope.patient_id).organization_id)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment_requests.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        reason=f"count:{len(found)}",
    )
    return {"appointment_requests": [shown(r, zone_name) for r in found], "next_cursor": next_cursor or None}


def patient_request(
    ports: RequestPorts, caller: Caller, origin: Origin, patient_id: str, request_id: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS)
    request = _own(ports, scope.patient_id, request_id, scope)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment_request.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        resource_id=request_id,
    )
    return shown(request, zone_of(ports, request.organization_id))


def answer(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    request_id: str,
    body: RequestAnswer,
    now: datetime,
) -> dict[str, Any]:
    """Take or turn down the proposed time. Nothing leaves the portal: the scheduling system
    hears of the visit when staff book it."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=True)
    request = _own(ports, scope.patient_id, request_id, scope)
    if body.accept and requests.proposal_passed(request, now):
        _proposal_passed(ports, caller, origin, request, now, scope)
    changed = _changing(lambda: requests.answered(request, body.accept, now), "not_proposed")
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment_request.accepted" if body.accept else "appointment_request.proposal_declined",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        resource_id=request_id,
    )
    ports.appointment_requests.change(changed, None, None, audit)
    return shown(changed, zone_of(ports, request.organization_id))


def _proposal_passed(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    request: AppointmentRequest,
    now: datetime,
    scope: PatientScope | None = None,
) -> NoReturn:
    """Taking a time already gone would leave staff a booking they cannot make (a time past is
    refused): the request goes back to waiting for staff, the proposal cleared, and the patient
    is told (409)."""
    back = _changing(lambda: requests.answered(request, False, now), "not_proposed")
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment_request.proposal_passed",
        action=Action.UPDATE,
        patient_id=request.patient_id,
        resource_type="Appointment",
        resource_id=request.request_id,
    )
    ports.appointment_requests.change(back, None, None, audit)
    raise Conflict(requests.TIME_PASSED, [{"field": "request", "issue": "time_passed"}])


def withdraw(
    ports: RequestPorts, caller: Caller, origin: Origin, patient_id: str, request_id: str, now: datetime
) -> dict[str, Any]:
    """The patient takes back a request staff have not booked: the Appointment its request began
    leaves as "cancelled" by the patient, so the clinic's systems close it too."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=True)
    request = _own(ports, scope.patient_id, request_id, scope)
    changed = _changing(lambda: requests.withdrawn(request, now), "not_open")
    subject = request_subject(request)
    event = (
        outbound(
            changed,
            "withdrawn",
            fhir.appointment_request_closed(
                request_id=request.request_id, patient=subject, care_team_id=request.care_team_id, by="patient"
            ),
            now,
        )
        if subject is not None
        else None
    )
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment_request.withdrawn",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        resource_id=request_id,
    )
    ports.appointment_requests.change(changed, event, None, audit)
    if event is not None:
        producer.send_now(ports, event)
    return shown(changed, zone_of(ports, request.organization_id))


# -- helpers --------------------------------------------------------------------------------------


def _preferred(chosen: list[PreferredTime], zone_name: str, now: datetime) -> tuple[Preferred, ...]:
    """The patient's days, each from today to 90 days ahead on the organization's calendar
    (every wrong one named at once), each day and time of day once."""
    problems = Problems()
    for number, choice in enumerate(chosen):
        problem = requests.preferred_problem(choice.date, zone_name, now)
        if problem:
            problems.add(f"preferred.{number}.date", problem, f"A preferred day {problem}.")
    problems.raise_if_any("Some preferred days cannot be asked for.")
    return tuple(dict.fromkeys(Preferred(c.date, c.time_of_day) for c in chosen))


def _new(
    ports: RequestPorts,
    caller: Caller,
    patient: Patient,
    kind: str,
    reason: str,
    mode: str,
    preferred: tuple[Preferred, ...],
    now: datetime,
) -> AppointmentRequest:
    subject = subject_of(ports, patient)
    return AppointmentRequest(
        request_id=new_id(),
        patient_id=patient.patient_id,
        organization_id=patient.organization_id,
        kind=kind,
        care_team_id="",
        care_team_name="",
        reason=reason,
        mode=mode,
        preferred=preferred,
        status=Status.REQUESTED,
        requested_at=now,
        updated_at=now,
        requested_by=caller.account_id,
        patient_name=patient.shown_name,
        patient_birth_date=patient.birth_date,
        subject_system=subject.system if subject else "",
        subject_value=subject.value if subject else "",
        version=1,
    )


def _keep(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    request: AppointmentRequest,
    zone_name: str,
    now: datetime,
    scope: PatientScope | None = None,
) -> dict[str, Any]:
    """Keep a new request with its outbound Appointment "proposed" and audit event, then send it."""
    subject = request_subject(request)
    event = None
    if subject is not None:
        moves = None
        if request.appointment_id:
            mark = ports.appointment_requests.visit_mark(request.patient_id, request.appointment_id)
            moves = (
                (mark.scheduler_system, mark.scheduler_value)
                if mark is not None and mark.scheduler_value
                else (service.PORTAL_APPOINTMENT_SYSTEM, request.appointment_id)
            )
        resource = fhir.appointment_request(
            request_id=request.request_id,
            patient=subject,
            care_team_id=request.care_team_id,
            reason=request.reason,
            preferred=[requests.period_of(p, zone_name) for p in request.preferred],
            mode=FHIR_MODE[request.mode],
            created=now,
            moves=moves,
        )
        event = outbound(request, "proposed", resource, now)
    else:
        logger.warning("appointment request kept without an outbound appointment: the patient has no MRN")
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment_request.requested",
        action=Action.CREATE,
        patient_id=request.patient_id,
        resource_type="Appointment",
        resource_id=request.request_id,
    )
    ports.appointment_requests.add(request, event, audit)
    if event is not None:
        producer.send_now(ports, event)
    return shown(request, zone_name)


def _own(ports: RequestPorts, patient_id: str, request_id: str, scope: PatientScope) -> AppointmentRequest:
    """The patient's request, in the caller's view (one asked for from a parent's cutoff on is
    answered as one that does not exist)."""
    found = (
        ports.appointment_requests.of_patient(patient_id, request_id)
        if isinstance(request_id, str) and RECORD_ID.fullmatch(request_id)
        else None
    )
    if found is None or not request_view(ports, scope).shows(request_date(found)):
        raise NotFound(NO_REQUEST)
    return found


def request_date(request: AppointmentRequest) -> datetime:
    """A request's date: when it was asked for."""
    return request.requested_at


def request_view(ports: RequestPorts, scope: PatientScope) -> Visibility:
    return Visibility(ports, scope)


def _changing(change: Any, issue: str) -> AppointmentRequest:
    """A state change, its version one more; refused (409) with the reason in words."""
    try:
        changed: AppointmentRequest = change()
    except RefusedChange as refused:
        raise Conflict(refused.message, [{"field": "request", "issue": issue}]) from None
    return replace(changed, version=changed.version + 1)
