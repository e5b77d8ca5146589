"""What the feeds tell the portal, independent of HL7 v2 or FHIR.

The shapes follow what a clinician would want shown: test name and code, value (numeric,
coded, text, structured numeric), units, reference range, abnormal flags, status, times,
performing lab, ordering provider, notes and category.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.access.sensitivity import sensitivity_content
from chalicelib.errors import DependencyUnavailable

# How many items one delivery of a merge copies at most: a large chart is copied over several
# deliveries (each resumes where the last stopped), so no one Lambda call runs out of time.
COPY_AT_ONCE = 1000


class CopyUnfinished(DependencyUnavailable):
    """A merge copied as much as one delivery may: the queue delivers it again to go on."""


class Unreadable(ValueError):
    """A message the portal cannot file: the reason goes on the quarantine record. It names what
    is missing or wrong, never a value from the message (PHI)."""


class PossibleMismatch(Unreadable):
    """The message is about the patient ``patient_id`` by its identifiers, but ``fields``
    (birth_date, family_name) disagree: held for staff (filing/mismatch.py), never filed on a
    guess. The reason names the fields, never their values."""

    def __init__(self, patient_id: str, fields: tuple[str, ...]):
        words = " and ".join({"birth_date": "the birth date", "family_name": "the family name"}[f] for f in fields)
        super().__init__(
            f"Held as a possible mismatch: {words} in the message differ from the matched patient's. Staff decide."
        )
        self.patient_id = patient_id
        self.fields = fields


# FHIR's status code for something called off: a result (withdrawn from the chart), and a visit
# or an appointment (which stays listed, with that status). The HL7 v2 readers map to it too.
CANCELLED = "cancelled"


class ResultStatus(enum.Enum):
    PRELIMINARY = "preliminary"
    FINAL = "final"
    CORRECTED = "corrected"
    CANCELLED = CANCELLED  # withdrawn: never shown, and a shown earlier version is taken back
    PENDING = "pending"  # ordered or in progress: no value yet


# The kinds of document a patient browses by (the list route's ?type=, the release policy's document:<type>).
DOCUMENT_TYPES = ("discharge-summary", "visit-summary", "report", "note")
# Documents the portal itself makes, listed with the feeds' but never filed by them, so no release
# policy applies to them: a form the patient signed at check-in (checkin/signatures.py).
PORTAL_DOCUMENT_TYPES = ("signed-form",)


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
    # The concept's other codings as sent (an HL7 v2 CWE's alternate triplets, a FHIR
    # CodeableConcept's other codings): shown by the first, but each one says what the item is, so
    # the sensitivity check reads them all (a lab's local code first, its LOINC code second).
    alternates: tuple[Coding, ...] = ()

    @property
    def is_loinc(self) -> bool:
        return self.system.upper() in ("LN", "LOINC", "HTTP://LOINC.ORG")

    def content(self) -> dict[str, Any]:
        """As an item's content keeps it: code, display and system and, only when the sender gave
        more than one coding, ``codings`` (every one, this first), so an item coded once is stored,
        and hashed, as before."""
        kept: dict[str, Any] = {"code": self.code, "display": self.display, "system": self.system}
        if self.alternates:
            kept["codings"] = [
                {"code": c.code, "display": c.display, "system": c.system} for c in (self, *self.alternates)
            ]
        return kept


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
    document: EmbeddedDocument | None = None
    pointer: str = ""  # a URL or reference to a document elsewhere: shown, never fetched

    @property
    def critical(self) -> bool:
        return any(flag.upper() in CRITICAL_FLAGS for flag in self.flags)

    @property
    def blank(self) -> bool:
        """A line with nothing to show (no value, no text, no note), whose status says nothing
        either: the readers drop it rather than show an empty row. A pending or cancelled line
        without a value still tells the patient something, and stays."""
        return (
            self.value_type == "none"
            and not self.text.strip()
            and not self.notes
            and self.status not in (ResultStatus.PENDING, ResultStatus.CANCELLED)
        )


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
    is_document: bool = False  # a document (MDM, FHIR DocumentReference): filed to the documents store
    visit_id: str = ""  # the sender's id of the visit it belongs to (PV1-19, Encounter): discharge timing
    # That visit's number with who assigned it (PV1-19's CX.4), as ClinicalEntry.ids: the visit is found by it.
    visit_ids: tuple[SentIdentifier, ...] = ()
    discharged_at: str = ""  # when the message itself says when that visit ended
    # A document's place among the sender's others (filing.documents decides what the patient sees):
    relation: str = ""  # "appends" (an addendum to parent_id), "replaces" (a new version of it), ""
    parent_id: str = ""  # the sender's id of the document it adds to or replaces
    # Why the patient must not see it: "cancelled" (the sender withdrew it: final, see filing.documents),
    # "unavailable", "obsolete" (replaced), "draft"; "" when they may.
    hidden: str = ""
    as_of: str = ""  # ISO: when the sender said so (MSH-7, meta.lastUpdated), to order versions by
    has_content: bool = True  # False: a notification without the document (MDM T01, T03, T05 ...)
    # What the sender says about who may see it (see access.sensitivity.sensitivity_content): "R" or "V" when it
    # restricted it, "" when it did not; the sensitivity codes it gave (HIV, PSY, ETH ...).
    confidentiality: str = ""
    security_labels: tuple[str, ...] = ()

    @property
    def critical(self) -> bool:
        return any(observation.critical for observation in self.observations)


# The rest of a health record, beside results and documents: each kind is a section the patient
# browses (GET /v1/patients/{id}/health-summary/{section}).
ENTRY_KINDS = {
    "allergy": "allergies",
    "condition": "conditions",
    "medication": "medications",
    "immunization": "immunizations",
    "visit": "visits",
    "appointment": "appointments",
    "vital_sign": "vital_signs",  # one reading each (interop.categories decides what is one)
}


@dataclass(frozen=True)
class ClinicalEntry:
    """An allergy, condition, medication, immunization, visit or appointment, as the sender
    described it. ``content`` is what the patient is shown (short texts, codes and times only);
    ``withdrawn`` (entered in error, deleted) takes it off the record."""

    kind: str  # a key of ENTRY_KINDS
    source_id: str  # the sender's id, stable across updates
    content: dict[str, Any]
    occurred_at: str = ""  # ISO: when it happened or was recorded (the section's order)
    withdrawn: bool = False
    as_of: str = ""  # ISO: when the sender said so (MSH-7, meta.lastUpdated): an older message never wins
    reopens: bool = False  # a visit taken back a step on purpose (A13 cancels a discharge, A12 a transfer)
    # The sender's ids of it with who assigned each, the steadiest first (an appointment's filler
    # id, then its placer id; a visit number with its assigning authority): filing keys the entry
    # by the first and finds it by any (filing/entry_ids.py). None: it is kept by ``source_id``.
    ids: tuple[SentIdentifier, ...] = ()


# The assigning authority under which a sender's own FHIR Patient ids are claimed, so that a later
# resource referring to "Patient/<id>" finds the patient (filing makes it the sender's own).
FHIR_ID_AUTHORITY = "urn:portal:fhir-patient-id"


@dataclass(frozen=True)
class SentIdentifier:
    """A patient identifier as the message names it. Which of the organization's authorities it
    is under is filing's decision (filing/matching.py), made with what the sender's feed source
    declares: a local name means something only to its sender, a universal id the same to all."""

    value: str
    type: str = "MR"
    # A local name: HL7 CX.4.1 (namespace id), a FHIR system that is not a URI. "" when none.
    namespace: str = ""
    # A universal id as patients.domain.universal_id writes it: HL7 CX.4.2 (an OID, a URI), a
    # FHIR system URI, or FHIR_ID_AUTHORITY for a FHIR Patient's own id. "" when none.
    universal_id: str = ""

    @property
    def spelled(self) -> str:
        """The authority as the sender wrote it, universal id first."""
        return self.universal_id or self.namespace


@dataclass(frozen=True)
class PatientFacts:
    """Who a message is about, as the sender describes them (the EHR is the source of truth)."""

    # As sent. An identifier may have no authority at all (many HL7 feeds leave CX.4 empty): the
    # filer applies the sender's configured default authority, or quarantines; it never matches
    # on a value alone.
    identifiers: tuple[SentIdentifier, ...]
    family_name: str = ""
    # Family names the message records as the patient's earlier ones (HL7 PID-5 repetitions of
    # name type B or M, FHIR names of use "old" or "maiden"): a marriage is not a mismatch.
    previous_family_names: tuple[str, ...] = ()
    given_names: tuple[str, ...] = ()
    birth_date: str = ""  # ISO date or ""
    sex: str = ""  # female, male, other, unknown or ""
    email: str = ""
    # Only a reference to a patient sent before (FHIR "Patient/<id>" or a logical identifier):
    # matched to a known patient or quarantined, never created from nothing.
    reference_only: bool = False
    # What the message says about the patient's death: True (recorded), False (a correction: the
    # sender says alive, or deleted its death fields), None (it says nothing, as most messages).
    deceased: bool | None = None
    deceased_on: str = ""  # YYYY-MM-DD when the sender gave the date
    as_of: str = ""  # when the sender said so (ISO time), "" when unknown


@dataclass(frozen=True)
class ClinicalMessage:
    """Everything one message asks the portal to file."""

    kind: str  # demographics, merge, results, document, appointment, records
    patient: PatientFacts
    results: tuple[ResultReport, ...] = ()
    entries: tuple[ClinicalEntry, ...] = ()
    merged_from: tuple[SentIdentifier, ...] = ()  # A40: the identifiers of the record that goes away
    event: str = ""  # the trigger: A01, A03, R01, T02 ...
    admitted_at: str = ""
    discharged_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# The store's status of an item its sender withdrew (a cancelled result, an entered-in-error entry):
# never shown again, and any shown earlier version is taken back.
WITHDRAWN = ResultStatus.CANCELLED.value


def is_shown(release_at: Any, status: Any, now: datetime) -> Any:
    """The one rule of what a patient is shown of a filed item: released by now, and not withdrawn.

    Written once for two readers: given values, it answers a bool; given the store's attributes
    (PynamoDB's ``<=`` / ``!=`` / ``&`` build a condition), it is the query's filter.
    """
    return (release_at <= now) & (status != WITHDRAWN)


def is_waiting(release_at: Any, status: Any, now: datetime) -> Any:
    """Filed, not withdrawn, and not yet released (held, delayed, or waiting for a review): what
    the patient's "on its way" list shows. For values and store attributes alike, as ``is_shown``."""
    return (release_at > now) & (status != WITHDRAWN)


@dataclass(frozen=True)
class StoredResult:
    """A filed result, document or health-summary entry, one version of it."""

    patient_id: str
    result_id: str  # stable across versions: result_id(), keyed, of organization, sender and the item's own id
    version: int
    category: str
    status: str
    content_sha256: str
    content: dict[str, Any]  # report_content(): what the patient sees
    organization_id: str
    source: str  # the feed message's key
    filed_at: datetime
    release_at: datetime
    critical: bool = False
    listed_at: str = ""  # "<first filed ISO>#<result_id>": the list order, kept across versions
    release_timer: str = ""  # the timer announcing a delayed release (cancelled if released early)
    held_reason: str = ""  # set while staff hold the result back
    kind: str = "result"  # or "document" (category "document:<type>", its file in S3 at object_key)
    object_key: str = ""  # never shown: the API hands out a short-lived link instead

    @property
    def withdrawn(self) -> bool:
        return self.status == WITHDRAWN

    def shown_to_patient(self, now: datetime) -> bool:
        return bool(is_shown(self.release_at, self.status, now))

    def released(self, now: datetime) -> bool:
        """Its release moment has come (whether or not it is withdrawn)."""
        return self.release_at <= now

    def waiting(self, now: datetime) -> bool:
        """Filed, not withdrawn, and not yet released (held, delayed, or waiting for review)."""
        return bool(is_waiting(self.release_at, self.status, now))


def result_id(id_key: bytes, organization_id: str, sender: str, source_id: str) -> str:
    """The id of a filed item: the same organization, sender and item id (the report's order or
    document number, the entry's own id) always give the same id, so a resent or corrected item
    finds its earlier versions. Keyed (HMAC-SHA256 with the stack's record-id key): a plain hash
    of those values, which are not secret, would let anyone who knows an order number compute
    the id of its result."""
    message = f"{organization_id}\x1f{sender}\x1f{source_id}".encode()
    return hmac.new(id_key, message, hashlib.sha256).hexdigest()[:32]


def report_content(report: ResultReport) -> dict[str, Any]:
    """A report as JSON for the patient. An embedded document's bytes are not kept here: filing
    puts them in the documents bucket under the version's object_key, and the API hands out a
    short-lived link."""

    def observation(o: Observation) -> dict[str, Any]:
        value: dict[str, Any] = {"type": o.value_type}
        if o.value_type == "numeric":
            value["number"] = o.number
        elif o.value_type == "quantity" and o.quantity is not None:
            value.update(dataclasses.asdict(o.quantity))
        elif o.value_type == "coded" and o.coded is not None:
            value.update({"code": o.coded.code, "display": o.coded.display, "system": o.coded.system})
        elif o.value_type == "text":
            value["text"] = o.text
        elif o.value_type == "pointer":
            value["reference"] = o.pointer  # shown as text; the portal never fetches it
        elif o.value_type == "document" and o.document is not None:
            # the file itself goes to the documents bucket (filing); its digest makes a changed
            # file a new version even at the same size
            value.update(
                {
                    "content_type": o.document.content_type,
                    "size": len(o.document.data),
                    "sha256": hashlib.sha256(o.document.data).hexdigest(),
                }
            )
        return {
            "code": o.code.content(),
            "value": value,
            "units": o.units or None,
            "reference_range": o.reference_range or None,
            "flags": list(o.flags),
            "critical": o.critical,
            "status": o.status.value,
            "observed_at": o.observed_at or None,
            "performer": o.performer or None,
            "notes": list(o.notes),
        }

    return {
        "code": report.code.content(),
        "category": report.category.value,
        "status": report.status.value,
        "collected_at": report.collected_at or None,
        "reported_at": report.reported_at or None,
        "performing_lab": report.performing_lab or None,
        "ordering_provider": report.ordering_provider or None,
        "notes": list(report.notes),
        "observations": [observation(o) for o in report.observations],
        **sensitivity_content(report.confidentiality, report.security_labels),
    }


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
