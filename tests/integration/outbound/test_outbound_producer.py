"""The outbound queue toward the hospital's integration engine. An event written with the change
it follows is on the FIFO queue once, in its patient's message group; when SQS refuses, the change
is kept all the same and the scheduled drain sends the event once SQS is back; a resend under the
same event id is not a second message."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib import wiring
from chalicelib.data.models import OutboxModel
from chalicelib.data.outbound import outbound_item
from chalicelib.errors import DependencyUnavailable
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import MESSAGE, REFILL_REQUEST
from tests.integration.records.test_release_outbox import drain

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AUTHORITY = "urn:oid:2.16.840.1.113883.19.5"


def message_event(event_id: str, patient_id: str = "patient-a", text: str = "Is my dose right?"):
    patient = fhir.PatientIdentifier(AUTHORITY, f"MRN-{patient_id}")
    resource = fhir.communication(
        message_id=event_id,
        patient=patient,
        sender=patient.reference(),
        recipients=[fhir.care_team("cardiology")],
        text=text,
        sent=NOW,
    )
    return producer.event(event_id, patient_id, MESSAGE, resource, AUTHORITY, NOW)


def on_queue(container) -> list[dict]:
    """Every message on the outbound queue now, as the integration engine receives it."""
    sqs = container.client("sqs")
    url = container.settings.clinical_outbound_queue_url
    found = []
    while True:
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            AttributeNames=["MessageGroupId", "MessageDeduplicationId"],
            VisibilityTimeout=0,
        )
        messages = answer.get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def write_with_change(event, change: OutboxModel, condition=None) -> None:
    """A caller's write: its own change and the event in one transaction."""
    assert wiring.container().outbound is not None  # binds the models to this stage's tables
    with TransactWrite(connection=OutboxModel._get_connection().connection) as transaction:
        transaction.save(change, condition=condition)
        transaction.save(outbound_item(event))


def a_change(key: str) -> OutboxModel:
    return OutboxModel(patient_id="caller-change", record_key=key, kind="test", payload={}, created_at=NOW)


def refuse_sends(monkeypatch, container) -> dict:
    queue = container.clinical_outbound_queue
    real = queue.send_raw
    down = {"now": True}

    def send_raw(*args, **kwargs):
        if down["now"]:
            raise DependencyUnavailable("A queue is unavailable.")
        return real(*args, **kwargs)

    monkeypatch.setattr(queue, "send_raw", send_raw)
    return down


def test_an_event_written_with_a_change_is_on_the_outbound_queue_once_with_its_routing_attributes(container):
    event = message_event("message-1")

    write_with_change(event, a_change("one"))
    assert producer.send_now(container, event) is True

    [message] = on_queue(container)
    assert json.loads(message["Body"])["resourceType"] == "Communication"
    assert json.loads(message["Body"])["subject"]["identifier"] == {"system": AUTHORITY, "value": "MRN-patient-a"}
    assert message["Attributes"]["MessageGroupId"] == "patient-a"
    assert message["Attributes"]["MessageDeduplicationId"] == "message-1"
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert attributes == {
        "kind": "message",
        "event_id": "message-1",
        "resource_type": "Communication",
        "patient_system": AUTHORITY,
    }
    assert container.outbound.pending(10) == []  # sent: nothing left for the drain


def test_a_change_that_fails_leaves_no_event_to_send(container):
    write_with_change(message_event("first"), a_change("taken"))
    container.outbound.done(message_event("first"))

    with pytest.raises(TransactWriteError):
        write_with_change(message_event("second"), a_change("taken"), OutboxModel.record_key.does_not_exist())

    assert container.outbound.pending(10) == []
    assert on_queue(container) == []


def test_with_sqs_failing_the_change_is_kept_and_the_drain_sends_the_event_once_when_sqs_returns(
    api, container, monkeypatch
):
    down = refuse_sends(monkeypatch, container)
    event = message_event("message-2")
    write_with_change(event, a_change("two"))

    assert producer.send_now(container, event) is False  # the request still succeeds
    assert OutboxModel.get("caller-change", "two").kind == "test"  # the caller's change is stored
    assert drain(api) == {"sent": 0, "left": 1}  # still down: it waits
    assert on_queue(container) == []

    down["now"] = False
    assert drain(api) == {"sent": 1, "left": 0}
    assert drain(api) == {"sent": 0, "left": 0}
    [message] = on_queue(container)
    assert message["Attributes"]["MessageDeduplicationId"] == "message-2"


def test_a_resend_after_a_crash_between_send_and_removal_is_not_a_second_message(container, monkeypatch):
    event = message_event("message-3")
    container.outbound.put(event)
    monkeypatch.setattr(container.outbound, "done", lambda _: (_ for _ in ()).throw(DependencyUnavailable("down")))

    assert producer.send_now(container, event) is True  # sent; its row could not be taken out
    monkeypatch.undo()
    assert producer.drain(container) == producer.Drained(1, 0)  # the drain sends it again ...

    assert len(on_queue(container)) == 1  # ... and SQS drops the copy under the same deduplication id


def test_each_patients_events_are_their_own_message_group_in_the_order_they_were_written(container):
    for number, patient in enumerate(["patient-a", "patient-b", "patient-a"]):
        producer.emit(container, message_event(f"message-{number}", patient, text=f"Message {number}"))

    messages = on_queue(container)

    groups = [(m["Attributes"]["MessageGroupId"], m["Attributes"]["MessageDeduplicationId"]) for m in messages]
    assert sorted(groups) == [("patient-a", "message-0"), ("patient-a", "message-2"), ("patient-b", "message-1")]
    of_a = [dedup for group, dedup in groups if group == "patient-a"]
    assert of_a == ["message-0", "message-2"]


def test_a_refill_task_goes_out_with_the_prescription_it_asks_about(container):
    patient = fhir.PatientIdentifier(AUTHORITY, "MRN-7")
    task = fhir.refill_task(
        request_id="refill-1",
        patient=patient,
        prescription=fhir.Prescription("Lisinopril 10 mg tablet", rxnorm="314076"),
        status="requested",
        authored=NOW,
        changed=NOW,
        owner=fhir.care_team("cardiology"),
    )

    assert producer.emit(
        container, producer.event("refill-1.requested", "patient-7", REFILL_REQUEST, task, AUTHORITY, NOW)
    )

    [message] = on_queue(container)
    body = json.loads(message["Body"])
    assert body["focus"] == {"reference": "#prescription"}
    assert body["contained"][0]["medicationCodeableConcept"]["text"] == "Lisinopril 10 mg tablet"
    assert message["MessageAttributes"]["kind"]["StringValue"] == "refill-request"
