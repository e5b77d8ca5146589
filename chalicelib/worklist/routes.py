"""Routes of the staff worklist."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.worklist import service
from chalicelib.worklist.contract import ClosedItem, CloseItem, Worklist

worklist_routes = Blueprint(__name__)


def _request():
    return worklist_routes.current_request


@route(worklist_routes, "/v1/staff/worklist", access=Access.STAFF, responses={200: Worklist})
def worklist():
    """The organization's open worklist items, oldest first, with who to call."""
    return service.open_items(wiring.container(), *signed_in(_request()))


@route(
    worklist_routes,
    "/v1/staff/worklist/{item_id}/done",
    access=Access.STAFF,
    methods=("POST",),
    body=CloseItem,
    responses={200: ClosedItem},
)
def worklist_item_done(item_id: str, body: CloseItem):
    """Close an open item with the outcome of the call."""
    ports = wiring.container()
    return service.close_item(ports, *signed_in(_request()), item_id, body, ports.clock.now())
