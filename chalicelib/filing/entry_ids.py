"""Which stored entry an appointment or a visit of a message is.

An entry the sender names by ids with issuers (ClinicalEntry.ids: an appointment's filler and
placer ids, a visit number with its assigning authority) is keyed by one of them, and found by
any: its first id's key names a new record, and every other id becomes an alias of it, so a
booking sent first with its placer id only (SCH-1) and later with its filler id (SCH-2), or with
the filler id alone, stays one appointment.

An id's key is its issuer as the organization knows it, as patient identifiers are claimed
(filing/matching.claimed): a declared authority, a universal id (OID, URI) as it is, a local
namespace as the sender's own. An id sent without an issuer is the sender's own: two ADT systems
that both number their visits from 1 never share one.

Entries filed before ids had issuers keep their key (``legacy_key``): it is looked up last, and
the new keys become its aliases, so nothing filed earlier is split or copied. A new visit claims
its legacy key as an alias too (the first to claim it keeps it), so a document that names its
visit by the bare number, as documents always did, still finds that visit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.filers import Delivery
from chalicelib.filing.matching import claimed
from chalicelib.records.domain import SentIdentifier, StoredResult

# What a key's scope starts with when an authority issued the id, else the scope is the sender:
# a control character, which intake never lets into a sender's name, so no sender is an authority.
AUTHORITY_SCOPE = "\x1eauthority:"
# Ids of different roles are kept apart: a placer's 100 is not the filler's 100. (Neither is the
# legacy key of either, "appointment@100", which named both: see ``record_id``.)
_ROLE_TAG = {"PLAC": "placer:", "FILL": "filler:"}


@dataclass(frozen=True)
class EntryKey:
    """What a record id is derived from (records.domain.result_id), beside the organization."""

    scope: str  # the sender, or AUTHORITY_SCOPE + the authority that issued the id
    source_id: str  # "<kind>@<id>"


def entry_keys(source: FeedSource, sender: str, kind: str, ids: Sequence[SentIdentifier]) -> tuple[EntryKey, ...]:
    """The keys of an entry's ids, in their order, each once."""
    keys: list[EntryKey] = []
    for sent in ids:
        issued = claimed(source, sender, sent) if sent.namespace or sent.universal_id else None
        scope = AUTHORITY_SCOPE + issued.authority if issued else sender
        key = EntryKey(scope, f"{kind}@{_ROLE_TAG.get(sent.type, '')}{sent.value}")
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def legacy_key(sender: str, source_id: str) -> EntryKey:
    """The key an entry had before its ids had issuers: its source_id alone, an HL7 visit number
    (``visit@``) shared by the whole organization, anything else the sender's."""
    return EntryKey("" if source_id.startswith("visit@") else sender, source_id)


def record_id(
    delivery: Delivery, patient_id: str, kind: str, keys: Sequence[EntryKey], legacy: EntryKey, *, writing: bool
) -> str:
    """The id of the patient's record that any of ``keys`` (or the legacy key) names, else the id
    a new one takes: its first key's, or the legacy key's when the entry has no ids.

    ``writing``: the record is to be updated. Then a visit under the organization-wide legacy key
    is taken only if this sender filed its latest version, and an alias there is not followed: a
    number another ADT system used for the patient is not this sender's visit. Only reading it
    (a discharge summary looking for its discharge, from a transcription system that sends the
    bare number) either will do."""
    if not keys:  # (an entry kept by its source_id alone: allergies, FHIR Encounters ...)
        return delivery.record_id(legacy.scope, legacy.source_id)
    found = find(delivery, patient_id, kind, keys)
    if not found:
        records, legacy_id = delivery.ports.records, delivery.record_id(legacy.scope, legacy.source_id)
        shared = legacy.scope == ""
        current = records.current(patient_id, legacy_id, kind=kind)
        if current is not None:
            found = legacy_id if not (writing and shared) or _from(current, delivery.sender) else ""
        elif not (writing and shared):
            found = records.alias(patient_id, kind, legacy_id)
    return found or delivery.record_id(keys[0].scope, keys[0].source_id)


def awaited_visit(delivery: Delivery, patient_id: str, keys: Sequence[EntryKey], legacy: EntryKey) -> str:
    """The id a document waits on for its visit's discharge: the visit's when it is filed, else
    the name the visit will answer to when it comes. A number issued by an authority the
    organization knows is that authority's; a bare one is the organization's legacy name, which
    the first visit filed with that number claims (``remember``), whichever system sends it."""
    found = record_id(delivery, patient_id, "visit", keys, legacy, writing=False)
    if not keys or delivery.ports.records.current(patient_id, found, kind="visit") is not None:
        return found
    named = keys[0] if keys[0].scope.startswith(AUTHORITY_SCOPE) else legacy
    return delivery.record_id(named.scope, named.source_id)


def legacy_name(delivery: Delivery, record: StoredResult, source_id: str) -> str:
    """The legacy name of ``record``, filed with this source_id, when that name is the record's
    (the first visit with the number claimed it), else "": documents may wait on it by that name."""
    legacy = legacy_key(delivery.sender, source_id)
    name = delivery.record_id(legacy.scope, legacy.source_id)
    owner = name if name == record.result_id else delivery.ports.records.alias(record.patient_id, record.kind, name)
    return name if owner == record.result_id else ""


def _from(record: StoredResult, sender: str) -> bool:
    return record.source.startswith(f"{sender}|")


def find(delivery: Delivery, patient_id: str, kind: str, keys: Sequence[EntryKey]) -> str:
    """The id of the patient's record of this kind that the first of ``keys`` names (as its own
    key or as an alias), else ""."""
    records = delivery.ports.records
    for key in keys:
        record_id = delivery.record_id(key.scope, key.source_id)
        if records.current(patient_id, record_id, kind=kind) is not None:
            return record_id
        target = records.alias(patient_id, kind, record_id)
        if target:
            return target
    return ""


def remember(delivery: Delivery, record: StoredResult, keys: Sequence[EntryKey]) -> None:
    """Every key of ``keys`` that names nothing yet becomes an alias of ``record``. A key that
    names another record already (two records the sender's earlier messages split) keeps it:
    filing never moves a record under another's name."""
    records = delivery.ports.records
    for key in keys:
        record_id = delivery.record_id(key.scope, key.source_id)
        if record_id == record.result_id:
            continue
        if records.alias(record.patient_id, record.kind, record_id):
            continue
        if records.current(record.patient_id, record_id, kind=record.kind) is None:
            records.add_alias(record, record_id)
