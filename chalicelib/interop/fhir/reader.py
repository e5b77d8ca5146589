"""``read_fhir``: a FHIR R4 document (one resource or a Bundle) read into one ClinicalMessage per
patient it is about; ``read_fhir_parts``: the same, with each patient's part of a batch read on its own.

The walk is in a fixed order: Patients first (the charts), then every DiagnosticReport and
Observation is validated, reports are read with the Observations they list, the Observations no
report lists become results of their own, then DocumentReferences and the rest of the record.
Resource types the portal does not file yet are counted in ``extra["ignored"]``, by their FHIR
name only, so the sender can be told; a document with nothing the portal files is Unreadable.

A batch, message, collection or searchset Bundle carries independent statements, often about many
patients: there, what cannot be read is set aside (SetAside) and the rest is read. A Patient that
cannot be identified is set aside with every entry about it; any other entry that cannot be read
alone. A report or panel that lists an Observation about another patient is set aside, and the
reference dropped: that Observation is read as a result of its own patient (if nothing else lists
it), never shown under the report's. A transaction Bundle (all or nothing, as FHIR defines it), a
document Bundle (one attested composition) and a single resource stay whole: the first problem
makes the document Unreadable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.interop.categories import Sorted
from chalicelib.interop.fhir.bundle import RESOURCE_TYPES, Entry
from chalicelib.interop.fhir.document import Document, PatientSetAside, WholeDocument
from chalicelib.interop.fhir.entries import ENTRY_TYPES, read_entry
from chalicelib.interop.fhir.patients import PatientRecord, read_patient
from chalicelib.interop.fhir.results import read_document, read_report, read_standalone
from chalicelib.interop.fhir.values import as_text
from chalicelib.records.domain import ClinicalMessage, Unreadable

# Bundles of independent statements: each patient's part is filed on its own.
INDEPENDENT_BUNDLE_TYPES = frozenset({"batch", "message", "collection", "searchset"})
_UUID_URL = re.compile(r"urn:uuid:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_POSITIONS_NAMED = 10  # entries named one by one in a set-aside part's description


@dataclass(frozen=True)
class SetAside:
    """Entries of a batch left out of filing, and why: ``where`` names them by position (and
    fullUrl when it is an opaque urn:uuid), never by a value."""

    where: str
    reason: str
    position: int  # of the first entry: names the part


@dataclass(frozen=True)
class FhirParts:
    messages: list[ClinicalMessage]
    set_aside: list[SetAside]
    independent: bool  # each patient's part is filed on its own (a batch): see INDEPENDENT_BUNDLE_TYPES


def read_fhir(document: dict[str, Any]) -> list[ClinicalMessage]:
    """One ClinicalMessage per patient the document is about, from a FHIR R4 resource or Bundle,
    all or nothing.

    Raises Unreadable when the document is not FHIR, a resource used fails validation, a Patient
    has no identifier with a system, a result's subject is not a Patient in the document, or the
    document holds nothing the portal files."""
    return _read(document, by_part=False).messages


def read_fhir_parts(document: dict[str, Any]) -> FhirParts:
    """As read_fhir, but a batch, message, collection or searchset Bundle is read part by part:
    what cannot be read is set aside with its reason and the rest is read. Unreadable only when
    the document as a whole is (not FHIR, nothing the portal files, every part set aside)."""
    return _read(document, by_part=True)


@dataclass
class _Group:
    lead: Entry
    reason: str
    entries: list[Entry] = field(default_factory=list)  # set aside with the lead


class _Aside:
    """What is set aside while a batch is read; in an all-or-nothing document, the first problem
    is raised instead."""

    def __init__(self, independent: bool):
        self.independent = independent
        self.groups: dict[int, _Group] = {}  # by id() of the lead entry's resource
        self.out: set[int] = set()  # id() of every resource set aside
        self.dropped: set[int] = set()  # Observations a report or panel about another patient listed

    def has(self, entry: Entry) -> bool:
        return id(entry.resource) in self.out

    def take(self, entry: Entry, error: Unreadable, with_: list[Entry] | tuple[Entry, ...] = ()) -> None:
        if not self.independent or isinstance(error, WholeDocument):
            raise error
        lead = error.patient if isinstance(error, PatientSetAside) else entry
        group = self.groups.get(id(lead.resource))
        if group is None:
            group = self.groups[id(lead.resource)] = _Group(lead, str(error))
        for item in (entry, *with_):
            if item.resource is not lead.resource and id(item.resource) not in self.out:
                group.entries.append(item)
            self.out.add(id(item.resource))
        self.out.add(id(lead.resource))

    def parts(self, doc: Document) -> list[SetAside]:
        found = []
        for group in self.groups.values():
            # What another part read after all (an Observation two reports list) is not set aside.
            others = sorted(
                {e.position for e in group.entries if id(e.resource) not in doc.included and e.position >= 0}
                - {group.lead.position}
            )
            where = _named(group.lead)
            if others:
                shown = ", ".join(f"[{n}]" for n in others[:_POSITIONS_NAMED])
                more = f" and {len(others) - _POSITIONS_NAMED} more" if len(others) > _POSITIONS_NAMED else ""
                about = "about that patient" if group.lead.type == "Patient" else "it lists"
                where += (
                    f", with {len(others)} entr{'y' if len(others) == 1 else 'ies'} {about} (Bundle.entry{shown}{more})"
                )
            found.append(SetAside(where, group.reason, group.lead.position))
        return sorted(found, key=lambda part: part.position)


def _named(entry: Entry) -> str:
    url = entry.full_url if _UUID_URL.fullmatch(entry.full_url) else ""
    if entry.position < 0:
        return entry.type
    return f"Bundle.entry[{entry.position}] ({entry.type}{', ' + url if url else ''})"


def _read(document: dict[str, Any], by_part: bool) -> FhirParts:
    doc = Document(document)
    bundle_type = as_text(document.get("type")) if document.get("resourceType") == "Bundle" else ""
    aside = _Aside(by_part and bundle_type in INDEPENDENT_BUNDLE_TYPES)
    reports: list[Entry] = []
    observations: list[Entry] = []
    documents: list[Entry] = []
    others: list[Entry] = []
    for entry in doc.entries:
        if entry.type == "Patient":
            try:
                doc.validate(entry.resource, entry.label)
                doc.patients[id(entry)] = read_patient(entry)
            except Unreadable as error:
                aside.take(entry, error)
                doc.unidentified[id(entry)] = entry
        elif entry.type == "DiagnosticReport":
            reports.append(entry)
        elif entry.type == "Observation":
            observations.append(entry)
        elif entry.type == "DocumentReference":
            documents.append(entry)
        elif entry.type in ENTRY_TYPES:
            others.append(entry)
        elif not (entry.type == "MessageHeader" and entry.position == 0):
            doc.ignored[entry.type if entry.type in RESOURCE_TYPES else "unknown"] += 1
    if not doc.patients and not doc.unidentified and not reports and not observations and not documents and not others:
        held = ", ".join(f"{name} x{count}" for name, count in sorted(doc.ignored.items())) or "no resources"
        raise Unreadable(
            "The document holds nothing the portal files (it holds "
            f"{held}): Patient, DiagnosticReport, Observation, DocumentReference, "
            f"{', '.join(ENTRY_TYPES)}."
        )

    for entry in reports + observations:
        try:
            doc.validate(entry.resource, entry.label)
        except Unreadable as error:
            aside.take(entry, error)
    # Observations a report (or a panel Observation) lists are read as part of it; the others
    # are results of their own.
    listed = {
        id(member.resource)
        for entry in reports + observations
        for member in doc.listed(entry)
        if member.resource is not entry.resource
    }
    for entry in reports:
        if not aside.has(entry):
            _read_result(doc, aside, entry, read_report)
    for entry in observations:
        if id(entry.resource) not in listed and not aside.has(entry):
            _read_result(doc, aside, entry, read_standalone)
    for entry in observations:
        if id(entry.resource) in doc.included or aside.has(entry):
            continue
        if id(entry.resource) in aside.dropped:  # listed only by a report about another patient
            _read_result(doc, aside, entry, read_standalone)
            continue
        aside.take(  # listed only by panels that list each other
            entry,
            Unreadable(
                f"Observation{entry.where} is only listed by Observations that list each other "
                "(a hasMember cycle): it belongs to no result."
            ),
        )

    for entry in documents:
        try:
            doc.validate(entry.resource, entry.label)
            patient = doc.subject(entry)
            patient.results.append(read_document(doc, entry))
            patient.resources[entry.type] += 1
        except Unreadable as error:
            aside.take(entry, error)
    for entry in others:
        try:
            doc.validate(entry.resource, entry.label)
            kind, element = ENTRY_TYPES[entry.type]
            patient = doc.subject(entry, element)
            patient.entries.append(read_entry(doc, entry, kind))
            patient.resources[entry.type] += 1
        except Unreadable as error:
            aside.take(entry, error)

    messages = []
    for record in [*doc.patients.values(), *doc.referred.values()]:
        if record.entry is None and not record.results and not record.entries:
            continue  # only referred to by what was set aside
        messages.append(_message(doc, record))
    set_aside = aside.parts(doc)
    if set_aside and not messages:
        first = set_aside[0]
        more = f" ({len(set_aside) - 1} more parts could not be read either)" if len(set_aside) > 1 else ""
        raise Unreadable(f"No part of the Bundle can be filed. {first.where}: {first.reason}{more}")
    return FhirParts(messages, set_aside, aside.independent)


def _read_result(
    doc: Document,
    aside: _Aside,
    entry: Entry,
    reader: Callable[[Document, Entry, PatientRecord], Sorted],
) -> None:
    """A report, or an Observation as a result of its own, with what it lists; in a batch, set
    aside when it cannot be read or lists another patient's Observation."""
    if aside.independent:
        listed = doc.expand(entry)
        foreign = [member for member in listed if not doc.same_subject(member, entry)]
        if foreign:
            # The reference is dropped: that patient's values are never read into this result,
            # and the Observation stays its own patient's (read on its own, unless listed elsewhere).
            aside.dropped.update(id(member.resource) for member in foreign)
            aside.take(
                entry,
                Unreadable(
                    f"{entry.label} lists an Observation{foreign[0].where} whose subject is another "
                    "patient: it is not filed, and that Observation is kept to its own patient."
                ),
                [member for member in listed if all(member.resource is not f.resource for f in foreign)],
            )
            return
    included = set(doc.included)
    try:
        patient = doc.subject(entry)
        found = reader(doc, entry, patient)
        patient.results.extend([found.report] if found.report else [])
        patient.entries.extend(found.vital_signs)  # vital signs are the health summary's
        patient.resources[entry.type] += 1
        # (and the Observations it listed, read with it)
        patient.resources["Observation"] += len(doc.included - included - {id(entry.resource)})
    except Unreadable as error:
        doc.included = included  # nothing of it was read
        aside.take(entry, error, doc.expand(entry) if aside.independent else ())


def _message(doc: Document, record: PatientRecord) -> ClinicalMessage:
    extra: dict[str, Any] = {"ignored": dict(doc.ignored), "unresolved_references": len(doc.unresolved)}
    if record.unusable_identifiers:
        extra["unusable_identifiers"] = record.unusable_identifiers
    # Which patient of the document, named (by position, never a value) if its filing fails.
    extra["part"] = record.where
    extra["position"] = record.entry.position if record.entry is not None else record.referred_at
    resources = Counter(record.resources)
    if record.entry is not None:
        resources["Patient"] += 1
    extra["resources"] = dict(sorted(resources.items()))
    kind = "results" if record.results else "records" if record.entries else "demographics"
    return ClinicalMessage(
        kind=kind,
        patient=record.facts,
        results=tuple(record.results),
        entries=tuple(record.entries),
        event=doc.event,
        extra=extra,
    )
