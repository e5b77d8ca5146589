"""The mail service failing and repaired on the local stack, over real HTTP: staff invite a
patient while SES refuses the portal's email; the stack's own poller tries the request until SQS
(moto, honouring the queue's maxReceiveCount) parks it on the dead-letter queue, and staff see the
invitation's email as not sent, waiting there. SES repaired, one `make redrive` (python -m
infra.admin redrive --local) from another terminal, and the email arrives once; staff see it sent,
on the invitation and in the patient's emails.

A stack of its own: SES fails for everything on it while the test runs, and its notifications
queue takes a failed request back at once (visibility timeout 0) instead of after three minutes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid

import pytest
import requests

from tests.conftest import PROJECT_DIR
from tests.e2e.conftest import E2E_ENVIRONMENT, RunningPortal, eventually, running_portal

STAFF_USER, STAFF_PASSWORD = "demo.staff", E2E_ENVIRONMENT["PORTAL_DEMO_STAFF_PASSWORD"]
INVITATION_SUBJECT = "You are invited to the patient portal"


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> RunningPortal:
    with running_portal(tmp_path_factory.mktemp("delivery")) as running:
        yield running


def admin_command(stack: RunningPortal, *argv: str) -> subprocess.CompletedProcess:
    """The operator's command against the running local stack, from another terminal."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PORTAL_"))}
    env.update(PORTAL_LOCAL_STATE=stack.state_path)
    return subprocess.run(
        [sys.executable, "-m", "infra.admin", *argv, "--local"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )


def test_a_failed_invitation_email_shows_failed_and_arrives_once_after_the_repair_and_one_redrive(stack):
    http = requests.Session()

    def call(method: str, path: str, body=None, token: str = "") -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return http.request(method, stack.api_url + path, json=body, headers=headers, timeout=30)

    environment = json.loads(open(stack.state_path, encoding="utf-8").read())["environment"]
    ses, sqs = stack.client("ses"), stack.client("sqs")
    sqs.set_queue_attributes(
        QueueUrl=environment["PORTAL_NOTIFICATIONS_QUEUE_URL"], Attributes={"VisibilityTimeout": "0"}
    )
    sender = environment["PORTAL_SENDER_ADDRESS"]
    ses.delete_identity(Identity=sender)  # the mail service refuses the portal from now on

    staff = call("POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD}).json()["token"]
    suffix = uuid.uuid4().hex[:8]
    address = f"delivery-{suffix}@example.org"
    registered = call(
        "POST",
        "/v1/staff/patients",
        {"mrn": f"E2E-{suffix}", "family_name": "Núñez", "given_names": ["Ana"], "birth_date": "1984-03-09"},
        staff,
    )
    assert registered.status_code == 201, registered.text
    patient_id = registered.json()["patient_id"]
    invited = call("POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": address}, staff)
    assert invited.status_code == 201, invited.text

    def email_delivery() -> dict:
        answer = call("GET", f"/v1/staff/patients/{patient_id}", token=staff)
        assert answer.status_code == 200, answer.text
        return answer.json()["invitations"][0]["email_delivery"] or {}

    dead = eventually(lambda: (d := email_delivery()).get("reason") == "dead_letter" and d, seconds=60)
    assert dead, email_delivery()
    assert (dead["state"], dead["failed_attempts"]) == ("failed", 5)

    def patient_emails() -> list[tuple[str, str, str | None, str | None]]:
        answer = call("GET", f"/v1/staff/patients/{patient_id}/emails", token=staff)
        assert answer.status_code == 200, answer.text
        assert address not in answer.text  # kinds and states, never an address
        return [(e["kind"], e["state"], e["reason"], e["next_step"]) for e in answer.json()["emails"]]

    # the patient's emails say the same, with what staff can do about it
    assert patient_emails() == [("invitation", "failed", "dead_letter", "send_again")]
    # the operator's list names it (beside any notice of the seeded demo data sent meanwhile, which
    # failed the same way: the proxy's "new in Emma's record", folded and sent a little later)
    listed = eventually(lambda: "  invitation  delivery record " in admin_command(stack, "dead-letters").stdout)
    assert listed, admin_command(stack, "dead-letters").stdout

    ses.verify_email_identity(EmailAddress=sender)  # repaired
    redriven = admin_command(stack, "redrive", "--queue", "notifications")
    assert redriven.returncode == 0, redriven.stderr
    assert re.search(r"notifications: [1-9]\d* moved back", redriven.stdout), redriven.stdout

    def arrived() -> list:
        emails = [
            e for e in requests.get(stack.api_url + "/dev/mailbox?format=json&limit=100", timeout=30).json()["emails"]
        ]
        return [e for e in emails if e["to"] == [address] and e["subject"] == INVITATION_SUBJECT]

    assert eventually(arrived, seconds=30)
    assert eventually(lambda: email_delivery().get("state") == "sent", seconds=10), email_delivery()
    assert len(arrived()) == 1
    assert patient_emails() == [("invitation", "sent", None, None)]
