"""The API's OpenAPI 3.1 document, generated from the route table and the routes' contracts.

Nothing here is written by hand: each path, parameter, body and response comes from a route's
``@route(...)`` declaration (http.routing.RouteContract) and the pydantic models it names. A test
checks the document against the app both ways (every route documented, nothing documented that
the app does not serve), and the document validates as OpenAPI 3.1.
"""

from __future__ import annotations

from typing import Any

from chalice import Chalice
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from chalicelib.http.routing import Access, RouteContract, contract_of
from chalicelib.kernel.contract import ErrorBody

_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    302: "Found: the answer is at the Location header",
    400: "The request is not valid: `details` names each wrong field.",
    401: "No valid session: sign in (the `WWW-Authenticate: Bearer` header says so).",
    403: "This account may not do this (its role, or a step it must take first).",
    404: "No such resource, or not one of the caller's (the two are never told apart).",
    409: "The request conflicts with the resource's current state.",
    422: "The Idempotency-Key was already used for a different request body.",
    415: "The body is not sent as JSON (Content-Type: application/json).",
    429: "Too many requests: `Retry-After` says when to try again.",
    500: "A fault on the server's side: `details` holds an id to quote to support.",
    503: "A service the portal depends on is unavailable: retry later.",
}

_TAG_TEXT = {
    "health": "Liveness and readiness of the deployment.",
    "apidocs": "This document and its rendering.",
    "dev": "Developer tools of the local stack (404 in every deployed stage).",
    "identity": "Sign-in, enrollment, account recovery and the signed-in account.",
    "patients": "Staff registering and finding patients.",
    "records": "A patient's results, documents and health summary.",
    "release": "When results are shown to patients: policy, holds and preferences.",
    "worklist": "The staff worklist.",
    "feeds": "Feed quarantine and the clinical systems that send feeds.",
    "notifications": "The signed-in account's notification inbox.",
    "support": "Support requests: anyone may send one; staff answer them.",
    "refills": "A patient's medications and refill requests; the staff's refill queue.",
    "messaging": "Secure messages between patients and their care teams, and the care teams' inboxes.",
    "apps": (
        "Health apps (SMART on FHIR): the authorization server (/oauth2), its discovery document, the"
        " consent page's API, connected apps, and the admins' app registry."
    ),
}


# Path parameters that name an id the portal hands out (kernel.keys.RECORD_ID). A malformed one is
# answered 404, like an unknown one, without a read: the pattern tells a client what to expect.
_RECORD_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$", "minLength": 32, "maxLength": 32}
_PATH_SCHEMAS = {name: _RECORD_ID for name in ("patient_id", "result_id", "document_id", "account_id")}


def build_document(app: Chalice, *, version: str, server_url: str = "..") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route of ``app`` that declares a contract.

    The server is given relative to the document (OpenAPI resolves it against the document's own
    URL): served at /v1/openapi.json it is the site's root, and behind API Gateway's stage
    (/api/v1/openapi.json) it is /api, so "Try it out" calls the API wherever it is deployed."""
    operations: list[tuple[str, str, RouteContract]] = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            contract = contract_of(entry.view_function)
            if contract is not None and method != "OPTIONS":  # preflights: http/cors.py
                operations.append((path, method, contract))

    models = _models_of(operations)
    keyed, schema = models_json_schema(
        [(model, _mode(model, operations)) for model in models], ref_template="#/components/schemas/{model}"
    )
    refs = {model: keyed[(model, _mode(model, operations))] for model in models}
    paths: dict[str, dict[str, Any]] = {}
    for path, method, contract in operations:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, contract, refs)

    tags = sorted({contract.tag for _, _, contract in operations})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Patient portal API",
            "version": version,
            "description": (
                "The API of the patient portal. Every error has one shape (`ErrorBody`). Signed-in routes "
                "take the session token as `Authorization: Bearer <token>` (from POST /v1/sessions); no "
                "credential ever travels in a cookie. docs/api.md holds the walkthroughs and the rules a "
                "schema cannot say: access, audit, idempotency."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": tag, "description": _TAG_TEXT.get(tag, "")} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {
                "session": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The session token from POST /v1/sessions (or /v1/sessions/mfa).",
                }
            },
        },
    }


def _models_of(operations: list[tuple[str, str, RouteContract]]) -> list[type[BaseModel]]:
    found: dict[type[BaseModel], None] = {ErrorBody: None}
    for _, _, contract in operations:
        for model in (contract.body, contract.query, contract.form, *contract.responses.values()):
            if model is not None:
                found[model] = None
    return list(found)


def _mode(model: type[BaseModel], operations: list[tuple[str, str, RouteContract]]) -> Any:
    """Request models are described as a client must send them, responses as the server sends."""
    is_request = any(model in (c.body, c.query, c.form) for _, _, c in operations)
    return "validation" if is_request else "serialization"


def _operation(path: str, method: str, contract: RouteContract, refs: dict[type[BaseModel], Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(path, method),
        "tags": [contract.tag],
        "summary": contract.summary or f"{method} {path}",
    }
    if contract.description:
        operation["description"] = contract.description
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": contract.path_schemas.get(name) or _PATH_SCHEMAS.get(name) or {"type": "string", "minLength": 1},
        }
        for name in contract.path_parameters
    ]
    if contract.query is not None:
        query_schema = contract.query.model_json_schema(ref_template="#/components/schemas/{model}")
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            prop = _as_query_value(prop)
            parameter = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                parameter["description"] = prop["description"]
            parameters.append(parameter)
    if contract.idempotent:
        from chalicelib.http.idempotency import PARAMETER

        parameters.append(dict(PARAMETER))
    if parameters:
        operation["parameters"] = parameters
    if contract.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[contract.body]}},
        }
    if contract.form is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/x-www-form-urlencoded": {"schema": refs[contract.form]}},
        }
    responses: dict[str, Any] = {}
    for status, model in sorted(contract.responses.items()):
        response: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "Success")}
        if status in contract.media:
            response["content"] = {kind: {"schema": schema} for kind, schema in contract.media[status].items()}
        elif model is not None:
            response["content"] = {"application/json": {"schema": refs[model]}}
        if contract.idempotent and 200 <= status < 300:
            response["headers"] = {
                "Idempotent-Replayed": {
                    "description": "true when this is the kept answer of an earlier call with the same Idempotency-Key.",
                    "schema": {"type": "string", "enum": ["true"]},
                }
            }
        if 300 <= status < 400:
            response["headers"] = {
                "Location": {"description": "Where the answer is.", "schema": {"type": "string", "format": "uri"}}
            }
        responses[str(status)] = response
    for status in contract.error_statuses():
        if str(status) in responses:  # declared with a body of its own (the 503 of a health check)
            continue
        responses[str(status)] = {
            "description": _STATUS_TEXT.get(status, "An error."),
            "content": {"application/json": {"schema": refs[ErrorBody]}},
        }
    operation["responses"] = responses
    if contract.access.needs_session:
        operation["security"] = [{"session": []}]
        operation.setdefault("description", "")
        operation["description"] = (operation["description"] + f" Who may call it: {_who(contract.access)}.").strip()
    else:
        operation["security"] = []
    return operation


def _as_query_value(schema: dict[str, Any]) -> dict[str, Any]:
    """A query string cannot carry null: an optional parameter is one left out. pydantic writes
    ``X | None = None`` as anyOf [X, null] with a null default; the document says X, not required."""
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if "anyOf" not in schema or len(options) != 1:
        return schema
    flat = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**options[0], **flat}


def _who(access: Access) -> str:
    return {
        Access.SIGNED_IN: "any signed-in account",
        Access.PATIENT: "patient accounts",
        Access.STAFF: "staff and admins of an organization",
        Access.ADMIN: "admins",
    }.get(access, access.value)


def _operation_id(path: str, method: str) -> str:
    words = [part.strip("{}").replace("-", "_") for part in path.split("/") if part and part != "v1"]
    return "_".join([method.lower(), *words]).replace(".", "_")
