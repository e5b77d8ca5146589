from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.dev.mailbox import fetch_emails, render_page
from chalicelib.http.routing import Access, route

dev_routes = Blueprint(__name__)


@route(dev_routes, "/dev/mailbox", access=Access.LOCAL_DEV)
def mailbox() -> Response:
    emails = fetch_emails(wiring.container().settings.aws_endpoint_url)
    request = dev_routes.current_request
    query: Mapping[str, str] = request.query_params or {}
    if query.get("format") == "json":
        return Response(body={"emails": [asdict(email) for email in emails]})
    return Response(
        body=render_page(emails),
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        },
    )
