"""Routes for clinic staff (invitations) and admins (staff accounts)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import enrollment, workforce

staff_routes = Blueprint(__name__)


def _request():
    return staff_routes.current_request


def _caller():
    return signed_in_caller(_request())


@route(staff_routes, "/v1/staff/invitations", access=Access.STAFF, methods=("POST",))
def invite():
    return Response(
        enrollment.invite(
            wiring.container(), _caller(), origin_of(_request()), _request().json_body, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(staff_routes, "/v1/staff/invitations", access=Access.STAFF)
def list_invitations():
    query = _request().query_params or {}
    return enrollment.list_for_patient(
        wiring.container(),
        _caller(),
        origin_of(_request()),
        query.get("patient_id", ""),
        wiring.container().clock.now(),
    )


@route(staff_routes, "/v1/staff/invitations/{invitation_id}/resend", access=Access.STAFF, methods=("POST",))
def resend_invitation(invitation_id):
    return Response(
        enrollment.resend(
            wiring.container(), _caller(), origin_of(_request()), invitation_id, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(staff_routes, "/v1/staff/invitations/{invitation_id}", access=Access.STAFF, methods=("DELETE",))
def revoke_invitation(invitation_id):
    enrollment.revoke(wiring.container(), _caller(), origin_of(_request()), invitation_id)
    return Response(body="", status_code=204)


@route(staff_routes, "/v1/admin/staff", access=Access.ADMIN, methods=("POST",))
def create_staff():
    return Response(
        workforce.create_staff(
            wiring.container(), _caller(), origin_of(_request()), _request().json_body, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(staff_routes, "/v1/admin/staff/{account_id}/status", access=Access.ADMIN, methods=("PUT",))
def set_staff_status(account_id):
    return workforce.set_staff_status(
        wiring.container(), _caller(), origin_of(_request()), account_id, _request().json_body
    )
