"""Secure messaging through the API, against the moto-backed stores, bucket and queues: a patient
writes to a care team with a PDF, staff read and answer, the patient reads the answer; each side
is emailed without a word of what was written; every message leaves as a FHIR Communication.
And the refusals: another patient's thread, a file too big or not what it claims, a team the
patient may not write to, a resent request."""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from datetime import timedelta

import boto3
import pytest

from chalicelib import wiring
from chalicelib.kernel.clock import iso
from chalicelib.messaging.domain import reply_due_by
from infra.local.seed import ORGANIZATION_ID, TIME_ZONE
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, STAFF_USER, call, sign_in
from tests.integration.outbound.test_outbound_producer import on_queue

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 200
    + b"This program cannot be run in DOS mode"
)
SUBJECT = "Chest pain after the new dose"
BODY = "Since Tuesday my chest hurts when I climb stairs. Should I stop the metoprolol?"
REPLY = "Please keep taking it; we have booked you an ECG on Friday."


def post(api, path: str, body, token: str, key: str = ""):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return api.http.post(path, headers=headers, body=json.dumps(body).encode())


def teams(api, patient_id: str, token: str) -> dict[str, str]:
    listed = call(api, "GET", f"/v1/patients/{patient_id}/care-teams", token=token).json_body["care_teams"]
    return {t["name"]: t["team_id"] for t in listed}


def upload(
    api, patient_id: str, token: str, content: bytes, name: str = "lab letter.pdf", kind: str = "application/pdf"
):
    """What the browser does: ask for the form, POST the file to storage, ask for the check."""
    started = post(
        api,
        f"/v1/patients/{patient_id}/attachments",
        {"file_name": name, "content_type": kind, "size_bytes": len(content)},
        token,
    )
    assert started.status_code == 201, started.json_body
    form = started.json_body["upload"]
    # (moto's bucket takes the form's key as a plain PUT would; tests/e2e posts the real form)
    bucket = wiring.container().settings.attachments_bucket
    boto3.client("s3").put_object(Bucket=bucket, Key=form["fields"]["key"], Body=content, ContentType=kind)
    checked = post(api, f"/v1/patients/{patient_id}/attachments/{started.json_body['attachment_id']}/check", {}, token)
    return started.json_body, checked


def write(api, patient_id: str, token: str, team_id: str, attachment_ids=(), key: str = "", subject: str = SUBJECT):
    body = {"team_id": team_id, "subject": subject, "body": BODY, "attachment_ids": list(attachment_ids)}
    return post(api, f"/v1/patients/{patient_id}/messages", body, token, key)


def emails_to(api, address: str) -> list:
    """The message notices sent to ``address`` (not the account emails of the seed and enrollment)."""
    return [
        e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [address] and "message" in e.subject
    ]


def communications(container) -> list[dict]:
    return [
        json.loads(m["Body"]) for m in on_queue(container) if m["MessageAttributes"]["kind"]["StringValue"] == "message"
    ]


def assert_phi_free(email) -> None:
    for secret in ("Chest", "chest", "metoprolol", "ECG", "Núñez", "Ana", "Primary Care", "lab letter"):
        assert secret not in email.body and secret not in email.subject, secret


@pytest.fixture
def primary_care(seeded, ana) -> str:
    patient_id, token = ana
    return teams(seeded, patient_id, token)["Primary Care"]


class TestTheConversation:
    def test_a_patient_writes_with_a_pdf_staff_answer_and_the_patient_reads_the_answer(
        self, seeded, ana, staff_token, primary_care, container
    ):
        patient_id, token = ana
        # GIVEN Ana uploaded a PDF and it checked out as one
        started, checked = upload(seeded, patient_id, token, PDF)
        assert started["status"] == "waiting_for_upload" and started["max_bytes"] == 10 * 1024 * 1024
        assert started["upload"]["fields"]["key"].startswith(f"uploads/{patient_id}/")
        assert "lab letter" not in started["upload"]["fields"]["key"]  # the key is the server's
        assert checked.status_code == 200, checked.json_body
        assert checked.json_body["status"] == "ready"

        # WHEN she writes to Primary Care with it
        sent = write(seeded, patient_id, token, primary_care, [started["attachment_id"]])

        # THEN the conversation is open, her message in it with the file
        assert sent.status_code == 201, sent.json_body
        thread = sent.json_body
        assert (thread["subject"], thread["status"], thread["care_team"]["name"]) == (SUBJECT, "open", "Primary Care")
        [mine] = thread["messages"]
        assert (mine["from"], mine["body"], mine["read"]) == ("patient", BODY, True)
        assert [a["file_name"] for a in mine["attachments"]] == ["lab letter.pdf"]
        # AND the team's members are emailed that a message waits, and nothing of it
        [to_staff] = emails_to(seeded, f"{STAFF_USER}@{ORGANIZATION_ID}.example")
        assert to_staff.subject == "A patient message is waiting in your care team's inbox"
        assert "/staff/messages" in to_staff.body
        assert_phi_free(to_staff)

        # WHEN staff open their inbox
        inbox = call(seeded, "GET", "/v1/staff/messages", token=staff_token).json_body
        [listed] = inbox["threads"]
        assert listed["patient"]["name"] == "Ana Núñez" and listed["patient"]["birth_date"] == "1984-03-09"
        assert listed["unread_count"] == 1 and listed["overdue"] is False and listed["reply_due_by"]
        counts = {
            t["name"]: t for t in call(seeded, "GET", "/v1/staff/messages/teams", token=staff_token).json_body["teams"]
        }
        assert (counts["Primary Care"]["open_count"], counts["Primary Care"]["unread_count"]) == (1, 1)
        assert counts["Cardiology"]["open_count"] == 0

        # AND read it, download the file, and answer
        opened = call(seeded, "GET", f"/v1/staff/messages/{thread['thread_id']}", token=staff_token).json_body
        assert opened["messages"][0]["read"] is False
        link = call(
            seeded,
            "GET",
            f"/v1/staff/messages/{thread['thread_id']}/attachments/{started['attachment_id']}",
            token=staff_token,
        ).json_body
        assert link["file_name"] == "lab letter.pdf" and "X-Amz-Expires=300" in link["url"]
        assert (
            call(seeded, "POST", f"/v1/staff/messages/{thread['thread_id']}/read", token=staff_token).status_code == 204
        )
        replied = post(seeded, f"/v1/staff/messages/{thread['thread_id']}/replies", {"body": REPLY}, staff_token)
        assert replied.status_code == 201, replied.json_body
        assert replied.json_body["from"] == "care_team" and replied.json_body["author"] == "demo.staff, Primary Care"

        # THEN Ana is told, without a word of it, and sees one unread message
        [to_ana] = emails_to(seeded, "ana@example.org")
        assert to_ana.subject == "You have a new message in your patient portal"
        assert_phi_free(to_ana)
        page = call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body
        assert page["unread_count"] == 1 and page["threads"][0]["status"] == "waiting_on_patient"
        assert call(seeded, "GET", "/v1/me", token=token).json_body["unread_messages"] == 1

        # WHEN she reads the conversation
        shown = call(seeded, "GET", f"/v1/patients/{patient_id}/messages/{thread['thread_id']}", token=token).json_body
        assert [(m["from"], m["read"]) for m in shown["messages"]] == [("patient", True), ("care_team", False)]
        assert (
            call(
                seeded, "POST", f"/v1/patients/{patient_id}/messages/{thread['thread_id']}/read", token=token
            ).status_code
            == 204
        )

        # THEN nothing is unread any more
        assert call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body["unread_count"] == 0
        assert call(seeded, "GET", "/v1/me", token=token).json_body["unread_messages"] == 0
        assert call(seeded, "GET", "/v1/me", token=staff_token).json_body["unread_messages"] == 0
        # AND the clinical systems got both messages as Communications, the reply answering hers
        sent_out = communications(container)
        assert [c["payload"][0]["contentString"] for c in sent_out] == [BODY, REPLY]
        assert sent_out[0]["subject"]["identifier"] == {"system": "AMC-MRN", "value": "MRN-1001"}
        assert sent_out[0]["payload"][1]["contentReference"]["identifier"]["value"] == started["attachment_id"]
        assert sent_out[1]["inResponseTo"][0]["identifier"]["value"] == mine["message_id"]

        # AND every read of it is on the audit trail, with the patient it concerns
        def trail(username: str) -> set[tuple[str, str | None]]:
            actor = container.directory.account_by_username(username).account_id
            return {(e.event_type, e.patient_id) for e in container.audit_log.by_actor(actor, 100)[0]}

        assert {("messages.read", patient_id), ("messages.attachment_read", patient_id)} <= trail(STAFF_USER)
        assert {("messages.sent", patient_id), ("messages.read", patient_id), ("messages.list", patient_id)} <= trail(
            "ana.nunez"
        )

    def test_a_patient_reply_reopens_a_thread_waiting_on_them_and_a_closed_one_takes_none(
        self, seeded, ana, staff_token, primary_care
    ):
        patient_id, token = ana
        thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
        post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY}, staff_token)

        again = post(seeded, f"/v1/patients/{patient_id}/messages/{thread_id}/replies", {"body": "Thank you!"}, token)
        assert again.status_code == 201, again.json_body
        shown = call(seeded, "GET", f"/v1/staff/messages/{thread_id}", token=staff_token).json_body
        assert shown["status"] == "open" and shown["message_count"] == 3 and shown["reply_due_by"]

        closed = call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/status", {"status": "closed"}, staff_token)
        assert closed.json_body["status"] == "closed"
        refused = post(seeded, f"/v1/patients/{patient_id}/messages/{thread_id}/replies", {"body": "One more"}, token)
        assert refused.status_code == 409
        assert refused.json_body["error"]["message"] == "This conversation is closed. Start a new message."
        refused = post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": "And us"}, staff_token)
        assert refused.status_code == 409

    def test_a_new_thread_lists_first_and_pages(self, clock, seeded, ana, primary_care):
        patient_id, token = ana
        for n in range(3):
            write(seeded, patient_id, token, primary_care, subject=f"Question {n}")
            clock.advance(minutes=1)
        first = call(seeded, "GET", f"/v1/patients/{patient_id}/messages?limit=2", token=token).json_body
        assert [t["subject"] for t in first["threads"]] == ["Question 2", "Question 1"]
        rest = call(
            seeded, "GET", f"/v1/patients/{patient_id}/messages?limit=2&cursor={first['next_cursor']}", token=token
        ).json_body
        assert [t["subject"] for t in rest["threads"]] == ["Question 0"] and rest["next_cursor"] is None

    def test_a_burst_of_messages_is_one_email_and_a_patient_who_wants_none_gets_the_inbox_notice_only(
        self, seeded, ana, staff_token, primary_care
    ):
        patient_id, token = ana
        staff_address = f"{STAFF_USER}@{ORGANIZATION_ID}.example"
        thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
        post(seeded, f"/v1/patients/{patient_id}/messages/{thread_id}/replies", {"body": "And one more thing"}, token)
        # two messages the team has not read: one email
        assert len(emails_to(seeded, staff_address)) == 1

        # GIVEN Ana wants no message emails
        turned_off = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_messages": False}, token)
        assert turned_off.status_code == 200, turned_off.json_body
        # WHEN the team answers
        post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY}, staff_token)
        # THEN no email, but the notice waits in her portal inbox
        assert emails_to(seeded, "ana@example.org") == []
        notices = call(seeded, "GET", "/v1/me/notifications", token=token).json_body
        assert "You have a new message in your patient portal" in json.dumps(notices)
        # AND once the team has read what she writes next, her next message is emailed again
        call(seeded, "POST", f"/v1/staff/messages/{thread_id}/read", token=staff_token)
        post(seeded, f"/v1/patients/{patient_id}/messages/{thread_id}/replies", {"body": "Thanks"}, token)
        assert len(emails_to(seeded, staff_address)) == 2


class TestRefusals:
    def test_another_patients_thread_and_attachment_are_not_found(self, seeded, ana, staff_token, primary_care):
        patient_id, token = ana
        started, _ = upload(seeded, patient_id, token, PDF)
        thread_id = write(seeded, patient_id, token, primary_care, [started["attachment_id"]]).json_body["thread_id"]
        other = call(
            seeded,
            "POST",
            "/v1/staff/patients",
            {
                "mrn": "MRN-2002",
                "family_name": "Other",
                "given_names": ["Bo"],
                "birth_date": "1970-01-01",
                "sex": "male",
            },
            staff_token,
        ).json_body["patient_id"]

        # Bo's id with Ana's thread, and Ana's thread under Bo's id: both as if they did not exist
        for path in (
            f"/v1/patients/{other}/messages/{thread_id}",
            f"/v1/patients/{other}/messages/{thread_id}/attachments/{started['attachment_id']}",
            f"/v1/patients/{patient_id}/messages/{uuid.uuid4().hex}",
            f"/v1/patients/{patient_id}/messages/{uuid.uuid4().hex}/attachments/{started['attachment_id']}",
        ):
            assert call(seeded, "GET", path, token=token).status_code == 404, path
        assert (
            post(seeded, f"/v1/patients/{other}/messages/{thread_id}/replies", {"body": "hi"}, token).status_code == 404
        )
        assert (
            post(
                seeded, f"/v1/patients/{other}/messages", {"team_id": primary_care, "subject": "x", "body": "y"}, token
            ).status_code
            == 404
        )

    def test_a_file_declared_over_10_mb_is_refused_naming_its_size(self, seeded, ana):
        patient_id, token = ana
        refused = post(
            seeded,
            f"/v1/patients/{patient_id}/attachments",
            {"file_name": "scan.pdf", "content_type": "application/pdf", "size_bytes": 20 * 1024 * 1024},
            token,
        )
        assert refused.status_code == 400
        assert refused.json_body["error"]["details"] == [
            {"field": "size_bytes", "issue": "A file can be at most 10 MB"}
        ]

    def test_an_executable_renamed_pdf_is_refused_deleted_and_cannot_be_sent(
        self, seeded, ana, primary_care, container
    ):
        patient_id, token = ana
        started, checked = upload(seeded, patient_id, token, EXE, name="results.pdf")

        assert checked.status_code == 400
        assert checked.json_body["error"]["message"] == "The file is not a PDF, JPEG or PNG image."
        bucket = container.settings.attachments_bucket
        assert boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=f"uploads/{patient_id}/").get("KeyCount") == 0
        sent = write(seeded, patient_id, token, primary_care, [started["attachment_id"]])
        assert sent.status_code == 400
        assert sent.json_body["error"]["details"][0]["field"] == "attachment_ids.0"

    def test_a_png_declared_as_a_pdf_and_a_file_over_10_mb_are_refused(self, seeded, ana):
        patient_id, token = ana
        png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
        _, checked = upload(seeded, patient_id, token, png, name="photo.pdf")
        assert checked.status_code == 400
        big = PDF + b"0" * (10 * 1024 * 1024)
        started = post(
            seeded,
            f"/v1/patients/{patient_id}/attachments",
            {"file_name": "big.pdf", "content_type": "application/pdf", "size_bytes": 1000},
            token,
        ).json_body
        bucket = wiring.container().settings.attachments_bucket
        boto3.client("s3").put_object(Bucket=bucket, Key=started["upload"]["fields"]["key"], Body=big)
        checked = post(seeded, f"/v1/patients/{patient_id}/attachments/{started['attachment_id']}/check", {}, token)
        assert checked.status_code == 400 and checked.json_body["error"]["details"][0]["field"] == "size_bytes"

    def test_a_file_not_uploaded_yet_is_a_conflict_and_an_image_is_taken(self, seeded, ana):
        patient_id, token = ana
        started = post(
            seeded,
            f"/v1/patients/{patient_id}/attachments",
            {"file_name": "rash.jpg", "content_type": "image/jpeg", "size_bytes": 4},
            token,
        ).json_body
        early = post(seeded, f"/v1/patients/{patient_id}/attachments/{started['attachment_id']}/check", {}, token)
        assert early.status_code == 409
        jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
        _, checked = upload(seeded, patient_id, token, jpeg, name="rash.jpg", kind="image/jpeg")
        assert checked.status_code == 200 and checked.json_body["content_type"] == "image/jpeg"

    def test_a_team_of_another_organization_or_closed_to_patients_is_not_found(self, seeded, ana, container):
        patient_id, token = ana
        from chalicelib.careteams.domain import CareTeam

        elsewhere = CareTeam(
            uuid.uuid4().hex, "Elsewhere Clinic", "clinic", "", True, "", True, (), "2026-01-01T00:00:00Z"
        )
        container.care_teams.save_teams("other-organization", [elsewhere], None)
        refused = write(seeded, patient_id, token, elsewhere.team_id)
        assert refused.status_code == 404 and refused.json_body["error"]["message"] == "No such care team."
        admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
        cardiology = teams(seeded, patient_id, token)["Cardiology"]
        call(
            seeded,
            "PUT",
            f"/v1/admin/care-teams/{cardiology}",
            {"name": "Cardiology", "kind": "department", "accepts_messages": False},
            admin,
        )
        assert write(seeded, patient_id, token, cardiology).status_code == 404

    def test_a_resent_request_with_the_same_idempotency_key_answers_the_first_thread(
        self, seeded, ana, primary_care, container
    ):
        patient_id, token = ana
        key = str(uuid.uuid4())
        first = write(seeded, patient_id, token, primary_care, key=key)
        again = write(seeded, patient_id, token, primary_care, key=key)

        assert first.status_code == again.status_code == 201
        assert again.json_body["thread_id"] == first.json_body["thread_id"]
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert len(call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body["threads"]) == 1
        assert len(communications(container)) == 1

    def test_unknown_fields_and_overlong_text_are_refused_by_name(self, seeded, ana, primary_care):
        patient_id, token = ana
        for field, value in (
            ("subject", "x" * 151),
            ("subject", "two\nlines"),
            ("body", "x" * 10_001),
            ("body", "   "),
            ("attachment_ids", [uuid.uuid4().hex] * 6),
            ("shoe_size", 9),
        ):
            body = {"team_id": primary_care, "subject": SUBJECT, "body": BODY, field: value}
            refused = post(seeded, f"/v1/patients/{patient_id}/messages", body, token)
            assert refused.status_code == 400, (field, refused.json_body)
            assert field in [d.get("field") for d in refused.json_body["error"]["details"]], field
        named = post(
            seeded,
            f"/v1/patients/{patient_id}/attachments",
            {"file_name": "../../etc/passwd.pdf", "content_type": "application/pdf", "size_bytes": 10},
            token,
        )
        assert named.status_code == 400 and named.json_body["error"]["details"][0]["field"] == "file_name"


class TestTheCareTeamsInbox:
    def test_assignment_status_and_the_urgent_notice(self, seeded, ana, staff_token, primary_care):
        patient_id, token = ana
        thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
        staff_id = call(seeded, "GET", "/v1/me", token=staff_token).json_body["account"]["account_id"]

        assigned = call(
            seeded, "PUT", f"/v1/staff/messages/{thread_id}/assignment", {"account_id": staff_id}, staff_token
        )
        assert assigned.status_code == 200 and assigned.json_body["assigned_to"] == {
            "account_id": staff_id,
            "name": "demo.staff",
        }
        mine = call(seeded, "GET", "/v1/staff/messages?assigned=me", token=staff_token).json_body["threads"]
        assert [t["thread_id"] for t in mine] == [thread_id]
        assert (
            call(seeded, "GET", "/v1/staff/messages?assigned=unassigned", token=staff_token).json_body["threads"] == []
        )
        patient_account = call(seeded, "GET", "/v1/me", token=token).json_body["account"]["account_id"]
        refused = call(
            seeded, "PUT", f"/v1/staff/messages/{thread_id}/assignment", {"account_id": patient_account}, staff_token
        )
        assert refused.status_code == 400 and refused.json_body["error"]["details"][0]["field"] == "account_id"

        urgent = call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/urgent", {"urgent": True}, staff_token).json_body
        assert urgent["urgent"] is True and urgent["urgent_marked_by"] == "demo.staff"
        shown = call(seeded, "GET", f"/v1/patients/{patient_id}/messages/{thread_id}", token=token).json_body
        assert (
            shown["urgent"] is True and "(518) 555-0100" in shown["urgent_notice"] and "911" in shown["urgent_notice"]
        )
        cleared = call(
            seeded, "PUT", f"/v1/staff/messages/{thread_id}/urgent", {"urgent": False}, staff_token
        ).json_body
        assert cleared["urgent_notice"] is None

        waiting = call(
            seeded, "PUT", f"/v1/staff/messages/{thread_id}/status", {"status": "waiting_on_patient"}, staff_token
        )
        assert waiting.json_body["status"] == "waiting_on_patient"
        assert call(seeded, "GET", "/v1/staff/messages", token=staff_token).json_body["threads"] == []
        listed = call(seeded, "GET", "/v1/staff/messages?status=waiting_on_patient", token=staff_token).json_body
        assert [t["thread_id"] for t in listed["threads"]] == [thread_id]

    def test_the_reply_clock_runs_three_business_days_and_a_staff_reply_stops_it(
        self, clock, seeded, ana, primary_care
    ):
        patient_id, token = ana
        sent_at = clock.now()
        thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
        staff = sign_in(seeded, "demo.staff", "albany-staff-demo")
        listed = call(seeded, "GET", "/v1/staff/messages", token=staff).json_body["threads"][0]
        due = reply_due_by(sent_at, TIME_ZONE)
        assert listed["reply_due_by"] == iso(due)
        assert listed["overdue"] is False

        # WHEN the due moment passes without an answer
        clock.advance(seconds=(due - sent_at).total_seconds() + 60)
        staff = sign_in(seeded, "demo.staff", "albany-staff-demo")

        # THEN the thread is overdue, and counted so
        assert call(seeded, "GET", "/v1/staff/messages", token=staff).json_body["threads"][0]["overdue"] is True
        counts = {t["name"]: t for t in call(seeded, "GET", "/v1/staff/messages/teams", token=staff).json_body["teams"]}
        assert counts["Primary Care"]["overdue_count"] == 1
        # AND a reply that keeps it open stops the clock
        post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY, "status_after": "open"}, staff)
        after = call(seeded, "GET", f"/v1/staff/messages/{thread_id}", token=staff).json_body
        assert (after["status"], after["reply_due_by"], after["overdue"]) == ("open", None, False)
        assert after["waiting_since"] is None

    def test_another_organizations_thread_is_not_found_and_patients_cannot_read_inboxes(
        self, seeded, ana, primary_care, container, monkeypatch
    ):
        from chalicelib.accounts import service as accounts
        from chalicelib.accounts.domain import Role

        patient_id, token = ana
        thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
        accounts.ensure_organization(container.directory, "other-clinic", "Other Clinic", now=container.clock.now())
        accounts.create_staff_account(
            container.directory,
            organization_id="other-clinic",
            username="other.staff",
            password="other-staff-password",
            role=Role.ADMIN,
            email="other.staff@other.example",
            now=container.clock.now(),
        )
        exempt = os.environ.get("PORTAL_SECOND_FACTOR_EXEMPT_USERS", "")
        monkeypatch.setenv("PORTAL_SECOND_FACTOR_EXEMPT_USERS", f"{exempt},other.staff")
        wiring.reset()
        wiring.settings()  # read now: chalice's test client sets the stage's own list during a call
        other = sign_in(seeded, "other.staff", "other-staff-password")
        seen = call(seeded, "GET", f"/v1/staff/messages/{thread_id}", token=other)
        assert seen.status_code == 404, seen.json_body
        assert post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": "hi"}, other).status_code == 404
        assert call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/urgent", {"urgent": True}, other).status_code == 404
        assert call(seeded, "GET", "/v1/staff/messages", token=other).json_body["threads"] == []
        assert call(seeded, "GET", "/v1/staff/messages", token=token).status_code == 403

    def test_staff_outside_the_team_do_not_see_its_threads_and_the_inbox_pages(
        self, clock, seeded, ana, primary_care, staff_token, container, monkeypatch
    ):
        from chalicelib.accounts import service as accounts
        from chalicelib.accounts.domain import Role

        patient_id, token = ana
        # written a day apart: the most overdue (the oldest) lists first, not the newest
        from chalicelib.kernel.caller import Caller
        from chalicelib.kernel.origin import Origin
        from chalicelib.messaging import conversations as messaging
        from chalicelib.messaging.contract import NewThread

        account_id = call(seeded, "GET", "/v1/me", token=token).json_body["account"]["account_id"]
        as_ana = Caller(account_id, "patient", ORGANIZATION_ID, patient_id, "session", "")
        ids = []
        for n in range(3):
            request = NewThread(team_id=primary_care, subject=f"Question {n}", body=BODY, attachment_ids=[])
            when = clock.now() - timedelta(days=3 - n)
            ids.append(messaging.start_thread(container, as_ana, Origin(), patient_id, request, when)["thread_id"])
        accounts.create_staff_account(
            container.directory,
            organization_id=ORGANIZATION_ID,
            username="front.desk",
            password="front-desk-password",
            role=Role.STAFF,
            email="front.desk@albany-medical-center.example",
            now=container.clock.now(),
        )
        exempt = os.environ.get("PORTAL_SECOND_FACTOR_EXEMPT_USERS", "")
        monkeypatch.setenv("PORTAL_SECOND_FACTOR_EXEMPT_USERS", f"{exempt},front.desk")
        wiring.reset()
        wiring.settings()  # read now: chalice's test client sets the stage's own list during a call
        desk = sign_in(seeded, "front.desk", "front-desk-password")

        # a staff member of the organization who is not in Primary Care sees none of its threads
        assert call(seeded, "GET", f"/v1/staff/messages/{ids[0]}", token=desk).status_code == 404
        assert call(seeded, "GET", "/v1/staff/messages", token=desk).json_body["threads"] == []
        assert call(seeded, "GET", f"/v1/staff/messages?team_id={primary_care}", token=desk).status_code == 404
        assert call(seeded, "GET", "/v1/staff/messages/teams", token=desk).json_body["teams"] == []

        # a member pages through the open ones, the soonest due first
        first = call(seeded, "GET", f"/v1/staff/messages?team_id={primary_care}&limit=2", token=staff_token).json_body
        rest = call(
            seeded, "GET", f"/v1/staff/messages?limit=2&cursor={first['next_cursor']}", token=staff_token
        ).json_body
        listed = [t["thread_id"] for t in first["threads"] + rest["threads"]]
        assert listed == ids and rest["next_cursor"] is None
        dues = [t["reply_due_by"] for t in first["threads"] + rest["threads"]]
        assert len(set(dues)) == 3 and dues == sorted(dues)


class TestNothingHalfDone:
    def test_when_the_queues_refuse_the_message_is_kept_and_the_drains_send_it_once(
        self, seeded, ana, primary_care, container
    ):
        from chalicelib.errors import DependencyUnavailable
        from chalicelib.outbound import producer
        from chalicelib.release import outbox

        patient_id, token = ana

        def refuse(*args, **kwargs):
            raise DependencyUnavailable("The queue is unavailable.")

        # GIVEN both the notifications and the outbound queue refuse everything
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(container.notifications_queue, "send", refuse)
            patch.setattr(container.clinical_outbound_queue, "send_raw", refuse)
            sent = write(seeded, patient_id, token, primary_care)
        # THEN the message is kept all the same
        assert sent.status_code == 201, sent.json_body
        assert communications(container) == [] and emails_to(seeded, f"{STAFF_USER}@{ORGANIZATION_ID}.example") == []

        # WHEN the drains run once the queues are back
        assert outbox.drain(container, container.clock.now()).sent == 1
        assert producer.drain(container).sent == 1

        # THEN the email and the Communication leave, once each
        assert len(emails_to(seeded, f"{STAFF_USER}@{ORGANIZATION_ID}.example")) == 1
        assert [c["payload"][0]["contentString"] for c in communications(container)] == [BODY]
        assert producer.drain(container).sent == 0

    def test_when_the_store_refuses_nothing_is_kept_or_sent(self, seeded, ana, primary_care, container):
        from pynamodb.connection.base import Connection
        from pynamodb.exceptions import TransactWriteError

        patient_id, token = ana

        def refuse(*args, **kwargs):
            raise TransactWriteError("DynamoDB is unavailable")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Connection, "transact_write_items", refuse)
            sent = write(seeded, patient_id, token, primary_care)
        assert sent.status_code == 503
        assert call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body["threads"] == []
        assert communications(container) == []
        assert emails_to(seeded, f"{STAFF_USER}@{ORGANIZATION_ID}.example") == []

    def test_when_storage_refuses_the_upload_form_no_attachment_is_kept(self, seeded, ana, container):
        from chalicelib.errors import DependencyUnavailable

        patient_id, token = ana

        def refuse(*args, **kwargs):
            raise DependencyUnavailable("Attachment storage is unavailable.")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(container.attachment_files, "presigned_post", refuse)
            refused = post(
                seeded,
                f"/v1/patients/{patient_id}/attachments",
                {"file_name": "a.pdf", "content_type": "application/pdf", "size_bytes": 10},
                token,
            )
        assert refused.status_code == 503


def test_when_storage_fails_during_the_check_the_file_waits_and_a_second_check_takes_it(seeded, ana, container):
    from chalicelib.errors import DependencyUnavailable

    patient_id, token = ana

    def refuse(*args, **kwargs):
        raise DependencyUnavailable("Attachment storage is unavailable.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container.attachment_files, "copy", refuse)
        started, failed = upload(seeded, patient_id, token, PDF)
    assert failed.status_code == 503
    assert container.messages.attachment(patient_id, started["attachment_id"]).state.value == "waiting_for_upload"

    again = post(seeded, f"/v1/patients/{patient_id}/attachments/{started['attachment_id']}/check", {}, token)
    assert again.status_code == 200 and again.json_body["status"] == "ready"


def test_the_upload_form_carries_its_conditions(seeded, ana, container):
    """moto does not enforce a presigned POST's policy: the policy the API signs is checked here."""
    import base64

    patient_id, token = ana
    started = post(
        seeded,
        f"/v1/patients/{patient_id}/attachments",
        {"file_name": "a.pdf", "content_type": "application/pdf", "size_bytes": 10},
        token,
    ).json_body
    policy = json.loads(base64.b64decode(started["upload"]["fields"]["policy"]))
    assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
    assert {"Content-Type": "application/pdf"} in policy["conditions"]
    assert {"key": started["upload"]["fields"]["key"]} in policy["conditions"]
    from datetime import datetime

    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=14) < expires - container.clock.now() <= timedelta(minutes=15, seconds=5)


def test_two_changes_of_one_thread_at_once_do_not_undo_each_other(seeded, ana, primary_care, container):
    """A thread is written on its version: a write from a stale read is refused, never applied over."""
    import dataclasses

    from chalicelib.errors import Conflict

    patient_id, token = ana
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    stale = container.messages.thread(patient_id, thread_id)
    container.messages.save(dataclasses.replace(stale, urgent=True))

    with pytest.raises(Conflict):
        container.messages.save(dataclasses.replace(stale, assigned_to="someone"))
    [message] = container.messages.messages(stale)
    with pytest.raises(Conflict):
        container.messages.send(stale, dataclasses.replace(message, message_id="m" * 32), [], None)
    kept = container.messages.thread(patient_id, thread_id)
    assert (kept.urgent, kept.assigned_to, kept.message_count) == (True, "", 1)


def test_a_file_swapped_after_its_check_is_never_the_one_kept(seeded, ana, primary_care, container):
    """The upload form still works after the check has read the file: an executable posted to the
    same key in between is not what staff are offered as the checked PDF."""
    patient_id, token = ana
    bucket = container.settings.attachments_bucket
    s3 = boto3.client("s3")
    files = container.attachment_files
    read_the_pdf = files.head_bytes

    def swap_after_reading(key, count):
        head = read_the_pdf(key, count)
        s3.put_object(Bucket=bucket, Key=key, Body=EXE, ContentType="application/pdf")
        return head

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "head_bytes", swap_after_reading)
        started, checked = upload(seeded, patient_id, token, PDF)
    assert checked.status_code == 200, checked.json_body
    # the size kept is the one the check found, not the one the browser declared
    assert checked.json_body["size_bytes"] == len(PDF)
    kept = container.messages.attachment(patient_id, started["attachment_id"]).object_key
    stored = s3.get_object(Bucket=bucket, Key=kept)
    assert stored["Body"].read() == PDF
    # served under its type and name from the object itself, so no link carries the name
    assert stored["ContentType"] == "application/pdf"
    assert stored["ContentDisposition"].startswith('attachment; filename="lab letter.pdf"')
    thread_id = write(seeded, patient_id, token, primary_care, [started["attachment_id"]]).json_body["thread_id"]
    link = call(
        seeded,
        "GET",
        f"/v1/patients/{patient_id}/messages/{thread_id}/attachments/{started['attachment_id']}",
        token=token,
    ).json_body
    assert "lab" not in link["url"] and "disposition" not in link["url"].lower()


def test_a_check_whose_file_version_is_gone_asks_for_another_check(seeded, ana, container):
    patient_id, token = ana
    bucket = container.settings.attachments_bucket
    s3 = boto3.client("s3")
    files = container.attachment_files
    read_the_pdf = files.head_bytes

    def replaced_after_reading(key, count):
        head = read_the_pdf(key, count)
        s3.delete_object(Bucket=bucket, Key=key, VersionId=head.version_id)
        return head

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(files, "head_bytes", replaced_after_reading)
        _, checked = upload(seeded, patient_id, token, PDF)
    assert checked.status_code == 409, checked.json_body
    assert checked.json_body["error"]["message"] == "The file changed after it was checked; check it again."


def test_a_resent_message_after_a_failure_past_its_write_is_still_sent_once(
    seeded, ana, primary_care, container, monkeypatch
):
    """The trail of who sent what is kept with the message: if it could fail afterwards, the
    request would answer 503, its Idempotency-Key would be released and the retry sent twice."""
    from chalicelib.errors import DependencyUnavailable

    patient_id, token = ana
    key = str(uuid.uuid4())

    def refuse(*args, **kwargs):
        raise DependencyUnavailable("The audit trail is unavailable.")

    def broken_queue(*args, **kwargs):
        raise RuntimeError("the queue client broke")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container.audit_log, "append", refuse)
        patch.setattr(container.clinical_outbound_queue, "send_raw", broken_queue)
        first = write(seeded, patient_id, token, primary_care, key=key)
    assert first.status_code == 201, first.json_body
    again = write(seeded, patient_id, token, primary_care, key=key)
    assert again.status_code == 201 and again.json_body["thread_id"] == first.json_body["thread_id"]

    threads = call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body["threads"]
    assert len(threads) == 1
    from chalicelib.outbound import producer

    producer.drain(container)
    assert len(communications(container)) == 1
    assert len(emails_to(seeded, f"{STAFF_USER}@{ORGANIZATION_ID}.example")) == 1
    account = container.directory.account_by_username("ana.nunez").account_id
    sent = [e for e in container.audit_log.by_actor(account, 100)[0] if e.event_type == "messages.sent"]
    assert [e.resource_id for e in sent] == [first.json_body["thread_id"]]


def test_a_reply_from_a_server_whose_clock_is_behind_still_comes_after_and_counts_unread(
    clock, seeded, ana, primary_care
):
    patient_id, token = ana
    staff = sign_in(seeded, STAFF_USER, "albany-staff-demo")
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]

    # the server that takes the staff reply runs two seconds behind the one that took her message
    clock.advance(seconds=-2)
    post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY, "status_after": "open"}, staff)
    # and her next message lands on a server at exactly the reply's moment
    post(seeded, f"/v1/patients/{patient_id}/messages/{thread_id}/replies", {"body": "Thank you"}, token)
    post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": "You are welcome"}, staff)

    shown = call(seeded, "GET", f"/v1/patients/{patient_id}/messages/{thread_id}", token=token).json_body
    assert [(m["body"], m["read"]) for m in shown["messages"]] == [
        (BODY, True),
        (REPLY, True),  # she wrote after it: read
        ("Thank you", True),
        ("You are welcome", False),
    ]
    assert shown["unread_count"] == 1
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body["unread_count"] == 1
    assert shown["last_message_from"] == "care_team"


def test_each_patient_in_a_staff_inbox_sees_it_on_their_trail_and_refused_looks_are_recorded(
    seeded, ana, staff_token, primary_care, container
):
    """The inbox list shows names, birth dates and subjects: every patient listed finds the read in
    "who looked at my record"; a conversation asked for and refused is on the asker's trail."""
    patient_id, token = ana
    write(seeded, patient_id, token, primary_care)
    other = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {"mrn": "MRN-3003", "family_name": "Lee", "given_names": ["Jo"], "birth_date": "1990-02-02", "sex": "female"},
        staff_token,
    ).json_body["patient_id"]
    from chalicelib.kernel.caller import Caller
    from chalicelib.kernel.origin import Origin
    from chalicelib.messaging import conversations as messaging
    from chalicelib.messaging.contract import NewThread

    # Jo writes too (she has no portal sign-in here: her message goes straight through the service)
    jo = Caller("jo-account", "patient", ORGANIZATION_ID, other, "session", "")
    request = NewThread(team_id=primary_care, subject="Rash", body="A rash on my arm", attachment_ids=[])
    messaging.start_thread(container, jo, Origin(), other, request, container.clock.now())
    staff_id = call(seeded, "GET", "/v1/me", token=staff_token).json_body["account"]["account_id"]

    listed = call(seeded, "GET", "/v1/staff/messages", token=staff_token).json_body["threads"]
    assert sorted(t["patient"]["patient_id"] for t in listed) == sorted([patient_id, other])
    for shown in (patient_id, other):
        trail = container.audit_log.for_patient(shown, 100)[0]
        assert any(e.event_type == "messages.inbox_read" and e.actor.account_id == staff_id for e in trail), shown

    # an unknown conversation, asked for by staff and by Ana: refused, and on each one's trail
    unknown = uuid.uuid4().hex
    assert call(seeded, "GET", f"/v1/staff/messages/{unknown}", token=staff_token).status_code == 404
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/messages/{unknown}", token=token).status_code == 404
    ana_account = call(seeded, "GET", "/v1/me", token=token).json_body["account"]["account_id"]
    for actor in (staff_id, ana_account):
        denied = [
            e
            for e in container.audit_log.by_actor(actor, 100)[0]
            if e.event_type == "messages.read" and e.outcome.value == "denied"
        ]
        assert denied, actor


def test_marking_a_conversation_urgent_tells_the_patient_once_without_a_word_of_it(
    seeded, ana, staff_token, primary_care
):
    patient_id, token = ana
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]

    marked = call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/urgent", {"urgent": True}, staff_token)
    assert marked.status_code == 200, marked.json_body
    # marked again (a second click): no second email
    call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/urgent", {"urgent": True}, staff_token)

    [to_ana] = emails_to(seeded, "ana@example.org")
    assert to_ana.subject == "You have a new message in your patient portal"
    assert_phi_free(to_ana)
    assert "911" not in to_ana.body and "urgent" not in to_ana.body.lower()
    listed = call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body
    assert (listed["unread_count"], listed["threads"][0]["unread_count"], listed["threads"][0]["urgent"]) == (
        1,
        1,
        True,
    )
    assert call(seeded, "GET", "/v1/me", token=token).json_body["unread_messages"] == 1
    # reading the conversation (and its notice) clears the badge at once
    call(seeded, "POST", f"/v1/patients/{patient_id}/messages/{thread_id}/read", token=token)
    assert call(seeded, "GET", "/v1/me", token=token).json_body["unread_messages"] == 0


def test_the_unread_badge_counts_the_records_of_every_connected_organization(
    seeded, ana, staff_token, primary_care, container
):
    """A team writes in the thread under the record of its own organization: the badge on every
    page adds those up, not only the record the patient enrolled with."""
    from chalicelib.accounts.domain import Connection

    patient_id, token = ana
    elsewhere = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {
            "mrn": "MRN-4004",
            "family_name": "Núñez",
            "given_names": ["Ana"],
            "birth_date": "1984-03-09",
            "sex": "female",
        },
        staff_token,
    ).json_body["patient_id"]
    account = container.directory.account_by_username("ana.nunez")
    linked = Connection("c" * 16, ORGANIZATION_ID, elsewhere, "active", "2026-01-01T00:00:00Z")
    container.directory.save_account(dataclasses.replace(account, connections=(*account.connections, linked)))

    home = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    there = write(seeded, elsewhere, token, primary_care).json_body["thread_id"]
    for thread_id in (home, there):
        post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY}, staff_token)

    assert call(seeded, "GET", "/v1/me", token=token).json_body["unread_messages"] == 2
    assert call(seeded, "GET", f"/v1/patients/{elsewhere}/messages", token=token).json_body["unread_count"] == 1
    call(seeded, "POST", f"/v1/patients/{elsewhere}/messages/{there}/read", token=token)
    assert call(seeded, "GET", "/v1/me", token=token).json_body["unread_messages"] == 1


def test_a_teams_inbox_page_is_one_query_with_its_patients_in_one_read(
    seeded, ana, staff_token, primary_care, container, monkeypatch
):
    """However many threads the organization holds, a page of one team's inbox is one Query of
    the index and one batch read of the patients shown."""
    from pynamodb.connection.base import Connection

    patient_id, token = ana
    cardiology = teams(seeded, patient_id, token)["Cardiology"]
    for n in range(4):
        write(seeded, patient_id, token, cardiology, subject=f"Heart {n}")
    mine = [write(seeded, patient_id, token, primary_care, subject=f"Question {n}") for n in range(2)]

    calls: list[str] = []
    for name in ("query", "get_item", "batch_get_item"):
        original = getattr(Connection, name)

        def counted(self, *args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(Connection, name, counted)
    page = call(seeded, "GET", f"/v1/staff/messages?team_id={primary_care}&limit=5", token=staff_token).json_body
    monkeypatch.undo()

    assert [t["thread_id"] for t in page["threads"]] == [m.json_body["thread_id"] for m in mine]
    assert page["threads"][0]["patient"]["name"] == "Ana Núñez"
    inbox_reads = [c for c in calls if c in ("query", "batch_get_item")]
    assert inbox_reads.count("query") == 1 and inbox_reads.count("batch_get_item") == 1, calls


def test_the_team_counts_follow_every_change(seeded, ana, staff_token, primary_care):
    patient_id, token = ana

    def counts() -> tuple[int, int, int]:
        listed = call(seeded, "GET", "/v1/staff/messages/teams", token=staff_token).json_body["teams"]
        team = next(t for t in listed if t["team_id"] == primary_care)
        return team["open_count"], team["unread_count"], team["overdue_count"]

    first = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    second = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    post(seeded, f"/v1/patients/{patient_id}/messages/{second}/replies", {"body": "And more"}, token)
    assert counts() == (2, 3, 0)
    call(seeded, "POST", f"/v1/staff/messages/{second}/read", token=staff_token)
    assert counts() == (2, 1, 0)
    post(seeded, f"/v1/staff/messages/{first}/replies", {"body": REPLY}, staff_token)  # waiting on her now
    assert counts() == (1, 0, 0)
    call(seeded, "PUT", f"/v1/staff/messages/{second}/status", {"status": "closed"}, staff_token)
    assert counts() == (0, 0, 0)
    post(seeded, f"/v1/patients/{patient_id}/messages/{first}/replies", {"body": "Thanks"}, token)  # open again
    assert counts() == (1, 1, 0)


def test_patients_see_a_staff_reply_signed_by_the_team_never_a_sign_in_name(seeded, ana, staff_token, primary_care):
    patient_id, token = ana
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    post(seeded, f"/v1/staff/messages/{thread_id}/replies", {"body": REPLY}, staff_token)

    shown = call(seeded, "GET", f"/v1/patients/{patient_id}/messages/{thread_id}", token=token).json_body
    assert [m["author"] for m in shown["messages"]] == ["Ana Núñez", "Primary Care"]
    assert STAFF_USER not in json.dumps(shown)
    # colleagues still see who answered
    staff_view = call(seeded, "GET", f"/v1/staff/messages/{thread_id}", token=staff_token).json_body
    assert staff_view["messages"][1]["author"] == "demo.staff, Primary Care"


def test_a_closed_conversation_opened_again_starts_a_fresh_reply_clock(clock, seeded, ana, primary_care):
    patient_id, token = ana
    staff = sign_in(seeded, STAFF_USER, "albany-staff-demo")
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/status", {"status": "closed"}, staff)

    # a week later someone opens it again: it is due three business days from now, not overdue
    clock.advance(days=7)
    staff = sign_in(seeded, STAFF_USER, "albany-staff-demo")
    opened = call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/status", {"status": "open"}, staff).json_body
    assert opened["overdue"] is False
    assert opened["reply_due_by"] == iso(reply_due_by(clock.now(), TIME_ZONE))
    assert opened["waiting_since"] == iso(clock.now())


def test_a_patient_cannot_reply_to_a_team_that_stopped_taking_messages(seeded, ana, primary_care):
    patient_id, token = ana
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    changed = call(
        seeded,
        "PUT",
        f"/v1/admin/care-teams/{primary_care}",
        {"name": "Primary Care", "kind": "department", "accepts_messages": False},
        admin,
    )
    assert changed.status_code == 200, changed.json_body

    refused = post(seeded, f"/v1/patients/{patient_id}/messages/{thread_id}/replies", {"body": "Hello?"}, token)
    assert refused.status_code == 409
    assert refused.json_body["error"]["message"] == (
        "This care team is not taking messages now. Please call them, or write to another team."
    )


def test_an_attachment_goes_with_one_message_of_its_own_patient_only(seeded, ana, staff_token, primary_care, container):
    from chalicelib.kernel.caller import Caller
    from chalicelib.kernel.origin import Origin
    from chalicelib.messaging import attachments as messaging
    from chalicelib.messaging.contract import NewAttachment

    patient_id, token = ana
    # Jo (another patient of the organization) has a ready attachment of her own
    other = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {"mrn": "MRN-5005", "family_name": "Lee", "given_names": ["Jo"], "birth_date": "1990-02-02", "sex": "female"},
        staff_token,
    ).json_body["patient_id"]
    jo = Caller("jo-account", "patient", ORGANIZATION_ID, other, "session", "")
    now = container.clock.now()
    hers = messaging.start_attachment(
        container,
        jo,
        Origin(),
        other,
        NewAttachment(file_name="x.pdf", content_type="application/pdf", size_bytes=len(PDF)),
        now,
    )
    boto3.client("s3").put_object(
        Bucket=container.settings.attachments_bucket, Key=hers["upload"]["fields"]["key"], Body=PDF
    )
    assert messaging.check_attachment(container, jo, Origin(), other, hers["attachment_id"], now)["status"] == "ready"

    # Ana cannot send it
    refused = write(seeded, patient_id, token, primary_care, [hers["attachment_id"]])
    assert refused.status_code == 400 and refused.json_body["error"]["details"][0]["field"] == "attachment_ids.0"

    # her own goes once: named twice in one message, or again with a second one, it is refused
    started, _ = upload(seeded, patient_id, token, PDF)
    mine = started["attachment_id"]
    twice = write(seeded, patient_id, token, primary_care, [mine, mine])
    assert twice.status_code == 400 and twice.json_body["error"]["details"][0]["field"] == "attachment_ids.1"
    assert write(seeded, patient_id, token, primary_care, [mine]).status_code == 201
    again = write(seeded, patient_id, token, primary_care, [mine])
    assert again.status_code == 400 and again.json_body["error"]["details"][0]["field"] == "attachment_ids.0"
    assert len(call(seeded, "GET", f"/v1/patients/{patient_id}/messages", token=token).json_body["threads"]) == 1


def test_an_admin_works_every_teams_inbox_and_only_a_member_or_admin_can_be_assigned(
    seeded, ana, staff_token, primary_care, container, monkeypatch
):
    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.domain import Role

    patient_id, token = ana
    thread_id = write(seeded, patient_id, token, primary_care).json_body["thread_id"]
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    # the admin sees and opens the thread, and counts every team
    assert [t["thread_id"] for t in call(seeded, "GET", "/v1/staff/messages", token=admin).json_body["threads"]] == [
        thread_id
    ]
    assert call(seeded, "GET", f"/v1/staff/messages/{thread_id}", token=admin).status_code == 200
    names = {t["name"] for t in call(seeded, "GET", "/v1/staff/messages/teams", token=admin).json_body["teams"]}
    assert {"Primary Care", "Cardiology"} <= names

    # a staff member outside the team, and an admin of another organization, cannot be assigned
    desk = accounts.create_staff_account(
        container.directory,
        organization_id=ORGANIZATION_ID,
        username="desk.two",
        password="desk-two-password",
        role=Role.STAFF,
        email="desk.two@albany-medical-center.example",
        now=container.clock.now(),
    )
    accounts.ensure_organization(container.directory, "far-clinic", "Far Clinic", now=container.clock.now())
    far = accounts.create_staff_account(
        container.directory,
        organization_id="far-clinic",
        username="far.admin",
        password="far-admin-password",
        role=Role.ADMIN,
        email="far.admin@far.example",
        now=container.clock.now(),
    )
    for account in (desk, far):
        refused = call(
            seeded, "PUT", f"/v1/staff/messages/{thread_id}/assignment", {"account_id": account.account_id}, admin
        )
        assert refused.status_code == 400 and refused.json_body["error"]["details"][0]["field"] == "account_id"
    admin_id = call(seeded, "GET", "/v1/me", token=admin).json_body["account"]["account_id"]
    assigned = call(seeded, "PUT", f"/v1/staff/messages/{thread_id}/assignment", {"account_id": admin_id}, staff_token)
    assert assigned.status_code == 200 and assigned.json_body["assigned_to"]["account_id"] == admin_id


def test_a_checked_file_is_kept_for_good_only_once_sent_and_an_old_one_must_be_attached_again(
    clock, seeded, ana, primary_care, container
):
    """A file checked and never sent is left to the bucket's lifecycle rule (tagged unsent); sent,
    it is kept with its message. One checked so long ago the rule may have taken it is refused."""
    patient_id, token = ana
    s3 = boto3.client("s3")
    bucket = container.settings.attachments_bucket

    def unsent(attachment_id: str) -> str:
        key = container.messages.attachment(patient_id, attachment_id).object_key
        return {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}["unsent"]

    started, _ = upload(seeded, patient_id, token, PDF)
    assert unsent(started["attachment_id"]) == "true"
    assert write(seeded, patient_id, token, primary_care, [started["attachment_id"]]).status_code == 201
    assert unsent(started["attachment_id"]) == "false"

    old, _ = upload(seeded, patient_id, token, PDF, name="old scan.pdf")
    clock.advance(days=6, minutes=1)
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    refused = write(seeded, patient_id, token, primary_care, [old["attachment_id"]])
    assert refused.status_code == 400, refused.json_body
    assert refused.json_body["error"]["details"][0] == {
        "field": "attachment_ids.0",
        "issue": "too old: attach the file again",
    }


def test_an_upload_form_asked_for_again_with_the_same_key_is_the_same_attachment(seeded, ana, container):
    from chalicelib.errors import DependencyUnavailable

    patient_id, token = ana
    key = str(uuid.uuid4())
    body = {"file_name": "a.pdf", "content_type": "application/pdf", "size_bytes": 10}

    def refuse(*args, **kwargs):
        raise DependencyUnavailable("The audit trail is unavailable.")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container.audit_log, "append", refuse)
        first = post(seeded, f"/v1/patients/{patient_id}/attachments", body, token, key)
    again = post(seeded, f"/v1/patients/{patient_id}/attachments", body, token, key)
    assert first.status_code == again.status_code == 201, first.json_body
    assert again.json_body["attachment_id"] == first.json_body["attachment_id"]
    started = [
        e for e in container.audit_log.for_patient(patient_id, 100)[0] if e.event_type == "messages.attachment_started"
    ]
    assert [e.resource_id for e in started] == [first.json_body["attachment_id"]]
