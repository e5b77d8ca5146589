"""Routes of support requests: the public form, and the staff queue."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in
from chalicelib.http.routing import Access, route
from chalicelib.kernel.caller import Caller
from chalicelib.support import service
from chalicelib.support.contract import (
    ChangeStatus,
    NewSupportRequest,
    RecordAnswer,
    SupportOrganizations,
    SupportQueueQuery,
    SupportRequestDetail,
    SupportRequestPage,
    SupportRequestReceived,
)

support_routes = Blueprint(__name__)

_REQUEST_ID = {"request_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


def _request():
    return support_routes.current_request


def _signed_in_if_any() -> Caller | None:
    """The account of a request that carries a live session, on a route anyone may call: its
    request is linked to the account. A stale or unknown token is taken as signed out, since people
    who cannot sign in are the ones who most need to write."""
    authorization = (_request().headers or {}).get("authorization", "")
    if not authorization:
        return None
    from chalicelib.identity.session_check import authorize

    ports = wiring.container()
    return authorize(ports, authorization, ports.clock.now())


@route(
    support_routes, "/v1/support-requests/organizations", access=Access.PUBLIC, responses={200: SupportOrganizations}
)
def support_organizations():
    """The organizations that take support requests, by name (the contact form's choices)."""
    return service.organizations(wiring.container())


@route(
    support_routes,
    "/v1/support-requests",
    access=Access.PUBLIC,
    methods=("POST",),
    body=NewSupportRequest,
    responses={201: SupportRequestReceived},
    errors=(429,),
    idempotent=True,
)
def send_support_request(body: NewSupportRequest):
    """Ask an organization's support for help, signed in or not.

    Kept in the organization's queue with status new; its support mailbox is told a request is
    waiting, and an email address given gets an acknowledgement (both by reference number only).
    At least one of email and phone. Throttled per source address and per contact (429 with
    Retry-After). A signed-in caller's account is linked to the request.
    """
    from chalice import Response

    ports = wiring.container()
    received = service.receive(
        ports,
        _signed_in_if_any(),
        origin_of(_request()),
        body,
        ports.clock.now(),
    )
    return Response(body=received, status_code=201)


@route(
    support_routes,
    "/v1/staff/support-requests",
    access=Access.STAFF,
    query=SupportQueueQuery,
    responses={200: SupportRequestPage},
)
def support_queue(query: SupportQueueQuery):
    """The organization's support requests, newest first, a page at a time (a status filters them). Audited."""
    return service.queue(wiring.container(), *signed_in(_request()), query.status, query.limit, query.cursor)


@route(
    support_routes,
    "/v1/staff/support-requests/{request_id}",
    access=Access.STAFF,
    responses={200: SupportRequestDetail},
    path_params=_REQUEST_ID,
)
def support_request(request_id: str):
    """One support request of the organization, with how to reach the person. Audited."""
    return service.detail(wiring.container(), *signed_in(_request()), request_id)


@route(
    support_routes,
    "/v1/staff/support-requests/{request_id}/answers",
    access=Access.STAFF,
    methods=("POST",),
    body=RecordAnswer,
    responses={200: SupportRequestDetail},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def answer_support_request(request_id: str, body: RecordAnswer):
    """Record how the request was answered (by phone, or by the staff member's own email); it becomes answered.

    The portal sends nothing to the requester: staff reach them the way they asked to be reached.
    """
    ports = wiring.container()
    return service.record_answer(ports, *signed_in(_request()), request_id, body, ports.clock.now())


@route(
    support_routes,
    "/v1/staff/support-requests/{request_id}/status",
    access=Access.STAFF,
    methods=("PUT",),
    body=ChangeStatus,
    responses={200: SupportRequestDetail},
    errors=(409,),
    path_params=_REQUEST_ID,
)
def set_support_request_status(request_id: str, body: ChangeStatus):
    """Set a request's status: new, in_progress, answered or closed."""
    ports = wiring.container()
    return service.change_status(ports, *signed_in(_request()), request_id, body, ports.clock.now())
