"""Emailed codes kept keyed at rest, the per-account cap on code and reset emails, and the audit
events of refused sessions and throttled attempts, through the API on the moto-backed stack.

Time is a pinned clock (``clock``); the hour window of the email cap is counted from it.
"""

from __future__ import annotations

import os
import re

import boto3

from chalicelib import wiring
from chalicelib.identity import tokens
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, sign_in

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"
THROTTLE_WORDS = "Too many attempts from this address. Wait a few minutes, then try again."


def events_by(account_id: str, event_type: str) -> list:
    events, _ = wiring.container().audit_log.by_actor(account_id, 100)
    return [e for e in events if e.event_type == event_type]


def ana_id() -> str:
    return wiring.container().directory.account_by_username(USERNAME).account_id


def new_challenge(api) -> str:
    answer = call(api, "POST", "/v1/sessions", {"username": USERNAME, "password": PASSWORD})
    assert answer.status_code == 201 and answer.json_body["mfa_required"], answer.json_body
    return answer.json_body["challenge_id"]


def code_emails(api, address: str) -> list:
    return [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == [address] and "sign-in code" in e.subject
    ]


def with_email_codes(api) -> None:
    token = sign_in(api, USERNAME, PASSWORD)
    turned_on = call(api, "PUT", "/v1/me/second-factors/email", {"enabled": True, "password": PASSWORD}, token)
    assert turned_on.status_code == 200, turned_on.json_body


def test_a_stored_sign_in_code_is_not_its_plain_hash_and_still_signs_in(enrolled, seeded, clock):
    with_email_codes(seeded)
    challenge = new_challenge(seeded)
    assert call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": challenge}).status_code == 202
    code = re.search(r"sign-in code is (\d{6})", code_emails(seeded, enrolled.email)[-1].body).group(1)

    # A dump of the identity table holds a keyed hash: not the code, not its plain SHA-256.
    items = boto3.client("dynamodb").scan(TableName=os.environ["PORTAL_IDENTITY_TABLE"])["Items"]
    [stored] = [i["code_hash"]["S"] for i in items if "code_hash" in i]
    selector = challenge[: tokens.SELECTOR_LENGTH]
    assert stored.startswith(tokens.CODE_HASH_PREFIX)
    assert code not in stored and tokens.legacy_code_digest(selector, code) not in stored

    done = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": code})
    assert done.status_code == 201, done.json_body


def test_the_sixth_sign_in_code_email_in_an_hour_is_refused(enrolled, seeded, clock):
    with_email_codes(seeded)
    deliver_notifications(seeded)
    before = len(code_emails(seeded, enrolled.email))
    # Five codes in the hour arrive, whatever sign-in asked for them (two per sign-in here).
    challenge = ""
    for n in range(5):
        challenge = new_challenge(seeded) if n % 2 == 0 else challenge
        assert call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": challenge}).status_code == 202
    assert len(code_emails(seeded, enrolled.email)) - before == 5

    sixth = call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": new_challenge(seeded)})

    assert sixth.status_code == 429
    assert sixth.json_body["error"]["message"] == THROTTLE_WORDS
    assert 1 <= int(sixth.headers["Retry-After"]) <= 3600
    assert len(code_emails(seeded, enrolled.email)) - before == 5  # no sixth email
    [refused] = events_by(ana_id(), "throttle.refused")
    assert refused.reason == "sign_in_code_email" and refused.outcome.value == "denied"

    # The next hour, codes come again.
    clock.advance(seconds=int(sixth.headers["Retry-After"]))
    again = call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": new_challenge(seeded)})
    assert again.status_code == 202, again.json_body


def reset_emails(api, address: str) -> list:
    return [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [address] and "/reset" in e.body]


def test_the_sixth_password_reset_email_in_an_hour_is_refused_known_account_or_not(enrolled, seeded, clock):
    def ask(body: dict):
        return call(seeded, "POST", "/v1/account/password-resets", body)

    # Ana's account, asked for by user name and by email address: one count.
    answers = [ask({"username": USERNAME}).status_code for _ in range(3)]
    answers += [ask({"email": enrolled.email}).status_code for _ in range(2)]
    assert answers == [202] * 5
    assert len(reset_emails(seeded, enrolled.email)) == 5
    sixth = ask({"username": USERNAME})
    assert sixth.status_code == 429 and sixth.json_body["error"]["message"] == THROTTLE_WORDS
    assert 1 <= int(sixth.headers["Retry-After"]) <= 3600
    assert len(reset_emails(seeded, enrolled.email)) == 5
    assert [e.reason for e in events_by(ana_id(), "throttle.refused")] == ["password_reset_email"]

    # A name nobody holds is answered the same way: five 202s, then the same 429.
    unknown = [ask({"username": "nobody.here"}) for _ in range(6)]
    assert [a.status_code for a in unknown] == [202] * 5 + [429]
    assert unknown[-1].json_body == sixth.json_body


def test_an_expired_and_an_ended_session_each_leave_a_session_refused_event(enrolled, seeded, clock):
    idle = sign_in(seeded, USERNAME, PASSWORD)
    clock.advance(minutes=31)  # past the idle timeout
    assert call(seeded, "GET", "/v1/me", token=idle).status_code == 401

    ended = sign_in(seeded, USERNAME, PASSWORD)
    assert call(seeded, "DELETE", "/v1/sessions/current", token=ended).status_code == 204
    assert call(seeded, "GET", "/v1/me", token=ended).status_code == 401

    # The expired one names its account; the ended one is gone from the store, so it cannot.
    [expired] = events_by(ana_id(), "session.refused")
    assert expired.reason == "idle_timeout" and expired.outcome.value == "denied"
    anonymous = events_by("anonymous", "session.refused")
    assert [e.reason for e in anonymous] == ["no_session"]
    # Never the token, nor any part of it, on the trail.
    for event in [expired, *anonymous]:
        assert idle[: tokens.SELECTOR_LENGTH] not in repr(event)
        assert ended[: tokens.SELECTOR_LENGTH] not in repr(event)


def test_a_token_with_a_wrong_secret_is_refused_and_audited_for_its_account(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    forged = token[: tokens.SELECTOR_LENGTH] + ("A" if token[-1] != "A" else "B") * 43

    assert call(seeded, "GET", "/v1/me", token=forged).status_code == 401
    assert [e.reason for e in events_by(ana_id(), "session.refused")] == ["wrong_secret"]
    assert call(seeded, "GET", "/v1/me", token=token).status_code == 200


def test_a_throttled_sign_in_leaves_a_throttle_refused_event(seeded, clock, monkeypatch):
    monkeypatch.setenv("PORTAL_ATTEMPTS_PER_ADDRESS", "3")
    wiring.reset()
    for _ in range(3):
        call(seeded, "POST", "/v1/sessions", {"username": "nobody.here", "password": "whatever it is"})

    throttled = call(seeded, "POST", "/v1/sessions", {"username": "nobody.here", "password": "whatever it is"})

    assert throttled.status_code == 429
    [event] = events_by("anonymous", "throttle.refused")
    assert event.reason == "sign_in" and event.outcome.value == "denied"
    assert "nobody.here" not in repr(event)
