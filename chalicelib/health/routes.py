from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.health import service
from chalicelib.http.routing import Access, route

health_routes = Blueprint(__name__)


@route(health_routes, "/v1/health", access=Access.PUBLIC)
def health() -> Response:
    container = wiring.container()
    results = service.check(container.health_probes())
    healthy = all(result.ok for result in results)
    body = {
        "status": "ok" if healthy else "degraded",
        "stage": container.settings.stage,
        "version": container.settings.version,
        "services": {r.name: {"status": "ok" if r.ok else "unavailable", "latency_ms": r.latency_ms} for r in results},
    }
    return Response(body=body, status_code=200 if healthy else 503)


@route(health_routes, "/", access=Access.PUBLIC)
def index() -> dict:
    """Where links in local emails land until the web frontend exists; names the API's entry points."""
    settings = wiring.container().settings
    links = {"health": "/v1/health"}
    if settings.is_local:
        links["mailbox"] = "/dev/mailbox"
    return {"name": "Patient portal API", "version": settings.version, "links": links}
