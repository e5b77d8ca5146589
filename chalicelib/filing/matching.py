"""Matching: which patient a message is about.

On identifier plus assigning authority only, within the sender's organization: bare record
numbers get the feed source's default authority, a FHIR Patient id is claimed under the sender's
own authority. An unknown patient is created from the message (the EHR is the source of truth),
never from a mere reference; identifiers naming two different patients are Unreadable, never a
guess; a known patient takes the message's demographics and new identifiers.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from datetime import datetime
from typing import Protocol

from chalicelib.errors import Conflict
from chalicelib.feeds.domain import FeedSource
from chalicelib.patients.domain import Identifier, Patient, PortalStatus, is_sensitive
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import FHIR_ID_AUTHORITY, PatientFacts, Unreadable


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


def identifiers(source: FeedSource, sender: str, facts: PatientFacts) -> tuple[Identifier, ...]:
    """The message's identifiers as claimed: each with its authority, once; Unreadable when none has one."""
    found: list[Identifier] = []
    for identifier in facts.identifiers:
        if is_sensitive(identifier.authority, identifier.type):
            continue  # the readers drop these already; never claimed, whichever reader built the facts
        # The source's default authority is for its bare record numbers only, never an SSN or a
        # payer id sent without authority.
        authority = identifier.authority or (source.default_authority if identifier.type in ("MR", "") else "")
        if authority == FHIR_ID_AUTHORITY:
            authority = fhir_id_authority(sender)
        # Claims are on authority and value: the same number sent twice with two type codes is one.
        if authority and not any((i.authority, i.value) == (authority, identifier.value) for i in found):
            found.append(Identifier(authority=authority, value=identifier.value, type=identifier.type))
    if len(found) > MAX_IDENTIFIERS:
        raise Unreadable(f"The patient carries more than {MAX_IDENTIFIERS} identifiers.")
    if not found:
        raise Unreadable(
            "The patient has no identifier with an assigning authority, and the sender has no default authority."
        )
    return tuple(found)


def match(ports: MatchingPorts, source: FeedSource, sender: str, facts: PatientFacts, now: datetime) -> Patient:
    """The patient the message is about: found (following merges), created, or updated."""
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
        return match(ports, source, sender, facts, now)
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
