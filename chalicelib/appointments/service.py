"""The patient's appointments, read from the entries the feeds filed (records store, kind
"appointment"), through the one access check, audited as a read; each with whether the patient
may cancel it online now, and their cancellation; and the organization's appointment policy.

A patient's cancellation is kept on a row of its own beside the entry (data.appointment_requests:
the visit mark), not in the entry the feed owns: the list says "cancelled" at once, and a later
feed message about the visit (a reminder's confirmation, a changed room) cannot undo it. The
feed's own cancellation, when it comes, confirms it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.acting import acted_by
from chalicelib.access.domain import Area, PatientScope
from chalicelib.access.service import patient_scope
from chalicelib.appointments import cancellation, domain, video
from chalicelib.appointments.check_in_window import check_in_fields
from chalicelib.appointments.contract import AppointmentPolicyChange, AppointmentsQuery, CancelAppointment
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.appointments.reminders import stop_reminders
from chalicelib.appointments.request_parts import NO_APPOINTMENT, RequestPorts, patient_of, subject_of
from chalicelib.appointments.requests import AppointmentRequest, VisitMark, in_zone
from chalicelib.appointments.reschedules import withdraw_reschedules
from chalicelib.audit.domain import Action, AuditEvent
from chalicelib.audit.trail import audit_event, caller_actor, scope_actor, write_audit
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID, moment_key
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.observability import count, logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import APPOINTMENT
from chalicelib.records.domain import StoredResult
from chalicelib.records.visible import record_view

APPOINTMENT_KIND = "appointment"
# What an outbound cancellation names a visit by when the portal never learnt the scheduling
# system's id of it (filed before the portal kept them): the portal's own id, under its system.
PORTAL_APPOINTMENT_SYSTEM = "urn:patient-portal:appointment"


class AppointmentPorts(RequestPorts, Protocol):
    pass


def list_appointments(
    ports: AppointmentPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    query: AppointmentsQuery,
    now: datetime,
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS)
    zone_name, policy = _zone_and_policy(ports, scope.patient_id)
    # Entries are kept by their start (as a moment), so one Query gives either side of now in order.
    at = moment_key(now)
    entries, cursor = ports.records.page(
        scope.patient_id,
        "",
        now,
        query.limit,
        query.cursor,
        prefix=f"{APPOINTMENT_KIND}#",
        listed_from=at if query.when == "upcoming" else "",
        listed_to=at if query.when == "past" else "",
        oldest_first=query.when == "upcoming",
    )
    entries = record_view(ports, scope).only_shown(entries)
    marks = ports.appointment_requests.visit_marks(scope.patient_id) if entries else {}
    check_ins = check_in_fields(ports, scope.patient_id, entries, zone_name, now)
    appointments = [
        appointment_json(
            e.result_id,
            e.content,
            zone_name,
            policy,
            marks.get(e.result_id),
            now,
            check_ins.get(e.result_id),
            _scheduler_id(ports, scope.patient_id, e, policy, marks.get(e.result_id)),
        )
        for e in entries
    ]
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointments.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        reason=f"count:{len(appointments)}",
    )
    return {"appointments": appointments, "time_zone": zone_name, "next_cursor": cursor or None}


def one_appointment(
    ports: AppointmentPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS)
    shown = appointment_of(ports, scope.patient_id, appointment_id, now, scope)
    if shown is None:
        raise NotFound(NO_APPOINTMENT)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        resource_id=appointment_id,
    )
    return shown


def appointment_of(
    ports: AppointmentPorts, patient_id: str, appointment_id: str, now: datetime, scope: PatientScope | None = None
) -> dict[str, Any] | None:
    """One appointment of the patient as the list shows it, or None (not theirs, not shown, gone,
    or not in ``scope``'s view). The caller has passed the access check for ``patient_id``."""
    stored = _stored(ports, patient_id, appointment_id, now, scope)
    if stored is None:
        return None
    zone_name, policy = _zone_and_policy(ports, patient_id)
    mark = ports.appointment_requests.visit_mark(patient_id, appointment_id)
    check_in = check_in_fields(ports, patient_id, [stored], zone_name, now).get(stored.result_id)
    scheduler_id = _scheduler_id(ports, patient_id, stored, policy, mark)
    return appointment_json(stored.result_id, stored.content, zone_name, policy, mark, now, check_in, scheduler_id)


def cancel(
    ports: AppointmentPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    appointment_id: str,
    body: CancelAppointment,
    now: datetime,
) -> dict[str, Any]:
    """Cancel a booked upcoming visit before the cutoff: the mark, the outbound Appointment
    "cancelled" and the audit event in one write, then the Appointment sent and the visit's
    reminders stopped. Refused (409) with the reason as a code and in words."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=True)
    stored = _stored(ports, scope.patient_id, appointment_id, now, scope)
    if stored is None:
        raise NotFound(NO_APPOINTMENT)
    zone_name, policy = _zone_and_policy(ports, scope.patient_id)
    mark = ports.appointment_requests.visit_mark(scope.patient_id, appointment_id)
    status = domain.status_of(str(stored.content.get("status") or ""))
    starts_at = domain.moment(str(stored.content.get("starts_at") or ""), zone_name)
    verdict = cancellation.verdict(status, starts_at, now, policy, _cancelled(mark))
    if verdict.reason is not None:
        write_audit(
            ports,
            origin,
            scope_actor(caller, scope),
            "appointment.cancel_refused",
            action=Action.UPDATE,
            patient_id=scope.patient_id,
            resource_type="Appointment",
            resource_id=appointment_id,
            reason=verdict.reason,
        )
        message = (
            cancellation.too_late(policy)
            if verdict.reason == "past_cutoff"
            else cancellation.EXPLANATIONS[verdict.reason]
        )
        raise Conflict(message, [{"field": "appointment", "issue": verdict.reason}])
    patient = patient_of(ports, scope.patient_id)
    subject = subject_of(ports, patient)
    if subject is None:  # the scheduling system could not be told who cancels: the office can
        raise Conflict(
            cancellation.call_the_office(policy), [{"field": "appointment", "issue": "patient_not_identified"}]
        )
    scheduler = (
        (mark.scheduler_system, mark.scheduler_value)
        if mark is not None and mark.scheduler_value
        else (PORTAL_APPOINTMENT_SYSTEM, appointment_id)
    )
    resource = fhir.appointment_cancellation(
        appointment=scheduler, patient=subject, reason=body.reason or "Cancelled by the patient in the portal."
    )
    event = producer.event(
        f"appointment-{appointment_id}-cancelled", scope.patient_id, APPOINTMENT, resource, subject.system, now
    )
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointment.cancelled",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        resource_id=appointment_id,
    )
    by = acted_by(ports.proxy_grants, scope)
    ports.appointment_requests.cancel(scope.patient_id, appointment_id, now, caller.account_id, event, audit, by)
    producer.send_now(ports, event)
    on_cancelled(ports, scope.patient_id, appointment_id, now, starts_at)
    cancelled = VisitMark(
        entry_id=appointment_id,
        cancelled_at=now,
        cancelled_by=caller.account_id,
        cancelled_acted_by=by,
        request_id=mark.request_id if mark else "",
    )
    _withdraw_reschedules(ports, caller, origin, scope.patient_id, appointment_id, now, scope)
    return appointment_json(stored.result_id, stored.content, zone_name, policy, cancelled, now)


def on_cancelled(
    ports: Any, patient_id: str, appointment_id: str, now: datetime, starts_at: datetime | None = None
) -> None:
    """What else a patient's cancellation sets off once it is kept and sent: the visit's
    reminders stop. Called after the write: a reminders store that cannot be written is logged
    and counted, and the cancellation stands (the answer must not say it failed when it was
    kept; a reminder that fires anyway re-reads the visit, finds it cancelled and sends nothing)."""
    try:
        stop_reminders(ports, patient_id, appointment_id, now, starts_at)
    except DependencyUnavailable:
        count("CancelledVisitRemindersNotStopped")
        logger.warning("a cancelled visit's reminders were not stopped", extra={"entry_id": appointment_id})


def _withdraw_reschedules(
    ports: AppointmentPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    appointment_id: str,
    now: datetime,
    scope: PatientScope | None = None,
) -> None:
    """The cancelled visit's open requests to move it are withdrawn (appointments.reschedules).
    After the cancellation is kept, as the reminders are stopped: should the store fail now, the
    cancellation stands (it was kept and sent) and the feed's filing of it withdraws them then."""

    def audit(request: AppointmentRequest) -> AuditEvent:
        return audit_event(
            ports,
            origin,
            scope_actor(caller, scope),
            "appointment_request.withdrawn",
            action=Action.UPDATE,
            patient_id=patient_id,
            resource_type="Appointment",
            resource_id=request.request_id,
            reason="visit_cancelled",
        )

    try:
        withdraw_reschedules(ports, patient_id, appointment_id, now, audit)
    except (DependencyUnavailable, Conflict):
        count("CancelledVisitReschedulesNotWithdrawn")
        logger.warning("a cancelled visit's requests to move it were not withdrawn", extra={"entry_id": appointment_id})


# -- the organization's policy --------------------------------------------------------------------


def appointment_policy(ports: AppointmentPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    organization = ports.directory.organization(caller.organization_id)
    if organization is None:
        raise NotFound("No such organization.")
    return policy_of(organization).as_json()


def set_appointment_policy(
    ports: AppointmentPorts, caller: Caller, origin: Origin, body: AppointmentPolicyChange
) -> dict[str, Any]:
    if ports.directory.organization(caller.organization_id) is None:
        raise NotFound("No such organization.")
    policy = AppointmentPolicy.from_json(body.model_dump())  # 400 naming each wrong field
    ports.directory.set_appointment_policy(caller.organization_id, policy.as_json())
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "appointment_policy.update",
        action=Action.UPDATE,
        resource_type="Organization",
        resource_id=caller.organization_id,
    )
    return policy.as_json()


# -- helpers --------------------------------------------------------------------------------------


def _stored(
    ports: AppointmentPorts, patient_id: str, appointment_id: str, now: datetime, scope: PatientScope | None = None
) -> StoredResult | None:
    """The visit, shown to the patient and (given the caller's ``scope``) in its view: a visit
    from a parent's cutoff on is answered as one that does not exist."""
    if not isinstance(appointment_id, str) or not RECORD_ID.fullmatch(appointment_id):
        return None
    stored = ports.records.current(patient_id, appointment_id, APPOINTMENT_KIND)
    if stored is None or not stored.shown_to_patient(now):
        return None
    if scope is not None and not record_view(ports, scope).shows_item(stored):
        return None
    return stored


def _zone_and_policy(ports: AppointmentPorts, patient_id: str) -> tuple[str, AppointmentPolicy]:
    patient = patient_of(ports, patient_id)
    organization = ports.directory.organization(patient.organization_id)
    return (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE, policy_of(organization)


def _scheduler_id(
    ports: AppointmentPorts, patient_id: str, stored: StoredResult, policy: AppointmentPolicy, mark: VisitMark | None
) -> str:
    """The scheduler's id of a video visit whose link only the template gives (whether it has a
    link says whether there is one to fill it with); read only for those."""
    if not video.needs_scheduler_id(stored.content, policy):
        return ""
    return video.scheduler_id_of_visit(ports, patient_id, stored.result_id, mark)


def _cancelled(mark: VisitMark | None) -> bool:
    return mark is not None and mark.cancelled_at is not None


def appointment_json(
    entry_id: str,
    content: dict[str, Any],
    zone_name: str,
    policy: AppointmentPolicy,
    mark: VisitMark | None,
    now: datetime,
    check_in: dict[str, Any] | None = None,
    scheduler_id: str = "",
) -> dict[str, Any]:
    minutes = content.get("minutes")
    by_patient = _cancelled(mark)
    status = "cancelled" if by_patient else domain.status_of(str(content.get("status") or ""))
    starts_at = domain.moment(str(content.get("starts_at") or ""), zone_name)
    verdict = cancellation.verdict(status, starts_at, now, policy, by_patient)
    return {
        "id": entry_id,
        "status": status,
        "starts_at": domain.in_zone(str(content.get("starts_at") or ""), zone_name),
        "ends_at": domain.in_zone(str(content.get("ends_at") or ""), zone_name),
        "minutes": minutes if isinstance(minutes, int) else None,
        "time_zone": zone_name,
        "type": str(content.get("type") or ""),
        "description": str(content.get("description") or ""),
        "services": list(content.get("services") or []),
        "specialties": list(content.get("specialties") or []),
        "instructions": str(content.get("instructions") or ""),
        "clinicians": list(content.get("with") or []),
        "places": list(content.get("locations") or []),
        "mode": domain.mode_of(content),
        "cancellation": {
            "can_cancel": verdict.can_cancel,
            "reason": verdict.reason,
            "cutoff_at": in_zone(verdict.cutoff_at, zone_name) if verdict.cutoff_at else None,
            "office_phone": policy.office_phone,
        },
        "cancelled_by_patient": by_patient,
        "cancelled_by": mark.cancelled_acted_by.as_json() if by_patient and mark and mark.cancelled_acted_by else None,
        "request_id": (mark.request_id or None) if mark else None,
        # (a visit the patient cancelled is not joined, whatever the feed says yet)
        "video": None if by_patient else video.shown(content, zone_name, now, policy, scheduler_id),
        # appointments.check_in_window.check_in_field; none for a visit the patient cancelled
        "check_in": None if by_patient else check_in,
    }
