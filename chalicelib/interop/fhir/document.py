"""One FHIR document being read: its entries by the references that name them, and its patients.

A Reference may name an entry (by fullUrl, by Type/id, by the tail of a RESTful URL), a contained
resource ("#id"), a Patient of the document by a logical identifier, or a patient sent earlier.
Two rules keep a result off the wrong chart: a reference that more than one entry answers to is
never resolved (never a guess), and a patient only referred to is looked up by filing, never
created from the reference. What a report or panel lists that is not an Observation of the
document is counted, so the sender can be told. Each resource is validated once, however many
times it is reached.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.interop.fhir.bundle import REFERENCE_TAIL, Entry, read_entries
from chalicelib.interop.fhir.patients import PatientRecord
from chalicelib.interop.fhir.validation import validate_resource
from chalicelib.interop.fhir.values import as_list, as_object, as_text, first_of
from chalicelib.patients.domain import identifier, is_sensitive, universal_id
from chalicelib.records.domain import FHIR_ID_AUTHORITY, PatientFacts, SentIdentifier, Unreadable

_AMBIGUOUS = object()  # two entries answer to the same reference: resolve neither, never guess
_MAX_VALUES = 50_000  # Observations read into results from one document (a life-long Synthea record is ~5000)


class WholeDocument(Unreadable):
    """What makes the whole document unusable, even a Bundle whose patients are filed each on
    their own (a batch): it is not about one entry."""


class PatientSetAside(Unreadable):
    """A resource is about a Patient of the document that could not be identified: it is set
    aside with that Patient, never filed under anyone."""

    def __init__(self, patient: Entry, source: Entry):
        super().__init__(
            f"{source.type}{source.where} is about the Patient{patient.where}, which could not be identified."
        )
        self.patient = patient


class Document:
    def __init__(self, document: Any):
        self.entries, self.event = read_entries(document)
        # When the sender says this was true (Bundle.timestamp): an entry without a
        # meta.lastUpdated of its own is as recent as that, so an older replay can be told apart.
        self.sent_at = (
            as_text(document.get("timestamp"))
            if isinstance(document, dict) and document.get("resourceType") == "Bundle"
            else ""
        )
        self.by_key: dict[str, Any] = {}
        for entry in self.entries:
            keys = {entry.full_url} if entry.full_url else set()
            if as_text(entry.resource.get("id")):
                keys.add(f"{entry.type}/{entry.resource['id']}")
            tail = REFERENCE_TAIL.search(entry.full_url)  # a RESTful fullUrl answers to Type/id too
            if tail and tail.group(1) == entry.type:
                keys.add(f"{tail.group(1)}/{tail.group(2)}")
            for key in keys:
                self.by_key[key] = _AMBIGUOUS if key in self.by_key else entry
        self.validated: set[int] = set()
        self.patients: dict[int, PatientRecord] = {}  # by id() of the Patient entry
        # Patient entries that could not be read (no usable identifier, not valid FHIR): what is
        # about them is set aside with them (a batch), by id() of the entry.
        self.unidentified: dict[int, Entry] = {}
        self.referred: dict[tuple[str, str], PatientRecord] = {}  # patients only referred to, by reference
        self.ignored: Counter[str] = Counter()
        self.unresolved: set[int] = set()  # id() of each Reference that names nothing in the document
        # The Observations each report (result) or panel (hasMember) lists directly, by id() of
        # the listing resource; and every Observation read into some result, by id().
        self.direct: dict[int, list[Entry]] = {}
        self.included: set[int] = set()
        self.values = 0
        self.counted: set[int] = set()  # id() of each report or panel whose members were counted

    def validate(self, resource: dict[str, Any], label: str) -> None:
        if id(resource) in self.validated:
            return
        validate_resource(resource, label)
        self.validated.add(id(resource))

    # -- references -------------------------------------------------------------------------------

    def resolve(self, reference: Any, source: Entry) -> Any:
        """The entry (or contained resource, as an Entry) a Reference points at; None when it is
        not in the document; _AMBIGUOUS when more than one entry answers to it."""
        reference = as_object(reference)
        literal = as_text(reference.get("reference"))
        if literal.startswith("#"):
            for contained in as_list(source.resource.get("contained")):
                if isinstance(contained, dict) and contained.get("id") == literal[1:]:
                    return Entry(source.position, contained)
            return None
        if literal:
            found = self.by_key.get(literal)
            if found is None and (tail := REFERENCE_TAIL.search(literal)):
                found = self.by_key.get(f"{tail.group(1)}/{tail.group(2)}")
            if found is not None:
                return found
        # A logical reference (Reference.identifier) can still name a Patient of this document.
        wanted = as_object(reference.get("identifier"))
        system, value = as_text(wanted.get("system")), as_text(wanted.get("value"))
        spellings = {system, universal_id(system)} - {""}
        if system and value:
            hits = [
                r.entry
                for r in self.patients.values()
                if any(i.spelled in spellings and i.value == value for i in r.facts.identifiers)
            ]
            # A Patient set aside still answers to the identifiers it was sent with: what names it
            # so goes with it, rather than to a patient the portal may hold under that identifier.
            hits += [
                entry
                for entry in self.unidentified.values()
                if any(
                    as_text(as_object(i).get("system")) == system and as_text(as_object(i).get("value")) == value
                    for i in as_list(entry.resource.get("identifier"))
                )
            ]
            return hits[0] if len(hits) == 1 else (_AMBIGUOUS if hits else None)
        return None

    def subject(self, entry: Entry, element: str = "subject") -> PatientRecord:
        """The patient a resource is about: a Patient of this document, else one sent earlier
        that the reference names ("Patient/<id>", or a logical identifier with a system), which
        filing must find (it never creates a patient from a reference)."""
        if element == "participant":  # Appointment: the participant that is a Patient
            found = [
                p.get("actor")
                for p in map(as_object, as_list(entry.resource.get("participant")))
                if self.actor_type(p.get("actor"), entry) == "Patient"
            ]
            if len(found) > 1:
                raise Unreadable(f"{entry.type} has more than one Patient participant{entry.where}.")
            reference = found[0] if found else None
        else:
            reference = entry.resource.get(element)
        if not as_object(reference):
            raise Unreadable(f"{entry.type} has no {element}: the patient it is about{entry.where}.")
        patient = self.patient_of(reference, entry)
        if patient is None:
            raise Unreadable(
                f"{entry.type} {element} is neither a Patient in this bundle nor a reference to "
                f"one (Patient/<id> or an identifier with a system){entry.where}."
            )
        return patient

    def actor_type(self, actor: Any, source: Entry) -> str:
        """The resource type a Reference names: the entry it resolves to in this document, else
        its literal "Type/id", else its declared type."""
        actor = as_object(actor)
        target = self.resolve(actor, source)
        if isinstance(target, Entry):
            return target.type
        tail = REFERENCE_TAIL.search(as_text(actor.get("reference")))
        return tail.group(1) if tail else as_text(actor.get("type"))

    def patient_of(self, reference: Any, source: Entry) -> PatientRecord | None:
        target = self.resolve(reference, source)
        if target is _AMBIGUOUS:
            raise Unreadable(
                f"{source.type} refers to a patient that matches more than one entry of this bundle{source.where}."
            )
        if isinstance(target, Entry):
            if id(target) in self.unidentified:
                raise PatientSetAside(target, source)
            return self.patients.get(id(target))
        literal = as_text(as_object(reference).get("reference"))
        tail = REFERENCE_TAIL.search(literal) if literal and not literal.startswith(("#", "urn:")) else None
        if tail and tail.group(1) == "Patient":
            key = (FHIR_ID_AUTHORITY, tail.group(2))
        else:
            wanted = as_object(as_object(reference).get("identifier"))
            key = (as_text(wanted.get("system")), as_text(wanted.get("value")))
            if literal or not all(key):
                return None
            wanted_type = as_text(as_object(first_of(as_object(wanted.get("type")).get("coding"))).get("code"))
            if is_sensitive(key[0], wanted_type.upper()):
                raise Unreadable(
                    f"{source.type} refers to its patient by a social security, driver's licence or "
                    f"passport number, which the portal never keeps or matches on{source.where}."
                )
        if key not in self.referred:
            try:
                identifier(key[0], key[1])  # only what an identifier claim can hold
            except ValidationFailed:
                return None
            if key[0] == FHIR_ID_AUTHORITY:
                known = SentIdentifier(key[1], "RI", universal_id=FHIR_ID_AUTHORITY)
            else:
                universal = universal_id(key[0])
                known = SentIdentifier(key[1].strip(), "MR", "" if universal else key[0].strip(), universal)
            self.referred[key] = PatientRecord(
                None, PatientFacts(identifiers=(known,), reference_only=True), referred_at=source.position
            )
        return self.referred[key]

    def same_subject(self, member: Entry, lister: Entry) -> bool:
        """Whether an Observation a report or panel lists is about the lister's patient, or says
        nothing of whom it is about: told without raising, from what the two subjects name."""
        subject = member.resource.get("subject")
        return not as_object(subject) or self._whom(subject, member) == self._whom(
            lister.resource.get("subject"), lister
        )

    def _whom(self, reference: Any, source: Entry) -> Any:
        target = self.resolve(reference, source)
        if isinstance(target, Entry):
            return id(target.resource)
        if target is _AMBIGUOUS:
            return target
        reference = as_object(reference)
        wanted = as_object(reference.get("identifier"))
        literal = as_text(reference.get("reference"))
        tail = REFERENCE_TAIL.search(literal)
        return (
            f"{tail.group(1)}/{tail.group(2)}" if tail else literal,
            as_text(wanted.get("system")),
            as_text(wanted.get("value")),
        )

    # -- what a report or panel lists -------------------------------------------------------------

    def listed(self, entry: Entry) -> list[Entry]:
        """The Observations a report (result) or an Observation (hasMember) lists; references to
        anything not in the document are counted, once, and skipped."""
        key = id(entry.resource)
        if key not in self.direct:
            field_name = "result" if entry.type == "DiagnosticReport" else "hasMember"
            found = []
            for reference in as_list(entry.resource.get(field_name)):
                target = self.resolve(reference, entry)
                if isinstance(target, Entry) and target.type == "Observation":
                    found.append(target)
                else:
                    self.unresolved.add(id(reference))
            self.direct[key] = found
        return self.direct[key]

    def members(self, entry: Entry) -> list[Entry]:
        """Everything a report or panel lists, panels expanded in place, each Observation once.
        Iterative (a chain of panels as long as the document must not exhaust the stack), and
        capped: a document listing the same panels from many reports cannot make the output huge."""
        found = self.expand(entry)
        self.included.update(id(member.resource) for member in found)
        return found

    def expand(self, entry: Entry) -> list[Entry]:
        """What ``members`` finds, without marking it read (counted against the cap all the same:
        each walk costs, whether or not what it finds is read)."""
        seen = {id(entry.resource)}
        found: list[Entry] = []
        pending = list(reversed(self.listed(entry)))
        while pending:
            target = pending.pop()
            if id(target.resource) in seen:
                continue
            seen.add(id(target.resource))
            found.append(target)
            pending.extend(reversed(self.listed(target)))
        if id(entry.resource) not in self.counted:  # (a batch walks a report twice: counted once)
            self.counted.add(id(entry.resource))
            self.values += len(found)
            if self.values > _MAX_VALUES:
                raise WholeDocument(f"The document lists more than {_MAX_VALUES} observations: send it in parts.")
        return found
