"""Asking for an email: a service puts a notification request on the notifications queue, and the
notifications consumer renders and sends it once per notification id."""

from __future__ import annotations

import uuid
from typing import Protocol

from chalicelib.kernel.ports import Queue


class NotifyPorts(Protocol):
    @property
    def notifications_queue(self) -> Queue: ...


def notify(ports: NotifyPorts, template: str, to_address: str, notification_id: str = "", **params: str) -> None:
    """Queue one email to ``to_address`` (nothing when there is no address). ``params`` fill the
    template's fixed slots; empty ones are left out."""
    if not to_address:
        return
    ports.notifications_queue.send(
        {
            "notification_id": notification_id or uuid.uuid4().hex,
            "template": template,
            "to_address": to_address,
            **{k: v for k, v in params.items() if v},
        }
    )
