"""Routes of a patient's health records: results, documents, the health summary and the access
log; and the health summary staff read to help a patient."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import REDIRECT, Access, route
from chalicelib.records import access_log as records_access_log
from chalicelib.records import documents, health_summary, results
from chalicelib.records.contract import (
    AccessLog,
    AccessLogQuery,
    DocumentDetail,
    DocumentsPage,
    DocumentsQuery,
    FileLinkView,
    Result,
    ResultsPage,
    ResultsQuery,
    Trends,
)
from chalicelib.records.domain import ENTRY_KINDS
from chalicelib.records.summary_contract import HealthSummaryQuery, HealthSummarySection, VitalSignsHistory

records_routes = Blueprint(__name__)
# The sections of the health summary, as a path parameter.
SECTION = {"type": "string", "enum": sorted(ENTRY_KINDS.values())}


def _request():
    return records_routes.current_request


def _redirect(link: str) -> Response:
    # (an empty body, typed so that nothing reads it as JSON)
    return Response(body="", status_code=302, headers={"Location": link, "Content-Type": "text/plain"})


@route(
    records_routes,
    "/v1/patients/{patient_id}/results",
    access=Access.PATIENT,
    query=ResultsQuery,
    responses={200: ResultsPage},
)
def list_results(patient_id: str, query: ResultsQuery):
    """The patient's released results, newest first."""
    ports = wiring.container()
    return results.list_results(ports, *signed_in(_request()), patient_id, query, ports.clock.now())


@route(records_routes, "/v1/patients/{patient_id}/results/{result_id}", access=Access.PATIENT, responses={200: Result})
def get_result(patient_id: str, result_id: str):
    """One released result with its values and earlier versions."""
    ports = wiring.container()
    return results.get_result(ports, *signed_in(_request()), patient_id, result_id, ports.clock.now())


@route(
    records_routes,
    "/v1/patients/{patient_id}/results/{result_id}/files/{index}",
    access=Access.PATIENT,
    responses={302: None},
    media={302: REDIRECT},
)
def result_file(patient_id: str, result_id: str, index: str):
    """A file a result carries: a redirect to a link that works for five minutes.

    `index` is the position of the observation that carries the file (its `href` gives the path).
    """
    ports = wiring.container()
    return _redirect(
        results.result_file_link(ports, *signed_in(_request()), patient_id, result_id, index, ports.clock.now()).url
    )


@route(
    records_routes,
    "/v1/patients/{patient_id}/results/{result_id}/files/{index}/link",
    access=Access.PATIENT,
    responses={200: FileLinkView},
)
def result_file_json_link(patient_id: str, result_id: str, index: str):
    """A file a result carries: the link that works for five minutes, as JSON (for a page).

    The same file, check and audit as the redirect of `.../files/{index}`; a page calls this with
    its token and then opens the link.
    """
    ports = wiring.container()
    return results.result_file_link(
        ports, *signed_in(_request()), patient_id, result_id, index, ports.clock.now()
    ).as_json()


@route(
    records_routes,
    "/v1/patients/{patient_id}/results/{result_id}/trends",
    access=Access.PATIENT,
    responses={200: Trends},
)
def result_trends(patient_id: str, result_id: str):
    """Each numeric test of a result with its values across the patient's results, for a chart."""
    ports = wiring.container()
    return results.result_trends(ports, *signed_in(_request()), patient_id, result_id, ports.clock.now())


@route(
    records_routes,
    "/v1/patients/{patient_id}/documents",
    access=Access.PATIENT,
    query=DocumentsQuery,
    responses={200: DocumentsPage},
)
def list_documents(patient_id: str, query: DocumentsQuery):
    """The patient's released documents (discharge and visit summaries, reports, notes), newest first."""
    ports = wiring.container()
    return documents.list_documents(ports, *signed_in(_request()), patient_id, query, ports.clock.now())


@route(
    records_routes,
    "/v1/patients/{patient_id}/documents/{document_id}",
    access=Access.PATIENT,
    responses={200: DocumentDetail},
)
def get_document(patient_id: str, document_id: str):
    """One released document: how it came to be, its earlier versions and its addenda."""
    ports = wiring.container()
    return documents.get_document(ports, *signed_in(_request()), patient_id, document_id, ports.clock.now())


@route(
    records_routes,
    "/v1/patients/{patient_id}/documents/{document_id}/versions/{version}/content-link",
    access=Access.PATIENT,
    responses={200: FileLinkView},
)
def document_version_link(patient_id: str, document_id: str, version: str):
    """An earlier version's file: a link that works for five minutes, as JSON (for a page)."""
    ports = wiring.container()
    return documents.version_link(
        ports, *signed_in(_request()), patient_id, document_id, version, ports.clock.now()
    ).as_json()


@route(
    records_routes,
    "/v1/patients/{patient_id}/documents/{document_id}/content",
    access=Access.PATIENT,
    responses={302: None},
    media={302: REDIRECT},
)
def document_content(patient_id: str, document_id: str):
    """A document's file: a redirect to a link that works for five minutes."""
    ports = wiring.container()
    return _redirect(
        documents.document_link(ports, *signed_in(_request()), patient_id, document_id, ports.clock.now()).url
    )


@route(
    records_routes,
    "/v1/patients/{patient_id}/documents/{document_id}/content-link",
    access=Access.PATIENT,
    responses={200: FileLinkView},
)
def document_content_link(patient_id: str, document_id: str):
    """A document's file: the link that works for five minutes, as JSON (for a page).

    The same file, check and audit as the redirect of `.../content`; a page calls this with its
    token and then opens the link.
    """
    ports = wiring.container()
    return documents.document_link(ports, *signed_in(_request()), patient_id, document_id, ports.clock.now()).as_json()


@route(
    records_routes,
    "/v1/patients/{patient_id}/health-summary/{section}",
    access=Access.PATIENT,
    query=HealthSummaryQuery,
    responses={200: HealthSummarySection},
    path_params={"section": SECTION},
)
def patient_health_summary(patient_id: str, section: str, query: HealthSummaryQuery):
    """One section of the patient's health summary.

    `section` is one of allergies, conditions, medications, immunizations, visits, appointments,
    vital_signs; the answer holds the entries under that name.
    """
    ports = wiring.container()
    return health_summary.list_entries(ports, *signed_in(_request()), patient_id, section, query, ports.clock.now())


@route(
    records_routes,
    "/v1/patients/{patient_id}/health-summary/vital_signs/history",
    access=Access.PATIENT,
    responses={200: VitalSignsHistory},
)
def patient_vital_signs_history(patient_id: str):
    """The patient's vital signs by measurement, each with its numeric readings over time (for a chart)."""
    ports = wiring.container()
    return health_summary.vital_signs_history(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(
    records_routes,
    "/v1/staff/patients/{patient_id}/health-summary/vital_signs/history",
    access=Access.STAFF,
    responses={200: VitalSignsHistory},
)
def staff_vital_signs_history(patient_id: str):
    """A patient's vital signs by measurement over time, as the patient sees them."""
    ports = wiring.container()
    return health_summary.vital_signs_history(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(
    records_routes,
    "/v1/staff/patients/{patient_id}/health-summary/{section}",
    access=Access.STAFF,
    query=HealthSummaryQuery,
    responses={200: HealthSummarySection},
    path_params={"section": SECTION},
)
def staff_health_summary(patient_id: str, section: str, query: HealthSummaryQuery):
    """One section of a patient's health summary, as the patient sees it (to help them on the phone).

    `section` is one of allergies, conditions, medications, immunizations, visits, appointments,
    vital_signs; the answer holds the entries under that name.
    """
    ports = wiring.container()
    return health_summary.list_entries(ports, *signed_in(_request()), patient_id, section, query, ports.clock.now())


@route(
    records_routes,
    "/v1/patients/{patient_id}/access-log",
    access=Access.PATIENT,
    query=AccessLogQuery,
    responses={200: AccessLog},
)
def access_log(patient_id: str, query: AccessLogQuery):
    """Who read or changed the patient's record, newest first."""
    return records_access_log.access_log(wiring.container(), *signed_in(_request()), patient_id, query)
