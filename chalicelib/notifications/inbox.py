"""The portal inbox: what the portal told the signed-in account, newest first, and marking it
read. An account reaches its own inbox only: the partition is the caller's account, never a
parameter, so another account's notification id answers 404 like one that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.domain import NOTIFICATION_ID, InboxItem
from chalicelib.notifications.stores import Inbox

MARK_ALL_AT_ONCE = 100  # one call marks at most this many; "unread_left" says to call again


class InboxPorts(AuditPorts, Protocol):
    """The accounts' inboxes, and the audit trail of their reading."""

    @property
    def inbox(self) -> Inbox: ...


def item_json(item: InboxItem) -> dict[str, Any]:
    return {
        "notification_id": item.notification_id,
        "template": item.template,
        "title": item.title,
        "created_at": iso(item.created_at),
        "read_at": iso(item.read_at) if item.read_at else None,
    }


def list_notifications(
    ports: InboxPorts, caller: Caller, origin: Origin, limit: int, after: str = ""
) -> dict[str, Any]:
    items, cursor = ports.inbox.page(caller.account_id, limit, after)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "notifications.list",
        action=Action.READ,
        resource_type="Communication",
        reason=f"count:{len(items)}",
    )
    return {
        "notifications": [item_json(item) for item in items],
        "unread_count": sum(1 for item in items if item.read_at is None),
        "next_cursor": cursor or None,
    }


def mark_read(ports: InboxPorts, caller: Caller, notification_id: str, now: datetime) -> dict[str, Any]:
    item = (
        ports.inbox.mark_read(caller.account_id, notification_id, now)
        if NOTIFICATION_ID.fullmatch(notification_id or "")
        else None
    )
    if item is None:
        raise NotFound("No such notification.")
    return item_json(item)


def mark_all_read(ports: InboxPorts, caller: Caller, now: datetime) -> dict[str, Any]:
    marked, more = ports.inbox.mark_all_read(caller.account_id, now, MARK_ALL_AT_ONCE)
    return {"marked": marked, "unread_left": more}
