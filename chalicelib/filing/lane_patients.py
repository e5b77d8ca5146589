"""Which chart patients each record of a queue batch is about, so that lanes
(chalicelib.feeds.lanes) join on the patient and not only on the identifiers' text.

Matching (chalicelib.filing.matching) files a message under the patient any of its identifiers
is claimed by, following merges, and a known patient takes a message's new identifiers. So two
messages about one patient may share no identifier text: one names a merged-away record number
and the other the survivor's, or one the MRN and the other the enterprise id of the same PID-3
list. Filed in two lanes, an older A08 could overwrite a newer name or birth date.

Here each record's patient identifiers are read (HL7 PID-3 and MRG-1 as intake reads them; a
FHIR body's Patient identifiers, ids and references, read lightly), claimed as matching claims
them under the sender's feed source, and looked up in one batch read of the identifier claims;
the patients found are followed along ``merged_into`` (one batch read per step). An identifier
nobody has claimed (a new patient) resolves to nothing: its text keys the lane, as before.
Over-joining costs only parallelism, so every candidate authority counts. A record whose
identifiers cannot be read, or a batch whose claims cannot be read, resolves to None: the record
then waits for its sender's other records (the batch is filed in order).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol

from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds.domain import FeedFormat, FeedSource, Unfileable
from chalicelib.feeds.envelope import read_messages
from chalicelib.feeds.stores import FeedSources
from chalicelib.filing.matching import claimed
from chalicelib.observability import logger
from chalicelib.patients.domain import Identifier, universal_id
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import FHIR_ID_AUTHORITY, SentIdentifier

MAX_MERGE_STEPS = 5  # a merged record's survivor merged again ...: real chains are one or two long


class LanePatientsPorts(Protocol):
    @property
    def patients(self) -> Patients: ...

    @property
    def records(self) -> FeedSources: ...


Named = tuple[str, tuple[SentIdentifier, ...]]  # (sender, the identifiers it sent) per message


def chart_patients(ports: LanePatientsPorts, records: list[tuple[str, str]]) -> list[frozenset[str] | None]:
    """Per (message group, body), in batch order: the ids of the chart patients its identifiers
    name (empty when none is known yet), or None when that cannot be told."""
    named = [_named(body, group) for group, body in records]
    try:
        sources = _sources(ports, {sender for messages in named if messages for sender, _ in messages})
        claims = {
            (sender, sent): _claims(sources.get(sender), sender, sent)
            for messages in named
            if messages
            for sender, sents in messages
            for sent in sents
        }
        owners = ports.patients.claimed_by_many([claim for found in claims.values() for claim in found])
        survivors = _survivors(ports.patients, set(owners.values()))
    except DependencyUnavailable:
        logger.warning("feed lanes: patient identifiers not resolved; the batch is filed in order")
        return [None] * len(records)
    return [
        None
        if messages is None
        else frozenset(
            survivors.get(owners[claim], owners[claim])
            for sender, sents in messages
            for sent in sents
            for claim in claims[(sender, sent)]
            if claim in owners
        )
        for messages in named
    ]


def _named(body: str, sender_hint: str) -> list[Named] | None:
    """Each message's sender and the patient identifiers it sends; None when the body cannot be
    read (a claim check, a body intake will refuse)."""
    try:
        envelopes = read_messages(body.encode("utf-8", "surrogatepass"), sender_hint)
    except (Unfileable, ValueError, RecursionError, IndexError, TypeError):
        return None
    named: list[Named] = []
    for envelope in envelopes:
        if isinstance(envelope, Unfileable):
            return None
        try:
            sent = (
                _hl7_identifiers(envelope.parsed)
                if envelope.format is FeedFormat.HL7V2
                else _fhir_identifiers(envelope.text)
            )
        except (ValueError, RecursionError, IndexError, KeyError, TypeError, AttributeError):
            return None
        named.append((envelope.sender, sent))
    return named


def _hl7_identifiers(parsed: Any) -> tuple[SentIdentifier, ...]:
    """PID-3 and MRG-1 as intake reads them (interop.hl7v2.patients.read_identifiers)."""
    from chalicelib.interop.hl7v2.fields import FieldReader
    from chalicelib.interop.hl7v2.patients import read_identifiers

    reader = FieldReader(parsed)
    found: list[SentIdentifier] = []
    for segment in parsed:
        name = str(segment[0]).strip()
        if name in ("PID", "MRG"):
            found.extend(read_identifiers(reader, reader.field(segment, 3 if name == "PID" else 1)))
    return tuple(found)


def _fhir_identifiers(text: str) -> tuple[SentIdentifier, ...]:
    """A FHIR body's patients: each Patient's identifiers and id, and every reference to a patient
    (by id, or by a logical identifier)."""
    resource = json.loads(text)
    found: list[SentIdentifier] = []
    for item in _resources(resource):
        if item.get("resourceType") == "Patient":
            if isinstance(item.get("id"), str):
                found.append(SentIdentifier(item["id"].strip(), "RI", universal_id=FHIR_ID_AUTHORITY))
            found.extend(filter(None, map(_logical, _list(item.get("identifier")))))
    for reference in _references(resource):
        found.append(reference)
    return tuple(dict.fromkeys(found))


def _logical(identifier: Any) -> SentIdentifier | None:
    if not isinstance(identifier, dict):
        return None
    system, value = identifier.get("system"), identifier.get("value")
    if not isinstance(system, str) or not isinstance(value, str) or not system.strip() or not value.strip():
        return None
    universal = universal_id(system.strip())
    return SentIdentifier(value.strip(), "", "" if universal else system.strip(), universal)


def _references(value: Any, depth: int = 0) -> Iterator[SentIdentifier]:
    if depth > 12:
        return
    if isinstance(value, dict):
        reference = value.get("reference")
        if isinstance(reference, str) and "Patient/" in reference:
            patient_id = reference.split("Patient/", 1)[1].split("/_history/", 1)[0].strip()
            if patient_id:
                yield SentIdentifier(patient_id, "RI", universal_id=FHIR_ID_AUTHORITY)
        logical = _logical(value.get("identifier"))  # (a logical reference: perhaps its identifier alone)
        if logical:
            yield logical
        for inner in value.values():
            if isinstance(inner, dict | list):
                yield from _references(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            yield from _references(inner, depth + 1)


def _resources(resource: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(resource, dict):
        return
    yield resource
    if resource.get("resourceType") == "Bundle":
        for entry in _list(resource.get("entry")):
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                yield entry["resource"]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _sources(ports: LanePatientsPorts, senders: set[str]) -> dict[str, FeedSource]:
    found = {sender: ports.records.feed_source(sender) for sender in sorted(senders)}
    return {sender: source for sender, source in found.items() if source is not None}


def _claims(source: FeedSource | None, sender: str, sent: SentIdentifier) -> tuple[tuple[str, Identifier], ...]:
    """The claims an identifier may be filed under: as matching claims it, and (a type matching
    would not take under the default authority, a FHIR identifier read without its type) under
    the default authority too."""
    if source is None:
        return ()  # intake refuses a sender without a feed source
    candidates = [claimed(source, sender, sent)]
    if source.default_authority and not (sent.universal_id or sent.namespace):
        candidates.append(Identifier(source.default_authority, sent.value, sent.type))
    return tuple(
        dict.fromkeys((source.organization_id, Identifier(c.authority, c.value)) for c in candidates if c is not None)
    )


def _survivors(patients: Patients, owners: set[str]) -> dict[str, str]:
    """Each owner's chart patient: itself, or the patient it was merged into (followed along)."""
    survivor = {owner: owner for owner in owners}
    pending = set(owners)
    for _ in range(MAX_MERGE_STEPS):
        found = patients.many(sorted({survivor[owner] for owner in pending}))
        pending = {owner for owner in pending if survivor[owner] in found and found[survivor[owner]].merged_into}
        if not pending:
            break
        for owner in pending:
            survivor[owner] = found[survivor[owner]].merged_into
    return survivor
