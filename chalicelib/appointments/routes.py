"""Routes of appointments: the patient's visits to come and gone by, one visit, its cancellation
and a request to move it; the patient's requests for a visit; staff's queue of them with their
decisions; and the organization's appointment policy."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.appointments import requests_service, service, staff_requests, video
from chalicelib.appointments.contract import (
    AppointmentPolicyChange,
    AppointmentPolicyShown,
    AppointmentRequest,
    AppointmentRequestPage,
    AppointmentRequestsQuery,
    AppointmentsQuery,
    CancelAppointment,
    DeclineAppointmentRequest,
    NewAppointmentRequest,
    PatientAppointment,
    PatientAppointmentPage,
    RequestAnswer,
    RescheduleRequest,
    SlotChoice,
    StaffAppointmentRequest,
    StaffAppointmentRequestPage,
    StaffQueueQuery,
    VideoLink,
)
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route

appointment_routes = Blueprint(__name__)

_REQUEST_ID = {"request_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


def _request():
    return appointment_routes.current_request


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
    return service.list_appointments(ports, *signed_in(_request()), patient_id, query, ports.clock.now())


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointments/{appointment_id}",
    access=Access.PATIENT,
    responses={200: PatientAppointment},
)
def patient_appointment(patient_id: str, appointment_id: str):
    """One of the patient's appointments (404 for one not theirs). Audited."""
    ports = wiring.container()
    return service.one_appointment(ports, *signed_in(_request()), patient_id, appointment_id, ports.clock.now())


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointments/{appointment_id}/cancel",
    access=Access.PATIENT,
    methods=("POST",),
    body=CancelAppointment,
    responses={200: PatientAppointment},
    errors=(409,),
    idempotent=True,
)
def cancel_appointment(patient_id: str, appointment_id: str, body: CancelAppointment):
    """Cancel a booked upcoming visit, until the organization's cutoff (24 hours before its start
    unless the organization set another). It reads cancelled at once; the cancellation leaves as a
    FHIR Appointment "cancelled" on the outbound queue, and its reminders stop.

    409 past the cutoff (`issue` past_cutoff; the message gives the office's phone), or when it
    started already, is cancelled, or is not a booked visit (`issue` says which).
    """
    ports = wiring.container()
    return service.cancel(ports, *signed_in(_request()), patient_id, appointment_id, body, ports.clock.now())


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointments/{appointment_id}/reschedule",
    access=Access.PATIENT,
    methods=("POST",),
    body=RescheduleRequest,
    responses={201: AppointmentRequest},
    errors=(409,),
    idempotent=True,
)
def reschedule_appointment(patient_id: str, appointment_id: str, body: RescheduleRequest):
    """Ask for a booked upcoming visit to move: a request of kind "reschedule" staff answer as any
    other (the visit stands until the scheduling system moves it). 409 when the visit is not booked
    and upcoming, or when a request to move it is open already ("You have already asked to move
    this visit", issue `reschedule_requested`, its `request_id` in the detail). Cancelling the
    visit withdraws its open requests to move it. Leaves as a FHIR Appointment "proposed" on the
    outbound queue."""
    ports = wiring.container()
    made = requests_service.reschedule(
        ports, *signed_in(_request()), patient_id, appointment_id, body, ports.clock.now()
    )
    return Response(body=made, status_code=201)


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointment-requests",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewAppointmentRequest,
    responses={201: AppointmentRequest},
    idempotent=True,
)
def request_appointment(patient_id: str, body: NewAppointmentRequest):
    """Ask a care team for a visit, with the days and times the patient prefers. 404 for a care
    team the patient cannot write to. Leaves as a FHIR Appointment "proposed" on the outbound queue."""
    ports = wiring.container()
    made = requests_service.request_new(ports, *signed_in(_request()), patient_id, body, ports.clock.now())
    return Response(body=made, status_code=201)


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointment-requests",
    access=Access.PATIENT,
    query=AppointmentRequestsQuery,
    responses={200: AppointmentRequestPage},
)
def patient_appointment_requests(patient_id: str, query: AppointmentRequestsQuery):
    """The patient's appointment requests, newest first, a page at a time. Audited."""
    return requests_service.patient_requests(
        wiring.container(), *signed_in(_request()), patient_id, query.limit, query.cursor
    )


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointment-requests/{request_id}",
    access=Access.PATIENT,
    responses={200: AppointmentRequest},
    path_params=_REQUEST_ID,
)
def patient_appointment_request(patient_id: str, request_id: str):
    """One of the patient's appointment requests. Audited."""
    return requests_service.patient_request(wiring.container(), *signed_in(_request()), patient_id, request_id)


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointment-requests/{request_id}/answer",
    access=Access.PATIENT,
    methods=("POST",),
    body=RequestAnswer,
    responses={200: AppointmentRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def answer_appointment_request(patient_id: str, request_id: str, body: RequestAnswer):
    """Take (accept) or turn down the time staff proposed: accepted waits for staff to book it;
    turned down, the request waits for staff again without the proposal. 409 when nothing is proposed."""
    ports = wiring.container()
    return requests_service.answer(ports, *signed_in(_request()), patient_id, request_id, body, ports.clock.now())


@route(
    appointment_routes,
    "/v1/patients/{patient_id}/appointment-requests/{request_id}/withdraw",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: AppointmentRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def withdraw_appointment_request(patient_id: str, request_id: str):
    """Take back a request staff have not booked yet (requested, proposed or accepted); 409 otherwise."""
    ports = wiring.container()
    return requests_service.withdraw(ports, *signed_in(_request()), patient_id, request_id, ports.clock.now())


@route(
    appointment_routes,
    "/v1/staff/appointment-requests",
    access=Access.STAFF,
    query=StaffQueueQuery,
    responses={200: StaffAppointmentRequestPage},
)
def appointment_request_queue(query: StaffQueueQuery):
    """The organization's appointment requests of one queue: to_do (requested and accepted,
    oldest first), waiting (proposed and booked) or done (scheduled, declined, withdrawn), newest
    first. Audited."""
    ports = wiring.container()
    return staff_requests.queue(
        ports, *signed_in(_request()), query.queue, query.limit, query.cursor, ports.clock.now()
    )


@route(
    appointment_routes,
    "/v1/staff/appointment-requests/{request_id}",
    access=Access.STAFF,
    responses={200: StaffAppointmentRequest},
    path_params=_REQUEST_ID,
)
def staff_appointment_request(request_id: str):
    """One appointment request of the organization, with the patient and, for a reschedule, the
    visit it moves. Audited."""
    ports = wiring.container()
    return staff_requests.staff_request(ports, *signed_in(_request()), request_id, ports.clock.now())


@route(
    appointment_routes,
    "/v1/staff/appointment-requests/{request_id}/book",
    access=Access.STAFF,
    methods=("POST",),
    body=SlotChoice,
    responses={200: StaffAppointmentRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def book_appointment_request(request_id: str, body: SlotChoice):
    """Book a requested or accepted request: it waits as booked until the booking arrives through
    the scheduling feed and closes it. The patient is emailed that there is an update, and the
    booking leaves as a FHIR Appointment "booked" on the outbound queue. 409 once decided; 400 for
    a time in the past."""
    ports = wiring.container()
    return staff_requests.book(ports, *signed_in(_request()), request_id, body, ports.clock.now())


@route(
    appointment_routes,
    "/v1/staff/appointment-requests/{request_id}/propose",
    access=Access.STAFF,
    methods=("POST",),
    body=SlotChoice,
    responses={200: StaffAppointmentRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def propose_appointment_time(request_id: str, body: SlotChoice):
    """Offer the patient a time for a requested or accepted request; the patient answers. The
    patient is emailed that there is an update. 409 once decided; 400 for a time in the past."""
    ports = wiring.container()
    return staff_requests.propose(ports, *signed_in(_request()), request_id, body, ports.clock.now())


@route(
    appointment_routes,
    "/v1/staff/appointment-requests/{request_id}/decline",
    access=Access.STAFF,
    methods=("POST",),
    body=DeclineAppointmentRequest,
    responses={200: StaffAppointmentRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def decline_appointment_request(request_id: str, body: DeclineAppointmentRequest):
    """Decline an open request with a reason the patient reads. The patient is emailed that there
    is an update, and the decline leaves as a FHIR Appointment "cancelled" on the outbound queue.
    409 once closed."""
    ports = wiring.container()
    return staff_requests.decline(ports, *signed_in(_request()), request_id, body, ports.clock.now())


@route(
    appointment_routes,
    "/v1/admin/appointment-policy",
    access=Access.ADMIN,
    responses={200: AppointmentPolicyShown},
)
def get_appointment_policy():
    """The organization's appointment policy (the defaults until an admin sets one)."""
    return service.appointment_policy(wiring.container(), *signed_in(_request()))


@route(
    appointment_routes,
    "/v1/admin/appointment-policy",
    access=Access.ADMIN,
    methods=("PUT",),
    body=AppointmentPolicyChange,
    responses={200: AppointmentPolicyShown},
    errors=(404,),
)
def put_appointment_policy(body: AppointmentPolicyChange):
    """Replace the organization's appointment policy; 400 names each wrong field. It applies at
    once to what the portal says and allows (cutoff, check-in window); reminders follow it for
    visits filed from now on."""
    return service.set_appointment_policy(wiring.container(), *signed_in(_request()), body)


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
    caller, origin = signed_in(_request())
    return video.open_link(ports, caller, origin, patient_id, appointment_id, ports.clock.now())
