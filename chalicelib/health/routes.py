"""Health, in two depths, both public. No PHI and no resource names: the stage, the version and
one word per service.

GET /v1/health is liveness: the function starts and its configuration is complete. It calls no
AWS service, so load balancers and scripts may ask as often as they like.

GET /v1/health/deep asks each backing service. It is public rather than kept for admins: it must
answer when DynamoDB does not, and every signed-in route depends on the session check, which
reads DynamoDB; monitors and on-call ask it without an account; and a portal admin is a
hospital's administrator, not an operator. What makes it safe to leave open is that its answer
is kept per container for a few seconds (a burst costs one probe round) and names services only.
"""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.health.contract import DeepHealth, Index, Liveness
from chalicelib.http.routing import Access, route
from chalicelib.kernel.clock import iso

health_routes = Blueprint(__name__)


@route(health_routes, "/v1/health", access=Access.PUBLIC, responses={200: Liveness})
def health() -> dict:
    """Liveness: the function starts and its configuration is complete (no AWS call)."""
    # The container is built (it refuses to start on missing configuration, as every other route
    # would) but no client is: this answer never waits on AWS.
    settings = wiring.container().settings
    return {"status": "ok", "stage": settings.stage, "version": settings.version}


@route(health_routes, "/v1/health/deep", access=Access.PUBLIC, responses={200: DeepHealth, 503: DeepHealth})
def deep_health() -> Response:
    """Readiness: each backing service asked (the answer is kept a few seconds per container)."""
    container = wiring.container()
    checked = container.deep_health.result(container.clock.now(), container.health_probes)
    body = {
        "status": "ok" if checked.healthy else "degraded",
        "stage": container.settings.stage,
        "version": container.settings.version,
        "checked_at": iso(checked.checked_at),
        "services": {s.name: "ok" if s.ok else "unavailable" for s in checked.services},
        "unavailable": checked.unavailable,
    }
    return Response(body=body, status_code=200 if checked.healthy else 503)


@route(health_routes, "/v1", access=Access.PUBLIC, responses={200: Index})
def index() -> dict:
    """The API's entry points (the site's root is the web portal's)."""
    settings = wiring.container().settings
    links = {"health": "/v1/health", "deep_health": "/v1/health/deep"}
    if settings.is_local:
        links["mailbox"] = "/dev/mailbox"
    return {"name": "Patient portal API", "version": settings.version, "links": links}
