from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class FeedFormat(enum.Enum):
    HL7V2 = "hl7v2"
    FHIR = "fhir"
    UNKNOWN = "unknown"


class FeedStatus(enum.Enum):
    ACCEPTED = "accepted"  # identified and recorded; waiting to be filed
    FILED = "filed"  # its records are filed under their patients
    QUARANTINED = "quarantined"  # cannot be filed as it is; ``reason`` says why
    # About a known patient by its identifiers, whose birth date or family name disagree: waits
    # for staff to decide (filing/mismatch.py); ``held_for`` is that patient.
    HELD = "held"
    DISMISSED = "dismissed"  # staff looked at a quarantined message and closed it (kept, never filed)


@dataclass(frozen=True)
class Envelope:
    """What identifies one message, read without interpreting its clinical content."""

    format: FeedFormat
    sender: str
    control_id: str
    message_type: str
    text: str  # the one message, normalised (HL7: segments separated by CR)
    # HL7: python-hl7's parse of ``text``, made to identify it, so filing does not parse it again
    # (never stored, never compared: an envelope is its text and identity).
    parsed: Any = field(default=None, compare=False, repr=False)
    # Empty for production data; else what marks the message as test data, in words (HL7 MSH-11
    # processing id T or D; a FHIR test tag). Such a message never reaches a live chart unless
    # its feed source opted in, outside production (filing/service.py).
    test_data: str = ""
    # HL7: the MSH segment as the sender wrote it (its own separators), which an acknowledgement
    # answers in; "" for FHIR.
    header: str = field(default="", compare=False, repr=False)


class Unfileable(Exception):
    """A body or message the portal cannot identify; ``reason`` is safe to store and show
    (it names fields and rules, never values). ``format`` and ``message_type`` say what is known
    of it, for the quarantine record."""

    def __init__(self, reason: str, format: FeedFormat | None = None, message_type: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.format = format or FeedFormat.UNKNOWN
        self.message_type = message_type
        self.text = ""  # the one message of a batch this is about, when there is one
        self.sender = ""  # what identifies it, when that much could be read (and is a valid identity)
        self.control_id = ""


@dataclass(frozen=True)
class FeedMessage:
    key: str
    sha256: str
    format: FeedFormat
    message_type: str
    sender: str
    control_id: str
    status: FeedStatus
    reason: str
    archive_key: str
    received_at: datetime
    held_for: str = ""  # HELD: the patient its identifiers name
    decision: str = ""  # staff's decision on a held message, carried to its refiling (filing.mismatch.Decision)


@dataclass(frozen=True)
class QuarantinedPart:
    """A part of a message left out of filing while the rest of it was filed: in a batch Bundle,
    an entry (or a patient with every entry about it) that could not be filed. It is kept in
    quarantine on a record of its own, with its reason, named by position, never by a value."""

    part: str  # names it within the message: "entry[3]"
    where: str  # which entries, in words
    reason: str


# Records of quarantined parts are keyed apart from whole messages: a part is never replayed on its
# own (its message was filed), so the sender sends the corrected entries again in a new Bundle.
PART_PREFIX = "part|"


def part_key(message_key: str, part: str) -> str:
    return f"{PART_PREFIX}{message_key}|{part}"


class IntakeResult(enum.Enum):
    ACCEPTED = "accepted"  # recorded; nothing filed it (no filer given)
    FILED = "filed"
    DUPLICATE = "duplicate"
    QUARANTINED = "quarantined"
    HELD = "held"  # a possible mismatch, waiting for staff


# What a feed source may declare one of its codes to be (FeedSource.category_codes).
CODE_CATEGORIES = ("lab", "pathology", "imaging", "vital_signs", "other")


@dataclass(frozen=True)
class FeedSource:
    """A sender registered to an organization, with the authority for its bare identifiers and
    the organization's authorities its own names for authorities stand for."""

    sender: str
    organization_id: str
    default_authority: str = ""
    # Files training, debugging and test-tagged messages instead of quarantining them: for a
    # sender's test feed into a test stage, never honoured in production.
    files_test_messages: bool = False
    # (as the sender writes it, the organization's authority): a namespace id, an OID as
    # "urn:oid:<oid>" or a FHIR system, and the authority the organization knows it as. A local
    # name the sender did not declare stays the sender's own (filing/matching.py).
    authorities: tuple[tuple[str, str], ...] = ()
    # ("<system>|<code>" as the sender writes it, a category: lab, pathology, imaging, vital_signs,
    # other): what the sender's own codes are, weighed above the classifier (filing/categories.py).
    category_codes: tuple[tuple[str, str], ...] = ()

    def declared(self) -> dict[str, str]:
        """Every declared spelling with its authority; the default authority declares its own
        name too ("12345^^^AMC-MRN" from a sender whose bare numbers are AMC-MRN's is AMC-MRN's)."""
        found = dict(self.authorities)
        if self.default_authority:
            found.setdefault(self.default_authority, self.default_authority)
        return found


@dataclass(frozen=True)
class Decision:
    """What intake decided about one message (or a body it could not split), once recorded: the
    facts an acknowledgement to its sender is made of (chalicelib.feeds.acks)."""

    key: str  # the feed record's key; "quarantine|..." when refused before it was identified
    status: FeedStatus
    reason: str
    format: FeedFormat
    header: str  # HL7: the MSH segment as written; "" when there is none
    sender: str  # the sender as identified, else ""
    sender_hint: str  # the queue's sender attribute or message group
