"""Routes of a patient's health records: results, documents, the health summary and the access
log; and the health summary staff read to help a patient."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.records import access_log as records_access_log
from chalicelib.records import documents, health_summary, results

records_routes = Blueprint(__name__)


def _request():
    return records_routes.current_request


@route(records_routes, "/v1/patients/{patient_id}/results", access=Access.PATIENT)
def list_results(patient_id):
    ports = wiring.container()
    return results.list_results(
        ports, *signed_in(_request()), patient_id, _request().query_params or {}, ports.clock.now()
    )


@route(records_routes, "/v1/patients/{patient_id}/results/{result_id}", access=Access.PATIENT)
def get_result(patient_id, result_id):
    ports = wiring.container()
    return results.get_result(ports, *signed_in(_request()), patient_id, result_id, ports.clock.now())


@route(records_routes, "/v1/patients/{patient_id}/results/{result_id}/files/{index}", access=Access.PATIENT)
def result_file(patient_id, result_id, index):
    ports = wiring.container()
    link = results.result_file_link(ports, *signed_in(_request()), patient_id, result_id, index, ports.clock.now())
    return Response(body="", status_code=302, headers={"Location": link})


@route(records_routes, "/v1/patients/{patient_id}/documents", access=Access.PATIENT)
def list_documents(patient_id):
    ports = wiring.container()
    return documents.list_documents(
        ports, *signed_in(_request()), patient_id, _request().query_params or {}, ports.clock.now()
    )


@route(records_routes, "/v1/patients/{patient_id}/documents/{document_id}/content", access=Access.PATIENT)
def document_content(patient_id, document_id):
    ports = wiring.container()
    link = documents.document_link(ports, *signed_in(_request()), patient_id, document_id, ports.clock.now())
    return Response(body="", status_code=302, headers={"Location": link})


@route(records_routes, "/v1/patients/{patient_id}/health-summary/{section}", access=Access.PATIENT)
def patient_health_summary(patient_id, section):
    ports = wiring.container()
    return health_summary.list_entries(
        ports, *signed_in(_request()), patient_id, section, _request().query_params or {}, ports.clock.now()
    )


@route(records_routes, "/v1/staff/patients/{patient_id}/health-summary/{section}", access=Access.STAFF)
def staff_health_summary(patient_id, section):
    ports = wiring.container()
    return health_summary.list_entries(
        ports, *signed_in(_request()), patient_id, section, _request().query_params or {}, ports.clock.now()
    )


@route(records_routes, "/v1/patients/{patient_id}/access-log", access=Access.PATIENT)
def access_log(patient_id):
    return records_access_log.access_log(
        wiring.container(), *signed_in(_request()), patient_id, _request().query_params or {}
    )
