"""Staff routes for the feed's quarantine."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.feeds import quarantine
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route

feed_routes = Blueprint(__name__)


def _caller():
    return signed_in_caller(feed_routes.current_request)


@route(feed_routes, "/v1/staff/feed/quarantine", access=Access.STAFF)
def list_quarantined():
    request = feed_routes.current_request
    return quarantine.list_quarantined(wiring.container(), _caller(), origin_of(request), request.query_params or {})


@route(feed_routes, "/v1/staff/feed/quarantine/{item_id}/replay", access=Access.STAFF, methods=("POST",))
def replay(item_id):
    return quarantine.replay(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id)


@route(feed_routes, "/v1/staff/feed/quarantine/{item_id}/dismiss", access=Access.STAFF, methods=("POST",))
def dismiss(item_id):
    return quarantine.dismiss(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id)
