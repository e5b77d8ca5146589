"""Forgotten user names and passwords, and the signed-in account's own settings, through the API."""

from __future__ import annotations

import os
import urllib.parse

import boto3

from chalicelib import wiring
from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import call, sign_in

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"
NEW_PASSWORD = "seven tired otters swim"


def sign_in_answer(api, username: str = USERNAME, password: str = PASSWORD):
    return call(api, "POST", "/v1/sessions", {"username": username, "password": password})


def emails_to(api, address: str, subject_contains: str = "") -> list:
    return [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == [address] and subject_contains.lower() in e.subject.lower()
    ]


def account():
    return wiring.container().directory.account_by_username(USERNAME)


def request_reset(api, enrolled, **body) -> str:
    """Ask for a reset link and return the token of the newest one emailed."""
    before = len(emails_to(api, enrolled.email, "reset"))
    answer = call(api, "POST", "/v1/account/password-resets", body or {"username": USERNAME})
    assert answer.status_code == 202, answer.json_body
    emails = emails_to(api, enrolled.email, "reset")
    assert len(emails) == before + 1
    return link_in(emails[-1], "/reset-password?token=")


# -- forgotten user name --------------------------------------------------------------------------


def test_a_username_reminder_goes_to_a_known_address_and_says_nothing_about_unknown_ones(enrolled, seeded, clock):
    known = call(seeded, "POST", "/v1/account/username-reminders", {"email": "ANA@example.org"})
    unknown = call(seeded, "POST", "/v1/account/username-reminders", {"email": "nobody@example.org"})

    assert known.status_code == unknown.status_code == 202
    assert known.json_body == unknown.json_body
    reminders = emails_to(seeded, enrolled.email, "user name")
    assert len(reminders) == 1 and USERNAME in reminders[0].body
    assert emails_to(seeded, "nobody@example.org") == []


# -- forgotten password ---------------------------------------------------------------------------


def test_a_reset_is_accepted_alike_for_known_and_unknown_accounts(enrolled, seeded, clock):
    answers = [
        call(seeded, "POST", "/v1/account/password-resets", body)
        for body in (
            {"username": USERNAME},
            {"email": enrolled.email},
            {"username": "nobody.here"},
            {"email": "nobody@example.org"},
        )
    ]

    assert {a.status_code for a in answers} == {202}
    assert len({repr(a.json_body) for a in answers}) == 1
    emails = emails_to(seeded, enrolled.email, "reset")
    assert len(emails) == 2
    assert all(link_in(email, "/reset-password?token=") for email in emails)
    assert USERNAME not in emails[0].body
    assert emails_to(seeded, "nobody@example.org") == []
    assert call(seeded, "POST", "/v1/account/password-resets", {}).status_code == 400


def test_a_reset_by_email_works_when_the_form_sends_an_empty_user_name_too(enrolled, seeded, clock):
    answer = call(seeded, "POST", "/v1/account/password-resets", {"username": "", "email": enrolled.email})

    assert answer.status_code == 202
    assert len(emails_to(seeded, enrolled.email, "reset")) == 1


def test_a_reset_sets_the_new_password_ends_sessions_and_lifts_a_lockout(enrolled, seeded, clock):
    # GIVEN Ana is signed in somewhere, and then someone locked her account by guessing
    session = sign_in(seeded, USERNAME, PASSWORD)
    for _ in range(5):
        sign_in_answer(seeded, USERNAME, "a wrong guess")
    assert sign_in_answer(seeded).status_code == 401
    token = request_reset(seeded, enrolled, email=enrolled.email)

    stored = repr(boto3.client("dynamodb").scan(TableName=os.environ["PORTAL_IDENTITY_TABLE"])["Items"])
    assert token not in stored and token[16:] not in stored

    # WHEN she follows the emailed link and chooses a new password
    confirmed = call(
        seeded, "POST", "/v1/account/password-resets/confirm", {"token": token, "new_password": NEW_PASSWORD}
    )

    # THEN the new password works at once, the old one does not, and her sessions have ended
    assert confirmed.status_code == 200, confirmed.json_body
    assert sign_in_answer(seeded, USERNAME, PASSWORD).status_code == 401
    assert sign_in_answer(seeded, USERNAME, NEW_PASSWORD).status_code == 201
    assert call(seeded, "GET", "/v1/me", token=session).status_code == 401
    # and the link works once
    again = call(
        seeded,
        "POST",
        "/v1/account/password-resets/confirm",
        {"token": token, "new_password": "another fine passphrase"},
    )
    assert again.status_code == 400
    assert [(d["field"], bool(d["issue"])) for d in again.json_body["error"]["details"]] == [("token", True)]
    assert sign_in_answer(seeded, USERNAME, NEW_PASSWORD).status_code == 201
    assert emails_to(seeded, enrolled.email, "password was changed")
    events = wiring.container().audit_log.for_patient(f"account#{account().account_id}", 100)[0]
    assert "account.password_reset_completed" in [e.event_type for e in events]


def test_a_reset_link_expires_after_30_minutes(enrolled, seeded, clock):
    stale = request_reset(seeded, enrolled)
    clock.advance(minutes=29)
    fresh = request_reset(seeded, enrolled)
    clock.advance(minutes=2)

    expired = call(
        seeded, "POST", "/v1/account/password-resets/confirm", {"token": stale, "new_password": NEW_PASSWORD}
    )
    assert expired.status_code == 400
    assert [(d["field"], bool(d["issue"])) for d in expired.json_body["error"]["details"]] == [("token", True)]
    assert sign_in_answer(seeded, USERNAME, PASSWORD).status_code == 201
    assert (
        call(
            seeded, "POST", "/v1/account/password-resets/confirm", {"token": fresh, "new_password": NEW_PASSWORD}
        ).status_code
        == 200
    )


def test_a_reset_refuses_a_weak_password_and_the_link_still_works(enrolled, seeded, clock):
    token = request_reset(seeded, enrolled)

    # common, common in other case, the user name, the email, too short
    for weak in ("password1", "Sunshine", "ana.nunez rocks", "ana@example.org", "k9#Lp2x"):
        refused = call(seeded, "POST", "/v1/account/password-resets/confirm", {"token": token, "new_password": weak})
        assert refused.status_code == 400, weak
        assert refused.json_body["error"]["code"] == "validation_failed"
        assert weak not in repr(refused.json_body)

    assert (
        call(
            seeded, "POST", "/v1/account/password-resets/confirm", {"token": token, "new_password": NEW_PASSWORD}
        ).status_code
        == 200
    )
    assert sign_in_answer(seeded, USERNAME, NEW_PASSWORD).status_code == 201


def test_an_expired_reset_link_and_a_too_short_password_are_named_in_one_answer(enrolled, seeded, clock):
    stale = request_reset(seeded, enrolled)
    clock.advance(minutes=31)

    refused = call(seeded, "POST", "/v1/account/password-resets/confirm", {"token": stale, "new_password": "k9#Lp2x"})

    assert refused.status_code == 400
    details = refused.json_body["error"]["details"]
    assert [d["field"] for d in details] == ["new_password", "token"]
    assert all(d["issue"] for d in details)
    assert refused.json_body["error"]["message"] == "Some answers need another look."


# -- the signed-in account's settings ------------------------------------------------------------


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(enrolled, seeded, clock):
    here, elsewhere = sign_in(seeded, USERNAME, PASSWORD), sign_in(seeded, USERNAME, PASSWORD)
    wrong = call(seeded, "PUT", "/v1/me/password", {"current_password": "not it", "new_password": NEW_PASSWORD}, here)
    assert wrong.status_code == 400
    assert [(d["field"], bool(d["issue"])) for d in wrong.json_body["error"]["details"]] == [("current_password", True)]
    assert call(seeded, "PUT", "/v1/me/password", {"new_password": NEW_PASSWORD}, here).status_code == 400

    changed = call(seeded, "PUT", "/v1/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, here)

    assert changed.status_code == 200, changed.json_body
    assert changed.json_body["other_sessions_ended"] == 1
    assert call(seeded, "GET", "/v1/me", token=here).status_code == 200
    assert call(seeded, "GET", "/v1/me", token=elsewhere).status_code == 401
    assert sign_in_answer(seeded, USERNAME, PASSWORD).status_code == 401
    assert sign_in_answer(seeded, USERNAME, NEW_PASSWORD).status_code == 201
    assert emails_to(seeded, enrolled.email, "password was changed")


def test_a_wrong_current_password_and_a_weak_new_one_are_named_in_one_answer(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)

    refused = call(seeded, "PUT", "/v1/me/password", {"current_password": "not it", "new_password": "password1"}, token)

    assert refused.status_code == 400
    details = refused.json_body["error"]["details"]
    assert [d["field"] for d in details] == ["current_password", "new_password"]
    assert all(d["issue"] for d in details)
    assert "password1" not in refused.body.decode()
    assert sign_in_answer(seeded, USERNAME, PASSWORD).status_code == 201  # unchanged


def test_a_new_email_address_counts_only_once_confirmed(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    assert (
        call(seeded, "PUT", "/v1/me/email", {"email": "ana.new@example.org", "password": "not it"}, token).status_code
        == 400
    )

    asked = call(seeded, "PUT", "/v1/me/email", {"email": "ana.new@example.org", "password": PASSWORD}, token)

    assert asked.status_code == 202, asked.json_body
    verification = emails_to(seeded, "ana.new@example.org")
    assert len(verification) == 1
    link = link_in(verification[0], "/verify-email?token=")
    me = call(seeded, "GET", "/v1/me", token=token).json_body["account"]
    assert me["email"] == enrolled.email and me["pending_email"] == "ana.new@example.org"
    # The idle timeout is there too, for a page loaded after sign-in to warn before it passes.
    assert me["idle_timeout_s"] == 15 * 60
    # Until confirmed, recovery mail still goes to the old address only.
    assert call(seeded, "POST", "/v1/account/username-reminders", {"email": "ana.new@example.org"}).status_code == 202
    assert len(emails_to(seeded, "ana.new@example.org")) == 1

    confirmed = call(seeded, "POST", "/v1/account/email-verifications", {"token": link})

    assert confirmed.status_code == 200, confirmed.json_body
    me = call(seeded, "GET", "/v1/me", token=token).json_body["account"]
    assert me["email"] == "ana.new@example.org" and me["pending_email"] is None and me["email_verified"] is True
    assert emails_to(seeded, enrolled.email, "email address")  # the email_changed notice, at the old address
    assert call(seeded, "POST", "/v1/account/email-verifications", {"token": link}).status_code == 400


def test_notification_preferences_take_only_listed_true_or_false_fields(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)

    changed = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_messages": False}, token)
    unknown = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_marketing": False}, token)
    not_boolean = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_forms": "no"}, token)
    null = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_new_results": None}, token)

    assert changed.status_code == 200, changed.json_body
    assert changed.json_body["notification_preferences"]["email_messages"] is False
    assert unknown.status_code == 400
    assert unknown.json_body["error"]["details"] == [{"field": "email_marketing", "issue": "not accepted"}]
    assert not_boolean.status_code == 400
    # (null is neither on nor off: refused, rather than taken as "leave it")
    assert null.status_code == 400
    assert [d["field"] for d in null.json_body["error"]["details"]] == ["email_new_results"]
    preferences = call(seeded, "GET", "/v1/me", token=token).json_body["notification_preferences"]
    assert preferences == {
        "email_new_results": True,
        "email_messages": False,
        "email_appointments": True,
        "email_forms": True,
    }


def test_the_sign_in_history_lists_successes_and_failures_newest_first_in_pages(enrolled, seeded, clock):
    # (the pinned clock moves a second between attempts, so "newest first" has an order to keep)
    for _ in range(2):
        assert sign_in_answer(seeded, USERNAME, "a wrong guess").status_code == 401
        clock.advance(seconds=1)
    token = sign_in(seeded, USERNAME, PASSWORD)

    history = call(seeded, "GET", "/v1/me/sign-in-history", token=token)

    assert history.status_code == 200, history.json_body
    events = history.json_body["events"]
    assert [(e["event"], e["outcome"]) for e in events[:3]] == [
        ("session.sign_in", "success"),
        ("session.sign_in", "failure"),
        ("session.sign_in", "failure"),
    ]
    assert events[1]["reason"] == "wrong_password"
    assert [e["at"] for e in events] == sorted((e["at"] for e in events), reverse=True)
    assert history.json_body["next_cursor"] is None

    first = call(seeded, "GET", "/v1/me/sign-in-history?limit=2", token=token).json_body
    assert first["events"] == events[:2] and first["next_cursor"]
    rest = call(
        seeded, "GET", "/v1/me/sign-in-history?limit=2&after=" + urllib.parse.quote(first["next_cursor"]), token=token
    ).json_body
    assert first["events"] + rest["events"] == events[: 2 + len(rest["events"])]
    assert rest["events"] and rest["events"][0] == events[2]
    assert call(seeded, "GET", "/v1/me/sign-in-history?limit=0", token=token).status_code == 400
    assert call(seeded, "GET", "/v1/me/sign-in-history?limit=100", token=token).status_code == 200
    assert call(seeded, "GET", "/v1/me/sign-in-history?limit=101", token=token).status_code == 400
    assert call(seeded, "GET", "/v1/me/sign-in-history?after=nonsense", token=token).status_code == 400
