"""FHIR R4 resources the portal sends out: Communication (a message to or from a care team), Task
(a refill request, with the MedicationRequest it asks about contained in it), Appointment (a visit
the patient asks for or cancels), QuestionnaireResponse (answers given at check-in) and
DocumentReference (a form the patient signed).

Built as plain JSON and validated with fhir.resources' R4B models (R4 proper needs fhir.resources
6 with pydantic 1; R4B's Communication, Task, MedicationRequest, Appointment, QuestionnaireResponse and
DocumentReference are R4's, field for field). fhir.resources checks structure and types but not
code values or references' targets, so the codes (statuses, intent, participant status) are R4's
value sets' codes, chosen or checked here, and so are what fhir.resources leaves loose: a
canonical URL, a linkId, a hash's form. fhir.resources is imported on first use: it costs about
100 ms, which the API function pays only when it sends.

The parts these share with the FHIR the portal writes for apps and downloads (the patient's
reference by MRN, the portal's identifier systems, a medication's concept, a visit's mode, a
moment as an instant, validation) are the FHIR writer's (chalicelib.interop.writer), written once.

How the resources name things (docs/integrating.md says the same to the integration engine):
- the patient by the organization's MRN: ``{"system": <the organization's MRN authority>,
  "value": <MRN>}`` as the engine matches its own patients; never the portal's ids alone;
- the portal's own things (care teams, accounts, attachments, requests) by identifiers under the
  portal's systems below, which the engine keeps as opaque ids;
- an attachment by its portal id (a DocumentReference identifier), never its bytes or a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.interop.writer.documents import attachment
from chalicelib.interop.writer.medications import medication_concept, prescription_identifier
from chalicelib.interop.writer.values import ACCOUNT_SYSTEM as ACCOUNT_SYSTEM
from chalicelib.interop.writer.values import ATTACHMENT_SYSTEM as ATTACHMENT_SYSTEM
from chalicelib.interop.writer.values import CARE_TEAM_SYSTEM as CARE_TEAM_SYSTEM
from chalicelib.interop.writer.values import PatientIdentifier as PatientIdentifier
from chalicelib.interop.writer.values import identified
from chalicelib.interop.writer.visits import CANCELLATION_REASON_SYSTEM as CANCELLATION_REASON_SYSTEM
from chalicelib.interop.writer.visits import VISIT_MODE_SYSTEM as VISIT_MODE_SYSTEM
from chalicelib.interop.writer.visits import VISIT_MODES as VISIT_MODES
from chalicelib.outbound.domain import InvalidOutboundEvent

# The Appointments live in their own module; callers name them here, as before.
from chalicelib.outbound.fhir_appointments import APPOINTMENT_REQUEST_SYSTEM as APPOINTMENT_REQUEST_SYSTEM
from chalicelib.outbound.fhir_appointments import MAX_PREFERRED as MAX_PREFERRED
from chalicelib.outbound.fhir_appointments import appointment_booking as appointment_booking
from chalicelib.outbound.fhir_appointments import appointment_cancellation as appointment_cancellation
from chalicelib.outbound.fhir_appointments import appointment_request as appointment_request
from chalicelib.outbound.fhir_appointments import appointment_request_closed as appointment_request_closed
from chalicelib.outbound.fhir_parts import MAX_TEXT as MAX_TEXT
from chalicelib.outbound.fhir_parts import checked_text, instant_at
from chalicelib.outbound.fhir_parts import validated as validated

# The portal's identifier systems of outbound things (the shared ones are the writer's, above).
MESSAGE_SYSTEM = "urn:patient-portal:message"
REFILL_REQUEST_SYSTEM = "urn:patient-portal:refill-request"
# The clinical system's own id of a prescription, when the feed gave one, is sent under the
# system the feed gave it with (``Prescription.system``); so is a booked appointment's id.
# (The appointment request's system is outbound.fhir_appointments', named above.)
QUESTIONNAIRE_RESPONSE_SYSTEM = "urn:patient-portal:questionnaire-response"
SIGNED_DOCUMENT_SYSTEM = "urn:patient-portal:signed-document"  # a signed form's PDF, as the portal stores it
# The signed PDF's SHA-256, lower-case hex, as a second identifier of its DocumentReference. R4's
# Attachment.hash is SHA-1 only; an identifier (not an extension) because engines index and search
# identifiers without knowing an extension's definition, and the digest does identify the bytes.
SHA256_SYSTEM = "urn:patient-portal:sha-256"

TASK_STATUSES = ("requested", "accepted", "rejected")  # of R4's Task.status, those a refill goes through
MAX_ITEMS = 500  # answered items of a questionnaire response
# A canonical URL (absolute, optionally "|version"), as QuestionnaireResponse.questionnaire wants.
CANONICAL = re.compile(r"(https?://[^\s|]+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s|]+)(\|[^\s|]+)?")
LINK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
SHA1_HEX = re.compile(r"[0-9a-f]{40}")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


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


@dataclass(frozen=True)
class Coded:
    """A code of a code system, as a questionnaire's answer option carries it."""

    system: str
    code: str
    display: str = ""


# The R4 answer types the portal asks for. bool before int: a bool is an int to Python. A datetime
# is a date to Python but not a valueDate to FHIR, so it is refused.
AnswerValue = str | bool | int | date | Coded


@dataclass(frozen=True)
class Answer:
    """One answered item of a questionnaire: its linkId, the question's text, and one or more values."""

    link_id: str
    values: Sequence[AnswerValue]
    text: str = ""


def patient_identifier(identifiers: Sequence[Any], mrn_authority: str) -> PatientIdentifier:
    """The patient's MRN under the organization's authority (patients.domain.Identifier items).
    No such identifier: the event cannot name the patient to the clinical systems, a bug upstream."""
    for identifier in identifiers:
        if identifier.type == "MR" and identifier.authority == mrn_authority and mrn_authority:
            return PatientIdentifier(identifier.authority, identifier.value)
    raise InvalidOutboundEvent("the patient has no MRN under the organization's authority")


def care_team(team_id: str) -> dict[str, Any]:
    return identified("CareTeam", CARE_TEAM_SYSTEM, team_id)


def staff_member(account_id: str) -> dict[str, Any]:
    return identified("Practitioner", ACCOUNT_SYSTEM, account_id)


def related_person_author(account_id: str, display: str) -> dict[str, Any]:
    """Someone acting for the patient under a proxy grant, as the author or sender of what they
    did (their portal account; ``display``: "Luis Rivera (parent)"), never the patient."""
    return {
        "type": "RelatedPerson",
        "identifier": {"system": ACCOUNT_SYSTEM, "value": account_id},
        "display": checked_text(display, "a related person's name"),
    }


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
    payload: list[dict[str, Any]] = [{"contentString": checked_text(text, "a message's text")}]
    payload += [{"contentReference": identified("DocumentReference", ATTACHMENT_SYSTEM, a)} for a in attachments]
    resource: dict[str, Any] = {
        "resourceType": "Communication",
        "identifier": [{"system": MESSAGE_SYSTEM, "value": message_id}],
        "status": "completed",
        "subject": patient.reference(),
        "sent": instant_at(sent),
        "sender": sender,
        "recipient": list(recipients),
        "payload": payload,
    }
    if in_response_to:
        resource["inResponseTo"] = [identified("Communication", MESSAGE_SYSTEM, in_response_to)]
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
    medication = medication_concept(checked_text(prescription.medication, "a medication's name"), prescription.rxnorm)
    medication_request: dict[str, Any] = {
        "resourceType": "MedicationRequest",
        "id": "prescription",
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": medication,
        "subject": patient.reference(),
    }
    if prescription_identifier(prescription.system, prescription.value):
        medication_request["identifier"] = prescription_identifier(prescription.system, prescription.value)
    contained: list[dict[str, Any]] = [medication_request]
    if pharmacy is not None:
        organization: dict[str, Any] = {
            "resourceType": "Organization",
            "id": "pharmacy",
            "name": checked_text(pharmacy.name, "a pharmacy's name"),
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
        "authoredOn": instant_at(authored),
        "lastModified": instant_at(changed),
        "requester": patient.reference(),
    }
    if owner is not None:
        resource["owner"] = owner
    if note:
        resource["note"] = [{"text": checked_text(note, "a request's note")}]
    if status == "rejected":
        resource["statusReason"] = {"text": checked_text(reason, "a rejection's reason")}
    return validated(resource)


def questionnaire_response(
    *,
    response_id: str,
    questionnaire: str,
    patient: PatientIdentifier,
    authored: datetime,
    answers: Sequence[Answer],
    author: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The patient's answers to a visit's questionnaire: status "completed" (the portal sends
    only what the patient submitted), the patient as subject and author. ``questionnaire`` is the
    Questionnaire's canonical URL (``url`` or ``url|version``) as the scheduling system gave it.
    ``author``: a reference to whoever answered when it was not the patient (a RelatedPerson
    asking for proxy access)."""
    if not CANONICAL.fullmatch(questionnaire) or len(questionnaire) > 1024:
        raise InvalidOutboundEvent("a questionnaire response names its questionnaire by canonical URL")
    if not answers or len(answers) > MAX_ITEMS:
        raise InvalidOutboundEvent(f"a questionnaire response has 1 to {MAX_ITEMS} answered items")
    items = []
    for answer in answers:
        if not LINK_ID.fullmatch(answer.link_id):
            raise InvalidOutboundEvent("an item's linkId is 1 to 100 letters, digits and . _ / -")
        if not answer.values or isinstance(answer.values, str):  # a bare string would be read letter by letter
            raise InvalidOutboundEvent("an answered item has a list of at least one value")
        item: dict[str, Any] = {"linkId": answer.link_id, "answer": [_answer(v) for v in answer.values]}
        if answer.text:
            item["text"] = checked_text(answer.text, "an item's text")
        items.append(item)
    if len({item["linkId"] for item in items}) != len(items):
        raise InvalidOutboundEvent("an item's linkId appears once")
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": QUESTIONNAIRE_RESPONSE_SYSTEM, "value": response_id},
        "questionnaire": questionnaire,
        "status": "completed",
        "subject": patient.reference(),
        "author": author or patient.reference(),
        "authored": instant_at(authored),
        "item": items,
    }
    return validated(resource)


def _answer(value: object) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, datetime):
        raise InvalidOutboundEvent("a date answer is a day, without a time")
    if isinstance(value, date):
        return {"valueDate": value.isoformat()}
    if isinstance(value, str):
        return {"valueString": checked_text(value, "a text answer")}
    if isinstance(value, Coded):
        if not value.system.strip() or not value.code.strip():
            raise InvalidOutboundEvent("a coded answer has a system and a code")
        coding = {"system": value.system, "code": value.code}
        return {"valueCoding": coding | ({"display": value.display} if value.display else {})}
    raise InvalidOutboundEvent("an answer is a string, boolean, date, integer or coding")


def signed_form(
    *,
    document_id: str,
    patient: PatientIdentifier,
    title: str,
    signed: datetime,
    sha1: str,
    sha256: str,
    size: int,
    author: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A form the patient signed: a DocumentReference "current" (docStatus "final": signed, it
    never changes) describing the signed PDF the portal keeps. ``title`` is the form's name (the
    type's text); ``sha1`` and ``sha256`` are the PDF's digests in lower-case hex. The PDF is named
    by the portal's id (``masterIdentifier``), with no bytes and no link: the engine fetches it
    through its own channel and checks it against ``Attachment.hash`` (base64 of the SHA-1, as R4
    wants) or the SHA-256 identifier. ``author``: who signed when it was not the patient (a
    RelatedPerson reference, ``related_person_author``)."""
    if not SHA1_HEX.fullmatch(sha1) or not SHA256_HEX.fullmatch(sha256):
        raise InvalidOutboundEvent("a signed form's digests are lower-case hex SHA-1 and SHA-256")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise InvalidOutboundEvent("a signed form's size is a positive number of bytes")
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "masterIdentifier": {"system": SIGNED_DOCUMENT_SYSTEM, "value": document_id},
        "identifier": [{"system": SHA256_SYSTEM, "value": sha256}],
        "status": "current",
        "docStatus": "final",
        "type": {"text": checked_text(title, "a form's title")},
        "subject": patient.reference(),
        "date": instant_at(signed),
        **({"author": [author]} if author else {}),
        "content": [
            {
                "attachment": attachment(
                    "application/pdf", size=size, sha1=sha1, title=title, creation=instant_at(signed)
                )
            }
        ],
    }
    return validated(resource)
