"""Staff look after the feed's quarantine: what could not be filed and why,
put a message back through the pipeline once its cause is fixed (a feed source registered, say),
or dismiss it. A replay re-sends the archived body to the inbound queue, so it is filed by the
very path that refused it, with the same idempotency: the API never files records itself.

Staff and admins see only the quarantined messages of their organization's senders. One no
organization owns (an unregistered sender, a body that could not be identified) is the operator's:
shown to an organization, it would let that organization's admin register the sender and replay
another hospital's patients into their own charts. To everyone else it is absent (404).

A part of a batch Bundle (a patient, or an entry, that could not be filed while the rest of the
Bundle was) has a record of its own: staff see why, and dismiss it once the sender has sent the
corrected entries again in a new Bundle. It is never replayed: the Bundle it came in was filed."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.feeds.domain import PART_PREFIX, Envelope, FeedFormat, FeedMessage, FeedStatus
from chalicelib.feeds.stores import FeedMessages, FeedSources
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.ports import ObjectStore, Queue


class QuarantinePorts(AuditPorts, Protocol):
    """The quarantined messages and their archived bodies, the feed sources that say whose they
    are, and the inbound queue a replay puts a body back on."""

    @property
    def feed_messages(self) -> FeedMessages: ...

    @property
    def feed_archive(self) -> ObjectStore: ...

    @property
    def records(self) -> FeedSources: ...

    @property
    def clinical_inbound_queue(self) -> Queue: ...


# A body on its last receive before the inbound dead-letter queue (maxReceiveCount in
# infra/template.yaml; a test checks they agree) gets a quarantine entry of its own, keyed by the
# body's SHA-256, so staff and admins see it waiting; the operator's redrive closes it.
INBOUND_MAX_RECEIVES = 5
DEAD_LETTER_PREFIX = "dead-letter|"


class DeadLetterPorts(Protocol):
    @property
    def feed_messages(self) -> FeedMessages: ...


def dead_lettered(ports: DeadLetterPorts, raw: bytes, sender_hint: str, tries: int, now: datetime) -> None:
    """The entry of a body that failed its last try and goes to the dead-letter queue next: its
    sender, type and control id where its first message is readable, and the reason in words.
    Not replayable (its body may never have reached the archive): the redrive sends it again."""
    from chalicelib.audit import service as audit
    from chalicelib.audit.domain import Outcome
    from chalicelib.feeds.envelope import read_messages
    from chalicelib.feeds.service import FEED_INTAKE, sha256_hex

    try:
        readable = [m for m in read_messages(raw, sender_hint) if isinstance(m, Envelope)]
    except Exception:  # a body intake cannot even split is listed all the same, by its hash
        readable = []
    first = readable[0] if readable else None
    sha = sha256_hex(raw)
    record = FeedMessage(
        key=DEAD_LETTER_PREFIX + sha,
        sha256=sha,
        format=first.format if first else FeedFormat.UNKNOWN,
        message_type=first.message_type if first else "",
        sender=(first.sender if first else "") or sender_hint,
        control_id=first.control_id if first else "",
        status=FeedStatus.QUARANTINED,
        reason=f"Waits on the dead-letter queue after {tries} failed tries; it is filed once the operator redrives it.",
        archive_key="",
        received_at=now,
    )
    event = audit.new_event(
        actor=FEED_INTAKE,
        action=Action.CREATE,
        event_type="feed.message.dead_lettered",
        outcome=Outcome.FAILURE,
        resource_type="FeedMessage",
        resource_id=record.key,
        reason="dead_letter",
        recorded_at=now,
    )
    ports.feed_messages.add(record, event)


def redriven(ports: DeadLetterPorts, raw: bytes) -> bool:
    """The body is back on the inbound queue: its dead-letter entry leaves the quarantine."""
    from chalicelib.feeds.service import sha256_hex

    return ports.feed_messages.move(DEAD_LETTER_PREFIX + sha256_hex(raw), FeedStatus.QUARANTINED, FeedStatus.DISMISSED)


def quarantine_id(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def message_key(item_id: str) -> str:
    try:
        return base64.urlsafe_b64decode(item_id + "=" * (-len(item_id) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise NotFound("No such quarantined message.") from None


def _visible(ports: QuarantinePorts, caller: Caller, message: FeedMessage, owners: dict[str, str]) -> bool:
    if message.sender not in owners:
        source = ports.records.feed_source(message.sender) if message.sender else None
        owners[message.sender] = source.organization_id if source else ""
    owner = owners[message.sender]
    return bool(owner) and owner == caller.organization_id


def list_quarantined(
    ports: QuarantinePorts, caller: Caller, origin: Origin, limit: int, after: str = ""
) -> dict[str, Any]:
    # Read by the organization's key; each is still checked against its sender's owner now (a
    # registration that changed since is mended by the store, but the check costs one lookup).
    messages, cursor = ports.feed_messages.in_status(
        FeedStatus.QUARANTINED, limit, after, organization_id=caller.organization_id
    )
    owners: dict[str, str] = {}
    shown = [m for m in messages if _visible(ports, caller, m, owners)]
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "feed.quarantine.list",
        action=Action.READ,
        resource_type="FeedMessage",
        reason=f"count:{len(shown)}",
    )
    # Metadata only: the reason names fields and rules, never values; the body stays archived.
    return {
        "messages": [
            {
                "id": quarantine_id(m.key),
                "sender": m.sender or None,
                "control_id": m.control_id or None,
                "message_type": m.message_type or None,
                "format": m.format.value,
                "reason": m.reason,
                "received_at": iso(m.received_at),
                "replayable": not m.key.startswith(("quarantine|", PART_PREFIX, DEAD_LETTER_PREFIX)),
            }
            for m in shown
        ],
        "next_cursor": cursor or None,
    }


def _quarantined(ports: QuarantinePorts, caller: Caller, item_id: str) -> FeedMessage:
    message = ports.feed_messages.get(message_key(item_id))
    if message is None or message.status is not FeedStatus.QUARANTINED or not _visible(ports, caller, message, {}):
        raise NotFound("No such quarantined message.")
    return message


def replay(ports: QuarantinePorts, caller: Caller, origin: Origin, item_id: str) -> dict[str, Any]:
    message = _quarantined(ports, caller, item_id)
    if message.key.startswith("quarantine|"):
        raise Conflict(
            "This message could not be identified (no sender or control id): it cannot be replayed. "
            "Ask the sender to fix it and send it again."
        )
    if message.key.startswith(PART_PREFIX):
        raise Conflict(
            "This is the part of a message that was not filed; the rest of the message was. It cannot "
            "be replayed: ask the sender to send the corrected entries in a new Bundle, then dismiss it."
        )
    body = ports.feed_archive.get(message.archive_key)
    # Accepted again first: intake files a recorded message that is "accepted" and still the same
    # bytes, and treats one in quarantine as a duplicate.
    if not ports.feed_messages.move(message.key, FeedStatus.QUARANTINED, FeedStatus.ACCEPTED):
        raise Conflict("The message left quarantine meanwhile.")
    try:
        send_back(ports, message, body, "replay")
    except DependencyUnavailable:
        ports.feed_messages.move(message.key, FeedStatus.ACCEPTED, FeedStatus.QUARANTINED)  # as it was
        raise
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "feed.message.replayed",
        action=Action.EXECUTE,
        resource_type="FeedMessage",
        resource_id=message.key,
    )
    return {"id": item_id, "status": "replayed"}


def dismiss(ports: QuarantinePorts, caller: Caller, origin: Origin, item_id: str) -> dict[str, Any]:
    message = _quarantined(ports, caller, item_id)
    if not ports.feed_messages.move(message.key, FeedStatus.QUARANTINED, FeedStatus.DISMISSED):
        raise Conflict("The message left quarantine meanwhile.")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "feed.message.dismissed",
        action=Action.UPDATE,
        resource_type="FeedMessage",
        resource_id=message.key,
    )
    return {"id": item_id, "status": "dismissed"}


def send_back(ports: QuarantinePorts, message: FeedMessage, body: bytes, why: str) -> None:
    """A recorded message's archived body back on the inbound queue, in its sender's group, to be
    filed by the very path that first took it (a replay, a staff decision on a held message)."""
    ports.clinical_inbound_queue.send_raw(
        body.decode("utf-8", errors="replace"),
        group_id=_group(message.sender),
        deduplication_id=f"{why}-{uuid.uuid4().hex}",
        attributes={"sender": message.sender},
    )


def _group(sender: str) -> str:
    """A FIFO message group id (1 to 128 of letters, digits and punctuation) for the sender."""
    return (re.sub(r"[^A-Za-z0-9!-/:-@\[-`{-~]", "_", sender) or "replay")[:128]
