"""The FHIR resources the appointments and check-in features will send: a visit the patient asks
for or cancels (Appointment), the answers given at check-in (QuestionnaireResponse) and a signed
form (DocumentReference). Each is valid R4, names the patient by MRN, and a wrongly built one is
refused naming the field, never repeating a patient's words."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, date, datetime, timedelta

import pytest
from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import (
    APPOINTMENT,
    QUESTIONNAIRE_RESPONSE,
    SIGNED_FORM,
    InvalidOutboundEvent,
    OutboundEvent,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AUTHORITY = "urn:oid:2.16.840.1.113883.19.5"
PATIENT = fhir.PatientIdentifier(AUTHORITY, "MRN-0042")
PDF = b"%PDF-1.7 signed consent to treat"
SCHEDULER = "urn:oid:2.16.840.1.113883.19.5.9"


def a_request(**changes):
    arguments = {
        "request_id": "req-1",
        "patient": PATIENT,
        "care_team_id": "cardiology",
        "reason": "Chest tightness when climbing stairs",
        "preferred": [(NOW + timedelta(days=2), NOW + timedelta(days=2, hours=4))],
        "mode": "video",
        "created": NOW,
    } | changes
    return fhir.appointment_request(**arguments)


def a_cancellation(**changes):
    arguments = {
        "appointment": (SCHEDULER, "APPT-77"),
        "patient": PATIENT,
        "reason": "I am travelling that week",
    } | changes
    return fhir.appointment_cancellation(**arguments)


def answers():
    return [
        fhir.Answer("smoker", [False], "Do you smoke?"),
        fhir.Answer("pain", [3], "Pain from 0 to 10"),
        fhir.Answer("last-visit", [date(2026, 6, 1)]),
        fhir.Answer("allergies", ["Penicillin", "Latex"]),
        fhir.Answer("language", [fhir.Coded("urn:ietf:bcp:47", "es", "Spanish")]),
    ]


def a_response(**changes):
    arguments = {
        "response_id": "qr-1",
        "questionnaire": "https://forms.example.org/Questionnaire/intake|3",
        "patient": PATIENT,
        "authored": NOW,
        "answers": answers(),
    } | changes
    return fhir.questionnaire_response(**arguments)


def a_signed_form(**changes):
    arguments = {
        "document_id": "doc-1",
        "patient": PATIENT,
        "title": "Consent to treat",
        "signed": NOW,
        "sha1": hashlib.sha1(PDF).hexdigest(),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "size": len(PDF),
    } | changes
    return fhir.signed_form(**arguments)


def refusal(build, **changes) -> str:
    with pytest.raises(InvalidOutboundEvent) as refused:
        build(**changes)
    return str(refused.value)


def test_a_video_visit_request_is_a_proposed_appointment_with_the_patients_preferred_times():
    resource = a_request(
        preferred=[
            (datetime(2026, 11, 27, 9, tzinfo=UTC), datetime(2026, 11, 27, 12, tzinfo=UTC)),
            (datetime(2026, 11, 30, 13, tzinfo=UTC), datetime(2026, 11, 30, 17, tzinfo=UTC)),
        ]
    )

    Appointment.model_validate(resource)
    assert resource["status"] == "proposed"
    assert "start" not in resource  # staff book the time
    assert resource["requestedPeriod"] == [
        {"start": "2026-11-27T09:00:00Z", "end": "2026-11-27T12:00:00Z"},
        {"start": "2026-11-30T13:00:00Z", "end": "2026-11-30T17:00:00Z"},
    ]
    assert resource["serviceType"][0]["coding"] == [
        {"system": fhir.VISIT_MODE_SYSTEM, "code": "video", "display": "Video visit"}
    ]
    assert resource["reasonCode"] == [{"text": "Chest tightness when climbing stairs"}]
    patient, team = resource["participant"]
    assert patient == {
        "actor": {"type": "Patient", "identifier": {"system": AUTHORITY, "value": "MRN-0042"}},
        "required": "required",
        "status": "accepted",
    }
    assert team["actor"]["identifier"] == {"system": fhir.CARE_TEAM_SYSTEM, "value": "cardiology"}
    assert team["status"] == "needs-action"
    assert resource["identifier"] == [{"system": fhir.APPOINTMENT_REQUEST_SYSTEM, "value": "req-1"}]


def test_an_in_person_request_says_so():
    assert a_request(mode="in-person")["serviceType"][0]["text"] == "In-person visit"


def test_a_cancellation_names_the_booked_visit_by_the_scheduling_systems_id_and_gives_the_reason():
    resource = a_cancellation()

    Appointment.model_validate(resource)
    assert resource["status"] == "cancelled"
    assert resource["identifier"] == [{"system": SCHEDULER, "value": "APPT-77"}]
    assert resource["cancelationReason"] == {
        "coding": [{"system": fhir.CANCELLATION_REASON_SYSTEM, "code": "pat", "display": "Patient"}],
        "text": "I am travelling that week",
    }
    assert resource["participant"] == [{"actor": PATIENT.reference(), "status": "declined"}]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"mode": "phone"}, "mode"),
        ({"preferred": []}, "preferred"),
        ({"preferred": [(NOW, NOW - timedelta(hours=1))]}, "preferred period"),
        ({"preferred": [(datetime(2026, 11, 27, 9), datetime(2026, 11, 27, 12))]}, "zone"),
        ({"reason": "   "}, "reason"),
    ],
)
def test_a_badly_built_appointment_request_is_refused_naming_what_is_wrong(changes, field):
    assert field in refusal(a_request, **changes)


def test_a_cancellation_without_the_visits_id_or_a_reason_is_refused_without_repeating_the_patients_words():
    assert "scheduling system" in refusal(a_cancellation, appointment=(SCHEDULER, ""))
    message = refusal(a_cancellation, reason="x" * 20_001)
    assert "reason" in message and "xxx" not in message


def test_check_in_answers_are_a_completed_questionnaire_response_with_each_answer_type():
    resource = a_response()

    QuestionnaireResponse.model_validate(resource)
    assert resource["status"] == "completed"
    assert resource["questionnaire"] == "https://forms.example.org/Questionnaire/intake|3"
    assert resource["subject"] == resource["author"] == PATIENT.reference()
    assert resource["authored"] == "2026-11-25T12:00:00Z"
    assert [(item["linkId"], item["answer"]) for item in resource["item"]] == [
        ("smoker", [{"valueBoolean": False}]),
        ("pain", [{"valueInteger": 3}]),
        ("last-visit", [{"valueDate": "2026-06-01"}]),
        ("allergies", [{"valueString": "Penicillin"}, {"valueString": "Latex"}]),
        ("language", [{"valueCoding": {"system": "urn:ietf:bcp:47", "code": "es", "display": "Spanish"}}]),
    ]
    assert resource["item"][0]["text"] == "Do you smoke?"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"questionnaire": "intake form"}, "canonical"),
        ({"answers": []}, "answered items"),
        ({"answers": [fhir.Answer("a b", ["yes"])]}, "linkId"),
        ({"answers": [fhir.Answer("a", ["yes"]), fhir.Answer("a", ["no"])]}, "linkId"),
        ({"answers": [fhir.Answer("a", [])]}, "value"),
        ({"answers": [fhir.Answer("a", "yes")]}, "list"),
        ({"answers": [fhir.Answer("a", [NOW])]}, "date"),
        ({"answers": [fhir.Answer("a", [1.5])]}, "answer"),
        ({"answers": [fhir.Answer("a", [fhir.Coded("", "es")])]}, "coded"),
    ],
)
def test_badly_built_answers_are_refused_naming_what_is_wrong(changes, field):
    assert field in refusal(a_response, **changes)


def test_a_signed_form_is_a_current_document_reference_with_the_pdfs_digests_and_no_bytes_or_link():
    resource = a_signed_form()

    DocumentReference.model_validate(resource)
    assert (resource["status"], resource["docStatus"]) == ("current", "final")
    assert resource["type"] == {"text": "Consent to treat"}
    assert resource["subject"] == PATIENT.reference()
    assert resource["date"] == "2026-11-25T12:00:00Z"
    assert resource["masterIdentifier"] == {"system": fhir.SIGNED_DOCUMENT_SYSTEM, "value": "doc-1"}
    assert resource["identifier"] == [{"system": fhir.SHA256_SYSTEM, "value": hashlib.sha256(PDF).hexdigest()}]
    [content] = resource["content"]
    attachment = content["attachment"]
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(PDF).digest()  # R4: base64 of SHA-1
    assert (attachment["contentType"], attachment["size"]) == ("application/pdf", len(PDF))
    assert "data" not in attachment and "url" not in attachment


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"sha1": "not-a-digest"}, "digests"),
        ({"sha256": hashlib.sha256(PDF).hexdigest().upper()}, "digests"),
        ({"size": 0}, "size"),
        ({"size": True}, "size"),
        ({"title": ""}, "title"),
    ],
)
def test_a_badly_built_signed_form_is_refused_naming_what_is_wrong(changes, field):
    assert field in refusal(a_signed_form, **changes)


@pytest.mark.parametrize(
    "kind, build, resource_type",
    [
        (APPOINTMENT, a_request, "Appointment"),
        (APPOINTMENT, a_cancellation, "Appointment"),
        (QUESTIONNAIRE_RESPONSE, a_response, "QuestionnaireResponse"),
        (SIGNED_FORM, a_signed_form, "DocumentReference"),
    ],
)
def test_each_new_kind_travels_with_routing_attributes_only(kind, build, resource_type):
    event = producer.event("e-1", "p-abc123", kind, build(), AUTHORITY, NOW)

    assert event.attributes() == {
        "kind": kind,
        "event_id": "e-1",
        "resource_type": resource_type,
        "patient_system": AUTHORITY,
    }
    beside = " ".join([*event.attributes().values(), event.patient_id, event.event_id])
    for detail in ("MRN-0042", "Chest", "travelling", "Penicillin", "Consent"):
        assert detail not in beside


@pytest.mark.parametrize(
    "build, changes, field",
    [
        # (no care team is allowed: a request to move a visit names the visit, not a team)
        (a_request, {"request_id": ""}, "identifier.0.value"),
        (a_response, {"response_id": ""}, "identifier.value"),
        (a_signed_form, {"document_id": ""}, "masterIdentifier.value"),
    ],
)
def test_a_resource_without_the_portals_id_fails_fhir_validation_naming_the_fields(build, changes, field):
    assert refusal(build, **changes).endswith(field)


def test_refusals_never_repeat_what_the_patient_wrote_or_chose():
    words = "Mrs Jones has chest pain " * 1000
    for message in (
        refusal(a_request, reason=words),
        refusal(a_request, mode="Mrs Jones by phone"),
        refusal(a_response, questionnaire="Mrs Jones intake"),
        refusal(a_response, answers=[fhir.Answer("pain", [words])]),
        refusal(a_signed_form, title=words),
    ):
        assert "Jones" not in message


def test_an_event_whose_kind_does_not_match_its_resource_is_refused():
    with pytest.raises(InvalidOutboundEvent):
        OutboundEvent("e-1", "p-1", SIGNED_FORM, a_request(), AUTHORITY, NOW)
