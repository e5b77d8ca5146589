"""Routes of the FHIR R4 read API at /fhir/R4: the CapabilityStatement, read, and search.

No session: an app calls with the bearer token the authorization server gave it, checked here on
every call (``apps.oauth.bearer.app_access``). Every answer, errors included, is FHIR JSON
(``application/fhir+json``): a 401 with ``WWW-Authenticate: Bearer``, a 403 for a type outside
the app's consent, a 404 for an unknown or hidden id, a 400 for a search it cannot run, each an
OperationOutcome.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.apps.fhir_api import service
from chalicelib.apps.fhir_api.contract import FHIR_JSON, RESOURCE_ID, RESOURCE_TYPE, FhirSearchQuery, answers
from chalicelib.apps.fhir_api.search import SearchRefused, advertised_searches, parse_search
from chalicelib.apps.oauth.bearer import InvalidToken, app_access
from chalicelib.apps.oauth.objects import FHIR_PATH
from chalicelib.apps.oauth.server import fhir_base
from chalicelib.errors import Forbidden, NotFound, PortalError, ValidationFailed
from chalicelib.http.caller import origin_of
from chalicelib.http.routing import Access, route
from chalicelib.interop import writer

fhir_routes = Blueprint(__name__)
BASE_PATH = FHIR_PATH
_ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found"}


def _request() -> Any:
    return fhir_routes.current_request


def fhir_origin() -> str:
    """The portal's public origin (PORTAL_PUBLIC_BASE_URL, required: the authorization server's
    issuer is built on it too)."""
    return wiring.settings().public_base_url.rstrip("/")


def _fhir(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(body=body, status_code=status, headers={"Content-Type": FHIR_JSON, **(headers or {})})


def _outcome(status: int, diagnostics: str, headers: dict[str, str] | None = None) -> Response:
    return _fhir(writer.operation_outcome(_ISSUE_CODES.get(status, "processing"), diagnostics), status, headers)


def _answered(run: Any) -> Response:
    """``run()``'s resource, or the OperationOutcome of what went wrong."""
    try:
        return _fhir(run())
    except InvalidToken as error:
        return _outcome(401, error.message, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    except SearchRefused as error:
        return _outcome(400, str(error))
    except (Forbidden, NotFound, ValidationFailed) as error:
        status = {Forbidden: 403, NotFound: 404}.get(type(error), 400)
        return _outcome(status, error.message)
    except PortalError:
        raise  # an outage (503) or other fault: the portal's own answer


_METADATA_RESPONSES, _METADATA_MEDIA = answers()
_READ_RESPONSES, _READ_MEDIA = answers(401, 403, 404)
_SEARCH_RESPONSES, _SEARCH_MEDIA = answers(400, 401, 403, 404)


@route(fhir_routes, f"{BASE_PATH}/metadata", access=Access.PUBLIC, responses=_METADATA_RESPONSES, media=_METADATA_MEDIA)
def capability_statement() -> Response:
    """The FHIR server's CapabilityStatement, with the SMART OAuth endpoints (no token needed)."""
    origin = fhir_origin()
    return _fhir(
        writer.capability_statement(
            fhir_base(origin),
            authorize_url=f"{origin}/oauth2/authorize",
            token_url=f"{origin}/oauth2/token",
            revoke_url=f"{origin}/oauth2/revoke",
            introspect_url=f"{origin}/oauth2/introspect",
            resource_types=RESOURCE_TYPES,
            searches=advertised_searches(),
        )
    )


@route(
    fhir_routes,
    f"{BASE_PATH}/{{resource_type}}",
    access=Access.PUBLIC,
    query=FhirSearchQuery,
    responses=_SEARCH_RESPONSES,
    media=_SEARCH_MEDIA,
    path_params={"resource_type": RESOURCE_TYPE},
)
def search(resource_type: str, query: FhirSearchQuery) -> Response:
    """Search one type within the token's patient: a searchset Bundle, a page at a time.

    Parameters: those US Core names for the type (patient, category, code, date, clinical-status,
    type, status, intent) and _id, _count; a parameter the type does not take is refused (400)."""
    request = _request()

    def run() -> dict[str, Any]:
        ports = wiring.container()
        access = app_access(ports, request)
        _known(resource_type)
        raw = request.query_params
        parameters = {name: raw.getlist(name) for name in raw} if raw is not None else {}
        query = parse_search(resource_type, parameters)
        return service.search(ports, access, origin_of(request), query, base_url=fhir_base(fhir_origin()))

    return _answered(run)


@route(
    fhir_routes,
    f"{BASE_PATH}/{{resource_type}}/{{resource_id}}",
    access=Access.PUBLIC,
    responses=_READ_RESPONSES,
    media=_READ_MEDIA,
    path_params={"resource_type": RESOURCE_TYPE, "resource_id": RESOURCE_ID},
)
def read(resource_type: str, resource_id: str) -> Response:
    """One resource of the token's patient by its id (404 when unknown or not shown)."""
    request = _request()

    def run() -> dict[str, Any]:
        ports = wiring.container()
        access = app_access(ports, request)
        _known(resource_type)
        return service.read(
            ports, access, origin_of(request), resource_type, resource_id, base_url=fhir_base(fhir_origin())
        )

    return _answered(run)


def _known(resource_type: str) -> None:
    if resource_type not in RESOURCE_TYPES:
        raise NotFound(f"This server does not serve that resource type: it serves {', '.join(RESOURCE_TYPES)}.")
