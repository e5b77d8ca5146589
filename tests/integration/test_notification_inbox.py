"""The portal inbox: a notice that names an account is kept in that account's inbox and emailed
by what the account says when it goes out (a verified address, the preference), once per
notification id; the account lists its own notices, newest first, and marks them read; nobody
else sees or marks them."""

from __future__ import annotations

import dataclasses
import json

import boto3
import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import deliver_notifications, sent_emails, sqs_event
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.records.conftest import ORG, ana_oru, deliver

QUEUE = "patient-portal-notifications"
SUBJECT = "Something new is waiting in your patient portal"
ANA_USER, ANA_PASSWORD = "ana.nunez", "correct horse battery"
ANA_MRN = "MRN-1001^^^AMC-MRN"
BOB = {"mrn": "MRN-1002", "family_name": "Smith", "given_names": ["Robert"], "birth_date": "1990-07-14", "sex": "male"}
BOB_ANSWERS = {
    "date_of_birth": "1990-07-14",
    "family_name": "smith",
    "username": "bob.smith",
    "password": "another horse battery",
    "email": "bob@example.org",
}


@pytest.fixture
def ana(enrolled, seeded, container) -> dict:
    """Ana, enrolled with a verified address; the lab files for her organization."""
    container.records.add_feed_source(FeedSource("LAB|AMC", ORG, "AMC-MRN"))
    account = container.directory.account_by_username(ANA_USER)
    return {"account_id": account.account_id, "token": sign_in(seeded, ANA_USER, ANA_PASSWORD)}


def inbox(api, token: str, query: str = ""):
    return call(api, "GET", f"/v1/me/notifications{query}", token=token)


def emails_to(address: str) -> list:
    return [e for e in sent_emails() if e.destinations["ToAddresses"] == [address] and e.subject == SUBJECT]


def notice(account_id: str, notification_id: str = "n-1") -> str:
    return json.dumps({"notification_id": notification_id, "template": "something_waiting", "account_id": account_id})


def handle(api, *bodies: str) -> dict:
    return api.lambda_.invoke("on_notification_request", sqs_event(api, list(bodies), QUEUE)).payload


def test_a_released_result_puts_one_notice_in_the_inbox_and_sends_one_email(seeded, ana):
    deliver(seeded, ana_oru("CTRL-1", ANA_MRN))
    deliver_notifications(seeded)

    listed = inbox(seeded, ana["token"])

    assert listed.status_code == 200, listed.json_body
    [item] = listed.json_body["notifications"]
    assert (item["template"], item["title"], item["read_at"]) == ("something_waiting", SUBJECT, None)
    assert item["notification_id"].startswith("new-results-") and item["created_at"].endswith("Z")
    assert (listed.json_body["unread_count"], listed.json_body["next_cursor"]) == (1, None)
    assert len(emails_to("ana@example.org")) == 1
    # no PHI in the portal's notice either: the same words as the email subject
    # (ids left out: they are random hex, which may hold "241" by chance)
    shown = [{k: v for k, v in n.items() if k != "notification_id"} for n in listed.json_body["notifications"]]
    text = json.dumps(shown, ensure_ascii=False)
    for phi in ("Cholesterol", "2093-3", "241", "mg/dL", "Núñez", "MRN-1001", "Welby", "ana@example.org"):
        assert phi not in text, phi
    assert listed.headers["Cache-Control"] == "no-store"


def test_with_result_emails_off_the_notice_is_in_the_inbox_but_no_email_goes(seeded, ana):
    off = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_new_results": False}, ana["token"])
    assert off.status_code == 200, off.json_body

    deliver(seeded, ana_oru("CTRL-1", ANA_MRN))
    deliver_notifications(seeded)

    assert len(inbox(seeded, ana["token"]).json_body["notifications"]) == 1
    assert emails_to("ana@example.org") == []


def test_the_preference_and_address_are_read_when_the_notice_goes_not_when_it_was_asked_for(seeded, ana):
    deliver(seeded, ana_oru("CTRL-1", ANA_MRN))  # queued while result email is on ...
    off = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_new_results": False}, ana["token"])
    assert off.status_code == 200, off.json_body

    deliver_notifications(seeded)  # ... and sent after it was turned off

    assert len(inbox(seeded, ana["token"]).json_body["notifications"]) == 1
    assert emails_to("ana@example.org") == []


def test_an_unverified_address_gets_no_email_but_the_notice_is_in_the_inbox(seeded, ana, container):
    account = container.directory.account(ana["account_id"])
    container.directory.save_account(dataclasses.replace(account, email_verified=False))

    deliver(seeded, ana_oru("CTRL-1", ANA_MRN))
    deliver_notifications(seeded)

    assert len(inbox(seeded, ana["token"]).json_body["notifications"]) == 1
    assert emails_to("ana@example.org") == []


def test_a_redelivered_notice_changes_nothing(seeded, ana):
    body = notice(ana["account_id"], "n-7")

    assert handle(seeded, body, body) == {"batchItemFailures": []}
    assert handle(seeded, body) == {"batchItemFailures": []}

    assert len(inbox(seeded, ana["token"]).json_body["notifications"]) == 1
    assert len(emails_to("ana@example.org")) == 1


def test_an_email_that_fails_is_retried_without_a_second_inbox_item(seeded, ana, aws):
    ses = boto3.client("ses")
    sender = aws.environment["PORTAL_SENDER_ADDRESS"]
    ses.delete_identity(Identity=sender)  # SES refuses: the inbox item is written, the email is not sent
    body = notice(ana["account_id"], "n-9")

    assert handle(seeded, body) == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert len(inbox(seeded, ana["token"]).json_body["notifications"]) == 1
    assert emails_to("ana@example.org") == []

    ses.verify_email_identity(EmailAddress=sender)
    assert handle(seeded, body) == {"batchItemFailures": []}

    assert len(inbox(seeded, ana["token"]).json_body["notifications"]) == 1
    assert len(emails_to("ana@example.org")) == 1


def test_the_same_id_for_another_account_is_refused_not_swallowed(seeded, ana):
    assert handle(seeded, notice(ana["account_id"], "n-5")) == {"batchItemFailures": []}

    refused = handle(seeded, notice("0" * 32, "n-5"))

    assert refused == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}


def test_another_account_neither_sees_nor_marks_the_notice(seeded, ana, staff_token):
    bob = register_and_invite(seeded, staff_token, BOB, email="bob@example.org")
    assert call(seeded, "POST", "/v1/enrollments", enrollment(bob, **BOB_ANSWERS)).status_code == 201
    bob_token = sign_in(seeded, "bob.smith", "another horse battery")
    handle(seeded, notice(ana["account_id"], "n-ana"))

    assert inbox(seeded, bob_token).json_body == {"notifications": [], "unread_count": 0, "next_cursor": None}
    refused = call(seeded, "POST", "/v1/me/notifications/n-ana/read", token=bob_token)
    assert (refused.status_code, refused.json_body["error"]["code"]) == (404, "not_found")
    assert call(seeded, "POST", "/v1/me/notifications/read-all", token=bob_token).json_body == {
        "marked": 0,
        "unread_left": False,
    }
    assert call(seeded, "GET", "/v1/me/notifications", token=staff_token).json_body["notifications"] == []

    [item] = inbox(seeded, ana["token"]).json_body["notifications"]
    assert item["read_at"] is None


def test_the_inbox_pages_newest_first_and_marks_read(seeded, ana):
    for number in range(5):
        assert handle(seeded, notice(ana["account_id"], f"n-{number}")) == {"batchItemFailures": []}

    first = inbox(seeded, ana["token"], "?limit=2").json_body
    second = inbox(seeded, ana["token"], f"?limit=2&cursor={first['next_cursor']}").json_body
    third = inbox(seeded, ana["token"], f"?limit=2&cursor={second['next_cursor']}").json_body

    pages = [[i["notification_id"] for i in page["notifications"]] for page in (first, second, third)]
    assert pages == [["n-4", "n-3"], ["n-2", "n-1"], ["n-0"]]
    assert third["next_cursor"] is None
    assert [page["unread_count"] for page in (first, second, third)] == [2, 2, 1]

    read = call(seeded, "POST", "/v1/me/notifications/n-3/read", token=ana["token"])
    assert read.status_code == 200, read.json_body
    assert read.json_body["notification_id"] == "n-3" and read.json_body["read_at"].endswith("Z")
    again = call(seeded, "POST", "/v1/me/notifications/n-3/read", token=ana["token"])
    assert again.json_body["read_at"] == read.json_body["read_at"]  # the first reading is kept
    assert inbox(seeded, ana["token"], "?limit=2").json_body["unread_count"] == 1

    everything = call(seeded, "POST", "/v1/me/notifications/read-all", token=ana["token"])
    assert everything.json_body == {"marked": 4, "unread_left": False}
    assert inbox(seeded, ana["token"]).json_body["unread_count"] == 0


@pytest.mark.parametrize("query", ["?cursor=not-a-cursor", "?limit=0", "?limit=51", "?limit=ten"])
def test_a_bad_cursor_or_limit_is_refused(seeded, ana, query):
    answer = inbox(seeded, ana["token"], query)
    assert (answer.status_code, answer.json_body["error"]["code"]) == (400, "validation_failed")


def test_an_unknown_or_malformed_notification_id_is_not_found(seeded, ana):
    for notification_id in ("n-unknown", "a" * 129, "n%23x"):
        answer = call(seeded, "POST", f"/v1/me/notifications/{notification_id}/read", token=ana["token"])
        assert answer.status_code == 404, notification_id


def test_reading_the_inbox_is_audited_and_needs_a_session(seeded, ana):
    inbox(seeded, ana["token"])

    events, _ = wiring.container().audit_log.by_actor(ana["account_id"], 50)
    [listed] = [e for e in events if e.event_type == "notifications.list"]
    assert (listed.action.value, listed.resource_type, listed.outcome.value) == ("R", "Communication", "success")
    assert call(seeded, "GET", "/v1/me/notifications").status_code == 401
