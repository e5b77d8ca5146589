"""Support requests end to end through the API: a visitor signed out writes, the organization's
support mailbox is told (by reference only), staff read, answer and close it; a double submit
with one Idempotency-Key creates one request."""

from __future__ import annotations

import json
import uuid

import pytest

from chalicelib import wiring
from infra.local.seed import ORGANIZATION_ID, SUPPORT_EMAIL
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, sign_in

REQUEST = {
    "organization_id": ORGANIZATION_ID,
    "topic": "sign_in",
    "description": "I cannot sign in since my new phone; my chest pain results are waiting.",
    "name": "Ana Núñez",
    "email": "ana@example.org",
    "phone": "+1 (518) 555-0100",
}


def send(api, body=None, key: str = "", token: str = "", ip: str = ""):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api.http.post("/v1/support-requests", headers=headers, body=json.dumps(body or REQUEST).encode())


def queue(api, token: str, query: str = ""):
    return call(api, "GET", "/v1/staff/support-requests" + query, token=token)


def emails_to(api, address: str) -> list:
    """The emails sent to ``address`` once the queued notifications are delivered."""
    return [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [address]]


class TestSendingARequest:
    def test_a_signed_out_request_reaches_the_staff_queue_and_the_support_mailbox(self, seeded, staff_token):
        # GIVEN the contact form lists the demo organization
        listed = call(seeded, "GET", "/v1/support-requests/organizations")
        assert {"organization_id": ORGANIZATION_ID, "name": "Albany Medical Center"} in listed.json_body[
            "organizations"
        ]

        # WHEN a visitor, signed out, sends a request
        sent = send(seeded)

        # THEN they get a reference number, and an acknowledgement at the address they gave
        assert sent.status_code == 201, sent.json_body
        reference = sent.json_body["reference"]
        assert reference.startswith("SR-") and sent.json_body["acknowledgement_emailed"] is True
        [ack] = emails_to(seeded, "ana@example.org")
        # AND the support mailbox is told one is waiting, with a link to it, and nothing of what was written
        [notice] = emails_to(seeded, SUPPORT_EMAIL)
        assert reference in notice.body and f"/staff/support/{sent.json_body['request_id']}" in notice.body
        for email in (ack, notice):
            for secret in ("chest", "Núñez", "Ana", "555-0100", "ana@example.org"):
                assert secret not in email.body and secret not in email.subject

        # AND staff see it at the top of the queue, and open it with how to reach the person
        listed = queue(seeded, staff_token)
        assert listed.status_code == 200
        top = listed.json_body["requests"][0]
        assert (top["reference"], top["status"], top["signed_in"]) == (reference, "new", False)
        opened = call(seeded, "GET", f"/v1/staff/support-requests/{top['request_id']}", token=staff_token)
        assert opened.json_body["description"] == REQUEST["description"]
        assert (opened.json_body["email"], opened.json_body["phone"]) == ("ana@example.org", "+1 (518) 555-0100")

        # AND both reads are on the audit trail
        events = [e.event_type for e in wiring.container().audit_log.by_actor(_staff_id(seeded), 50)[0]]
        assert {"support.queue_read", "support.request_read"} <= set(events)

    def test_a_phone_number_alone_is_enough_and_no_acknowledgement_is_emailed(self, seeded):
        sent = send(seeded, {**REQUEST, "email": "", "phone": "518 555 0100"})
        assert sent.status_code == 201, sent.json_body
        assert sent.json_body["acknowledgement_emailed"] is False
        assert emails_to(seeded, "ana@example.org") == []

    def test_a_request_without_a_way_to_reach_the_person_is_refused_on_the_email_field(self, seeded):
        refused = send(seeded, {**REQUEST, "email": None, "phone": None})
        assert refused.status_code == 400
        assert refused.json_body["error"]["details"][0]["field"] == "email"

    def test_bad_fields_are_refused_by_name(self, seeded):
        for field, value in (
            ("topic", "refund"),
            ("email", "not-an-address"),
            ("phone", "call me"),
            ("description", "x" * 4001),
            ("description", "   "),
            ("organization_id", "no-such-clinic"),
            ("shoe_size", 9),
        ):
            refused = send(seeded, {**REQUEST, field: value})
            assert refused.status_code == 400, (field, refused.json_body)
            assert field in [d.get("field") for d in refused.json_body["error"]["details"]], field

    def test_a_signed_in_patient_s_request_is_linked_to_their_account(self, seeded, staff_token):
        # (an admin stands in for any signed-in account: the route takes every role)
        token = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
        sent = send(seeded, {k: v for k, v in REQUEST.items() if k != "organization_id"}, token=token)
        assert sent.status_code == 201, sent.json_body
        assert queue(seeded, staff_token).json_body["requests"][0]["signed_in"] is True

    def test_many_requests_for_one_contact_are_throttled_with_retry_after(self, seeded):
        answers = [send(seeded, {**REQUEST, "description": f"try {n}"}).status_code for n in range(6)]
        assert answers == [201] * 5 + [429]
        refused = send(seeded, {**REQUEST, "description": "again"})
        assert int(refused.headers["Retry-After"]) > 0


class TestIdempotencyKey:
    def test_a_resent_request_with_the_same_key_answers_the_first_and_creates_nothing(self, seeded, staff_token):
        key = str(uuid.uuid4())
        first = send(seeded, key=key)
        again = send(seeded, key=key)

        assert first.status_code == again.status_code == 201
        assert again.json_body == first.json_body
        assert again.headers.get("Idempotent-Replayed") == "true"
        assert "Idempotent-Replayed" not in first.headers
        assert len(queue(seeded, staff_token).json_body["requests"]) == 1
        assert len(emails_to(seeded, SUPPORT_EMAIL)) == 1

    def test_the_same_key_with_another_body_is_refused_naming_the_header(self, seeded, staff_token):
        key = str(uuid.uuid4())
        send(seeded, key=key)
        refused = send(seeded, {**REQUEST, "topic": "billing"}, key=key)
        assert refused.status_code == 422
        assert "Idempotency-Key" in refused.json_body["error"]["message"]
        assert len(queue(seeded, staff_token).json_body["requests"]) == 1

    def test_a_refused_request_keeps_nothing_so_the_corrected_form_goes_through_with_its_key(self, seeded):
        key = str(uuid.uuid4())
        assert send(seeded, {**REQUEST, "email": "nope", "phone": None}, key=key).status_code == 400
        assert send(seeded, key=key).status_code == 201

    def test_different_keys_are_different_requests(self, seeded, staff_token):
        send(seeded, key=str(uuid.uuid4()))
        send(seeded, key=str(uuid.uuid4()))
        assert len(queue(seeded, staff_token).json_body["requests"]) == 2

    def test_a_malformed_key_is_refused(self, seeded):
        refused = send(seeded, key="short")
        assert refused.status_code == 400
        assert refused.json_body["error"]["details"][0]["field"] == "Idempotency-Key"


class TestStaffQueue:
    def test_staff_answer_and_close_a_request_and_filter_the_queue_by_status(self, seeded, staff_token):
        first = send(seeded).json_body["request_id"]
        second = send(seeded, {**REQUEST, "topic": "billing"}).json_body["request_id"]

        answered = call(
            seeded,
            "POST",
            f"/v1/staff/support-requests/{first}/answers",
            {"text": "Called back; reset her second step."},
            staff_token,
        )
        assert answered.status_code == 200, answered.json_body
        assert answered.json_body["status"] == "answered"
        assert answered.json_body["answers"][0]["text"] == "Called back; reset her second step."

        closed = call(seeded, "PUT", f"/v1/staff/support-requests/{first}/status", {"status": "closed"}, staff_token)
        assert closed.json_body["status"] == "closed"

        new_only = queue(seeded, staff_token, "?status=new").json_body["requests"]
        assert [r["request_id"] for r in new_only] == [second]
        everything = queue(seeded, staff_token).json_body["requests"]
        assert [r["request_id"] for r in everything] == [second, first]  # newest first

    def test_the_queue_pages_newest_first(self, seeded, staff_token):
        ids = [send(seeded, {**REQUEST, "email": f"p{n}@example.org"}).json_body["request_id"] for n in range(3)]
        page = queue(seeded, staff_token, "?limit=2").json_body
        assert [r["request_id"] for r in page["requests"]] == ids[::-1][:2]
        rest = queue(seeded, staff_token, f"?limit=2&cursor={page['next_cursor']}").json_body
        assert [r["request_id"] for r in rest["requests"]] == ids[:1] and rest["next_cursor"] is None

    def test_an_unknown_or_malformed_id_is_not_found(self, seeded, staff_token):
        for request_id in ("0" * 32, "not-an-id"):
            assert call(seeded, "GET", f"/v1/staff/support-requests/{request_id}", token=staff_token).status_code == 404

    def test_patients_and_visitors_cannot_read_the_queue(self, seeded):
        assert queue(seeded, "").status_code == 401


class TestOrganizationSettings:
    def test_an_admin_sets_the_support_address_and_emptying_it_takes_the_organization_off_the_list(self, seeded):
        admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
        settings = call(seeded, "GET", "/v1/admin/organization", token=admin).json_body
        changed = call(
            seeded,
            "PUT",
            "/v1/admin/organization",
            {"time_zone": settings["time_zone"], "support_email": "help@amc.example"},
            admin,
        )
        assert changed.status_code == 200 and changed.json_body["support_email"] == "help@amc.example"
        send(seeded)
        assert len(emails_to(seeded, "help@amc.example")) == 1

        call(seeded, "PUT", "/v1/admin/organization", {"time_zone": settings["time_zone"], "support_email": ""}, admin)
        assert call(seeded, "GET", "/v1/support-requests/organizations").json_body["organizations"] == []
        refused = send(seeded, {**REQUEST, "email": "other@example.org"})
        assert refused.status_code == 400
        assert refused.json_body["error"]["details"][0]["field"] == "organization_id"


def _staff_id(api) -> str:
    from tests.integration.identity.conftest import STAFF_USER

    return wiring.container().directory.account_by_username(STAFF_USER).account_id


def test_a_repeat_while_the_first_is_still_running_is_told_to_retry(aws):
    """Two submits racing: the second arrives while the first is being processed."""
    import pytest

    import app  # noqa: F401  (it points the Idempotency-Key's store at the idempotency table)
    from chalicelib.errors import Conflict
    from chalicelib.http import idempotency

    def attempt(run):
        return idempotency.answer_once(caller_id="", route_name="POST /x", key="k" * 16, raw_body=b"{}", run=run)

    inner: list[BaseException] = []

    def first():
        try:
            attempt(lambda: {"never": "run"})
        except Conflict as refused:
            inner.append(refused)
        return {"done": True}

    assert attempt(first).body == {"done": True}
    assert len(inner) == 1 and "retry" in inner[0].message and inner[0].headers["Retry-After"]
    # and once the first is done, a repeat answers its answer
    assert attempt(lambda: pytest.fail("ran twice")).headers[idempotency.REPLAYED_HEADER] == "true"


def test_emails_the_queue_refused_go_out_on_the_outbox_drain(seeded):
    """The request is received while the notifications queue is down; its emails are not lost."""
    from chalicelib.errors import DependencyUnavailable
    from chalicelib.release import outbox

    container = wiring.container()

    def refuse(message):
        raise DependencyUnavailable("The queue is unavailable.")

    # GIVEN the notifications queue refuses every message
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(container.notifications_queue, "send", refuse)
        sent = send(seeded)
    assert sent.status_code == 201, sent.json_body
    assert emails_to(seeded, SUPPORT_EMAIL) == []

    # WHEN the outbox is drained once the queue is back
    drained = outbox.drain(container, container.clock.now())

    # THEN the support mailbox and the requester get their emails, once each
    assert drained.sent == 2
    assert [sent.json_body["reference"] in e.body for e in emails_to(seeded, SUPPORT_EMAIL)] == [True]
    assert len(emails_to(seeded, "ana@example.org")) == 1


def test_an_audit_trail_outage_cannot_turn_a_retry_into_a_second_request(seeded, staff_token):
    """The request is kept with its audit event in one write: the trail failing after the request
    was kept would answer 503, release the Idempotency-Key and let the retry keep a second one."""
    from chalicelib.errors import DependencyUnavailable

    container = wiring.container()

    def refuse(*args, **kwargs):
        raise DependencyUnavailable("The audit trail is unavailable.")

    key = str(uuid.uuid4())
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(container.audit_log), "append", refuse)
        first = send(seeded, key=key)
    again = send(seeded, key=key)

    assert first.status_code == again.status_code == 201
    assert len(queue(seeded, staff_token).json_body["requests"]) == 1
    assert len(emails_to(seeded, SUPPORT_EMAIL)) == 1
