"""What the quarantine reason of a document of several patients says when filing stops at one of
them (filing/service._stopped): the patients filed before, each by its place and the resources
filed under it by type and count, what of the stopping patient went in, and never a value."""

from __future__ import annotations

from chalicelib.filing.service import _stopped
from chalicelib.records.domain import ClinicalEntry, ClinicalMessage, PatientFacts, SentIdentifier


def part(where: str, resources: dict[str, int] | None = None, entries: int = 0) -> ClinicalMessage:
    facts = PatientFacts(identifiers=(SentIdentifier("E-100", "MR", "", "urn:oid:1.2.3"),), family_name="Alpha")
    extra = {"part": where} | ({"resources": resources} if resources is not None else {})
    entry = ClinicalEntry("allergy", "a-1", {"substance": "Peanuts"})
    return ClinicalMessage(kind="records", patient=facts, entries=(entry,) * entries, extra=extra)


def test_the_reason_names_each_filed_patient_with_its_resources_by_type_and_count():
    reason = _stopped(
        "The message refers to a patient the portal has not received from this sender.",
        part("the patient sent earlier that Bundle.entry[5] refers to"),
        [part("Patient (at Bundle.entry[1])", {"Patient": 1, "Observation": 2, "Encounter": 1})],
        0,
    )

    assert reason.startswith("the patient sent earlier that Bundle.entry[5] refers to: The message refers to")
    assert "kept: for Patient (at Bundle.entry[1]), Encounter 1, Observation 2, Patient 1. Nothing after it" in reason
    assert "Alpha" not in reason and "E-100" not in reason


def test_the_stopping_patients_own_items_filed_before_the_refusal_are_counted():
    reason = _stopped("The report is too large to file.", part("Patient (at Bundle.entry[4])", entries=3), [], 2)

    assert "kept: for Patient (at Bundle.entry[4]) itself, 2 of its 3 items." in reason


def test_when_nothing_was_filed_the_reason_says_so():
    reason = _stopped("Refused.", part("Patient (at Bundle.entry[0])"), [], 0)

    assert reason == "Patient (at Bundle.entry[0]): Refused. Nothing of the message was filed."


def test_a_long_document_names_twenty_patients_and_counts_the_rest():
    filed = [part(f"Patient (at Bundle.entry[{n}])", {"Patient": 1}) for n in range(25)]
    reason = _stopped("Refused.", part("Patient (at Bundle.entry[99])"), filed, 0)

    assert "Bundle.entry[19]" in reason and "Bundle.entry[20]" not in reason
    assert "for 5 more patients" in reason
