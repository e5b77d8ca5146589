from __future__ import annotations

from dataclasses import asdict

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.dev.clock import move
from chalicelib.dev.contract import ClockMove, ClockNow, MailboxPage, MailboxQuery
from chalicelib.dev.mailbox import read_page, render_page, sent_messages
from chalicelib.http.routing import Access, route
from chalicelib.kernel.clock import iso

dev_routes = Blueprint(__name__)


@route(
    dev_routes,
    "/dev/mailbox",
    access=Access.LOCAL_DEV,
    query=MailboxQuery,
    responses={200: MailboxPage},
    media={200: {"application/json": {"$ref": "#/components/schemas/MailboxPage"}, "text/html": {"type": "string"}}},
)
def mailbox(query: MailboxQuery) -> Response:
    """Every email the local stack sent, newest first, with its links (local stack only)."""
    page = read_page(sent_messages(wiring.container().settings.region), query.limit, query.cursor)
    if query.format == "json":
        emails = [asdict(email) for email in page.emails]
        return Response(body={"emails": emails, "total": page.total, "next_cursor": page.next_cursor or None})
    return Response(
        body=render_page(page),
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        },
    )


@route(dev_routes, "/dev/clock", access=Access.LOCAL_DEV, responses={200: ClockNow}, errors=(404,))
def clock_now() -> dict:
    """What the local stack thinks is now (local stack only)."""
    return {"now": iso(wiring.container().clock.now())}


@route(
    dev_routes,
    "/dev/clock",
    access=Access.LOCAL_DEV,
    methods=("POST",),
    body=ClockMove,
    responses={200: ClockNow},
    errors=(404,),
)
def clock_move(body: ClockMove) -> dict:
    """Move the local stack's clock forward: the API's time and the timers' waits (local stack only).

    Body: `{"advance_minutes": n}` or `{"set": iso}`. Timers whose moment it passes fire at once.
    A session idle past its timeout on the new clock ends: sign in again."""
    moved_to = move(wiring.pinned_clock(), advance_minutes=body.advance_minutes, to=body.set)
    return {"now": iso(moved_to)}
