"""What the feeds tell the portal, independent of HL7 v2 or FHIR.

The shapes follow what a clinician would want shown (issue 4, item 4): test name and code,
value (numeric, coded, text, structured numeric), units, reference range, abnormal flags,
status, times, performing lab, ordering provider, notes and category.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from chalicelib.patients.domain import Identifier


class Unreadable(ValueError):
    """A message the portal cannot file: the reason goes on the quarantine record. It names what
    is missing or wrong, never a value from the message (PHI)."""


class ResultStatus(enum.Enum):
    PRELIMINARY = "preliminary"
    FINAL = "final"
    CORRECTED = "corrected"
    CANCELLED = "cancelled"  # withdrawn: never shown, and a shown earlier version is taken back
    PENDING = "pending"  # ordered or in progress: no value yet


# The kinds of document a patient browses by (the list route's ?type=, the release policy's document:<type>).
DOCUMENT_TYPES = ("discharge-summary", "visit-summary", "report", "note")


class Category(enum.Enum):
    LAB = "lab"
    PATHOLOGY = "pathology"
    IMAGING = "imaging"
    OTHER = "other"


# Abnormal flags a patient should see called out; the critical ones also make a staff worklist item.
CRITICAL_FLAGS = frozenset({"HH", "LL", "AA", "CRIT", "PANIC"})


@dataclass(frozen=True)
class Coding:
    code: str = ""
    display: str = ""
    system: str = ""  # "LN" / "http://loinc.org" ... as sent

    @property
    def is_loinc(self) -> bool:
        return self.system.upper() in ("LN", "LOINC", "HTTP://LOINC.ORG")


@dataclass(frozen=True)
class Quantity:
    """A structured numeric value: comparator (<, >, <=, >=), a number, or a range or ratio."""

    comparator: str = ""
    number: str = ""  # kept as text: "0.70" must not become 0.7
    separator: str = ""  # "-", "/", ":" for ranges and ratios
    second: str = ""


@dataclass(frozen=True)
class Observation:
    code: Coding
    value_type: str  # numeric, quantity, coded, text, document, pointer, none
    text: str = ""  # text values, joined lines of TX/FT
    number: str = ""  # numeric values, as sent
    quantity: Quantity | None = None
    coded: Coding | None = None
    units: str = ""
    reference_range: str = ""
    flags: tuple[str, ...] = ()
    status: ResultStatus = ResultStatus.FINAL
    observed_at: str = ""  # ISO 8601 as precise as sent
    performer: str = ""
    notes: tuple[str, ...] = ()
    document: "EmbeddedDocument | None" = None
    pointer: str = ""  # a URL or reference to a document elsewhere: shown, never fetched

    @property
    def critical(self) -> bool:
        return any(flag.upper() in CRITICAL_FLAGS for flag in self.flags)


@dataclass(frozen=True)
class EmbeddedDocument:
    """A document carried inside a message (HL7 ED, FHIR attachment.data), stored in S3 later."""

    content_type: str
    data: bytes
    title: str = ""


@dataclass(frozen=True)
class ResultReport:
    """One ordered test or panel (an OBR and its OBX; a DiagnosticReport and its Observations)."""

    source_id: str  # the sender's identity of the report (filler order number ...), stable across corrections
    code: Coding
    category: Category
    status: ResultStatus
    collected_at: str = ""
    reported_at: str = ""
    performing_lab: str = ""
    ordering_provider: str = ""
    observations: tuple[Observation, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def critical(self) -> bool:
        return any(observation.critical for observation in self.observations)


@dataclass(frozen=True)
class PatientFacts:
    """Who a message is about, as the sender describes them (the EHR is the source of truth)."""

    # As sent. An identifier may have an empty authority (many HL7 feeds leave CX.4 empty): the
    # filer applies the sender's configured default authority, or quarantines; it never matches
    # on a value alone.
    identifiers: tuple[Identifier, ...]
    family_name: str = ""
    given_names: tuple[str, ...] = ()
    birth_date: str = ""  # ISO date or ""
    sex: str = ""  # female, male, other, unknown or ""
    email: str = ""


@dataclass(frozen=True)
class ClinicalMessage:
    """Everything one message asks the portal to file."""

    kind: str  # demographics, merge, results, document, appointment
    patient: PatientFacts
    results: tuple[ResultReport, ...] = ()
    merged_from: tuple[Identifier, ...] = ()  # A40: the identifiers of the record that goes away
    event: str = ""  # the trigger: A01, A03, R01, T02 ...
    admitted_at: str = ""
    discharged_at: str = ""
    extra: dict = field(default_factory=dict)
