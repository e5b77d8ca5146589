"""Lanes: which records of one queue batch may be filed side by side, and which must wait for
each other.

The inbound queue's message group is the sender, so SQS hands a sender's messages over in order,
one batch at a time; filing them one after the other caps a sender at what one message's round
trips allow (a lab's morning burst queues up behind it). What must keep its order is narrower:
the messages about one patient (an A08 after its A01, a corrected result after the preliminary).
So a batch is split into lanes: records of one sender that share any patient identifier, or any
identity of a record they file (order, document, appointment or visit numbers), share a lane;
lanes are filed concurrently, each lane in queue order. Two records with the same message identity
(the sender's control id: MSH-3, MSH-4 and MSH-10, a message Bundle's id) share a lane too: intake
keeps a control id to the first message that used it, and which one that is must be the queue's
order, not a race between lanes (the later one is quarantined as a reused control id).

Identifiers read as text miss a patient named two ways: a merged-away record number and its
survivor's, or two entries of one PID-3 list. ``lanes`` also takes, per record, the chart patients
its identifiers resolve to (chalicelib.filing.lane_patients), and joins on those as well.

The keys are read from the body's own fields, before intake and without storing them: a cheap
split of the segments (no full parse; intake parses each message once, afterwards). Over-joining
costs only parallelism, never order, so every identifier-like field counts, whatever its
authority. A body whose patients cannot be read (a claim check, a body intake will refuse, a FHIR
resource naming no patient) joins every lane of its sender: the batch is then filed in order, as
before.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from chalicelib.feeds.envelope import decode

# HL7 v2 fields (segment, field number) whose values name a patient or a record filed for one:
# PID-2/3/4 patient ids, MRG-1/2 the ids of a patient merged away, OBR-2/3 placer and filler
# order numbers, ORC-2/3 the same on an order, TXA-12 a document, SCH-1/2 an appointment, PV1-19
# a visit.
_HL7_KEY_FIELDS: dict[str, tuple[int, ...]] = {
    "PID": (2, 3, 4),
    "MRG": (1, 2),
    "OBR": (2, 3),
    "ORC": (2, 3),
    "TXA": (12,),
    "SCH": (1, 2),
    "PV1": (19,),
}
_MESSAGE = "message:"  # prefix of a message identity key
_SEGMENT_BREAK = re.compile(r"\r\n|\r|\n")
_HEADER = re.compile(r"^(MSH|BHS|FHS)([!-/:-@\[-`{-~])")


def keys_of(body: str) -> frozenset[str] | None:
    """What the body's messages are about (identifier values, references), or None when that
    cannot be read: the record then orders with every other record of its sender."""
    try:
        text = decode(body.encode("utf-8", "surrogatepass")).strip()
        keys = _fhir_keys(text) if text.startswith("{") else _hl7_keys(text)
    except (ValueError, RecursionError, IndexError, TypeError):
        return None
    # (a message identity alone names no patient: such a record still orders with its sender)
    return frozenset(keys) if any(not key.startswith(_MESSAGE) for key in keys) else None


def _hl7_keys(text: str) -> set[str]:
    keys: set[str] = set()
    field, component, repetition = "|", "^", "~"
    for line in _SEGMENT_BREAK.split(text):
        header = _HEADER.match(line)
        if header:
            field = header.group(2)
            encoding = line[4:].split(field, 1)[0]
            component = encoding[0] if encoding else "^"
            repetition = encoding[1] if len(encoding) > 1 else "~"
            fields = line.split(field)
            if header.group(1) == "MSH" and len(fields) > 9 and fields[9].strip():
                # MSH-3, MSH-4 (the sender, as intake names it) and MSH-10 (the control id)
                keys.add(_MESSAGE + "|".join(fields[i].strip() for i in (2, 3, 9)))
            continue
        wanted = _HL7_KEY_FIELDS.get(line[:3])
        if not wanted:
            continue
        fields = line.split(field)
        for number in wanted:
            if number < len(fields):
                for value in fields[number].split(repetition):
                    identifier = value.split(component, 1)[0].strip()
                    if identifier and identifier != '""':
                        keys.add(identifier)
    return keys


def _fhir_keys(text: str) -> set[str]:
    resource = json.loads(text)
    if not isinstance(resource, dict):
        raise ValueError("not a resource")
    keys: set[str] = set()
    if isinstance(resource.get("id"), str):
        keys.add(f"{_MESSAGE}{resource['resourceType']}/{resource['id']}")  # (a message Bundle's control id)
    for item in _resources(resource):
        if item.get("resourceType") == "Patient" and isinstance(item.get("id"), str):
            keys.add(f"Patient/{item['id']}")
        if item.get("resourceType") not in ("Bundle", "MessageHeader") and isinstance(item.get("id"), str):
            keys.add(f"{item.get('resourceType')}/{item['id']}")  # a later version of the same resource
        for identifier in _as_list(item.get("identifier")):
            if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
                keys.add(identifier["value"].strip())
        keys.update(_patient_references(item))
    keys.discard("")
    return keys


def _resources(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield resource
    if resource.get("resourceType") == "Bundle":
        for entry in _as_list(resource.get("entry")):
            inner = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(inner, dict):
                yield inner


def _patient_references(value: Any, depth: int = 0) -> Iterator[str]:
    """Every reference to a patient anywhere in a resource (subject, patient, beneficiary ...),
    and the identifiers a logical reference names."""
    if depth > 12:
        return
    if isinstance(value, dict):
        reference = value.get("reference")
        if isinstance(reference, str) and "Patient/" in reference:  # (urn:uuid: names an entry of the same body)
            yield "Patient/" + reference.split("Patient/", 1)[1].split("/_history/", 1)[0]
        # A logical reference may carry its identifier alone ({"subject": {"identifier": ...}}):
        # a single identifier (an object, not a resource's list) counts wherever it is.
        identifier = value.get("identifier")
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
            yield identifier["value"].strip()
        for inner in value.values():
            if isinstance(inner, dict | list):
                yield from _patient_references(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            yield from _patient_references(inner, depth + 1)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class Lane:
    """Positions in the batch (queue order) of records that are filed one after the other."""

    group: str  # the message group (the sender) its records came in
    positions: tuple[int, ...]


def lanes(records: list[tuple[str, str]], patients: Sequence[frozenset[str] | None] = ()) -> list[Lane]:
    """(message group, body) per record, in queue order, into lanes: records of one group sharing
    any key join (transitively); a record without keys joins its whole group. ``patients``, when
    given, holds per record the chart patients it names (joined on as keys too), or None for a
    record whose patients could not be resolved: it joins its whole group as well."""
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        parent[root(b)] = root(a)

    owner: dict[tuple[str, str], int] = {}
    first_of_group: dict[str, int] = {}
    unreadable_groups: set[str] = set()
    for position, (group, body) in enumerate(records):
        first_of_group.setdefault(group, position)
        keys = keys_of(body)
        charts = patients[position] if position < len(patients) else frozenset()
        if keys is None or charts is None:
            unreadable_groups.add(group)
            continue
        for key in keys | {f"patient#{patient_id}" for patient_id in charts}:
            earlier = owner.setdefault((group, key), position)
            if earlier != position:
                join(earlier, position)
    for position, (group, _) in enumerate(records):
        if group in unreadable_groups:
            join(first_of_group[group], position)
    members: dict[int, list[int]] = {}
    for position in range(len(records)):
        members.setdefault(root(position), []).append(position)
    return sorted(
        (Lane(records[positions[0]][0], tuple(positions)) for positions in members.values()),
        key=lambda lane: lane.positions[0],
    )
