"""The patient's own health records (issue 4, item 8)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.records import service
from chalicelib.release import staff_tools as staff

records_routes = Blueprint(__name__)


def _caller():
    return signed_in_caller(records_routes.current_request)


@route(records_routes, "/v1/patients/{patient_id}/results", access=Access.PATIENT)
def list_results(patient_id):
    request = records_routes.current_request
    return service.list_results(wiring.container(), _caller(), origin_of(request), patient_id,
                                request.query_params or {}, wiring.container().clock.now())


@route(records_routes, "/v1/patients/{patient_id}/results/{result_id}", access=Access.PATIENT)
def get_result(patient_id, result_id):
    request = records_routes.current_request
    return service.get_result(wiring.container(), _caller(), origin_of(request), patient_id, result_id, wiring.container().clock.now())


@route(records_routes, "/v1/patients/{patient_id}/results/{result_id}/files/{index}", access=Access.PATIENT)
def result_file(patient_id, result_id, index):
    link = service.result_file_link(wiring.container(), _caller(), origin_of(records_routes.current_request),
                                    patient_id, result_id, index, wiring.container().clock.now())
    return Response(body="", status_code=302, headers={"Location": link})


@route(records_routes, "/v1/patients/{patient_id}/access-log", access=Access.PATIENT)
def access_log(patient_id):
    request = records_routes.current_request
    return service.access_log(wiring.container(), _caller(), origin_of(request), patient_id, request.query_params or {})


@route(records_routes, "/v1/patients/{patient_id}/health-summary/{section}", access=Access.PATIENT)
def health_summary(patient_id, section):
    request = records_routes.current_request
    return service.list_entries(wiring.container(), _caller(), origin_of(request), patient_id, section,
                                request.query_params or {}, wiring.container().clock.now())


@route(records_routes, "/v1/patients/{patient_id}/release-preferences", access=Access.PATIENT)
def release_preferences(patient_id):
    return service.release_preferences(wiring.container(), _caller(), origin_of(records_routes.current_request),
                                       patient_id)


@route(records_routes, "/v1/patients/{patient_id}/release-preferences", access=Access.PATIENT, methods=("PUT",))
def set_release_preferences(patient_id):
    request = records_routes.current_request
    return service.set_release_preferences(wiring.container(), _caller(), origin_of(request), patient_id,
                                           request.json_body)


@route(records_routes, "/v1/patients/{patient_id}/upcoming-releases", access=Access.PATIENT)
def upcoming_releases(patient_id):
    return staff.upcoming(wiring.container(), _caller(), origin_of(records_routes.current_request), patient_id, wiring.container().clock.now())


# -- staff and admins -------------------------------------------------------------------------------

@route(records_routes, "/v1/staff/patients/{patient_id}/health-summary/{section}", access=Access.STAFF)
def staff_health_summary(patient_id, section):
    request = records_routes.current_request
    return service.list_entries(wiring.container(), _caller(), origin_of(request), patient_id, section,
                                request.query_params or {}, wiring.container().clock.now(), as_staff=True)


@route(records_routes, "/v1/staff/patients/{patient_id}/results", access=Access.STAFF)
def staff_results(patient_id):
    return staff.list_results(wiring.container(), _caller(), origin_of(records_routes.current_request), patient_id)


@route(records_routes, "/v1/staff/results/{result_id}/hold", access=Access.STAFF, methods=("POST",))
def hold_result(result_id):
    request = records_routes.current_request
    return staff.hold(wiring.container(), _caller(), origin_of(request), result_id, request.json_body, wiring.container().clock.now())


@route(records_routes, "/v1/staff/results/{result_id}/release", access=Access.STAFF, methods=("POST",))
def release_result(result_id):
    return staff.release(wiring.container(), _caller(), origin_of(records_routes.current_request), result_id, wiring.container().clock.now())


@route(records_routes, "/v1/admin/release-policy", access=Access.ADMIN)
def get_release_policy():
    return staff.release_policy(wiring.container(), _caller())


@route(records_routes, "/v1/admin/release-policy", access=Access.ADMIN, methods=("PUT",))
def put_release_policy():
    request = records_routes.current_request
    return staff.set_release_policy(wiring.container(), _caller(), origin_of(request), request.json_body)


@route(records_routes, "/v1/staff/worklist", access=Access.STAFF)
def worklist():
    return staff.worklist(wiring.container(), _caller(), origin_of(records_routes.current_request))


@route(records_routes, "/v1/staff/worklist/{item_id}/done", access=Access.STAFF, methods=("POST",))
def worklist_item_done(item_id):
    request = records_routes.current_request
    return staff.close_worklist_item(wiring.container(), _caller(), origin_of(request), item_id, request.json_body,
                                     wiring.container().clock.now())


@route(records_routes, "/v1/patients/{patient_id}/documents", access=Access.PATIENT)
def list_documents(patient_id):
    request = records_routes.current_request
    return service.list_documents(wiring.container(), _caller(), origin_of(request), patient_id,
                                  request.query_params or {}, wiring.container().clock.now())


@route(records_routes, "/v1/patients/{patient_id}/documents/{document_id}/content", access=Access.PATIENT)
def document_content(patient_id, document_id):
    link = service.document_link(wiring.container(), _caller(), origin_of(records_routes.current_request),
                                 patient_id, document_id, wiring.container().clock.now())
    return Response(body="", status_code=302, headers={"Location": link})
