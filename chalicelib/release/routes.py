"""Routes of release: what is on its way to a patient and the patient's own release preferences,
staff holds and early releases, and the organization's release policy (admins)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http.caller import signed_in, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.release import holds, policy_admin, preferences, upcoming

release_routes = Blueprint(__name__)


def _request():
    return release_routes.current_request


@route(release_routes, "/v1/patients/{patient_id}/upcoming-releases", access=Access.PATIENT)
def upcoming_releases(patient_id):
    ports = wiring.container()
    return upcoming.upcoming(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(release_routes, "/v1/staff/patients/{patient_id}/results", access=Access.STAFF)
def staff_results(patient_id):
    return holds.list_for_staff(wiring.container(), *signed_in(_request()), patient_id)


@route(release_routes, "/v1/staff/results/{result_id}/hold", access=Access.STAFF, methods=("POST",))
def hold_result(result_id):
    ports = wiring.container()
    return holds.hold(ports, *signed_in(_request()), result_id, _request().json_body, ports.clock.now())


@route(release_routes, "/v1/staff/results/{result_id}/release", access=Access.STAFF, methods=("POST",))
def release_result(result_id):
    ports = wiring.container()
    return holds.release(ports, *signed_in(_request()), result_id, ports.clock.now())


@route(release_routes, "/v1/admin/release-policy", access=Access.ADMIN)
def get_release_policy():
    return policy_admin.release_policy(wiring.container(), signed_in_caller(_request()))


@route(release_routes, "/v1/admin/release-policy", access=Access.ADMIN, methods=("PUT",))
def put_release_policy():
    return policy_admin.set_release_policy(wiring.container(), *signed_in(_request()), _request().json_body)


@route(release_routes, "/v1/patients/{patient_id}/release-preferences", access=Access.PATIENT)
def release_preferences(patient_id):
    return preferences.release_preferences(wiring.container(), *signed_in(_request()), patient_id)


@route(release_routes, "/v1/patients/{patient_id}/release-preferences", access=Access.PATIENT, methods=("PUT",))
def set_release_preferences(patient_id):
    return preferences.set_release_preferences(
        wiring.container(), *signed_in(_request()), patient_id, _request().json_body
    )
