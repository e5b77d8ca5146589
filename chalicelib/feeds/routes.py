"""Staff routes for the feed's quarantine; admin routes for the organization's feed sources."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.feeds import quarantine, sources
from chalicelib.feeds.contract import (
    FeedSource,
    FeedSourceChange,
    FeedSources,
    HeldMessages,
    MismatchDecision,
    MismatchOutcome,
    QuarantineOutcome,
    QuarantinePage,
    QuarantinePageQuery,
)
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route

feed_routes = Blueprint(__name__)


def _caller():
    return signed_in_caller(feed_routes.current_request)


@route(
    feed_routes,
    "/v1/staff/feed/quarantine",
    access=Access.STAFF,
    query=QuarantinePageQuery,
    responses={200: QuarantinePage},
)
def list_quarantined(query: QuarantinePageQuery):
    """Quarantined feed messages of the caller's organization (metadata only), newest first."""
    request = feed_routes.current_request
    return quarantine.list_quarantined(wiring.container(), _caller(), origin_of(request), query.limit, query.cursor)


@route(
    feed_routes,
    "/v1/staff/feed/quarantine/{item_id}/replay",
    access=Access.STAFF,
    methods=("POST",),
    responses={200: QuarantineOutcome},
    errors=(409,),
)
def replay(item_id: str):
    """File a quarantined message again (after its cause was fixed)."""
    return quarantine.replay(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id)


@route(
    feed_routes,
    "/v1/staff/feed/quarantine/{item_id}/dismiss",
    access=Access.STAFF,
    methods=("POST",),
    responses={200: QuarantineOutcome},
    errors=(409,),
)
def dismiss(item_id: str):
    """Close a quarantined message without filing it (it stays archived)."""
    return quarantine.dismiss(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id)


# -- staff: possible mismatches (messages held before they could overlay a patient) ------------------


@route(feed_routes, "/v1/staff/feed/mismatches", access=Access.STAFF, responses={200: HeldMessages})
def list_mismatches():
    """Messages held because their identifiers name a patient whose birth date or family name they
    contradict: both sides, for staff to decide. Nothing of them is filed until then."""
    from chalicelib.filing import holds

    return holds.list_held(wiring.container(), _caller(), origin_of(feed_routes.current_request))


@route(
    feed_routes,
    "/v1/staff/feed/mismatches/{item_id}",
    access=Access.STAFF,
    methods=("POST",),
    body=MismatchDecision,
    responses={200: MismatchOutcome},
    errors=(409,),
)
def decide_mismatch(item_id: str, body: MismatchDecision):
    """Decide a held message: the same patient, another patient, or not filed."""
    from chalicelib.filing import holds

    return holds.decide(wiring.container(), _caller(), origin_of(feed_routes.current_request), item_id, body)


# -- admins: the organization's feed sources ------------------------------------------------------


@route(feed_routes, "/v1/admin/feed-sources", access=Access.ADMIN, responses={200: FeedSources})
def list_feed_sources():
    """The systems registered to send the organization's clinical feeds."""
    return sources.list_sources(wiring.container(), _caller(), origin_of(feed_routes.current_request))


@route(
    feed_routes,
    "/v1/admin/feed-sources/{source_id}",
    access=Access.ADMIN,
    methods=("PUT",),
    body=FeedSourceChange,
    responses={200: FeedSource},
    errors=(409,),
)
def put_feed_source(source_id: str, body: FeedSourceChange):
    """Register a sender for the organization, or change its default authority or test-message opt-in.

    Test messages (MSH-11 T or D, FHIR HTEST) are filed only outside production, when opted in."""
    request = feed_routes.current_request
    container = wiring.container()
    return sources.put_source(
        container, _caller(), origin_of(request), source_id, body, production=container.settings.is_production
    )


@route(
    feed_routes,
    "/v1/admin/feed-sources/{source_id}",
    access=Access.ADMIN,
    methods=("DELETE",),
    responses={204: None},
)
def delete_feed_source(source_id: str):
    """Stop filing the sender's messages for the organization (they are quarantined from now on)."""
    sources.delete_source(wiring.container(), _caller(), origin_of(feed_routes.current_request), source_id)
    return Response(body="", status_code=204)
