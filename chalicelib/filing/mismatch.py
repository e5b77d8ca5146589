"""Overlay protection: a message whose identifier names a patient, but whose birth date or family
name says it is someone else, is held for staff instead of filed.

An identifier typed into the wrong chart, a sender reusing numbers, or two systems' numbers that
collide put one person's results into another's record and overwrite their name (an overlay).
Matching never guesses from demographics, but it does not overlook them either: when they
disagree with the matched patient beyond how names are written, nothing is filed or overwritten
until a person decides (feeds/mismatches.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.patients.domain import Patient, fold_name
from chalicelib.records.domain import PatientFacts, PossibleMismatch

__all__ = ["Decision", "PossibleMismatch", "differences", "same_family"]


@dataclass(frozen=True)
class Decision:
    """What staff decided about a held message, for the refiling that carries it out: the
    message is about ``held_for`` after all (``file_under`` empty), or its records go under
    ``file_under`` instead, without touching either patient's identifiers or demographics."""

    held_for: str
    file_under: str = ""

    def encode(self) -> str:
        return f"{self.held_for}:{self.file_under}"

    @classmethod
    def decode(cls, text: str) -> Decision | None:
        held_for, _, file_under = text.partition(":")
        return cls(held_for, file_under) if held_for else None


def differences(patient: Patient, facts: PatientFacts) -> tuple[str, ...]:
    """The demographics that say the message is about someone else: what both sides give and
    disagree on. A side that says nothing (no birth date, no name) disagrees with nothing."""
    found = []
    if patient.birth_date and facts.birth_date and patient.birth_date != facts.birth_date:
        found.append("birth_date")
    if patient.family_name and facts.family_name and not same_family(patient.family_name, facts):
        found.append("family_name")
    return tuple(found)


def same_family(held: str, facts: PatientFacts) -> bool:
    """Whether the family name the record holds is the message's, as names are written: case,
    accents, spaces, hyphens and apostrophes aside ("O'Brien-Núñez" is "obrien nunez"); one part
    of a double-barrelled name ("Smith" and "Smith-Jones"); or a name the message records as the
    patient's earlier one (a marriage)."""
    if fold_name(held) == fold_name(facts.family_name):
        return True
    held_parts, sent_parts = _parts(held), _parts(facts.family_name)
    if held_parts and sent_parts and (held_parts <= sent_parts or sent_parts <= held_parts):
        return True
    return any(fold_name(held) == fold_name(earlier) for earlier in facts.previous_family_names)


def _parts(name: str) -> set[str]:
    return {fold_name(part) for part in re.split(r"[\s-]+", name) if fold_name(part)}
