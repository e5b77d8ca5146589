"""What API Gateway answers itself, locally: the twin of the GatewayResponses in
infra/template.yaml, used by the local API server and by the integration tests' client.

chalice's local gateway raises these for an unknown route (403 "Missing Authentication Token"),
a missing Authorization header (401) and a session the authorizer denied (403
AccessDeniedException). The deployed gateway answers the last two with 401 not_authenticated,
and the first with a fixed 404 not_found; every one of its answers carries the app's security
headers.
"""

from __future__ import annotations

import json

from chalice.local import LocalGatewayException

from chalicelib.http.envelope import SECURITY_HEADERS

NOT_AUTHENTICATED = {
    "error": {
        "code": "not_authenticated",
        "message": "Sign in: the session is missing, has expired or has ended.",
        "details": [],
    }
}


NO_SUCH_ROUTE = {"error": {"code": "not_found", "message": "No such route.", "details": []}}


def gateway_answer(error: LocalGatewayException) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) as the deployed gateway would send them."""
    headers = {**(error.headers or {}), "Content-Type": "application/json", **SECURITY_HEADERS}
    kind = (error.headers or {}).get("x-amzn-ErrorType", "")
    if error.CODE == 401 or kind == "AccessDeniedException":
        return 401, {**headers, "WWW-Authenticate": "Bearer"}, json.dumps(NOT_AUTHENTICATED).encode()
    if error.CODE == 403 and kind == "UnauthorizedException":
        # An unknown route or method (MISSING_AUTHENTICATION_TOKEN): chalice's message quotes the
        # Authorization header, a session token; never repeat it.
        return 404, headers, json.dumps(NO_SUCH_ROUTE).encode()
    try:
        message = json.loads(error.body or b"{}").get("message") or "Request refused."
    except ValueError:
        message = "Request refused."
    body = json.dumps({"error": {"code": "gateway_rejected", "message": message, "details": []}}).encode()
    return error.CODE, headers, body
