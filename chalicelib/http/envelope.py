"""The request envelope: HTTP middleware every API call passes through.

It binds a correlation id to the logs and echoes it back, refuses routes that carry no access
rule (deny by default), hides developer tools outside the local stage, reshapes chalice's own
error bodies into the portal's single error shape, and adds the security headers every response
carries (PHI must never sit in a shared cache: ``Cache-Control: no-store`` on everything).
"""

from __future__ import annotations

import re
import uuid
from typing import Any, Callable

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.errors import error_body
from chalicelib.http.routing import Access, access_rule, internal_error
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


def make_envelope(app: Chalice, is_local_stage: Callable[[], bool]) -> Callable[[Request, Callable], Response]:
    def envelope(request: Request, get_response: Callable[[Request], Response]) -> Response:
        correlation_id, client_id = correlation_ids_for(request)
        logger.set_correlation_id(correlation_id)
        logger.append_keys(client_correlation_id=client_id or None)
        try:
            response = _guarded_response(app, request, get_response, is_local_stage)
            response = _reshape_chalice_error(response)
        except Exception as error:  # last resort: chalice would log the message and answer in its own shape
            response = internal_error(log_exception(request.path, error))
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers[CORRELATION_HEADER] = correlation_id
        return response

    return envelope


def _guarded_response(app: Chalice, request: Request, get_response, is_local_stage) -> Response:
    context = request.context or {}
    entry = app.routes.get(context.get("resourcePath", ""), {}).get(request.method)
    if entry is not None:
        rule = access_rule(entry.view_function)
        if rule is None:
            logger.warning("route without an access rule refused", extra={"route": entry.uri_pattern})
            return Response(body=error_body("forbidden", "This route is not open."), status_code=403)
        if rule is Access.LOCAL_DEV and not is_local_stage():
            return Response(body=error_body("not_found", "No such resource."), status_code=404)
    return get_response(request)


def _reshape_chalice_error(response: Response) -> Response:
    """Chalice answers some errors itself ({"Code", "Message"}); give them the portal's shape."""
    body: Any = response.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return response
    if response.status_code >= 500:
        return internal_error(uuid.uuid4().hex)
    code = re.sub(r"(?<!^)(?=[A-Z])", "_", str(body["Code"]).removesuffix("Error")).lower()
    response.body = error_body(code, str(body["Message"]))
    return response
