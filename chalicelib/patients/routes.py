"""Routes of patient records for clinic staff: register a patient, find one, see and change their
portal access."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.identity import portal_access
from chalicelib.kernel.fields import only_fields
from chalicelib.patients import service as patients

patient_routes = Blueprint(__name__)


def _request():
    return patient_routes.current_request


@route(patient_routes, "/v1/staff/patients", access=Access.STAFF, methods=("POST",))
def register_patient():
    ports = wiring.container()
    return Response(
        patients.register(ports, *signed_in(_request()), _request().json_body, ports.clock.now()), status_code=201
    )


# A POST, not GET ?mrn=: a medical record number is PHI and must not sit in a URL (access logs,
# traces, browser history).
@route(patient_routes, "/v1/staff/patients/search", access=Access.STAFF, methods=("POST",))
def find_patient():
    ports = wiring.container()
    caller, origin = signed_in(_request())
    body = only_fields(_request().json_body, ("mrn",), ("mrn",))
    patient = patients.find(ports, caller, origin, mrn=body["mrn"])
    return portal_access.portal_status(ports, caller, origin, patient.patient_id, ports.clock.now())


@route(patient_routes, "/v1/staff/patients/{patient_id}", access=Access.STAFF)
def patient_portal_status(patient_id):
    ports = wiring.container()
    return portal_access.portal_status(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(patient_routes, "/v1/staff/patients/{patient_id}/portal-access", access=Access.STAFF, methods=("POST",))
def change_portal_access(patient_id):
    return portal_access.change_portal_access(
        wiring.container(), *signed_in(_request()), patient_id, _request().json_body
    )
