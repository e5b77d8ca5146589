"""A notification's parameters cross the queue sealed.

What a template fills in is a secret, or close to one: an invitation code, the token of a
password-reset, set-up or email-confirmation link, a sign-in code, a user name. Requests wait on
the notifications queue (up to 4 days) and on its dead-letter queue (14 days), where whoever may
read a queue (an operator draining dead letters, a copy of a message in a ticket) would hold a
working code. So the producer encrypts the parameters with the stack's KMS key, and the consumer
opens them just before rendering the email: on the queue there is only ciphertext.

The encryption context names the purpose, the notification id and the template, so a sealed value
moved onto another request or template does not open. The address it is for travels inside it
(an address in the context would be written, in clear, into CloudTrail), and must match the
request's, so nobody who can write to the queue can have a stolen sealed link emailed to them.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.kernel.ports import DoesNotOpen, Keys
from chalicelib.notifications.domain import NOTIFICATION_ID, PARAMS, TEMPLATES

SEALED = "sealed"  # the message field that carries the parameters, encrypted (base64)
PURPOSE = "notification-parameters"
# Far above a sealed set of parameters (a few hundred characters), far below a queue message.
_MAX_SEALED = 8192


def _context(notification_id: str, template: str) -> dict[str, str]:
    return {"purpose": PURPOSE, "notification_id": notification_id, "template": template}


def seal(keys: Keys, message: dict[str, str]) -> dict[str, str]:
    """The message as it goes on the queue: its parameters, if any, replaced by ``sealed``."""
    params = {name: message[name] for name in PARAMS if name in message}
    if not params:
        return dict(message)  # nothing secret: no call to KMS
    inside = {"to": message.get("to_address", ""), "params": params}
    ciphertext = keys.encrypt(
        json.dumps(inside, separators=(",", ":")).encode(), _context(message["notification_id"], message["template"])
    )
    others = {name: value for name, value in message.items() if name not in params}
    return {**others, SEALED: base64.b64encode(ciphertext).decode("ascii")}


def unseal(keys: Keys, message: Any) -> Any:
    """The message as its producer wrote it, its parameters opened. Anything that is not a JSON
    object comes back as it is, for NotificationRequest.from_message to refuse.

    Refused (ValidationFailed): a parameter in clear (every producer seals, so one in clear was
    not written by the portal), and a sealed value that does not open for this notification id,
    template and address."""
    if not isinstance(message, dict):
        return message
    in_clear = sorted(name for name in PARAMS if name in message)
    if in_clear:
        raise _refused(",".join(in_clear), "parameters travel sealed, never in clear")
    if SEALED not in message:
        return message
    sealed, notification_id, template = message[SEALED], message.get("notification_id"), message.get("template")
    if not (
        isinstance(notification_id, str)
        and NOTIFICATION_ID.fullmatch(notification_id)
        and isinstance(template, str)
        and template in TEMPLATES
    ):
        # (the context is made of these two: they must be valid before anything goes to KMS)
        raise _refused("sealed", "opens only with a valid notification_id and template")
    try:
        if not isinstance(sealed, str) or len(sealed) > _MAX_SEALED:
            raise ValueError
        ciphertext = base64.b64decode(sealed, validate=True)
    except (ValueError, binascii.Error):
        raise _refused("sealed", "not a sealed value") from None
    try:
        opened = _opened(keys.decrypt(ciphertext, _context(notification_id, template)))
    except DoesNotOpen:  # altered, or moved onto another notification or template
        raise _refused("sealed", "does not open for this notification") from None
    if opened["to"] != message.get("to_address", ""):
        raise _refused("to_address", "not the address the parameters were sealed for")
    return {**{name: value for name, value in message.items() if name != SEALED}, **opened["params"]}


def _opened(plaintext: bytes) -> dict[str, Any]:
    try:
        opened = json.loads(plaintext)
    except ValueError:
        opened = None
    if not (
        isinstance(opened, dict)
        and isinstance(opened.get("to"), str)
        and isinstance(opened.get("params"), dict)
        and all(name in PARAMS and isinstance(value, str) for name, value in opened["params"].items())
    ):
        raise _refused("sealed", "not a sealed set of parameters")
    return opened


def _refused(field: str, issue: str) -> ValidationFailed:
    return ValidationFailed("The notification request is not valid.", [{"field": field, "issue": issue}])
