"""The appointment and check-in resources reach the integration engine the way messages do: on
the outbound FIFO queue, in the patient's message group, under their event id, with attributes
that say what they are and nothing about the patient."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, date, datetime, timedelta

from fhir.resources.R4B import get_fhir_model_class

from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import APPOINTMENT, QUESTIONNAIRE_RESPONSE, SIGNED_FORM
from tests.integration.outbound.test_outbound_producer import on_queue

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AUTHORITY = "urn:oid:2.16.840.1.113883.19.5"
PATIENT = fhir.PatientIdentifier(AUTHORITY, "MRN-0042")
PDF = b"%PDF-1.7 signed privacy notice"


def test_a_request_its_cancellation_the_check_in_answers_and_a_signed_form_arrive_in_order_for_the_engine(container):
    request = fhir.appointment_request(
        request_id="req-1",
        patient=PATIENT,
        care_team_id="cardiology",
        reason="Follow-up on blood pressure",
        preferred=[(NOW + timedelta(days=3), NOW + timedelta(days=3, hours=3))],
        mode="in-person",
        created=NOW,
    )
    cancellation = fhir.appointment_cancellation(
        appointment=("urn:oid:2.16.840.1.113883.19.5.9", "APPT-77"), patient=PATIENT, reason="Feeling better"
    )
    answers = fhir.questionnaire_response(
        response_id="qr-1",
        questionnaire="https://forms.example.org/Questionnaire/intake",
        patient=PATIENT,
        authored=NOW,
        answers=[fhir.Answer("smoker", [False]), fhir.Answer("born", [date(1970, 1, 2)])],
    )
    form = fhir.signed_form(
        document_id="doc-1",
        patient=PATIENT,
        title="Privacy notice",
        signed=NOW,
        sha1=hashlib.sha1(PDF).hexdigest(),
        sha256=hashlib.sha256(PDF).hexdigest(),
        size=len(PDF),
    )
    sent = [
        ("appointment-request-req-1", APPOINTMENT, request),
        ("appointment-cancelled-APPT-77", APPOINTMENT, cancellation),
        ("questionnaire-response-qr-1", QUESTIONNAIRE_RESPONSE, answers),
        ("signed-form-doc-1", SIGNED_FORM, form),
    ]
    for event_id, kind, resource in sent:
        assert producer.emit(container, producer.event(event_id, "patient-a", kind, resource, AUTHORITY, NOW))

    messages = on_queue(container)

    assert [m["Attributes"]["MessageDeduplicationId"] for m in messages] == [event_id for event_id, _, _ in sent]
    for message, (event_id, kind, resource) in zip(messages, sent, strict=True):
        body = json.loads(message["Body"])
        get_fhir_model_class(body["resourceType"]).model_validate(body)  # valid R4 as the engine reads it
        assert body == resource
        assert message["Attributes"]["MessageGroupId"] == "patient-a"
        attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
        assert attributes == {
            "kind": kind,
            "event_id": event_id,
            "resource_type": resource["resourceType"],
            "patient_system": AUTHORITY,
        }
    signed = json.loads(messages[3]["Body"])["content"][0]["attachment"]
    assert base64.b64decode(signed["hash"]) == hashlib.sha1(PDF).digest()
    assert container.outbound.pending(10) == []
