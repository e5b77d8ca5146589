"""The FHIR resources the portal sends to the clinical systems: valid R4 (checked by
fhir.resources), naming the patient by the organization's MRN, and never leaking a patient's
details into what travels beside the body (SQS attributes, group and deduplication ids)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fhir.resources.R4B.communication import Communication
from fhir.resources.R4B.task import Task

from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import MESSAGE, REFILL_REQUEST, InvalidOutboundEvent, OutboundEvent
from chalicelib.patients.domain import Identifier

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AUTHORITY = "urn:oid:2.16.840.1.113883.19.5"
PATIENT = fhir.PatientIdentifier(AUTHORITY, "MRN-0042")


def a_message(**changes):
    arguments = {
        "message_id": "m-1",
        "patient": PATIENT,
        "sender": PATIENT.reference(),
        "recipients": [fhir.care_team("cardiology")],
        "text": "My ankles are swollen since the new pill.",
        "sent": NOW,
    } | changes
    return fhir.communication(**arguments)


def a_task(**changes):
    arguments = {
        "request_id": "r-1",
        "patient": PATIENT,
        "prescription": fhir.Prescription("Amlodipine 5 mg tablet", "urn:oid:1.2.3.4", "RX-9", "197361"),
        "status": "requested",
        "authored": NOW,
        "changed": NOW,
    } | changes
    return fhir.refill_task(**arguments)


def test_a_patients_message_is_a_valid_communication_to_the_care_team_naming_the_patient_by_mrn():
    resource = a_message(attachments=["att-1"], in_response_to="m-0")

    Communication.model_validate(resource)
    assert resource["subject"]["identifier"] == {"system": AUTHORITY, "value": "MRN-0042"}
    assert resource["recipient"] == [
        {"type": "CareTeam", "identifier": {"system": fhir.CARE_TEAM_SYSTEM, "value": "cardiology"}}
    ]
    assert resource["payload"][0] == {"contentString": "My ankles are swollen since the new pill."}
    # The attachment travels as the portal's id: no bytes, no link.
    assert resource["payload"][1] == {
        "contentReference": {
            "type": "DocumentReference",
            "identifier": {"system": fhir.ATTACHMENT_SYSTEM, "value": "att-1"},
        }
    }
    assert resource["sent"] == "2026-11-25T12:00:00Z"


def test_a_staff_reply_names_the_staff_member_by_portal_account():
    resource = a_message(sender=fhir.staff_member("acct-7"), recipients=[PATIENT.reference()])

    assert resource["sender"] == {
        "type": "Practitioner",
        "identifier": {"system": fhir.ACCOUNT_SYSTEM, "value": "acct-7"},
    }


def test_a_refill_request_is_a_valid_task_whose_focus_is_the_contained_prescription():
    resource = a_task(owner=fhir.care_team("cardiology"), note="Running out on Friday")

    Task.model_validate(resource)
    assert (resource["status"], resource["intent"]) == ("requested", "order")
    assert resource["focus"] == {"reference": "#prescription"}
    [prescription] = resource["contained"]
    assert prescription["resourceType"] == "MedicationRequest"
    assert prescription["identifier"] == [{"system": "urn:oid:1.2.3.4", "value": "RX-9"}]
    assert prescription["medicationCodeableConcept"]["coding"][0]["code"] == "197361"
    assert resource["note"] == [{"text": "Running out on Friday"}]


@pytest.mark.parametrize("status", ["accepted", "rejected"])
def test_what_became_of_a_refill_is_the_same_task_with_its_new_status(status):
    resource = a_task(status=status, reason="Please book a visit first" if status == "rejected" else "")

    assert resource["status"] == status
    assert ("statusReason" in resource) == (status == "rejected")


def test_a_refill_status_outside_the_refill_flow_is_refused_before_anything_is_sent():
    with pytest.raises(InvalidOutboundEvent):
        a_task(status="cancelled")


def test_a_rejection_without_a_reason_is_refused():
    with pytest.raises(InvalidOutboundEvent):
        a_task(status="rejected")


def test_an_invalid_resource_is_refused_loudly_without_repeating_its_values():
    with pytest.raises(InvalidOutboundEvent) as refused:
        fhir.validated({"resourceType": "Communication", "status": "completed", "sent": "Mrs Jones, yesterday"})

    assert "sent" in str(refused.value)
    assert "Jones" not in str(refused.value)


def test_a_message_with_no_words_or_no_recipient_is_refused():
    with pytest.raises(InvalidOutboundEvent):
        a_message(text="  ")
    with pytest.raises(InvalidOutboundEvent):
        a_message(recipients=[])


def test_the_patient_is_named_by_the_mrn_under_the_organizations_authority_only():
    identifiers = [Identifier("urn:oid:9.9", "OTHER-1"), Identifier(AUTHORITY, "MRN-0042")]

    assert fhir.patient_identifier(identifiers, AUTHORITY) == PATIENT
    with pytest.raises(InvalidOutboundEvent):
        fhir.patient_identifier([Identifier("urn:oid:9.9", "OTHER-1")], AUTHORITY)


def test_what_travels_beside_the_body_carries_no_patient_details():
    event = producer.event("m-1", "p-abc123", MESSAGE, a_message(), AUTHORITY, NOW)

    sent_beside = " ".join([*event.attributes().values(), event.patient_id, event.event_id])
    assert event.attributes() == {
        "kind": "message",
        "event_id": "m-1",
        "resource_type": "Communication",
        "patient_system": AUTHORITY,
    }
    for detail in ("MRN-0042", "ankles", "swollen"):
        assert detail not in sent_beside


@pytest.mark.parametrize(
    "event_id, patient_id, kind",
    [
        ("Jane Doe", "p-1", MESSAGE),  # an id with spaces could carry a name
        ("m-1", "MRN 0042", MESSAGE),  # the group is the portal's opaque id
        ("m-1", "p-1", REFILL_REQUEST),  # a refill event carries a Task, not a Communication
    ],
)
def test_an_event_that_could_leak_or_mislabel_is_refused(event_id, patient_id, kind):
    with pytest.raises(InvalidOutboundEvent):
        OutboundEvent(event_id, patient_id, kind, a_message(), AUTHORITY, NOW)


def test_a_resource_too_large_for_the_queue_is_refused():
    with pytest.raises(InvalidOutboundEvent):
        producer.event(
            "m-1", "p-1", MESSAGE, a_message(text="x" * 20_000, attachments=["a" * 60] * 3000), AUTHORITY, NOW
        )


def test_a_refill_task_says_which_pharmacy_the_patient_asked_it_be_sent_to():
    resource = a_task(pharmacy=fhir.Dispenser("Main Street Pharmacy", "(518) 555-0199", "12 Main St, Albany NY"))

    Task.model_validate(resource)
    prescription, pharmacy = resource["contained"]
    assert prescription["dispenseRequest"]["performer"]["reference"] == "#pharmacy"
    assert pharmacy == {
        "resourceType": "Organization",
        "id": "pharmacy",
        "name": "Main Street Pharmacy",
        "telecom": [{"system": "phone", "value": "(518) 555-0199"}],
        "address": [{"text": "12 Main St, Albany NY"}],
    }
