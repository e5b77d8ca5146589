"""Routes of appointments: the patient's visits to come and gone by."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.appointments import service
from chalicelib.appointments.contract import AppointmentsQuery, PatientAppointmentPage
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
