"""Routes of appointments: the patient's visits to come and gone by."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.appointments import service, video
from chalicelib.appointments.contract import AppointmentsQuery, PatientAppointmentPage, VideoLink
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route

appointment_routes = Blueprint(__name__)


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointments",
    access=Access.PATIENT,
    query=AppointmentsQuery,
    responses={200: PatientAppointmentPage},
)
def patient_appointments(patient_id: str, query: AppointmentsQuery):
    """The patient's appointments as the scheduling feeds sent them (SIU and FHIR Appointment):
    `when=upcoming` (the default) those starting now or later, soonest first; `when=past` those
    started before now, newest first. Cancelled ones stay listed with their status. Times carry
    the organization's offset and `time_zone` names its zone. Audited."""
    ports = wiring.container()
    return service.list_appointments(
        ports, *signed_in(appointment_routes.current_request), patient_id, query, ports.clock.now()
    )


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointments/{appointment_id}/video-link",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: VideoLink},
    errors=(404, 409),
)
def video_link(patient_id: str, appointment_id: str):
    """The join link of a video visit, from 15 minutes before its start until its end: `url`
    (https; open it in a new tab) and `closes_at`. Before the window `409` with issue
    `not_open_yet` (the message says when it opens), after it `409` `ended`, a cancelled visit
    `409` `cancelled`; not a video visit, or no link, `404`. Each link handed out is audited
    (`appointments.video.open`). The link is never in the appointment's list nor in any email."""
    ports = wiring.container()
    caller, origin = signed_in(appointment_routes.current_request)
    return video.open_link(ports, caller, origin, patient_id, appointment_id, ports.clock.now())
