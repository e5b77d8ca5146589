from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.dev.mailbox import DEFAULT_PAGE, LARGEST_PAGE, read_page, render_page, sent_messages
from chalicelib.http.routing import Access, route
from chalicelib.kernel.paging import page_limit

dev_routes = Blueprint(__name__)


@route(dev_routes, "/dev/mailbox", access=Access.LOCAL_DEV)
def mailbox() -> Response:
    query: Mapping[str, str] = dev_routes.current_request.query_params or {}
    limit = page_limit(dict(query), default=DEFAULT_PAGE, maximum=LARGEST_PAGE)
    page = read_page(sent_messages(wiring.container().settings.region), limit, query.get("cursor", ""))
    if query.get("format") == "json":
        emails = [asdict(email) for email in page.emails]
        return Response(body={"emails": emails, "total": page.total, "next_cursor": page.next_cursor or None})
    return Response(
        body=render_page(page),
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        },
    )
