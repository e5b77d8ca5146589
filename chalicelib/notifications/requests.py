"""Asking for an email: a service puts a notification request on the notifications queue, and the
notifications consumer renders and sends it once per notification id. A request's parameters
(codes, link tokens, a user name) go on the queue sealed with the stack's key (sealing.py). Each
request queued gets its delivery record (deliveries.py), queued until the consumer says more."""

from __future__ import annotations

import uuid
from typing import Protocol

from chalicelib.kernel.clock import Clock
from chalicelib.kernel.ports import Keys, Queue
from chalicelib.notifications.deliveries import Deliveries, DeliveryState, note
from chalicelib.notifications.sealing import seal


class NotifyPorts(Protocol):
    @property
    def notifications_queue(self) -> Queue: ...

    @property
    def keys(self) -> Keys:
        """The stack's key: a request's parameters are sealed with it before they are queued."""
        ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def clock(self) -> Clock: ...


def notify(
    ports: NotifyPorts, template: str, to_address: str, notification_id: str = "", *, about: str = "", **params: str
) -> None:
    """Queue one email to ``to_address`` (nothing when there is no address). ``params`` fill the
    template's fixed slots; empty ones are left out. ``about``: whom it concerns
    (deliveries.about_patient / about_account), so staff see it among that patient's emails."""
    if not to_address:
        return
    notification_id = notification_id or uuid.uuid4().hex
    message = {
        "notification_id": notification_id,
        "template": template,
        "to_address": to_address,
        **{k: v for k, v in params.items() if v},
    }
    ports.notifications_queue.send(seal(ports.keys, message))
    queued_delivery(ports, notification_id, template, about)


def queued_delivery(ports: NotifyPorts, notification_id: str, template: str, about: str = "") -> None:
    """The request's delivery record, queued (after the send: a request that never reached the
    queue leaves no record saying it waits; the record never overwrites what the consumer wrote)."""
    note(
        lambda: ports.deliveries.queued(notification_id, template, ports.clock.now(), about),
        notification_id,
        DeliveryState.QUEUED.value,
    )
