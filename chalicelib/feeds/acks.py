"""Acknowledgements to HL7 v2 senders: every message intake decides about is answered on the
clinical acknowledgement queue (a FIFO queue; the message group is the sender), so a sender's
interface engine learns of a reject instead of assuming all went well.

The answer follows from the recorded decision, never from this delivery's luck: filed is AA,
quarantined while filing is AE, refused at intake (not HL7, a message type the portal does not
take, no control id ...) is AR, each with an ERR naming the field and rule; a duplicate gets the
answer its first delivery got. Enhanced mode (MSH-15, MSH-16) adds or drops the commit ACK
(CA/CR) and the application ACK as asked.

An ACK is sent only after its decision is recorded. When sending fails, the queue record fails
and comes back; intake then finds every message of it recorded (a duplicate: nothing is filed
twice) and answers again with the same ACK control id (derived from the record's key, the code
and the reason), which the queue's deduplication or the sender's engine recognises.

FHIR bodies get no HL7 ACK (an HL7 answer means nothing to a FHIR sender): their outcome stays
on the feed record, and a quarantined one reaches staff through the quarantine tools.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.feeds.domain import Decision, FeedFormat, FeedStatus
from chalicelib.interop.hl7v2.ack import Header, build_ack, is_acknowledgement, problem, read_header, wanted

# Who sends the answers: what an ACK of a body without any readable MSH names as its own system.
PORTAL_APPLICATION = "PATIENT-PORTAL"


class AckQueue(Protocol):
    def send_raw_batch(self, messages: list[tuple[str, str, str, dict[str, str]]]) -> None:
        """(body, group id, deduplication id, attributes) each, in order, to a FIFO queue."""
        ...


@dataclass(frozen=True)
class Ack:
    sender: str  # whose message it answers: the queue's message group and "sender" attribute
    code: str  # HL7 table 0008: AA, AE, AR, CA, CR
    control_id: str  # the ACK's own MSH-10
    acknowledges: str  # the original's MSH-10 (MSA-2)
    body: str  # the ACK in ER7, segments separated by carriage returns


def acks_for(decision: Decision, now: datetime) -> list[Ack]:
    """The acknowledgements a decision calls for (none for FHIR, or when the sender asked none)."""
    if decision.format is FeedFormat.FHIR:
        return []
    header = read_header(decision.header) if decision.header else None
    if header is None:
        if decision.header or not decision.key.startswith("quarantine|"):
            return []  # an MSH nobody can answer in its own separators
        # No MSH at all (an empty body, neither HL7 nor FHIR, a broken claim check): the sender
        # is told it was refused, in the standard separators, with no control id to name.
        header = Header(field="|", encoding="^~\\&", receiving_application=PORTAL_APPLICATION)
    if is_acknowledgement(header):
        return []  # quarantined, but never answered: an ACK of an ACK would start a loop
    sender = decision.sender or _identity(header) or decision.sender_hint
    if not sender:
        return []  # nobody to address it to
    refused = decision.key.startswith("quarantine|")
    commit = "CR" if refused else "CA"
    if refused:
        application = "AR"
    elif decision.status is FeedStatus.FILED:
        application = "AA"
    elif decision.status in (FeedStatus.QUARANTINED, FeedStatus.DISMISSED, FeedStatus.HELD):
        # (held: not filed until the organization's staff decide who it is about; the sender
        # should look at its identifier, and must not send it again meanwhile)
        application = "AE"
    else:
        application = ""  # recorded, not filed yet: its answer comes when it is
    acks = []
    for code in wanted(header, commit, application):
        error = problem(decision.reason, refused) if code in ("AE", "AR", "CR") and decision.reason else None
        control_id = ack_control_id(decision.key, header.control_id, code, decision.reason)
        body = build_ack(header, code=code, control_id=control_id, now=now, problem=error)
        acks.append(Ack(sender, code, control_id, header.control_id, body))
    return acks


def ack_control_id(key: str, acknowledges: str, code: str, reason: str) -> str:
    """The same for the same decision about the same message, whenever it is sent; another for
    another outcome (a replay that files what was quarantined). 20 characters: MSH-10's length."""
    digest = hashlib.sha256("\n".join((key, acknowledges, code, reason)).encode("utf-8")).hexdigest()
    return digest[:20].upper()


def _identity(header: Header) -> str:
    """The sender as intake names it (MSH-3, and MSH-4 when there is one), as written."""
    application, facility = header.sending_application, header.sending_facility
    return f"{application}|{facility}" if facility else application


def send(queue: AckQueue, acks: list[Ack]) -> None:
    """Onto the acknowledgement queue in order (a batch of 100 messages is ten requests, not a
    hundred); a failure raises DependencyUnavailable (the queue record is retried, and the ACKs
    with it)."""
    if not acks:
        return
    queue.send_raw_batch(
        [
            (
                ack.body,
                group_id(ack.sender),
                ack.control_id,  # the deduplication id: the same answer twice within 5 minutes is one
                {"sender": ack.sender, "ack_code": ack.code, "acknowledges": ack.acknowledges or "-"},
            )
            for ack in acks
        ]
    )


def group_id(sender: str) -> str:
    """A FIFO message group id (1 to 128 of letters, digits and punctuation) for the sender."""
    return (re.sub(r"[^A-Za-z0-9!-/:-@\[-`{-~]", "_", sender) or "unknown")[:128]
