"""Routes of "Download my record": ask for an export of a record, list one's own, and get the
links to a ready one's files (apps/export/requests.py)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.apps.export import requests
from chalicelib.apps.export.contract import RecordExport, RecordExports
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route

export_routes = Blueprint(__name__)

_EXPORT_ID = {"export_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


def _request():
    return export_routes.current_request


@route(
    export_routes,
    "/v1/patients/{patient_id}/exports",
    access=Access.PATIENT,
    methods=("POST",),
    responses={202: RecordExport},
    idempotent=True,
)
def request_record_export(patient_id: str):
    """Ask for a download of the record: a FHIR R4 Bundle (JSON) and a PDF summary of everything
    the caller may see of it (a proxy: the parts their grant covers). Built in the background:
    202 with status building; the account is emailed when it is ready. While one is building,
    asking again answers that one. Audited."""
    ports = wiring.container()
    made = requests.request_export(ports, *signed_in(_request()), patient_id, ports.clock.now())
    return Response(body=made, status_code=202)


@route(
    export_routes,
    "/v1/patients/{patient_id}/exports",
    access=Access.PATIENT,
    responses={200: RecordExports},
)
def record_exports(patient_id: str):
    """The caller's own downloads of the record, newest first (the last ten), with their status."""
    ports = wiring.container()
    return requests.recent_exports(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(
    export_routes,
    "/v1/patients/{patient_id}/exports/{export_id}",
    access=Access.PATIENT,
    responses={200: RecordExport},
    path_params=_EXPORT_ID,
)
def record_export(patient_id: str, export_id: str):
    """One of the caller's downloads. When ready (and not yet expired, seven days on), `files`
    holds a link to each file that works for five minutes; each link handed out is audited."""
    ports = wiring.container()
    return requests.export_detail(ports, *signed_in(_request()), patient_id, export_id, ports.clock.now())
