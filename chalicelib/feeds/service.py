"""Intake of one queue body: archive raw, split, identify, record once or quarantine."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit import service as audit
from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.feeds.domain import (
    Decision,
    Envelope,
    FeedFormat,
    FeedMessage,
    FeedStatus,
    IntakeResult,
    QuarantinedPart,
    Unfileable,
    part_key,
)
from chalicelib.feeds.envelope import msh_segments, read_messages
from chalicelib.feeds.stores import FeedMessages


class Archive(Protocol):
    bucket: str

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None: ...

    def get(self, key: str) -> bytes: ...


class Filer(Protocol):
    def __call__(self, envelope: Envelope, message_key: str) -> Any:
        """File one accepted message; raises Unreadable when it cannot be filed (quarantine). What
        it returns may name the parts it left out (``quarantined``: QuarantinedPart)."""
        ...


CLAIM_CHECK_PREFIX = "claim-checks/"


def _resolve_claim_check(raw: bytes, archive: Archive) -> tuple[bytes, str]:
    """A message too large for SQS (256 KiB) comes as a claim check, {"s3": {"bucket", "key"}},
    naming an object the sender put in the feed archive bucket under claim-checks/. Returns the
    message itself (to archive, hash and read as if it had come on the queue), or the claim and
    the reason it cannot be followed. Only that bucket and prefix: a claim check must not make
    the portal read whatever a sender names."""
    if len(raw) > 4096 or not raw.lstrip().startswith(b"{"):
        return raw, ""
    try:
        claim = json.loads(raw)
    except ValueError:
        return raw, ""
    if not (isinstance(claim, dict) and set(claim) == {"s3"}):
        return raw, ""
    pointer = claim["s3"]
    if not (
        isinstance(pointer, dict)
        and set(pointer) == {"bucket", "key"}
        and all(isinstance(v, str) for v in pointer.values())
    ):
        return raw, 'A claim check is {"s3": {"bucket", "key"}}.'
    if (
        pointer["bucket"] != getattr(archive, "bucket", None)
        or not pointer["key"].startswith(CLAIM_CHECK_PREFIX)
        or ".." in pointer["key"]
    ):
        return raw, f"A claim check must name the feed archive bucket and a key under {CLAIM_CHECK_PREFIX}."
    try:
        return archive.get(pointer["key"]), ""
    except NotFound:
        return raw, "The claim check names an object that does not exist."


def _filed_but(parts: tuple[QuarantinedPart, ...]) -> str:
    if not parts:
        return ""
    if len(parts) == 1:
        return "Filed, but for 1 part quarantined on its own."
    return f"Filed, but for {len(parts)} parts quarantined on their own."


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FEED_INTAKE = Actor(account_id="system:clinical-feed", role="system")


def receive(
    raw: bytes,
    *,
    archive: Archive,
    messages: FeedMessages,
    sender_hint: str = "",
    received_at: datetime,
    filer: Filer | None = None,
    decided: Callable[[Decision], None] | None = None,
) -> list[tuple[IntakeResult, str]]:
    """Take one queue body. Returns (result, record key) per message found in it.

    The raw body is archived first, under a key derived from its SHA-256, so nothing is lost
    whatever happens next and a redelivered body overwrites itself with the same bytes. Every
    record written (a write of PHI) is stored with its audit event in one transaction, so a retry
    after a failure can neither skip the event nor write it twice; a duplicate writes neither.
    A failure of S3 or DynamoDB raises, so the queue redelivers the body (and, after
    maxReceiveCount, parks it on the dead-letter queue).

    With a ``filer``, each accepted message is then filed and its record marked FILED, or
    QUARANTINED with the filer's reason. A message recorded but not yet filed (a failure in
    between) is filed when the body comes again; filing is idempotent.

    ``decided`` hears of each decision once it is recorded, a duplicate's included (what was
    decided the first time), to answer the sender (chalicelib.feeds.acks).
    """
    raw, claim_problem = _resolve_claim_check(raw, archive)
    body_sha = sha256_hex(raw)
    archive_key = f"inbound/{received_at:%Y/%m/%d}/{body_sha}"
    archive.put(archive_key, raw, "application/octet-stream", {"sha256": body_sha})

    def tell(key: str, status: FeedStatus, reason: str, format: FeedFormat, header: str, sender: str = "") -> None:
        if decided is not None:
            decided(Decision(key, status, reason, format, header, sender, sender_hint))

    def quarantine(
        reason: str,
        sha: str,
        format: FeedFormat,
        message_type: str = "",
        sender: str = "",
        control_id: str = "",
        headers: list[str] | None = None,
    ) -> tuple[IntakeResult, str]:
        record = FeedMessage(
            key=f"quarantine|{sha}",
            sha256=sha,
            format=format,
            message_type=message_type,
            sender=sender,
            control_id=control_id,
            status=FeedStatus.QUARANTINED,
            reason=reason,
            archive_key=archive_key,
            received_at=received_at,
        )
        messages.add(record, written(record, Outcome.FAILURE, "quarantined"))  # same bytes twice: one record
        for header in headers or [""]:
            tell(record.key, FeedStatus.QUARANTINED, reason, format, header, sender)
        return IntakeResult.QUARANTINED, record.key

    def written(record: FeedMessage, outcome: Outcome, reason: str = "") -> AuditEvent:
        return audit.new_event(
            actor=FEED_INTAKE,
            action=Action.CREATE,
            event_type="feed.message.received",
            outcome=outcome,
            resource_type="FeedMessage",
            resource_id=record.key,
            reason=reason,
            recorded_at=received_at,
        )

    def file(envelope: Envelope, key: str) -> tuple[IntakeResult, str]:
        if filer is None:
            return IntakeResult.ACCEPTED, key
        from chalicelib.records.domain import PossibleMismatch, Unreadable

        try:
            filed = filer(envelope, key)
        except PossibleMismatch as error:
            # Nothing of this patient was filed or overwritten: staff decide (filing/holds.py).
            messages.hold(key, str(error), error.patient_id)
            tell(key, FeedStatus.HELD, str(error), envelope.format, envelope.header, envelope.sender)
            return IntakeResult.HELD, key
        except Unreadable as error:
            messages.mark(key, FeedStatus.QUARANTINED, str(error))
            tell(key, FeedStatus.QUARANTINED, str(error), envelope.format, envelope.header, envelope.sender)
            return IntakeResult.QUARANTINED, key
        except (DependencyUnavailable, Conflict):
            raise  # a dependency or a race: the queue delivers the body again
        except Exception as error:  # last resort: a message our code cannot file must not stall its sender
            from chalicelib.observability import log_exception

            # Retrying would fail the same way five times, holding back the sender's FIFO group
            # for half an hour, then park the body on the DLQ where staff cannot see it. In
            # quarantine it waits, visible, for the fix and a replay (the alarm on quarantines
            # tells the on-call engineer; the log has the error by its id, without values).
            error_id = log_exception("feed filing", error)
            reason = f"The portal could not file this message (error id {error_id}); replay it once fixed."
            messages.mark(key, FeedStatus.QUARANTINED, reason)
            tell(key, FeedStatus.QUARANTINED, reason, envelope.format, envelope.header, envelope.sender)
            return IntakeResult.QUARANTINED, key
        parts = tuple(getattr(filed, "quarantined", ()))
        for part in parts:
            quarantine_part(envelope, key, part)
        messages.mark(key, FeedStatus.FILED, _filed_but(parts))
        tell(key, FeedStatus.FILED, "", envelope.format, envelope.header, envelope.sender)
        return IntakeResult.FILED, key

    def quarantine_part(envelope: Envelope, key: str, part: QuarantinedPart) -> None:
        """A part of a filed message (a batch Bundle's patient or entry) on a record of its own, so
        staff see it beside the whole messages in quarantine; a redelivery writes it once."""
        record = FeedMessage(
            key=part_key(key, part.part),
            sha256=sha256_hex(envelope.text.encode("utf-8")),
            format=envelope.format,
            message_type=envelope.message_type,
            sender=envelope.sender,
            control_id=envelope.control_id,
            status=FeedStatus.QUARANTINED,
            reason=f"Only this part of the message was not filed: {part.where}. {part.reason}",
            archive_key=archive_key,
            received_at=received_at,
        )
        messages.add(record, written(record, Outcome.FAILURE, "quarantined"))

    if claim_problem:
        return [quarantine(claim_problem, body_sha, FeedFormat.UNKNOWN)]
    try:
        found = read_messages(raw, sender_hint)
    except Unfileable as error:
        # Refused as a whole: each message in it that has an MSH is answered all the same.
        headers = msh_segments(raw) if error.format is not FeedFormat.FHIR else []
        return [
            quarantine(
                error.reason, body_sha, error.format, error.message_type, error.sender, error.control_id, headers
            )
        ]

    results = []
    for envelope in found:
        if isinstance(envelope, Unfileable):  # one message of a batch
            results.append(
                quarantine(
                    envelope.reason,
                    sha256_hex(envelope.text.encode("utf-8")),
                    envelope.format,
                    envelope.message_type,
                    envelope.sender,
                    envelope.control_id,
                    [envelope.text.split("\r", 1)[0]],
                )
            )
            continue
        sha = sha256_hex(envelope.text.encode("utf-8"))
        record = FeedMessage(
            key=f"{envelope.sender}|{envelope.control_id}",
            sha256=sha,
            format=envelope.format,
            message_type=envelope.message_type,
            sender=envelope.sender,
            control_id=envelope.control_id,
            status=FeedStatus.ACCEPTED,
            reason="",
            archive_key=archive_key,
            received_at=received_at,
        )
        if messages.add(record, written(record, Outcome.SUCCESS)):
            results.append(file(envelope, record.key))
            continue
        existing = messages.get(record.key)
        if (
            filer is not None
            and existing is not None
            and existing.sha256 == sha
            and existing.status is FeedStatus.ACCEPTED
        ):
            results.append(file(envelope, record.key))  # recorded by an earlier delivery, never filed
        elif existing is not None and existing.sha256 == sha:
            results.append((IntakeResult.DUPLICATE, record.key))
            tell(record.key, existing.status, existing.reason, envelope.format, envelope.header, envelope.sender)
        else:
            results.append(
                quarantine(
                    "The control id was already used by this sender for a different message.",
                    sha,
                    envelope.format,
                    envelope.message_type,
                    envelope.sender,
                    envelope.control_id,
                    [envelope.header],
                )
            )
    return results
