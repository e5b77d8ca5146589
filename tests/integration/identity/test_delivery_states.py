"""An invitation's email, as staff see it, through a mail outage and its repair: the real
notifications handler run by the local stack's own SQS poller against moto's queues (whose
redrive policy moves a message to the dead-letter queue after maxReceiveCount), and the operator's
redrive command. Each poll is one Lambda invocation; the queue's visibility timeout is set to
nothing, so a failed request is received again on the next poll instead of minutes later."""

from __future__ import annotations

import os

import boto3
import pytest

from infra import admin
from infra.local.sqs_poller import SqsPoller
from tests.integration.conftest import sent_emails
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, PATIENT, call, sign_in

ADDRESS = "ana.nunez@example.org"


@pytest.fixture
def poller(seeded):
    import app as app_module

    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_NOTIFICATIONS_QUEUE_URL"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "0"})
    return SqsPoller(sqs, url, app_module.on_notification_request, wait_seconds=0, function_name="notifications")


def invitation_email(api, token: str, patient_id: str) -> dict:
    answer = call(api, "GET", f"/v1/staff/patients/{patient_id}", token=token)
    assert answer.status_code == 200, answer.json_body
    [invitation] = answer.json_body["invitations"]
    return invitation["email_delivery"]


def emails_to(address: str) -> list:
    return [e for e in sent_emails() if e.destinations["ToAddresses"] == [address]]


def test_an_invitation_email_that_fails_shows_failed_and_arrives_once_after_the_repair_and_one_redrive(
    seeded, staff_token, poller, aws, capsys
):
    ses = boto3.client("ses")
    sender = aws.environment["PORTAL_SENDER_ADDRESS"]
    ses.delete_identity(Identity=sender)  # the mail service now refuses the portal's email

    patient_id = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body["patient_id"]
    invited = call(seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": ADDRESS}, staff_token)
    assert invited.status_code == 201, invited.json_body
    assert invitation_email(seeded, staff_token, patient_id)["state"] == "queued"

    assert poller.poll_once() == (1, 0)  # refused: it stays on the queue
    failed = invitation_email(seeded, staff_token, patient_id)
    assert (failed["state"], failed["reason"], failed["failed_attempts"]) == ("failed", "mail_refused", 1)
    assert failed["sent_at"] is None

    for _ in range(4):  # the fifth receive is the last the queue allows
        assert poller.poll_once() == (1, 0)
    dead = invitation_email(seeded, staff_token, patient_id)
    assert (dead["state"], dead["reason"], dead["failed_attempts"]) == ("failed", "dead_letter", 5)
    assert poller.poll_once() == (0, 0)  # SQS moved it to the dead-letter queue
    assert emails_to(ADDRESS) == []

    # The operator sees what waits, without the address; the admin sees the count and the command.
    assert admin.main(["dead-letters", "--queue", "notifications"]) == 0
    listing = capsys.readouterr().out
    assert f"invitation  delivery record invitation-{invited.json_body['invitation_id']}" in listing
    assert "notifications: 1 waiting" in listing
    assert ADDRESS not in listing
    admin_token = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    counted = call(seeded, "GET", "/v1/admin/dead-letters", token=admin_token)
    assert counted.status_code == 200, counted.json_body
    by_queue = {q["queue"]: q for q in counted.json_body["queues"]}
    assert by_queue["notifications"]["waiting"] == 1
    assert by_queue["notifications"]["kinds"] == [{"kind": "invitation", "count": 1}]
    assert by_queue["inbound"]["waiting"] == 0
    assert "infra.admin redrive" in counted.json_body["redrive_command"]
    assert call(seeded, "GET", "/v1/admin/dead-letters", token=staff_token).status_code == 403

    ses.verify_email_identity(EmailAddress=sender)  # repaired
    assert admin.main(["redrive", "--queue", "all"]) == 0
    assert "notifications: 1 moved back" in capsys.readouterr().out
    assert poller.poll_once() == (1, 1)
    assert poller.poll_once() == (0, 0)

    [email] = emails_to(ADDRESS)
    assert "/enroll?code=" in email.body
    sent = invitation_email(seeded, staff_token, patient_id)
    assert (sent["state"], sent["reason"]) == ("sent", None)
    assert sent["sent_at"] is not None
    assert admin.main(["dead-letters", "--queue", "notifications"]) == 0
    assert "notifications: 0 waiting" in capsys.readouterr().out


def test_an_invitation_sent_at_once_shows_sent_to_staff(seeded, staff_token, poller):
    patient_id = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body["patient_id"]
    call(seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": ADDRESS}, staff_token)

    assert poller.poll_once() == (1, 1)

    delivery = invitation_email(seeded, staff_token, patient_id)
    assert (delivery["state"], delivery["failed_attempts"]) == ("sent", 0)
    assert len(emails_to(ADDRESS)) == 1


def test_an_email_is_sent_once_and_an_invitation_made_even_while_delivery_records_cannot_be_written(
    seeded, staff_token, poller, monkeypatch
):
    from chalicelib import wiring
    from chalicelib.errors import DependencyUnavailable

    deliveries = wiring.container().deliveries

    def unavailable(*args, **kwargs):
        raise DependencyUnavailable("The delivery records are unavailable.")

    patient_id = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body["patient_id"]
    with monkeypatch.context() as outage:
        for write in ("queued", "sent", "failed"):
            outage.setattr(deliveries, write, unavailable)
        invited = call(
            seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": ADDRESS}, staff_token
        )
        assert invited.status_code == 201, invited.json_body

        assert poller.poll_once() == (1, 1)  # sent and taken off the queue all the same
        assert poller.poll_once() == (0, 0)
    assert len(emails_to(ADDRESS)) == 1
    assert invitation_email(seeded, staff_token, patient_id) is None  # nothing was recorded, and it says so
