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

How the resources name things (docs/integrating.md says the same to the integration engine):
- the patient by the organization's MRN: ``{"system": <the organization's MRN authority>,
  "value": <MRN>}`` as the engine matches its own patients; never the portal's ids alone;
- the portal's own things (care teams, accounts, attachments, requests) by identifiers under the
  portal's systems below, which the engine keeps as opaque ids;
- an attachment by its portal id (a DocumentReference identifier), never its bytes or a link.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
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
# system the feed gave it with (``Prescription.system``); so is a booked appointment's id.
APPOINTMENT_REQUEST_SYSTEM = "urn:patient-portal:appointment-request"
QUESTIONNAIRE_RESPONSE_SYSTEM = "urn:patient-portal:questionnaire-response"
SIGNED_DOCUMENT_SYSTEM = "urn:patient-portal:signed-document"  # a signed form's PDF, as the portal stores it
# The signed PDF's SHA-256, lower-case hex, as a second identifier of its DocumentReference. R4's
# Attachment.hash is SHA-1 only; an identifier (not an extension) because engines index and search
# identifiers without knowing an extension's definition, and the digest does identify the bytes.
SHA256_SYSTEM = "urn:patient-portal:sha-256"
# In person or by video: R4's Appointment has no field for it (R5 adds virtualService) and no
# value set of R4 names it, so it travels as a serviceType coding under the portal's own system.
VISIT_MODE_SYSTEM = "urn:patient-portal:visit-mode"
VISIT_MODES = {"in-person": "In-person visit", "video": "Video visit"}
# R4's example code system of cancellation reasons; "pat": the patient cancelled.
CANCELLATION_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"

TASK_STATUSES = ("requested", "accepted", "rejected")  # of R4's Task.status, those a refill goes through
MAX_TEXT = 20_000  # characters of a message or note: what a care team reads, not a document
MAX_PREFERRED = 20  # preferred periods of an appointment request: a patient's choices, not a calendar
MAX_ITEMS = 500  # answered items of a questionnaire response
# A canonical URL (absolute, optionally "|version"), as QuestionnaireResponse.questionnaire wants.
CANONICAL = re.compile(r"(https?://[^\s|]+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s|]+)(\|[^\s|]+)?")
LINK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,99}")
SHA1_HEX = re.compile(r"[0-9a-f]{40}")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


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


def related_person_author(account_id: str, display: str) -> dict[str, Any]:
    """Someone acting for the patient under a proxy grant, as the author or sender of what they
    did (their portal account; ``display``: "Luis Rivera (parent)"), never the patient."""
    return {
        "type": "RelatedPerson",
        "identifier": {"system": ACCOUNT_SYSTEM, "value": account_id},
        "display": _text(display, "a related person's name"),
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


def appointment_request(
    *,
    request_id: str,
    patient: PatientIdentifier,
    care_team_id: str,
    reason: str,
    preferred: Sequence[tuple[datetime, datetime]],
    mode: str,
    created: datetime,
    moves: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """A patient's request for a visit: an Appointment "proposed", without start or end (staff
    book the time), the days and times the patient prefers as ``requestedPeriod``. The patient
    takes part ("accepted": they asked); the care team is asked ("needs-action"), as a
    HealthcareService, since R4 does not let a CareTeam be an Appointment's participant. ``mode``
    is "in-person" or "video". A request to move a booked visit names that visit by the scheduling
    system's id, ``moves`` = (system, value), as ``supportingInformation``, and has no care team
    when the visit named none (``care_team_id`` "": the scheduler knows whose visit it is)."""
    if mode not in VISIT_MODES:
        raise InvalidOutboundEvent(f"an appointment's mode is one of {', '.join(VISIT_MODES)}")
    if not preferred or len(preferred) > MAX_PREFERRED:
        raise InvalidOutboundEvent(f"an appointment request has 1 to {MAX_PREFERRED} preferred periods")
    periods = []
    for start, end in preferred:
        if _instant(end) <= _instant(start):
            raise InvalidOutboundEvent("a preferred period ends after it starts")
        periods.append({"start": _instant(start), "end": _instant(end)})
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": APPOINTMENT_REQUEST_SYSTEM, "value": request_id}],
        "status": "proposed",
        "serviceType": [
            {
                "coding": [{"system": VISIT_MODE_SYSTEM, "code": mode, "display": VISIT_MODES[mode]}],
                "text": VISIT_MODES[mode],
            }
        ],
        "reasonCode": [{"text": _text(reason, "an appointment's reason")}],
        "created": _instant(created),
        "requestedPeriod": periods,
        "participant": [{"actor": patient.reference(), "required": "required", "status": "accepted"}],
    }
    if care_team_id:
        resource["participant"].append(
            {
                "actor": _identified("HealthcareService", CARE_TEAM_SYSTEM, care_team_id),
                "required": "required",
                "status": "needs-action",
            }
        )
    if moves is not None:
        system, value = moves
        if not system.strip() or not value.strip():
            raise InvalidOutboundEvent("the visit a request moves is named by its scheduling system and id")
        resource["supportingInformation"] = [_identified("Appointment", system, value)]
    return validated(resource)


def appointment_cancellation(
    *,
    appointment: tuple[str, str],
    patient: PatientIdentifier,
    reason: str,
) -> dict[str, Any]:
    """The patient cancels a booked visit: an Appointment "cancelled", identified by the
    scheduling system's own id, ``appointment`` = (system, value) as the feed gave it, so the
    engine finds its booking. ``cancelationReason``: R4's code "pat" (the patient cancelled) and the
    patient's words as its text. The patient "declined"."""
    system, value = appointment
    if not system.strip() or not value.strip() or len(system) > 256 or len(value) > 100:
        raise InvalidOutboundEvent("a cancelled appointment is named by its scheduling system and id")
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": system, "value": value}],
        "status": "cancelled",
        "cancelationReason": {
            "coding": [{"system": CANCELLATION_REASON_SYSTEM, "code": "pat", "display": "Patient"}],
            "text": _text(reason, "a cancellation's reason"),
        },
        "participant": [{"actor": patient.reference(), "status": "declined"}],
    }
    return validated(resource)


def appointment_booking(
    *,
    request_id: str,
    patient: PatientIdentifier,
    care_team_id: str,
    start: datetime,
    minutes: int,
    mode: str,
    clinician: str = "",
    place: str = "",
    note: str = "",
) -> dict[str, Any]:
    """Staff booked a patient's request: an Appointment "booked" with the request's identifier
    (the one its "proposed" carried, so the engine updates that resource) and the slot. The
    clinician and place are staff's words, so they travel as text (``participant.actor.display``
    and a Location by display): the portal has no ids of the scheduler's people or rooms. The
    booking is made in the scheduling system too; its feed message closes the request."""
    if mode not in VISIT_MODES:
        raise InvalidOutboundEvent(f"an appointment's mode is one of {', '.join(VISIT_MODES)}")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        raise InvalidOutboundEvent("a booked appointment lasts 1 to 1440 minutes")
    participants: list[dict[str, Any]] = [{"actor": patient.reference(), "required": "required", "status": "accepted"}]
    if care_team_id:
        participants.append(
            {
                "actor": _identified("HealthcareService", CARE_TEAM_SYSTEM, care_team_id),
                "required": "required",
                "status": "accepted",
            }
        )
    if clinician.strip():
        participants.append(
            {
                "actor": {"type": "Practitioner", "display": clinician[:200]},
                "required": "required",
                "status": "accepted",
            }
        )
    if place.strip():
        participants.append(
            {"actor": {"type": "Location", "display": place[:200]}, "required": "required", "status": "accepted"}
        )
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": APPOINTMENT_REQUEST_SYSTEM, "value": request_id}],
        "status": "booked",
        "serviceType": [
            {
                "coding": [{"system": VISIT_MODE_SYSTEM, "code": mode, "display": VISIT_MODES[mode]}],
                "text": VISIT_MODES[mode],
            }
        ],
        "start": _instant(start),
        "end": _instant(start + timedelta(minutes=minutes)),
        "minutesDuration": minutes,
        "participant": participants,
    }
    if note.strip():
        resource["comment"] = _text(note, "a booking's note")
    return validated(resource)


# Who closed a request without a visit: the patient withdrew it, or the clinic declined it (R4's
# appointment cancellation reasons "pat" and "prov").
_CLOSED_BY = {"patient": ("pat", "Patient", "declined"), "clinic": ("prov", "Provider", "declined")}


def appointment_request_closed(
    *,
    request_id: str,
    patient: PatientIdentifier,
    care_team_id: str,
    by: str,
    reason: str = "",
) -> dict[str, Any]:
    """A patient's request that will not become a visit: the Appointment its "proposed" began,
    now "cancelled", with who ended it as ``cancelationReason`` ("pat": the patient withdrew it;
    "prov": the clinic declined it, its reason as text) and that side's participation "declined".
    So the engine closes what it opened for the request instead of leaving it proposed for good."""
    if by not in _CLOSED_BY:
        raise InvalidOutboundEvent("a request is closed by the patient or the clinic")
    code, display, declined = _CLOSED_BY[by]
    cancelation: dict[str, Any] = {"coding": [{"system": CANCELLATION_REASON_SYSTEM, "code": code, "display": display}]}
    if reason.strip():
        cancelation["text"] = _text(reason, "a request's closing reason")
    resource: dict[str, Any] = {
        "resourceType": "Appointment",
        "identifier": [{"system": APPOINTMENT_REQUEST_SYSTEM, "value": request_id}],
        "status": "cancelled",
        "cancelationReason": cancelation,
        "participant": [{"actor": patient.reference(), "status": declined if by == "patient" else "accepted"}],
    }
    if care_team_id:
        resource["participant"].append(
            {
                "actor": _identified("HealthcareService", CARE_TEAM_SYSTEM, care_team_id),
                "status": declined if by == "clinic" else "accepted",
            }
        )
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
            item["text"] = _text(answer.text, "an item's text")
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
        "authored": _instant(authored),
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
        return {"valueString": _text(value, "a text answer")}
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
        "type": {"text": _text(title, "a form's title")},
        "subject": patient.reference(),
        "date": _instant(signed),
        **({"author": [author]} if author else {}),
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "size": size,
                    "hash": base64.b64encode(bytes.fromhex(sha1)).decode("ascii"),
                    "title": title,
                    "creation": _instant(signed),
                }
            }
        ],
    }
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
