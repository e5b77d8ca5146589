"""The request envelope: HTTP middleware every API call passes through.

It binds a correlation id to the logs and echoes it back, refuses routes that carry no access
rule (deny by default), checks the session of every route whose rule needs one (in this function:
the gateway runs no authorizer, so a signed-in request is one Lambda invocation), hides developer
tools outside the local stage, reshapes chalice's own error bodies into the portal's single error
shape, and adds the security headers every response carries (PHI must never sit in a shared
cache: ``Cache-Control: no-store`` on everything).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.errors import NotAuthenticated, PortalError, error_body, to_http
from chalicelib.http import cors, edge
from chalicelib.http.caller import admit_caller, caller_of, forget_caller
from chalicelib.http.routing import Access, access_rule, allowed_restrictions, internal_error
from chalicelib.kernel.caller import Caller
from chalicelib.observability import log_exception, logger

CORRELATION_HEADER = "X-Correlation-Id"
_CLIENT_CORRELATION_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
}


def correlation_ids_for(request: Request) -> tuple[str, str]:
    """(the server's id for this request, the caller's X-Correlation-Id if well formed).

    The server's id is API Gateway's request id: a caller cannot forge it or make two requests
    share it. The caller's own id is kept beside it in the logs so a frontend can trace its calls.
    """
    supplied = request.headers.get(CORRELATION_HEADER.lower()) or ""
    client_id = supplied if _CLIENT_CORRELATION_ID.fullmatch(supplied) else ""
    return (request.context or {}).get("requestId") or uuid.uuid4().hex, client_id


RESTRICTION_MESSAGES = {
    "terms": ("terms_acceptance_required", "Accept the current Terms of Use first (GET /v1/terms)."),
    "second_factor_setup": (
        "second_factor_setup_required",
        "Set up a second sign-in step first (POST /v1/me/second-factors/totp).",
    ),
}


# The one answer to a signed-in route called without a live session (none sent, not a bearer
# token, unknown, expired, idle too long, or ended): the frontend signs in again whichever it was,
# and a caller learns nothing about which.
NOT_AUTHENTICATED = NotAuthenticated("Sign in: the session is missing, has expired or has ended.")


def _never_signed_in(_authorization: str) -> Caller | None:
    return None


def make_envelope(
    app: Chalice,
    is_local_stage: Callable[[], bool],
    record_denial: Callable[[Caller, str, str], None] | None = None,
    allowed_origins: Callable[[], tuple[str, ...]] = lambda: (),
    edge_secret: Callable[[], str] = lambda: "",
    check_session: Callable[[str], Caller | None] = _never_signed_in,
) -> Callable[[Request, Callable], Response]:
    """``record_denial(caller, route, reason)`` writes the audit event of a refused call;
    ``allowed_origins()`` names the origins a browser may call the API from (http/cors.py);
    ``edge_secret()`` is the header value that marks a request sent by the portal's CloudFront
    distribution (http/edge.py), empty where there is none; ``check_session(authorization)``
    is the session check (identity/session_check.py): the caller of a live session named by the
    Authorization header, or None. Without one, every signed-in route answers 401."""

    def envelope(request: Request, get_response: Callable[[Request], Response]) -> Response:
        forget_caller(request)  # a caller is only ever the one this request's own check found
        _adopt_viewer_address(request, edge_secret())
        correlation_id, client_id = correlation_ids_for(request)
        logger.set_correlation_id(correlation_id)
        logger.append_keys(client_correlation_id=client_id or None)
        origin = request.headers.get("origin") or ""
        try:
            if request.method == "OPTIONS":
                response = _preflight(app, request, origin, allowed_origins())
            else:
                response = _guarded_response(app, request, get_response, is_local_stage, record_denial, check_session)
                response = _reshape_chalice_error(response)
                if cors.open_to_any_origin((request.context or {}).get("resourcePath", "")):
                    response.headers.update(cors.open_response_headers())
                else:
                    response.headers.update(cors.response_headers(origin, allowed_origins()))
        except Exception as error:  # last resort: chalice would log the message and answer in its own shape
            response = internal_error(log_exception(request.path, error))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers[CORRELATION_HEADER] = correlation_id
        return response

    return envelope


def _adopt_viewer_address(request: Request, secret: str) -> None:
    """Through CloudFront, the visitor's address replaces the edge's as the request's source, so
    that throttling and the audit trail see the visitor (every service reads it from there)."""
    address = edge.viewer_address(request.headers, secret)
    if address is not None:
        identity = (request.context or {}).setdefault("identity", {})
        identity["sourceIp"] = address


def _preflight(app: Chalice, request: Request, origin: str, allowed: tuple[str, ...]) -> Response:
    """A browser's CORS preflight: allowed for a listed origin asking for a method the path serves;
    refused (403, and no CORS header, so the browser stops there) otherwise."""
    served = set(app.routes.get((request.context or {}).get("resourcePath", ""), {})) - {"OPTIONS"}
    requested = request.headers.get("access-control-request-method") or ""
    headers: dict[str, str | list[str]] | None = cors.preflight_headers(origin, requested, served, allowed)  # type: ignore[assignment]
    if cors.open_to_any_origin((request.context or {}).get("resourcePath", "")):
        headers = cors.open_preflight_headers(requested, served)  # type: ignore[assignment]
    if headers is None:
        body = error_body("cors_refused", "Browsers may not call this API from that origin, or with that method.")
        return Response(body=body, status_code=403, headers={"Vary": "Origin"})
    return Response(body="", status_code=204, headers=dict(headers))


def _guarded_response(
    app: Chalice, request: Request, get_response, is_local_stage, record_denial, check_session
) -> Response:
    context = request.context or {}
    entry = app.routes.get(context.get("resourcePath", ""), {}).get(request.method)
    if entry is not None:
        rule = access_rule(entry.view_function)
        if rule is None:
            logger.warning("route without an access rule refused", extra={"route": entry.uri_pattern})
            return Response(body=error_body("forbidden", "This route is not open."), status_code=403)
        if rule is Access.LOCAL_DEV and not is_local_stage():
            return Response(body=error_body("not_found", "No such resource."), status_code=404)
        if rule.needs_session:
            refusal = _session_refusal(rule, entry, request, record_denial, check_session)
            if refusal is not None:
                return refusal
    return get_response(request)


def _session_refusal(rule: Access, entry, request: Request, record_denial, check_session) -> Response | None:
    """Deny by default: the session check proves a live session (once per request, before the
    route reads anything), then the role the route needs and what the session must do first are
    checked. A refusal by role or restriction is audited here; a refused token by the check."""
    try:
        caller = check_session(request.headers.get("authorization") or "")
    except PortalError as error:  # the identity store did not answer: 503, and the caller may retry
        status, payload = to_http(error)
        return Response(body=payload, status_code=status, headers=dict(error.headers))
    if caller is None:
        status, payload = to_http(NOT_AUTHENTICATED)
        return Response(body=payload, status_code=status, headers=dict(NOT_AUTHENTICATED.headers))
    admit_caller(request, caller)
    caller = caller_of(request) or caller  # with the request's origin, for the audit trail
    if not rule.admits(caller.role):
        if record_denial is not None:
            record_denial(caller, entry.uri_pattern, f"role_{caller.role}")
        return Response(body=error_body("forbidden", "This account may not use this route."), status_code=403)
    if caller.restriction and caller.restriction not in allowed_restrictions(entry.view_function):
        code, message = RESTRICTION_MESSAGES.get(caller.restriction, ("forbidden", "Not yet."))
        if record_denial is not None:
            record_denial(caller, entry.uri_pattern, f"restricted_{caller.restriction}")
        return Response(body=error_body(code, message), status_code=403)
    return None


def no_such_route() -> dict[str, Any]:
    """What API Gateway answers, through the MISSING_AUTHENTICATION_TOKEN gateway response of
    infra/template.yaml, for a path or a method it has no route for; fixed, because the gateway's
    own message may quote the Authorization header (a session token)."""
    return error_body("not_found", "No such route.")


def _reshape_chalice_error(response: Response) -> Response:
    """Chalice answers some errors itself ({"Code", "Message"}); give them the portal's shape."""
    body: Any = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    if response.status_code >= 500:
        return internal_error(uuid.uuid4().hex)
    if body["Code"] == "MethodNotAllowedError":
        # Only chalice (chalice local, its test client) gets this far with a method the route does
        # not have: the deployed gateway refuses it before the function runs, as an unknown route.
        # Answer as it does, so a client meets one answer wherever it runs (no Allow header: the
        # gateway sends none).
        return Response(body=no_such_route(), status_code=404)
    code = re.sub(r"(?<!^)(?=[A-Z])", "_", str(body["Code"]).removesuffix("Error")).lower()
    # chalice's own message may quote the request (the Content-Type it refused): never pass it on.
    response.body = error_body(code, _CHALICE_MESSAGES.get(code, "The request could not be read as sent."))
    return response


_CHALICE_MESSAGES = {
    "bad_request": "The request body is not valid JSON.",
    "unsupported_media_type": "Send the request body as JSON, with Content-Type: application/json.",
}
