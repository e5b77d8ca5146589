"""GET /v1/openapi.json and /v1/docs: the API describing itself."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.routing import Access, route
from chalicelib.kernel.contract import ResponseModel

apidocs_routes = Blueprint(__name__)

HERE = Path(__file__).parent
# The files /v1/docs/{asset} serves: ours beside this module, Swagger UI's copied by `make api-docs`.
ASSETS = {
    "initializer.js": (HERE / "initializer.js", "text/javascript; charset=utf-8"),
    "swagger-ui-bundle.js": (HERE / "static" / "swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    "swagger-ui.css": (HERE / "static" / "swagger-ui.css", "text/css; charset=utf-8"),
}
# The docs page runs Swagger UI's script from this origin and nothing inline; its style sheet and
# the inline style attributes its components set need style-src (the API's own answers keep
# `default-src 'none'`). The page reads /v1/openapi.json and may try the API (connect-src).
DOCS_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
# Not PHI, and the same for everyone: browsers may keep it for an hour.
STATIC_CACHE = "public, max-age=3600"


class OpenApiDocument(ResponseModel):
    """An OpenAPI 3.1 document (its schema is the OpenAPI specification's own)."""

    model_config = {"extra": "allow", "defer_build": True}

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


@cache
def _document(version: str) -> dict[str, Any]:
    # Imported here: only this route writes the document (once per container: cached).
    from chalicelib.http.openapi import build_document

    return build_document(apidocs_routes.current_app, version=version)


@route(apidocs_routes, "/v1/openapi.json", access=Access.PUBLIC, responses={200: OpenApiDocument})
def openapi_document() -> dict[str, Any]:
    """This API's OpenAPI 3.1 document, generated from its routes."""
    return _document(wiring.container().settings.version)


@route(
    apidocs_routes,
    "/v1/docs",
    access=Access.PUBLIC,
    responses={200: None},
    media={200: ("text/html", {"type": "string"})},
)
def docs_page() -> Response:
    """The API document, rendered for people (Swagger UI)."""
    return Response(
        body=(HERE / "docs.html").read_text(),
        status_code=200,
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": DOCS_PAGE_POLICY},
    )


@route(
    apidocs_routes,
    "/v1/docs/{asset}",
    access=Access.PUBLIC,
    responses={200: None},
    media={200: {"text/javascript": {"type": "string"}, "text/css": {"type": "string"}}},
)
def docs_asset(asset: str) -> Response:
    """A script or style sheet of the docs page."""
    from chalicelib.errors import NotFound

    known = ASSETS.get(asset)
    if known is None or not known[0].is_file():
        raise NotFound("No such resource.")
    path, content_type = known
    return Response(
        body=path.read_text(), status_code=200, headers={"Content-Type": content_type, "Cache-Control": STATIC_CACHE}
    )
