"""Matching: which patient a message is about.

On identifier plus assigning authority only, within the sender's organization. Authorities are
namespaced (``claimed``): the feed source declares which of the organization's authorities its
names stand for; a universal id (OID, URI) is used as it is; a local name nobody declared stays
the sender's own, so two senders' "MRN" never meet; bare record numbers get the feed source's
default authority; a FHIR Patient id is claimed under the sender's own authority. An unknown patient is created from the message (the EHR is the source of truth),
never from a mere reference; identifiers naming two different patients are Unreadable, never a
guess; a known patient takes the message's demographics and new identifiers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from chalicelib.errors import Conflict
from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.mismatch import Decision, PossibleMismatch, differences
from chalicelib.patients.domain import Identifier, Patient, PortalStatus, is_sensitive
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import FHIR_ID_AUTHORITY, PatientFacts, SentIdentifier, Unreadable


class MatchingPorts(Protocol):
    """The organization's patients and the identifiers they claim."""

    @property
    def patients(self) -> Patients: ...


MAX_IDENTIFIERS = 20  # claims go in one transaction (100 items at most); real records carry a handful


def fhir_id_authority(sender: str) -> str:
    """The authority under which a sender's FHIR Patient ids are claimed: the ids are the
    sender's own, so another sender's "Patient/1" is another patient."""
    name = f"fhir:{sender}"
    if len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9 ._:/-]+", name):
        name = "fhir:" + hashlib.sha256(sender.encode()).hexdigest()[:32]
    return name


_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/-]")


def scoped_authority(sender: str, name: str) -> str:
    """A local authority name the sender did not declare, kept the sender's own: "LAB|QUEST"'s
    "MRN" is "LAB.QUEST.<digest>:MRN", never the "MRN" of another sender or of the organization.
    Readable where it can be (staff see it among the patient's identifiers); a digest of the exact
    sender and name keeps two senders whose names differ only in punctuation apart."""
    plain = f"{sender}:{name}"
    if not _UNSAFE.search(sender) and not _UNSAFE.search(name) and len(plain) <= 64:
        return plain
    digest = hashlib.sha256(f"{sender}\n{name}".encode()).hexdigest()[:8]
    readable_sender, readable_name = _UNSAFE.sub(".", sender)[:24], _UNSAFE.sub(".", name)
    scoped = f"{readable_sender}.{digest}:{readable_name}"
    return (
        scoped if len(scoped) <= 64 else f"{readable_sender}.{digest}:{hashlib.sha256(name.encode()).hexdigest()[:16]}"
    )


def claimed(source: FeedSource, sender: str, sent: SentIdentifier) -> Identifier | None:
    """The organization's identifier a message's identifier is, or None when it has none:

    1. what the feed source declared for its universal id or its namespace;
    2. a FHIR Patient's own id: the sender's own (fhir_id_authority);
    3. a universal id (OID, URI) as it is: it names one authority for every sender;
    4. a local name the sender did not declare: the sender's own (scoped_authority);
    5. no authority at all: the feed source's default authority, for record numbers only (never
       for a payer's or another kind of number sent without an authority)."""
    if is_sensitive(sent.namespace, sent.type) or is_sensitive(sent.universal_id):
        return None  # the readers drop these already; never claimed, whichever reader built the facts
    declared = source.declared()
    for spelling in (sent.universal_id, sent.namespace):
        if spelling and spelling in declared:
            return Identifier(declared[spelling], sent.value, sent.type)
    if sent.universal_id == FHIR_ID_AUTHORITY:
        return Identifier(fhir_id_authority(sender), sent.value, sent.type)
    if sent.universal_id:
        return Identifier(sent.universal_id, sent.value, sent.type) if len(sent.universal_id) <= 64 else None
    if sent.namespace:
        return Identifier(scoped_authority(sender, sent.namespace), sent.value, sent.type)
    if source.default_authority and sent.type in ("MR", ""):
        return Identifier(source.default_authority, sent.value, sent.type)
    return None


def identifiers(source: FeedSource, sender: str, facts: PatientFacts) -> tuple[Identifier, ...]:
    """The message's identifiers as claimed: each with its authority, once; Unreadable when none has one."""
    found: list[Identifier] = []
    for sent in facts.identifiers:
        identifier = claimed(source, sender, sent)
        # Claims are on authority and value: the same number sent twice with two type codes is one.
        if identifier and not any((i.authority, i.value) == (identifier.authority, identifier.value) for i in found):
            found.append(identifier)
    if len(found) > MAX_IDENTIFIERS:
        raise Unreadable(f"The patient carries more than {MAX_IDENTIFIERS} identifiers.")
    if not found:
        raise Unreadable(
            "The patient has no identifier with an assigning authority, and the sender has no default authority."
        )
    return tuple(found)


def match(
    ports: MatchingPorts,
    source: FeedSource,
    sender: str,
    facts: PatientFacts,
    now: datetime,
    decided: Callable[[], Decision | None] = lambda: None,
) -> Patient:
    """The patient the message is about: found (following merges), created, or updated.

    A found patient whose birth date or family name disagree with the message's is not updated
    nor filed under: PossibleMismatch holds the message for staff, whose ``decision`` comes with
    its refiling (the same patient after all, or another one to file under), read by ``decided``
    only then."""
    claimed = identifiers(source, sender, facts)
    claims = {identifier: ports.patients.claimed_by(source.organization_id, identifier) for identifier in claimed}
    owners = {owner for owner in claims.values() if owner}
    if len(owners) > 1:
        raise Unreadable("The patient identifiers in the message belong to different patients.")
    alias = fhir_id_authority(sender)
    if not facts.reference_only and any(i.authority == alias and owner for i, owner in claims.items()):
        # A Patient resource is matched on its real identifiers; its id only lets later resources
        # refer to it. An id that named another patient (a sender reusing ids), or a known id with
        # none of its known identifiers, is not trusted to say who this is.
        if not any(owner for i, owner in claims.items() if i.authority != alias):
            raise Unreadable(
                "The sender's Patient id names a patient that none of the message's identifiers "
                "name: a FHIR Patient id must stay with one person."
            )
    unclaimed = tuple(identifier for identifier, owner in claims.items() if not owner)
    if not owners and facts.reference_only:
        raise Unreadable(
            "The message refers to a patient the portal has not received from this sender: send "
            "the Patient first, or in the same Bundle."
        )
    if not owners:
        return _create(ports, source, sender, facts, claimed, now)
    patient = ports.patients.get(owners.pop())
    while patient is not None and patient.merged_into:
        patient = ports.patients.get(patient.merged_into)
    if patient is None:
        raise Unreadable("An identifier points at a patient record that no longer exists.")
    differs = () if facts.reference_only else differences(patient, facts)
    if differs:
        decision = decided()
        if decision is None or decision.held_for != patient.patient_id:
            raise PossibleMismatch(patient.patient_id, differs)
        if decision.file_under:
            # Staff said the records are someone else's: filed under that patient, whose record
            # (and the matched one's) keeps its identifiers and demographics; the sender must fix
            # its identifier, or its next message is held again.
            target = ports.patients.get(decision.file_under)
            while target is not None and target.merged_into:
                target = ports.patients.get(target.merged_into)
            if target is None or target.organization_id != source.organization_id:
                raise Unreadable("The patient staff chose to file this message under no longer exists.")
            return target
    return _update(ports, patient, facts, unclaimed)


def _create(
    ports: MatchingPorts,
    source: FeedSource,
    sender: str,
    facts: PatientFacts,
    claimed: tuple[Identifier, ...],
    now: datetime,
) -> Patient:
    patient = Patient(
        patient_id=uuid.uuid4().hex,
        organization_id=source.organization_id,
        identifiers=claimed,
        family_name=facts.family_name or "",
        given_names=facts.given_names,
        birth_date=facts.birth_date,
        sex=facts.sex,
        email="",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=now,
        deceased=bool(facts.deceased),
        deceased_on=facts.deceased_on if facts.deceased else "",
        deceased_as_of=facts.as_of if facts.deceased is not None else "",
    )
    try:
        ports.patients.add(patient)
    except Conflict:  # created meanwhile by another delivery: file onto that one
        return match(ports, source, sender, facts, now)  # (a new patient: nothing to hold)
    return patient


def _update(ports: MatchingPorts, patient: Patient, facts: PatientFacts, unclaimed: tuple[Identifier, ...]) -> Patient:
    # The sender is the source of truth for demographics: take what it says, keep what it leaves out.
    updated = dataclasses.replace(
        patient,
        identifiers=patient.identifiers + unclaimed,
        family_name=facts.family_name or patient.family_name,
        given_names=facts.given_names or patient.given_names,
        birth_date=facts.birth_date or patient.birth_date,
        sex=facts.sex or patient.sex,
    )
    if facts.deceased is not None and not _older(facts.as_of, patient.deceased_as_of):
        updated = dataclasses.replace(
            updated,
            deceased=facts.deceased,
            deceased_on=facts.deceased_on if facts.deceased else "",
            deceased_as_of=facts.as_of or patient.deceased_as_of,
        )
    if updated != patient:
        try:
            ports.patients.save_with_claims(updated, new=unclaimed)
        except Conflict:
            raise Unreadable("An identifier in the message was claimed by another patient meanwhile.") from None
        return dataclasses.replace(updated, version=(patient.version or 0) + 1)
    return patient


def _older(sent: str, held: str) -> bool:
    """Whether a statement about the patient's death was sent before the one the record holds, so
    that a message delivered late (a replay, a retry) cannot undo a newer one. Times that cannot
    be compared (unknown, or one without a zone) never count as older: then the latest arrival wins."""
    try:
        new, old = datetime.fromisoformat(sent), datetime.fromisoformat(held)
    except ValueError:
        return False
    if (new.tzinfo is None) != (old.tzinfo is None):
        return False
    return new < old
