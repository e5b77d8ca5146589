"""Routes for clinic staff (patients, invitations, portal access) and admins (staff accounts)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import enrollment, workforce
from chalicelib.kernel.fields import only_fields
from chalicelib.patients import service as patients

staff_routes = Blueprint(__name__)


def _request():
    return staff_routes.current_request


def _caller():
    return signed_in_caller(_request())


@route(staff_routes, "/v1/staff/patients", access=Access.STAFF, methods=("POST",))
def register_patient():
    return Response(patients.register(wiring.container(), _caller(), origin_of(_request()), _request().json_body,
                                      wiring.container().clock.now()), status_code=201)


# A POST, not GET ?mrn=: a medical record number is PHI and must not sit in a URL (access logs,
# traces, browser history).
@route(staff_routes, "/v1/staff/patients/search", access=Access.STAFF, methods=("POST",))
def find_patient():
    caller, origin = _caller(), origin_of(_request())
    body = only_fields(_request().json_body, ("mrn",), ("mrn",))
    patient = patients.find(wiring.container(), caller, origin, mrn=body["mrn"])
    return patients.portal_status(wiring.container(), caller, origin, patient.patient_id, wiring.container().clock.now())


@route(staff_routes, "/v1/staff/patients/{patient_id}", access=Access.STAFF)
def patient_portal_status(patient_id):
    return patients.portal_status(wiring.container(), _caller(), origin_of(_request()), patient_id, wiring.container().clock.now())


@route(staff_routes, "/v1/staff/patients/{patient_id}/portal-access", access=Access.STAFF, methods=("POST",))
def portal_access(patient_id):
    return patients.change_portal_access(wiring.container(), _caller(), origin_of(_request()), patient_id,
                                         _request().json_body)


@route(staff_routes, "/v1/staff/invitations", access=Access.STAFF, methods=("POST",))
def invite():
    return Response(enrollment.invite(wiring.container(), _caller(), origin_of(_request()), _request().json_body,
                                      wiring.container().clock.now()), status_code=201)


@route(staff_routes, "/v1/staff/invitations", access=Access.STAFF)
def list_invitations():
    query = _request().query_params or {}
    return enrollment.list_for_patient(wiring.container(), _caller(), origin_of(_request()),
                                       query.get("patient_id", ""), wiring.container().clock.now())


@route(staff_routes, "/v1/staff/invitations/{invitation_id}/resend", access=Access.STAFF, methods=("POST",))
def resend_invitation(invitation_id):
    return Response(enrollment.resend(wiring.container(), _caller(), origin_of(_request()), invitation_id, wiring.container().clock.now()),
                    status_code=201)


@route(staff_routes, "/v1/staff/invitations/{invitation_id}", access=Access.STAFF, methods=("DELETE",))
def revoke_invitation(invitation_id):
    enrollment.revoke(wiring.container(), _caller(), origin_of(_request()), invitation_id)
    return Response(body="", status_code=204)


@route(staff_routes, "/v1/admin/staff", access=Access.ADMIN, methods=("POST",))
def create_staff():
    return Response(workforce.create_staff(wiring.container(), _caller(), origin_of(_request()),
                                           _request().json_body, wiring.container().clock.now()), status_code=201)


@route(staff_routes, "/v1/admin/staff/{account_id}/status", access=Access.ADMIN, methods=("PUT",))
def set_staff_status(account_id):
    return workforce.set_staff_status(wiring.container(), _caller(), origin_of(_request()), account_id,
                                      _request().json_body)
