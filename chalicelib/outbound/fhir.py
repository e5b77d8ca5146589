"""FHIR R4 resources the portal sends out: Communication (a message to or from a care team) and
Task (a refill request, with the MedicationRequest it asks about contained in it).

Built as plain JSON and validated with fhir.resources' R4B models (R4 proper needs fhir.resources
6 with pydantic 1; R4B's Communication, Task and MedicationRequest are R4's, field for field).
fhir.resources checks structure and types but not code values, so the codes (status, intent) are
checked here against R4's value sets. fhir.resources is imported on first use: it costs about
100 ms, which the API function pays only when it sends.

How the resources name things (docs/integrating.md says the same to the integration engine):
- the patient by the organization's MRN: ``{"system": <the organization's MRN authority>,
  "value": <MRN>}`` as the engine matches its own patients; never the portal's ids alone;
- the portal's own things (care teams, accounts, attachments, requests) by identifiers under the
  portal's systems below, which the engine keeps as opaque ids;
- an attachment by its portal id (a DocumentReference identifier), never its bytes or a link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from chalicelib.kernel.terminology import RXNORM
from chalicelib.outbound.domain import InvalidOutboundEvent

# The portal's identifier systems. URNs rather than web addresses: they name, they do not resolve.
CARE_TEAM_SYSTEM = "urn:patient-portal:care-team"
ACCOUNT_SYSTEM = "urn:patient-portal:account"  # a staff member's portal account
ATTACHMENT_SYSTEM = "urn:patient-portal:attachment"
MESSAGE_SYSTEM = "urn:patient-portal:message"
REFILL_REQUEST_SYSTEM = "urn:patient-portal:refill-request"
# The clinical system's own id of a prescription, when the feed gave one, is sent under the
# system the feed gave it with (``Prescription.system``).

TASK_STATUSES = ("requested", "accepted", "rejected")  # of R4's Task.status, those a refill goes through
MAX_TEXT = 20_000  # characters of a message or note: what a care team reads, not a document


@dataclass(frozen=True)
class PatientIdentifier:
    """The patient as the organization's clinical systems know them: MRN and its authority."""

    system: str
    value: str

    def reference(self) -> dict[str, Any]:
        return {"type": "Patient", "identifier": {"system": self.system, "value": self.value}}


@dataclass(frozen=True)
class Prescription:
    """The medication a refill is asked for, as the chart holds it."""

    medication: str  # the medication's text, as the chart shows it
    system: str = ""  # the clinical system's identifier of the prescription, when known
    value: str = ""
    rxnorm: str = ""  # an RxNorm code, when known


@dataclass(frozen=True)
class Dispenser:
    """The pharmacy the patient asked the refill to be sent to, as they gave it."""

    name: str
    phone: str = ""
    address: str = ""


def patient_identifier(identifiers: Sequence[Any], mrn_authority: str) -> PatientIdentifier:
    """The patient's MRN under the organization's authority (patients.domain.Identifier items).
    No such identifier: the event cannot name the patient to the clinical systems, a bug upstream."""
    for identifier in identifiers:
        if identifier.type == "MR" and identifier.authority == mrn_authority and mrn_authority:
            return PatientIdentifier(identifier.authority, identifier.value)
    raise InvalidOutboundEvent("the patient has no MRN under the organization's authority")


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidOutboundEvent("outbound times carry their zone")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _identified(resource_type: str, system: str, value: str) -> dict[str, Any]:
    return {"type": resource_type, "identifier": {"system": system, "value": value}}


def _text(value: str, what: str) -> str:
    if not value.strip() or len(value) > MAX_TEXT:
        raise InvalidOutboundEvent(f"{what} is 1 to {MAX_TEXT} characters")
    return value


def care_team(team_id: str) -> dict[str, Any]:
    return _identified("CareTeam", CARE_TEAM_SYSTEM, team_id)


def staff_member(account_id: str) -> dict[str, Any]:
    return _identified("Practitioner", ACCOUNT_SYSTEM, account_id)


def communication(
    *,
    message_id: str,
    patient: PatientIdentifier,
    sender: dict[str, Any],
    recipients: Sequence[dict[str, Any]],
    text: str,
    sent: datetime,
    attachments: Sequence[str] = (),
    in_response_to: str = "",
) -> dict[str, Any]:
    """A message between a patient and a care team. ``sender`` and ``recipients`` are references:
    ``patient.reference()``, ``care_team(id)`` or ``staff_member(account id)``. ``in_response_to``
    is the message id this one answers (the thread, as the engine can follow it). ``attachments``
    are the portal's attachment ids: the engine fetches a file through its own channel, so no
    bytes and no link (which would outlive its purpose in the engine's logs) travel here."""
    if not recipients:
        raise InvalidOutboundEvent("a message has at least one recipient")
    payload: list[dict[str, Any]] = [{"contentString": _text(text, "a message's text")}]
    payload += [{"contentReference": _identified("DocumentReference", ATTACHMENT_SYSTEM, a)} for a in attachments]
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "identifier": [{"system": MESSAGE_SYSTEM, "value": message_id}],
        "status": "completed",
        "subject": patient.reference(),
        "sent": _instant(sent),
        "sender": sender,
        "recipient": list(recipients),
        "payload": payload,
    }
    if in_response_to:
        resource["inResponseTo"] = [_identified("Communication", MESSAGE_SYSTEM, in_response_to)]
    return validated(resource)


def refill_task(
    *,
    request_id: str,
    patient: PatientIdentifier,
    prescription: Prescription,
    status: str,
    authored: datetime,
    changed: datetime,
    owner: dict[str, Any] | None = None,
    note: str = "",
    reason: str = "",
    pharmacy: Dispenser | None = None,
) -> dict[str, Any]:
    """A refill request (status "requested"), or what became of it ("accepted", "rejected" with
    ``reason``). The prescription is a contained MedicationRequest the Task's focus points at:
    one resource carries both, so the engine needs no second message to know what is asked.
    ``owner``: the care team the request went to (``care_team(id)``); ``note``: the patient's words;
    ``pharmacy``: where the patient asks it be sent, a contained Organization the prescription's
    dispenseRequest.performer points at (FHIR keeps every contained resource on the Task itself)."""
    if status not in TASK_STATUSES:
        raise InvalidOutboundEvent(f"a refill task's status is one of {', '.join(TASK_STATUSES)}")
    medication: dict[str, Any] = {"text": _text(prescription.medication, "a medication's name")}
    if prescription.rxnorm:
        medication["coding"] = [{"system": RXNORM, "code": prescription.rxnorm}]
    medication_request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "prescription",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": medication,
        "subject": patient.reference(),
    }
    if prescription.system and prescription.value:
        medication_request["identifier"] = [{"system": prescription.system, "value": prescription.value}]
    contained: list[dict[str, Any]] = [medication_request]
    if pharmacy is not None:
        organization: dict[str, Any] = {
            "resourceType": "Organization",
            "id": "pharmacy",
            "name": _text(pharmacy.name, "a pharmacy's name"),
        }
        if pharmacy.phone:
            organization["telecom"] = [{"system": "phone", "value": pharmacy.phone}]
        if pharmacy.address:
            organization["address"] = [{"text": pharmacy.address}]
        contained.append(organization)
        medication_request["dispenseRequest"] = {"performer": {"reference": "#pharmacy", "display": pharmacy.name}}
    resource: dict[str, Any] = {
        "resourceType": "Task",
        "identifier": [{"system": REFILL_REQUEST_SYSTEM, "value": request_id}],
        "contained": contained,
        "status": status,
        "intent": "order",
        "code": {"text": "Refill request"},
        "focus": {"reference": "#prescription"},
        "for": patient.reference(),
        "authoredOn": _instant(authored),
        "lastModified": _instant(changed),
        "requester": patient.reference(),
    }
    if owner is not None:
        resource["owner"] = owner
    if note:
        resource["note"] = [{"text": _text(note, "a request's note")}]
    if status == "rejected":
        resource["statusReason"] = {"text": _text(reason, "a rejection's reason")}
    return validated(resource)


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as fhir.resources reads and writes it back, or InvalidOutboundEvent."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    try:
        model = get_fhir_model_class(resource.get("resourceType", "")).model_validate(resource)
    except (KeyError, ValueError, ValidationError) as error:  # ValidationError is a ValueError
        raise InvalidOutboundEvent(f"not a valid FHIR {resource.get('resourceType')}: {_fields(error)}") from None
    return model.model_dump(mode="json", exclude_none=True, by_alias=True)


def _fields(error: Exception) -> str:
    """Which fields failed, never their values (a value may be a patient's words)."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        return ", ".join(sorted({".".join(str(p) for p in e["loc"]) for e in errors()})) or "invalid"
    return "unknown resource type"
