"""Secure messaging over real HTTP against the local stack: a patient uploads a PDF through the
presigned POST to the AWS stand-in (as the browser on the portal's origin does, CORS included),
writes to Primary Care with it, the demo staff member reads and answers, the patient reads the
answer and has nothing unread; each side's email in the local mailbox says nothing of what was
written; the outbound queue carries both messages as FHIR Communications."""

from __future__ import annotations

import json

import pytest
import requests

from tests.e2e.conftest import eventually
from tests.e2e.test_identity_journey import Api, enrolled, sign_in, staff_token

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SUBJECT = "Dizzy since the new tablets"
BODY = "I have felt dizzy every morning since starting the amlodipine. Is that expected?"
REPLY = "That can happen in the first weeks. Please check your blood pressure and call us if it persists."
WAITING_FOR_STAFF = "A patient message is waiting in your care team's inbox"
WAITING_FOR_PATIENT = "You have a new message in your patient portal"


def outbound_communications(portal, patient_id: str) -> list[dict]:
    """The outbound queue's messages of this patient (their FIFO message group), as the
    integration engine receives them."""
    sqs = portal.client("sqs")
    url = sqs.get_queue_url(QueueName="patient-portal-clinical-outbound.fifo")["QueueUrl"]
    found = []
    for _ in range(20):
        answer = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            AttributeNames=["MessageGroupId"],
            MessageAttributeNames=["All"],
            VisibilityTimeout=0,
        )
        messages = [m for m in answer.get("Messages", []) if m["Attributes"]["MessageGroupId"] == patient_id]
        for message in messages:
            found.append(message)
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if not answer.get("Messages"):
            break
    return found


def test_a_patient_and_the_care_team_exchange_messages_with_a_pdf(portal):
    api = Api(portal)
    terms = api.call("GET", "/v1/terms").json()["version"]
    patient = enrolled(api, terms, "messaging")
    token = sign_in(api, patient)
    base = f"/v1/patients/{patient.patient_id}"
    teams = {t["name"]: t["team_id"] for t in api.call("GET", f"{base}/care-teams", token=token).json()["care_teams"]}

    # GIVEN the patient asks for an upload form and posts the PDF to it, from the portal's origin
    started = api.call(
        "POST",
        f"{base}/attachments",
        {"file_name": "blood pressure log.pdf", "content_type": "application/pdf", "size_bytes": len(PDF)},
        token,
    )
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    origin = {"Origin": portal.api_url}
    preflight = requests.options(form["url"], headers={**origin, "Access-Control-Request-Method": "POST"}, timeout=30)
    assert preflight.headers.get("Access-Control-Allow-Origin") == portal.api_url
    assert "POST" in preflight.headers.get("Access-Control-Allow-Methods", "")
    posted = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("blood pressure log.pdf", PDF, "application/pdf")},
        headers=origin,
        timeout=30,
    )
    assert posted.status_code in (200, 201, 204), posted.text
    assert posted.headers.get("Access-Control-Allow-Origin") == portal.api_url  # the page may read the answer
    attachment_id = started.json()["attachment_id"]
    checked = api.call("POST", f"{base}/attachments/{attachment_id}/check", token=token)
    assert checked.status_code == 200 and checked.json()["status"] == "ready", checked.text

    # WHEN she writes to Primary Care with it
    sent = api.call(
        "POST",
        f"{base}/messages",
        {"team_id": teams["Primary Care"], "subject": SUBJECT, "body": BODY, "attachment_ids": [attachment_id]},
        token,
    )
    assert sent.status_code == 201, sent.text
    thread_id = sent.json()["thread_id"]

    # THEN the team's members are emailed, without a word of it
    staff_address = "demo.staff@albany-medical-center.example"
    to_staff = eventually(lambda: [e for e in api.emails_to(staff_address, WAITING_FOR_STAFF)], seconds=30)
    assert to_staff, "the care team was not told"

    # WHEN staff open the conversation, fetch the file, and answer
    staff = staff_token(api)
    opened = api.call("GET", f"/v1/staff/messages/{thread_id}", token=staff)
    assert opened.status_code == 200, opened.text
    assert opened.json()["patient"]["patient_id"] == patient.patient_id and opened.json()["reply_due_by"]
    link = api.call("GET", f"/v1/staff/messages/{thread_id}/attachments/{attachment_id}", token=staff).json()
    assert requests.get(link["url"], timeout=30).content == PDF
    assert api.call("POST", f"/v1/staff/messages/{thread_id}/read", token=staff).status_code == 204
    replied = api.call("POST", f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY}, staff)
    assert replied.status_code == 201, replied.text

    # THEN the patient is told, and has one unread message
    to_patient = eventually(lambda: api.emails_to(patient.email, WAITING_FOR_PATIENT), seconds=30)
    assert to_patient, "the patient was not told"
    token = sign_in(api, patient)  # (the e2e stack's sessions end after seconds of idleness)
    assert api.call("GET", "/v1/me", token=token).json()["unread_messages"] == 1

    # WHEN she reads the conversation
    thread = api.call("GET", f"{base}/messages/{thread_id}", token=token).json()
    assert [(m["from"], m["body"]) for m in thread["messages"]] == [("patient", BODY), ("care_team", REPLY)]
    assert api.call("POST", f"{base}/messages/{thread_id}/read", token=token).status_code == 204

    # THEN nothing is unread
    assert api.call("GET", f"{base}/messages", token=token).json()["unread_count"] == 0
    assert api.call("GET", "/v1/me", token=token).json()["unread_messages"] == 0

    # AND neither email says anything of the conversation
    for email in (*to_staff, *to_patient):
        text = email["subject"] + email["text"] + json.dumps(email.get("links", []))
        for secret in ("dizzy", "Dizzy", "amlodipine", "blood pressure", "Núñez", "Ana", "Primary Care", thread_id):
            assert secret not in text, secret

    # AND the clinical systems' queue carries both messages as Communications, in order
    communications = eventually(lambda: outbound_communications(portal, patient.patient_id), seconds=20)
    bodies = [json.loads(m["Body"]) for m in communications]
    assert [b["resourceType"] for b in bodies] == ["Communication", "Communication"]
    assert [b["payload"][0]["contentString"] for b in bodies] == [BODY, REPLY]
    assert {m["MessageAttributes"]["kind"]["StringValue"] for m in communications} == {"message"}


def test_another_patients_thread_and_an_executable_renamed_pdf_are_refused(portal):
    api = Api(portal)
    terms = api.call("GET", "/v1/terms").json()["version"]
    patient = enrolled(api, terms, "msgrefusals")
    token = sign_in(api, patient)
    base = f"/v1/patients/{patient.patient_id}"

    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 100
    started = api.call(
        "POST",
        f"{base}/attachments",
        {"file_name": "results.pdf", "content_type": "application/pdf", "size_bytes": 116},
        token,
    ).json()
    form = started["upload"]
    requests.post(form["url"], data=form["fields"], files={"file": ("results.pdf", exe, "application/pdf")}, timeout=30)
    refused = api.call("POST", f"{base}/attachments/{started['attachment_id']}/check", token=token)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["message"] == "The file is not a PDF, JPEG or PNG image."

    too_big = api.call(
        "POST",
        f"{base}/attachments",
        {"file_name": "scan.pdf", "content_type": "application/pdf", "size_bytes": 20 * 1024 * 1024},
        token,
    )
    assert too_big.status_code == 400 and too_big.json()["error"]["details"][0]["field"] == "size_bytes"

    other = enrolled(api, terms, "msgother")
    other_token = sign_in(api, other)
    teams = api.call("GET", f"/v1/patients/{other.patient_id}/care-teams", token=other_token).json()["care_teams"]
    thread = api.call(
        "POST",
        f"/v1/patients/{other.patient_id}/messages",
        {"team_id": teams[0]["team_id"], "subject": "Mine", "body": "Private"},
        other_token,
    ).json()
    token = sign_in(api, patient)
    assert api.call("GET", f"{base}/messages/{thread['thread_id']}", token=token).status_code == 404
    assert (
        api.call("GET", f"/v1/patients/{other.patient_id}/messages/{thread['thread_id']}", token=token).status_code
        == 404
    )


def test_the_demo_patient_has_a_conversation_with_primary_care_in_the_staff_inbox(portal):
    api = Api(portal)

    def demo_thread() -> list[dict]:
        listed = api.call("GET", "/v1/staff/messages?status=waiting_on_patient&limit=50", token=staff_token(api))
        return [t for t in listed.json()["threads"] if t["subject"] == "Blood pressure readings at home"]

    [thread] = eventually(demo_thread, seconds=60)
    assert (thread["care_team"]["name"], thread["patient"]["name"], thread["message_count"]) == (
        "Primary Care",
        "Dana M Rivera",
        2,
    )
