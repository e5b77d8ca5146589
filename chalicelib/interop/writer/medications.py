"""A medication of the record as a US Core MedicationRequest; and the parts the outbound refill
Task's contained prescription shares with it (the medication as text and RxNorm code, the
prescription's own identifier).

The portal's medications are the prescriptions its feeds sent: status and intent as sent when
FHIR's value sets have them (else "unknown" and "order"), the prescriber as a Practitioner by
name, the dose instructions as text. A medication the patient reported (not prescribed here) is
``reportedBoolean`` true. US Core's requester is left out when the feed named no prescriber.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.profiles import PROFILES
from chalicelib.interop.writer.values import absent_concept, concept, date_time, notes, one_of, profiled, texts
from chalicelib.kernel.terminology import RXNORM
from chalicelib.records.domain import StoredResult

STATUSES = ("active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown")
INTENTS = ("proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option")


def medication_concept(text: str, rxnorm: str = "") -> dict[str, Any]:
    """A medication by its text as the chart shows it, and its RxNorm code when known."""
    written: dict[str, Any] = {"text": text}
    if rxnorm:
        written["coding"] = [{"system": RXNORM, "code": rxnorm}]
    return written


def prescription_identifier(system: str, value: str) -> list[dict[str, Any]]:
    """The clinical system's own id of a prescription, when the feed gave one ([] when not)."""
    return [{"system": system, "value": value}] if system and value else []


def medication_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    medication = concept(content.get("medication"))
    rxnorm = str(content.get("rxnorm") or "")
    if medication is not None and rxnorm and all(c.get("system") != RXNORM for c in medication.get("coding", [])):
        medication.setdefault("coding", []).append({"system": RXNORM, "code": rxnorm})
    prescription = content.get("prescription") or {}
    resource: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": entry.result_id,
        **profiled(PROFILES["MedicationRequest"]),
    }
    identifier = prescription_identifier(str(prescription.get("system") or ""), str(prescription.get("value") or ""))
    if identifier:
        resource["identifier"] = identifier
    resource.update(
        {
            "status": one_of(content.get("status"), STATUSES, "unknown"),
            "intent": one_of(content.get("intent"), INTENTS, "order"),
        }
    )
    if content.get("do_not_perform") is True:
        resource["doNotPerform"] = True
    if content.get("reported_by_patient") is True:
        resource["reportedBoolean"] = True
    resource["medicationCodeableConcept"] = medication or absent_concept()
    resource["subject"] = writing.patient()
    authored = date_time(content.get("authored_on"))
    if authored:
        resource["authoredOn"] = authored
    if str(content.get("prescriber") or "").strip():
        resource["requester"] = writing.practitioner(str(content["prescriber"]))
    reasons = [{"text": reason} for reason in texts(content.get("reasons"))]
    if reasons:
        resource["reasonCode"] = reasons
    if notes(content.get("notes")):
        resource["note"] = notes(content.get("notes"))
    dosage = [{"text": text} for text in texts(content.get("dosage"))]
    if dosage:
        resource["dosageInstruction"] = dosage
    dispense: dict[str, Any] = {}
    if date_time(content.get("expires_on")):
        dispense["validityPeriod"] = {"end": date_time(content.get("expires_on"))}
    refills = content.get("refills_allowed")
    if isinstance(refills, int) and not isinstance(refills, bool) and refills >= 0:
        dispense["numberOfRepeatsAllowed"] = refills
    if dispense:
        resource["dispenseRequest"] = dispense
    return resource
