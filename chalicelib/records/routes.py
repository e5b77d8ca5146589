"""The patient's own health records (issue 4, item 8)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.errors import NotAuthenticated
from chalicelib.http.caller import caller_of, origin_of
from chalicelib.http.routing import Access, route
from chalicelib.identity.ports import now
from chalicelib.records import service

records_routes = Blueprint(__name__)


def _caller():
    caller = caller_of(records_routes.current_request)
    if caller is None:
        raise NotAuthenticated("Sign in first.")
    return caller


@route(records_routes, "/v1/patients/{patient_id}/results", access=Access.PATIENT)
def list_results(patient_id):
    request = records_routes.current_request
    return service.list_results(wiring.container(), _caller(), origin_of(request), patient_id,
                                request.query_params or {}, now())


@route(records_routes, "/v1/patients/{patient_id}/results/{result_id}", access=Access.PATIENT)
def get_result(patient_id, result_id):
    request = records_routes.current_request
    return service.get_result(wiring.container(), _caller(), origin_of(request), patient_id, result_id, now())


@route(records_routes, "/v1/patients/{patient_id}/access-log", access=Access.PATIENT)
def access_log(patient_id):
    request = records_routes.current_request
    return service.access_log(wiring.container(), _caller(), origin_of(request), patient_id, request.query_params or {})
