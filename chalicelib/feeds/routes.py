"""Staff routes for the feed's quarantine; admin routes for the organization's feed sources."""

from __future__ import annotations

from typing import cast

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.feeds import quarantine, sources
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route

feed_routes = Blueprint(__name__)


def _caller():
    return signed_in_caller(feed_routes.current_request)


@route(feed_routes, "/v1/staff/feed/quarantine", access=Access.STAFF)
def list_quarantined():
    request = feed_routes.current_request
    query = cast("dict[str, str]", request.query_params or {})  # a MultiDict: one (the last) value per name
    return quarantine.list_quarantined(wiring.container(), _caller(), origin_of(request), query)


@route(feed_routes, "/v1/staff/feed/quarantine/{item_id}/replay", access=Access.STAFF, methods=("POST",))
def replay(item_id):
    return quarantine.replay(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id)


@route(feed_routes, "/v1/staff/feed/quarantine/{item_id}/dismiss", access=Access.STAFF, methods=("POST",))
def dismiss(item_id):
    return quarantine.dismiss(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id)


# -- admins: the organization's feed sources ------------------------------------------------------


@route(feed_routes, "/v1/admin/feed-sources", access=Access.ADMIN)
def list_feed_sources():
    return sources.list_sources(wiring.container(), _caller(), origin_of(feed_routes.current_request))


@route(feed_routes, "/v1/admin/feed-sources/{source_id}", access=Access.ADMIN, methods=("PUT",))
def put_feed_source(source_id):
    request = feed_routes.current_request
    return sources.put_source(wiring.container(), _caller(), origin_of(request), source_id, request.json_body)


@route(feed_routes, "/v1/admin/feed-sources/{source_id}", access=Access.ADMIN, methods=("DELETE",))
def delete_feed_source(source_id):
    sources.delete_source(wiring.container(), _caller(), origin_of(feed_routes.current_request), source_id)
    return Response(body="", status_code=204)
