"""Notification email through the Lambda handler: sent once per notification id, never with PHI,
and a failure leaves the request on the queue instead of losing it. (Requests that name an
account, kept in its portal inbox: test_notification_inbox.py.)"""

from __future__ import annotations

import json

import boto3

from chalicelib import wiring
from chalicelib.notifications.sealing import seal
from tests.integration.conftest import sent_emails, sqs_event

QUEUE = "patient-portal-notifications"


def request(notification_id: str = "n-1", **overrides) -> str:
    """A request as a producer queues it: its parameters sealed with the stack's key."""
    message = {"notification_id": notification_id, "template": "something_waiting", "to_address": "pat@example.org"}
    message.update(overrides)
    return json.dumps(seal(wiring.container().keys, message))


def test_a_notification_becomes_one_email_with_a_portal_link(api):
    result = api.lambda_.invoke("on_notification_request", sqs_event(api, [request()], QUEUE)).payload

    assert result == {"batchItemFailures": []}
    [email] = sent_emails()
    assert email.destinations["ToAddresses"] == ["pat@example.org"]
    assert email.subject == "Something new is waiting in your patient portal"
    assert 'href="https://portal.test/"' in email.body


def test_redelivery_and_duplicates_send_one_email(api):
    event = sqs_event(api, [request("n-7"), request("n-7")], QUEUE)

    api.lambda_.invoke("on_notification_request", event)
    api.lambda_.invoke("on_notification_request", sqs_event(api, [request("n-7")], QUEUE))

    assert len(sent_emails()) == 1


def test_an_invalid_request_is_reported_failed_and_the_rest_are_sent(api):
    bodies = [request("n-1"), "not json", request("n-2", link_path="https://evil.example/"), request("n-3")]
    # link_path: a producer cannot choose where an email links to; the template does

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, bodies, QUEUE)).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-1"}, {"itemIdentifier": "message-2"}]}
    assert len(sent_emails()) == 2


def test_when_ses_refuses_the_request_stays_for_a_retry_and_is_sent_once_later(api, aws):
    ses = boto3.client("ses")
    sender = aws.environment["PORTAL_SENDER_ADDRESS"]
    ses.delete_identity(Identity=sender)  # SES now refuses to send as the portal

    failed = api.lambda_.invoke("on_notification_request", sqs_event(api, [request("n-9")], QUEUE)).payload
    assert failed == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert sent_emails() == []

    ses.verify_email_identity(EmailAddress=sender)  # SES is back
    retried = api.lambda_.invoke("on_notification_request", sqs_event(api, [request("n-9")], QUEUE)).payload
    assert retried == {"batchItemFailures": []}
    assert len(sent_emails()) == 1


def test_the_same_notification_id_for_another_recipient_is_refused_not_swallowed(api):
    """Idempotency validates the payload: a reused id with another address is an error, not a
    silent duplicate (it fails and stays on the queue, where the on-call engineer sees it)."""
    api.lambda_.invoke("on_notification_request", sqs_event(api, [request("n-5")], QUEUE))

    result = api.lambda_.invoke(
        "on_notification_request", sqs_event(api, [request("n-5", to_address="other@example.org")], QUEUE)
    ).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert [e.destinations["ToAddresses"] for e in sent_emails()] == [["pat@example.org"]]


def test_an_invitation_links_to_its_token_and_states_its_lifetime(api):
    body = request("n-11", template="invitation", token="tok_0123456789abcdef", lifetime="10 days")

    api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE))

    [email] = sent_emails()
    assert 'href="https://portal.test/enroll?code=tok_0123456789abcdef"' in email.body
    assert "expires after 10 days" in email.body


def test_a_sign_in_code_is_in_the_email_and_nowhere_else(api):
    body = request("n-12", template="sign_in_code", code="042917")

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE)).payload

    assert result == {"batchItemFailures": []}
    [email] = sent_emails()
    assert email.destinations["ToAddresses"] == ["pat@example.org"]
    assert email.subject == "Your patient portal sign-in code"
    assert "042917" not in email.subject
    assert (
        "<p>Your sign-in code is 042917. It expires in 10 minutes. Nobody from the portal will ask you for it.</p>"
        in email.body
    )
    assert email.body.count("042917") == 1
    assert 'href="https://portal.test/"' in email.body


def test_a_sign_in_code_the_template_does_not_take_or_a_malformed_one_is_refused(api):
    bodies = [
        request("n-13", code="042917"),  # something_waiting takes no code
        request("n-14", template="sign_in_code", code="04291"),
        request("n-15", template="sign_in_code"),
    ]

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, bodies, QUEUE)).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": f"message-{n}"} for n in range(3)]}
    assert sent_emails() == []


def test_the_same_notification_id_with_another_code_is_refused_not_swallowed(api):
    api.lambda_.invoke(
        "on_notification_request", sqs_event(api, [request("n-16", template="sign_in_code", code="111111")], QUEUE)
    )

    result = api.lambda_.invoke(
        "on_notification_request", sqs_event(api, [request("n-16", template="sign_in_code", code="222222")], QUEUE)
    ).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    [email] = sent_emails()
    assert "111111" in email.body and "222222" not in email.body


def test_a_username_reminder_shows_the_user_name(api):
    body = request("n-17", template="username_reminder", username="river.stone42")

    api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE))

    [email] = sent_emails()
    assert "<p>Your user name is river.stone42.</p>" in email.body


def test_a_request_with_neither_an_address_nor_an_account_is_refused(api):
    body = json.dumps({"notification_id": "n-20", "template": "something_waiting"})

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE)).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert sent_emails() == []


def test_an_account_only_an_inbox_template_may_name(api):
    body = request("n-21", template="invitation", token="tok_0123456789abcdef", account_id="0" * 32)

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE)).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert sent_emails() == []


def test_a_notice_for_an_account_that_does_not_exist_is_dropped_not_retried(api):
    """Accounts are never deleted: retrying would not mend it, so it does not wait on the queue."""
    body = json.dumps({"notification_id": "n-22", "template": "something_waiting", "account_id": "0" * 32})

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE)).payload

    assert result == {"batchItemFailures": []}
    assert sent_emails() == []


def test_a_parameter_in_clear_is_refused_so_only_the_portal_can_put_a_code_in_an_email(api):
    """Every producer seals; a code or link token in clear was not put there by the portal."""
    body = json.dumps(
        {"notification_id": "n-30", "template": "sign_in_code", "to_address": "pat@example.org", "code": "042917"}
    )

    result = api.lambda_.invoke("on_notification_request", sqs_event(api, [body], QUEUE)).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert sent_emails() == []


def test_sealed_parameters_open_only_on_the_request_they_were_sealed_for(api):
    token = "tok_0123456789abcdef"
    sealed = json.loads(request("n-31", template="password_reset", token=token))
    bodies = [
        json.dumps(moved)
        for moved in (
            {**sealed, "notification_id": "n-32"},  # copied onto another request
            {**sealed, "template": "invitation"},  # into another email, with another link
            {**sealed, "to_address": "thief@example.org"},  # redirected to someone else
            {**sealed, "sealed": sealed["sealed"][:-8] + "AAAAAAA="},  # altered
            {**sealed, "sealed": "not base64!"},
        )
    ]

    refused = api.lambda_.invoke("on_notification_request", sqs_event(api, bodies, QUEUE)).payload
    sent = api.lambda_.invoke("on_notification_request", sqs_event(api, [json.dumps(sealed)], QUEUE)).payload

    assert refused == {"batchItemFailures": [{"itemIdentifier": f"message-{n}"} for n in range(5)]}
    assert sent == {"batchItemFailures": []}
    [email] = sent_emails()
    assert email.destinations["ToAddresses"] == ["pat@example.org"]
    assert f'href="https://portal.test/reset-password?token={token}"' in email.body
