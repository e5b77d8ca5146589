"""The signed-in account's notifications in the portal (its inbox): GET /v1/me/notifications."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.notifications import inbox
from chalicelib.notifications.contract import (
    DeadLetters,
    InboxPageQuery,
    MarkedAllRead,
    Notification,
    NotificationPage,
)

notification_routes = Blueprint(__name__)
# What the operator runs (docs/runbooks.md); "make redrive" on the local stack.
REDRIVE_COMMAND = "python -m infra.admin redrive --stack <stack> --queue all"


def _caller():
    return signed_in_caller(notification_routes.current_request)


@route(
    notification_routes,
    "/v1/me/notifications",
    access=Access.SIGNED_IN,
    query=InboxPageQuery,
    responses={200: NotificationPage},
)
def list_notifications(query: InboxPageQuery):
    """The account's notifications in the portal, newest first."""
    request = notification_routes.current_request
    return inbox.list_notifications(wiring.container(), _caller(), origin_of(request), query.limit, query.cursor)


@route(
    notification_routes,
    "/v1/me/notifications/read-all",
    access=Access.SIGNED_IN,
    methods=("POST",),
    responses={200: MarkedAllRead},
)
def mark_all_read():
    """Mark the account's notifications read (at most 100 a call: `unread_left` says to call again)."""
    return inbox.mark_all_read(wiring.container(), _caller(), wiring.container().clock.now())


@route(
    notification_routes,
    "/v1/me/notifications/{notification_id}/read",
    access=Access.SIGNED_IN,
    methods=("POST",),
    responses={200: Notification},
)
def mark_read(notification_id: str):
    """Mark one notification read."""
    return inbox.mark_read(wiring.container(), _caller(), notification_id, wiring.container().clock.now())


@route(
    notification_routes,
    "/v1/admin/dead-letters",
    access=Access.ADMIN,
    responses={200: DeadLetters},
)
def dead_letter_counts():
    """How many messages wait on each dead-letter queue of the deployment (and which kinds of
    notification), in counts only: no address, body or patient. An operator moves them back with
    `redrive_command` once the cause is fixed."""
    from chalicelib.adapters import dead_letters
    from chalicelib.audit.domain import Action
    from chalicelib.audit.trail import caller_actor, write_audit

    container = wiring.container()
    request = notification_routes.current_request
    # (not the acknowledgements' queue: it is the senders' to read, and the API's role never reaches it)
    queues = dead_letters.counts(container.client("sqs"), container.settings, ["notifications", "inbound", "outbound"])
    write_audit(container, origin_of(request), caller_actor(_caller()), "dead_letters.read", action=Action.READ)
    return {
        "queues": [
            {
                "queue": q.queue,
                "waiting": q.waiting,
                "kinds": [{"kind": kind, "count": n} for kind, n in sorted(q.kinds.items())],
            }
            for q in queues
        ],
        "redrive_command": REDRIVE_COMMAND,
    }
