"""The API on the local stack: chalice's local server, with two changes that make it behave like
the deployed portal.

- One request at a time, shared with the SQS pollers (``DISPATCH_LOCK``). In Lambda every
  invocation has its process to itself; chalice keeps ``current_request`` and the Powertools
  logger keeps its keys in process globals, so concurrent threads would read each other's.
- Requests chalice's gateway refuses itself (unknown route or method, no or a denied session)
  answer in the portal's error shape, as the deployed API Gateway does through the gateway
  responses of infra/template.yaml (infra/local/gateway.py).

And one the deployed portal gets from API Gateway's own host name: a request whose Host is not
one of the stack's names gets 421 before the app sees it (infra/local/hosts.py: DNS rebinding).

It also serves the web portal's build beside the API, as CloudFront will in AWS: a GET or HEAD
outside /v1/ and /dev/ is answered from web/dist, never by the app (infra/local/web.py).
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from chalice import local
from chalice.local import ChaliceRequestHandler, LocalDevServer, LocalGatewayException

from chalicelib.http.envelope import SECURITY_HEADERS
from infra.local import web
from infra.local.gateway import PortalGateway, gateway_answer
from infra.local.hosts import REFUSAL_BODY, REFUSAL_HEADERS, REFUSAL_REASON, REFUSAL_STATUS, HostGuard

DISPATCH_LOCK = threading.Lock()
# API Gateway refuses a request body over 10 MB (its payload quota) with 413 before the function
# runs; the local stack does the same, so a client meets one limit wherever it runs.
GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024
TOO_LARGE = {"error": {"code": "gateway_rejected", "message": "Request Too Long", "details": []}}


def _declared_length(value: str | None) -> int:
    return int(value) if value and value.strip().isdigit() else 0


class PortalRequestHandler(ChaliceRequestHandler):
    timeout = 30  # a client that stalls while sending its request cannot hold a thread for ever
    host_guard: HostGuard  # set by create_api_server, on a subclass made for the server
    web_root: Path | None = None  # the web portal's build; None serves the API alone

    def __init__(self, request, client_address, server, app_object, config) -> None:
        # chalice's own __init__, with the portal's gateway (set first: the base class's
        # __init__ handles the request at once)
        self.local_gateway = PortalGateway(app_object, config)
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def _generic_handle(self) -> None:
        # chalice's own method, with the lock around the app alone: reading the request and
        # writing the response happen outside it, so a slow client holds up nobody else.
        if not self.host_guard.allows(self.headers.get("Host")):
            self._refuse_host()
            return
        if self.web_root is not None and self.command in ("GET", "HEAD") and not web.is_api_path(self.path):
            self._send_web(web.answer(self.web_root, self.path))
            return
        if _declared_length(self.headers.get("Content-Length")) > GATEWAY_MAX_BODY_BYTES:
            self._refuse_too_large()
            return
        headers, body = self._parse_payload()
        try:
            with DISPATCH_LOCK:
                response = self.local_gateway.handle_request(
                    method=self.command, path=self.path, headers=headers, body=body
                )
            headers = {**response["headers"], **response["multiValueHeaders"]}
            response = self._handle_binary(response)
            self._send_http_response(response["statusCode"], headers, response["body"])
        except LocalGatewayException as error:
            self._send_error_response(error)

    # chalice binds these to its own _generic_handle when its class is made; bind them to ours.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle

    def _send_error_response(self, error: LocalGatewayException) -> None:
        status, headers, body = gateway_answer(error)
        self._send_http_response(status, headers, body)

    def _send_web(self, answer: web.WebAnswer) -> None:
        self.send_response(answer.status)
        for name, value in (*answer.headers.items(), ("Content-Length", str(len(answer.body)))):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    def _refuse_too_large(self) -> None:
        # As API Gateway does, before the function runs; the body is left unread (connection closed).
        self.close_connection = True
        body = json.dumps(TOO_LARGE).encode()
        self._send_http_response(
            413, {"Content-Type": "application/json", "Connection": "close", **SECURITY_HEADERS}, body
        )

    def _refuse_host(self) -> None:
        # The body of the request is left unread, so the connection closes after the answer.
        self.close_connection = True
        self.send_response(REFUSAL_STATUS, REFUSAL_REASON)
        for name, value in (*REFUSAL_HEADERS, ("Content-Length", str(len(REFUSAL_BODY))), ("Connection", "close")):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(REFUSAL_BODY)


def create_api_server(
    factory, host: str, port: int, stage: str, guard: HostGuard, web_root: Path | None = None
) -> LocalDevServer:
    """chalice.cli.create_local_server, with the portal's request handler answering for ``guard``'s
    host names only, and serving the web portal's build in ``web_root`` beside the API."""
    from chalice.deploy.validate import validate_routes

    config = factory.create_config_obj(chalice_stage_name=stage)
    app_obj = config.chalice_app
    validate_routes(app_obj.routes)
    local.CustomLocalChalice.__bases__ = (local.LocalChalice, app_obj.__class__)
    app_obj.__class__ = local.CustomLocalChalice
    handler = type("GuardedPortalRequestHandler", (PortalRequestHandler,), {"host_guard": guard, "web_root": web_root})
    return LocalDevServer(app_obj, config, host, port, handler_cls=handler)
