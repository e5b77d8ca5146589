"""One-time codes and link tokens cross the notifications queue sealed: whoever reads a queued
message (or a dead letter) sees ciphertext only, and the email still carries a code that works.

Each test reads the raw message off the queue, as a queue reader would, before the notifications
handler sends it."""

from __future__ import annotations

import base64
import json
import os
import re

import boto3

from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import PATIENT, Invited, call, enrollment, sign_in

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"
NEW_PASSWORD = "seven tired otters swim"


def queued() -> list[str]:
    """The bodies now on the notifications queue, left there for the handler."""
    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_NOTIFICATIONS_QUEUE_URL"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    return [m["Body"] for m in messages]


def assert_sealed(body: str, secret: str) -> None:
    """The secret is nowhere in the message: not in a field, not in the ciphertext's bytes."""
    message = json.loads(body)
    assert set(message) == {"notification_id", "template", "to_address", "sealed"}
    assert secret not in body
    assert secret.encode() not in base64.b64decode(message["sealed"])


def test_an_invitation_code_is_sealed_on_the_queue_and_the_emailed_one_enrolls(staff_token, seeded):
    registered = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token)
    invited = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": registered.json_body["patient_id"], "email": "ana@example.org"},
        staff_token,
    )
    assert invited.status_code == 201, invited.json_body
    [raw] = queued()

    [email] = [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == ["ana@example.org"]]
    code = link_in(email, "/enroll?code=")

    assert_sealed(raw, code)
    done = call(
        seeded,
        "POST",
        "/v1/enrollments",
        enrollment(Invited(registered.json_body["patient_id"], "", code, "ana@example.org")),
    )
    assert done.status_code == 201, done.json_body


def test_a_reset_token_is_sealed_on_the_queue_and_the_emailed_link_resets(enrolled, seeded):
    deliver_notifications(seeded)  # what enrollment queued
    assert call(seeded, "POST", "/v1/account/password-resets", {"username": USERNAME}).status_code == 202
    [raw] = queued()

    [email] = [e for e in deliver_notifications(seeded) if "reset" in e.subject.lower()]
    token = link_in(email, "/reset-password?token=")

    assert_sealed(raw, token)
    confirmed = call(
        seeded, "POST", "/v1/account/password-resets/confirm", {"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirmed.status_code in (200, 204), confirmed.json_body
    assert sign_in(seeded, USERNAME, NEW_PASSWORD)


def test_a_sign_in_code_is_sealed_on_the_queue_and_the_emailed_one_signs_in(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    assert (
        call(seeded, "PUT", "/v1/me/second-factors/email", {"enabled": True, "password": PASSWORD}, token).status_code
        == 200
    )
    deliver_notifications(seeded)  # (the "second step changed" notice)
    challenge = call(seeded, "POST", "/v1/sessions", {"username": USERNAME, "password": PASSWORD}).json_body
    assert (
        call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": challenge["challenge_id"]}).status_code
        == 202
    )
    [raw] = queued()

    [email] = [e for e in deliver_notifications(seeded) if "sign-in code" in e.subject]
    code = re.search(r"sign-in code is (\d{6})", email.body).group(1)

    assert_sealed(raw, code)
    done = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge["challenge_id"], "code": code})
    assert done.status_code == 201, done.json_body


def test_an_email_confirmation_token_is_sealed_on_the_queue_and_the_emailed_link_confirms(enrolled, seeded):
    deliver_notifications(seeded)
    token = sign_in(seeded, USERNAME, PASSWORD)
    asked = call(seeded, "PUT", "/v1/me/email", {"email": "ana.new@example.org", "password": PASSWORD}, token)
    assert asked.status_code == 202, asked.json_body
    [raw] = queued()

    [email] = [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == ["ana.new@example.org"]]
    link = link_in(email, "/verify-email?token=")

    assert_sealed(raw, link)
    assert call(seeded, "POST", "/v1/account/email-verifications", {"token": link}).status_code == 200


def test_a_user_name_reminder_is_sealed_on_the_queue(enrolled, seeded):
    deliver_notifications(seeded)
    assert call(seeded, "POST", "/v1/account/username-reminders", {"email": enrolled.email}).status_code == 202
    [raw] = queued()

    [email] = [e for e in deliver_notifications(seeded) if "user name" in e.subject]

    assert f"Your user name is {USERNAME}." in email.body
    assert_sealed(raw, USERNAME)
