"""What API Gateway answers itself, locally: the twin of the GatewayResponses in
infra/template.yaml, used by the local API server and by the integration tests' client.

chalice's local gateway raises these for an unknown route (403 "Missing Authentication Token"),
which the deployed gateway answers with a fixed 404 not_found. (No route names a gateway
authorizer: a missing or ended session reaches the application, whose envelope answers 401 the
same way locally and deployed. A known path with a method it does not have reaches the
application under chalice, which answers that same 404: chalicelib/http/envelope.py.
OPTIONS is the one method chalice's gateway would answer itself, for any path: PortalGateway
leaves it to the routes that declare it, as the deployed gateway does.) Every one of its
answers carries the app's security headers.
"""

from __future__ import annotations

import json

from chalice.local import ForbiddenError, LocalGateway, LocalGatewayException

from chalicelib.http.envelope import SECURITY_HEADERS, no_such_route

NO_SUCH_ROUTE = no_such_route()  # one answer with the application's, for a wrong method


def gateway_answer(error: LocalGatewayException) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) as the deployed gateway would send them."""
    headers = {**(error.headers or {}), "Content-Type": "application/json", **SECURITY_HEADERS}
    kind = (error.headers or {}).get("x-amzn-ErrorType", "")
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


class PortalGateway(LocalGateway):
    """chalice's local gateway without the CORS preflight answer it makes up for every path.

    The deployed API has an OPTIONS method only where a route declares one or enables CORS (every
    portal path declares one, for CORS: chalicelib/http/cors.py); elsewhere OPTIONS is an unknown
    method, answered as an unknown route.
    """

    def handle_request(self, method, path, headers, body):
        if method == "OPTIONS" and not self._has_options(method, path, headers, body):
            raise ForbiddenError(
                {"x-amzn-ErrorType": "UnauthorizedException"}, b'{"message": "Missing Authentication Token"}'
            )
        return super().handle_request(method, path, headers, body)

    def _has_options(self, method, path, headers, body) -> bool:
        try:
            event = self._generate_lambda_event(method, path, headers, body)
        except ValueError:  # no such path: chalice refuses it as the gateway does
            return True
        views = self._app_object.routes[event["requestContext"]["resourcePath"]]
        return "OPTIONS" in views or any(view.cors for view in views.values())
