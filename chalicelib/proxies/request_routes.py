"""Routes of proxy access requests: the requester's request, its documents and signed form, and
staff's review of it (queue, match, approve, deny, five-minute links to the files)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.proxies import request_service, review
from chalicelib.proxies.request_contract import (
    ApprovedProxyRequest,
    ApproveProxyRequest,
    DenyProxyRequest,
    FileLink,
    MatchProxyRequest,
    NewProxyDocument,
    NewProxyRequest,
    ProxyDocument,
    ProxyDocumentStarted,
    ProxyRequest,
    ProxyRequestForm,
    ProxyRequestList,
    SignProxyRequest,
    StaffProxyQueueQuery,
    StaffProxyRequest,
    StaffProxyRequestPage,
)

proxy_request_routes = Blueprint(__name__)

_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_REQUEST_ID = {"request_id": _ID}
_DOCUMENT = {"request_id": _ID, "document_id": _ID}


def _request() -> Any:
    return proxy_request_routes.current_request


@route(proxy_request_routes, "/v1/proxy-requests/form", access=Access.PATIENT, responses={200: ProxyRequestForm})
def proxy_request_form() -> Any:
    """The Proxy Access Request and Authorization Form: the text a requester reads and signs, and
    its version (signing names the version read; a stale one is a 409)."""
    return request_service.form()


@route(
    proxy_request_routes,
    "/v1/proxy-requests",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewProxyRequest,
    responses={201: ProxyRequest},
    idempotent=True,
)
def create_proxy_request(body: NewProxyRequest) -> Any:
    """Ask for proxy access to a patient of an organization (a draft: upload the documents, then
    sign). Any patient account may ask, with or without a record of its own. 400 with the rule in
    words when the relationship does not fit the patient's age (a parent of a child of 12 or more;
    a guardian or agent of an adult for a minor), for a trusted person (the patient invites them),
    or an unknown organization."""
    ports = wiring.container()
    made = request_service.create(ports, *signed_in(_request()), body, ports.clock.now())
    return Response(body=made, status_code=201)


@route(proxy_request_routes, "/v1/proxy-requests", access=Access.PATIENT, responses={200: ProxyRequestList})
def my_proxy_requests() -> Any:
    """The caller's own requests, newest first, every status. Audited."""
    return request_service.requests_of(wiring.container(), *signed_in(_request()))


@route(
    proxy_request_routes,
    "/v1/proxy-requests/{request_id}",
    access=Access.PATIENT,
    responses={200: ProxyRequest},
    path_params=_REQUEST_ID,
)
def my_proxy_request(request_id: str) -> Any:
    """One of the caller's own requests (anyone else's: 404). Audited."""
    return request_service.one(wiring.container(), *signed_in(_request()), request_id)


@route(
    proxy_request_routes,
    "/v1/proxy-requests/{request_id}/withdraw",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: ProxyRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
)
def withdraw_proxy_request(request_id: str) -> Any:
    """Withdraw a draft or a request waiting for review; 409 once decided."""
    ports = wiring.container()
    return request_service.withdraw(ports, *signed_in(_request()), request_id, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/proxy-requests/{request_id}/documents",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewProxyDocument,
    responses={201: ProxyDocumentStarted},
    errors=(409,),
    path_params=_REQUEST_ID,
)
def start_proxy_document(request_id: str, body: NewProxyDocument) -> Any:
    """Announce a legal document (a PDF, PNG or JPEG of at most 10 MB): the answer holds a
    15-minute upload form (POST the file to `upload.url` with `upload.fields`, the file last); then
    ask for the check. 409 once the request is signed; 400 over 10 MB or past 10 files."""
    ports = wiring.container()
    made = request_service.start_document(ports, *signed_in(_request()), request_id, body, ports.clock.now())
    return Response(body=made, status_code=201)


@route(
    proxy_request_routes,
    "/v1/proxy-requests/{request_id}/documents/{document_id}/check",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: ProxyDocument},
    errors=(409,),
    path_params=_DOCUMENT,
)
def check_proxy_document(request_id: str, document_id: str) -> Any:
    """Check an uploaded file: its type is told from its content, not its name. `ready`, or
    `refused` with the `problem` in words (too big, or not the PDF, PNG or JPEG announced: the file
    is deleted; upload another). 409 while nothing is uploaded yet."""
    ports = wiring.container()
    return request_service.check_document(ports, *signed_in(_request()), request_id, document_id, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/proxy-requests/{request_id}/documents/{document_id}",
    access=Access.PATIENT,
    methods=("DELETE",),
    responses={204: None},
    errors=(409,),
    path_params=_DOCUMENT,
)
def remove_proxy_document(request_id: str, document_id: str) -> Any:
    """Remove a document while the request is a draft; 409 once signed."""
    ports = wiring.container()
    request_service.remove_document(ports, *signed_in(_request()), request_id, document_id, ports.clock.now())
    return Response(body="", status_code=204)


@route(
    proxy_request_routes,
    "/v1/proxy-requests/{request_id}/sign",
    access=Access.PATIENT,
    methods=("POST",),
    body=SignProxyRequest,
    responses={200: ProxyRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def sign_proxy_request(request_id: str, body: SignProxyRequest) -> Any:
    """Sign the form and send the request to staff (`submitted`). 400 names every problem at once:
    each missing kind of document (`documents`, "missing: court order or letters of
    guardianship"), a typed name that is not `requester_name`, `agreed` not true, a child who has
    turned 12 meanwhile. 409 for a form version that is not the current one, or once signed. The
    signed PDF (the form, the request and the signature) is kept under object lock; its SHA-256
    is on the request."""
    ports = wiring.container()
    return request_service.sign(ports, *signed_in(_request()), request_id, body, ports.clock.now(), _render_signed)


def _render_signed(fields: dict[str, Any]) -> tuple[bytes, str]:
    """The signed PDF, rendered as check-in's signed forms are (imported here, on first use: the
    PDF's makers are heavy, and only signing needs them)."""
    from chalicelib.checkin import signed_form

    try:
        pdf = signed_form.render(signed_form.SignedForm(**fields))
    except signed_form.InvalidSignedForm as wrong:
        raise request_service.Unprintable(wrong.field, wrong.problem) from None
    return pdf, signed_form.sha256_of(pdf)


# -- staff ----------------------------------------------------------------------------------------


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests",
    access=Access.STAFF,
    query=StaffProxyQueueQuery,
    responses={200: StaffProxyRequestPage},
)
def staff_proxy_requests(query: StaffProxyQueueQuery) -> Any:
    """The organization's signed requests of one queue: to_do (submitted, oldest first) or done
    (approved, awaiting consent, denied, withdrawn; newest first). Audited."""
    ports = wiring.container()
    return review.queue(ports, *signed_in(_request()), query.queue, query.limit, query.cursor, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests/{request_id}",
    access=Access.STAFF,
    responses={200: StaffProxyRequest},
    path_params=_REQUEST_ID,
)
def staff_proxy_request(request_id: str) -> Any:
    """One request of the organization with the requester's account, the matched record (if
    any), the patient's age and where to ask for each file's link. Audited."""
    ports = wiring.container()
    return review.staff_request(ports, *signed_in(_request()), request_id, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests/{request_id}/documents/{document_id}/link",
    access=Access.STAFF,
    responses={200: FileLink},
    path_params=_DOCUMENT,
)
def proxy_document_link(request_id: str, document_id: str) -> Any:
    """A five-minute link to one checked document. Audited."""
    ports = wiring.container()
    return review.document_link(ports, *signed_in(_request()), request_id, document_id, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests/{request_id}/signed-form/link",
    access=Access.STAFF,
    responses={200: FileLink},
    path_params=_REQUEST_ID,
)
def proxy_signed_form_link(request_id: str) -> Any:
    """A five-minute link to the signed PDF (that version of it). Audited."""
    ports = wiring.container()
    return review.signed_form_link(ports, *signed_in(_request()), request_id, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests/{request_id}/match",
    access=Access.STAFF,
    methods=("POST",),
    body=MatchProxyRequest,
    responses={200: StaffProxyRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
)
def match_proxy_request(request_id: str, body: MatchProxyRequest) -> Any:
    """Match the request to a patient of the organization, by `patient_id` or `mrn` (404 for none
    in the organization). 409 once decided."""
    ports = wiring.container()
    return review.match(ports, *signed_in(_request()), request_id, body, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests/{request_id}/approve",
    access=Access.STAFF,
    methods=("POST",),
    body=ApproveProxyRequest,
    responses={200: ApprovedProxyRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def approve_proxy_request(request_id: str, body: ApproveProxyRequest) -> Any:
    """Approve a matched request: the grant is made with it. A child's grant shows the record up
    to the matched record's 12th birthday, every area, no end unless `ends_at`; an adult's covers
    `areas` (else those asked) and ends after `ends_at` (else in a year), and with
    `patient_can_consent` waits for the patient's consent (they are emailed). The requester is
    emailed that there is an update. 409: not matched, the age rule on the matched record, a
    deceased patient, access held already, or decided already."""
    ports = wiring.container()
    return review.approve(ports, *signed_in(_request()), request_id, body, ports.clock.now())


@route(
    proxy_request_routes,
    "/v1/staff/proxy-requests/{request_id}/deny",
    access=Access.STAFF,
    methods=("POST",),
    body=DenyProxyRequest,
    responses={200: StaffProxyRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def deny_proxy_request(request_id: str, body: DenyProxyRequest) -> Any:
    """Deny with a reason the requester reads in the portal; they are emailed that there is an
    update (never the reason). 409 once decided."""
    ports = wiring.container()
    return review.deny(ports, *signed_in(_request()), request_id, body, ports.clock.now())
