"""Sessions, second factors, terms, throttling and the audit trail of sign-in, through the API.

Time is a pinned clock (``clock``): the routes, the authorizer and the services all read the
container's clock.
"""

from __future__ import annotations

import dataclasses
import os
import re
from datetime import timedelta

import boto3
import pyotp
import pytest

from chalicelib import wiring
from chalicelib.accounts.domain import Role
from chalicelib.accounts.service import create_staff_account
from chalicelib.identity import terms
from chalicelib.kernel.clock import PinnedClock
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, sign_in

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"
STAFF_ROUTE_BODY = {
    "mrn": "MRN-2002",
    "family_name": "Okafor",
    "given_names": ["Chidi"],
    "birth_date": "1975-06-30",
    "sex": "male",
}


def sign_in_answer(api, username: str = USERNAME, password: str = PASSWORD):
    return call(api, "POST", "/v1/sessions", {"username": username, "password": password})


def turn_on_totp(api, token: str, clock: PinnedClock, password: str = PASSWORD) -> tuple[pyotp.TOTP, list[str]]:
    begun = call(api, "POST", "/v1/me/second-factors/totp", {}, token)
    assert begun.status_code == 201, begun.json_body
    totp = pyotp.TOTP(begun.json_body["secret"])
    confirmed = call(
        api, "POST", "/v1/me/second-factors/totp/confirm", {"code": totp.at(clock.now()), "password": password}, token
    )
    assert confirmed.status_code == 200, confirmed.json_body
    return totp, confirmed.json_body["recovery_codes"]


def scan(table_variable: str) -> list[dict]:
    return boto3.client("dynamodb").scan(TableName=os.environ[table_variable])["Items"]


def account(username: str = USERNAME):
    return wiring.container().directory.account_by_username(username)


def audit_events(account_id: str) -> list:
    events, _ = wiring.container().audit_log.for_patient(f"account#{account_id}", 100)
    return events


# -- sessions -------------------------------------------------------------------------------------


def test_the_sign_in_answer_says_when_the_session_ends(enrolled, seeded, clock):
    answer = sign_in_answer(seeded)

    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["expires_at"] == (clock.now() + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert answer.json_body["idle_timeout_s"] == 900
    assert answer.json_body["must"] is None


def test_a_session_left_idle_ends_while_one_in_use_lives_on(enrolled, seeded, clock):
    # GIVEN two sessions opened at the same time
    busy, idle = sign_in(seeded, USERNAME, PASSWORD), sign_in(seeded, USERNAME, PASSWORD)

    # WHEN one is used every 10 minutes and the other not at all
    clock.advance(minutes=10)
    assert call(seeded, "GET", "/v1/me", token=busy).status_code == 200
    clock.advance(minutes=10)
    assert call(seeded, "GET", "/v1/me", token=busy).status_code == 200

    # THEN the unused one has ended (15 minutes idle) and the busy one still answers
    refused = call(seeded, "GET", "/v1/me", token=idle)
    assert refused.status_code == 401
    assert refused.json_body["error"]["code"] == "not_authenticated"
    clock.advance(minutes=10)
    assert call(seeded, "GET", "/v1/me", token=busy).status_code == 200
    # and an ended session does not come back
    assert call(seeded, "GET", "/v1/me", token=idle).status_code == 401


def test_the_idle_timeout_is_configurable(enrolled, seeded, clock, monkeypatch):
    monkeypatch.setenv("PORTAL_SESSION_IDLE_SECONDS", "300")
    wiring.reset()
    answer = sign_in_answer(seeded)
    assert answer.json_body["idle_timeout_s"] == 300

    clock.advance(seconds=299)
    assert call(seeded, "GET", "/v1/me", token=answer.json_body["token"]).status_code == 200
    clock.advance(seconds=301)
    assert call(seeded, "GET", "/v1/me", token=answer.json_body["token"]).status_code == 401


def test_a_session_ends_after_12_hours_however_busy(enrolled, seeded, clock):
    started = clock.now()
    token = sign_in(seeded, USERNAME, PASSWORD)

    while clock.now() + timedelta(seconds=850) < started + timedelta(hours=12):
        clock.advance(seconds=850)
        assert call(seeded, "GET", "/v1/me", token=token).status_code == 200, clock.now()
    clock.at = started + timedelta(hours=12)

    assert call(seeded, "GET", "/v1/me", token=token).status_code == 401


def test_no_session_token_or_password_is_stored_in_clear(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    turn_on_totp(seeded, token, clock)  # (ends any other session; this one stays)
    challenge = sign_in_answer(seeded).json_body["challenge_id"]

    stored = repr(scan("PORTAL_IDENTITY_TABLE")) + repr(scan("PORTAL_ACCOUNTS_TABLE"))

    assert token[:16] in stored  # the selector is the record's key: the table is the right one
    for secret in (token, token[16:], challenge, challenge[16:], PASSWORD, enrolled.code, enrolled.code[16:]):
        assert secret not in stored


# -- the second factor ----------------------------------------------------------------------------


@pytest.fixture
def with_totp(enrolled, seeded, clock):
    """Ana, with an authenticator app set up (the confirming code used up), half a minute later."""
    totp, recovery_codes = turn_on_totp(seeded, sign_in(seeded, USERNAME, PASSWORD), clock)
    clock.advance(seconds=30)
    return totp, recovery_codes


def test_setting_up_an_authenticator_app(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)

    begun = call(seeded, "POST", "/v1/me/second-factors/totp", {}, token)
    assert begun.status_code == 201, begun.json_body
    secret, uri = begun.json_body["secret"], begun.json_body["provisioning_uri"]
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=" in uri
    assert USERNAME in uri

    wrong = call(seeded, "POST", "/v1/me/second-factors/totp/confirm", {"code": "000000", "password": PASSWORD}, token)
    if pyotp.TOTP(secret).at(clock.now()) != "000000":
        assert wrong.status_code == 400
    confirmed = call(
        seeded,
        "POST",
        "/v1/me/second-factors/totp/confirm",
        {"code": pyotp.TOTP(secret).at(clock.now()), "password": PASSWORD},
        token,
    )
    assert confirmed.status_code == 200, confirmed.json_body
    codes = confirmed.json_body["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10

    me = call(seeded, "GET", "/v1/me", token=token).json_body
    assert me["account"]["second_factors"] == ["totp", "recovery_code"]
    # The seed is stored, but only encrypted.
    stored = repr(scan("PORTAL_ACCOUNTS_TABLE"))
    assert secret not in stored and secret.lower() not in stored.lower()
    assert account().totp_secret


def test_signing_in_with_an_authenticator_app(with_totp, seeded, clock):
    totp, _ = with_totp

    first = sign_in_answer(seeded)
    assert first.status_code in (200, 201, 202)
    assert first.json_body["mfa_required"] is True
    assert "token" not in first.json_body
    assert set(first.json_body["methods"]) == {"totp", "recovery_code"}

    done = call(
        seeded,
        "POST",
        "/v1/sessions/mfa",
        {"challenge_id": first.json_body["challenge_id"], "code": totp.at(clock.now())},
    )
    assert done.status_code == 201, done.json_body
    assert call(seeded, "GET", "/v1/me", token=done.json_body["token"]).status_code == 200
    # The challenge was used up with the session it gave.
    again = call(
        seeded,
        "POST",
        "/v1/sessions/mfa",
        {"challenge_id": first.json_body["challenge_id"], "code": totp.at(clock.now())},
    )
    assert again.status_code == 401


def test_a_code_from_the_app_works_once(with_totp, seeded, clock):
    totp, _ = with_totp
    code = totp.at(clock.now())
    first = sign_in_answer(seeded).json_body["challenge_id"]
    assert call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": first, "code": code}).status_code == 201

    second = sign_in_answer(seeded).json_body["challenge_id"]
    replayed = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": second, "code": code})

    assert replayed.status_code == 401
    assert replayed.json_body["error"]["code"] == "second_factor_failed"
    # ... while the next code from the app does.
    clock.advance(seconds=30)
    assert (
        call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": second, "code": totp.at(clock.now())}).status_code
        == 201
    )


def test_five_wrong_codes_end_the_sign_in(with_totp, seeded, clock):
    totp, _ = with_totp
    challenge = sign_in_answer(seeded).json_body["challenge_id"]
    wrong = next(
        c
        for c in ("123456", "654321", "111111")
        if c not in {totp.at(clock.now() + timedelta(seconds=s)) for s in (-30, 0, 30)}
    )
    for _ in range(5):
        refused = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": wrong})
        assert refused.status_code == 401
        assert refused.json_body["error"]["code"] == "second_factor_failed"

    # Even the right code cannot finish it now.
    late = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": totp.at(clock.now())})
    assert late.status_code == 401
    assert late.json_body["error"]["code"] == "challenge_expired"
    # Wrong codes count against the account like wrong passwords: the fifth locks it (and starting
    # a new sign-in buys no more guesses).
    events = [e.event_type for e in audit_events(account().account_id)]
    assert events.count("session.second_factor") == 5 and "account.locked" in events
    assert (
        call(seeded, "POST", "/v1/sessions", {"username": "ana.nunez", "password": "correct horse battery"}).status_code
        == 401
    )


def test_a_sign_in_left_waiting_for_its_code_expires(with_totp, seeded, clock):
    totp, _ = with_totp
    challenge = sign_in_answer(seeded).json_body["challenge_id"]
    clock.advance(minutes=6)

    late = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": totp.at(clock.now())})

    assert late.status_code == 401 and late.json_body["error"]["code"] == "challenge_expired"


def test_a_recovery_code_works_once(with_totp, seeded, clock):
    _, recovery_codes = with_totp
    challenge = sign_in_answer(seeded).json_body["challenge_id"]
    used = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": recovery_codes[3].upper()})
    assert used.status_code == 201, used.json_body

    challenge = sign_in_answer(seeded).json_body["challenge_id"]
    reused = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": recovery_codes[3]})
    assert reused.status_code == 401
    assert (
        call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": recovery_codes[4]}).status_code
        == 201
    )


def test_turning_the_app_off_needs_the_password(with_totp, seeded, clock):
    totp, _ = with_totp
    challenge = sign_in_answer(seeded).json_body["challenge_id"]
    token = call(
        seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": totp.at(clock.now())}
    ).json_body["token"]

    refused = call(seeded, "DELETE", "/v1/me/second-factors/totp", {"password": "not my password"}, token)
    assert refused.status_code == 400
    assert call(seeded, "DELETE", "/v1/me/second-factors/totp", {}, token).status_code == 400
    assert sign_in_answer(seeded).json_body.get("mfa_required") is True

    assert call(seeded, "DELETE", "/v1/me/second-factors/totp", {"password": PASSWORD}, token).status_code == 204
    assert "token" in sign_in_answer(seeded).json_body


def test_a_code_by_email_for_people_without_a_smartphone(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    refused = call(seeded, "PUT", "/v1/me/second-factors/email", {"enabled": True, "password": "wrong one"}, token)
    assert refused.status_code == 400
    turned_on = call(seeded, "PUT", "/v1/me/second-factors/email", {"enabled": True, "password": PASSWORD}, token)
    assert turned_on.status_code == 200, turned_on.json_body
    assert len(turned_on.json_body["recovery_codes"]) == 10

    # WHEN Ana signs in and asks for a code by email
    first = sign_in_answer(seeded).json_body
    assert first["mfa_required"] is True and "email" in first["methods"]
    sent = call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": first["challenge_id"]})
    assert sent.status_code == 202, sent.json_body
    emails = [
        e
        for e in deliver_notifications(seeded)
        if e.destinations["ToAddresses"] == [enrolled.email] and "sign-in code" in e.subject
    ]
    assert len(emails) == 1
    code = re.search(r"sign-in code is (\d{6})", emails[0].body).group(1)

    # THEN the emailed code completes the sign-in
    done = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": first["challenge_id"], "code": code})
    assert done.status_code == 201, done.json_body
    assert call(seeded, "GET", "/v1/me", token=done.json_body["token"]).status_code == 200
    # and is not good for another sign-in
    second = sign_in_answer(seeded).json_body["challenge_id"]
    assert call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": second, "code": code}).status_code == 401


def test_an_emailed_code_works_as_long_as_the_email_says(enrolled, seeded, clock):
    # The sign_in_code email says "It expires in 10 minutes".
    token = sign_in(seeded, USERNAME, PASSWORD)
    call(seeded, "PUT", "/v1/me/second-factors/email", {"enabled": True, "password": PASSWORD}, token)
    challenge = sign_in_answer(seeded).json_body["challenge_id"]

    def emailed_code() -> str:
        assert call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": challenge}).status_code == 202
        email = emails_with_code(seeded, enrolled.email)[-1]
        assert "expires in 10 minutes" in email.body
        return re.search(r"sign-in code is (\d{6})", email.body).group(1)

    # GIVEN Ana takes 4 minutes to find the button, then 9 more to find the email
    clock.advance(minutes=4)
    code = emailed_code()
    clock.advance(minutes=9)
    assert call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": code}).status_code == 201

    # ... but not past the 10 minutes
    challenge = sign_in_answer(seeded).json_body["challenge_id"]
    code = emailed_code()
    clock.advance(minutes=10, seconds=1)
    late = call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": code})
    assert late.status_code == 401 and late.json_body["error"]["code"] == "challenge_expired"


def emails_with_code(api, address: str) -> list:
    return [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == [address] and "sign-in code" in e.subject
    ]


def test_staff_must_set_up_a_second_factor_before_anything_else(seeded, clock):
    # GIVEN a staff account that is not exempt from the second factor
    create_staff_account(
        wiring.container().directory,
        organization_id="albany-medical-center",
        username="nurse.kim",
        password="a quiet ward at night",
        role=Role.STAFF,
        email="kim@albany-medical-center.example",
        now=wiring.container().clock.now(),
    )
    answer = sign_in_answer(seeded, "nurse.kim", "a quiet ward at night")
    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["must"] == "second_factor_setup"
    token = answer.json_body["token"]

    # THEN staff routes are closed, the profile and the set-up are open
    refused = call(seeded, "POST", "/v1/staff/patients", STAFF_ROUTE_BODY, token)
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "second_factor_setup_required"
    assert call(seeded, "GET", "/v1/me", token=token).json_body["account"]["must"] == "second_factor_setup"

    # WHEN the authenticator app is confirmed, the same session may work
    totp, _ = turn_on_totp(seeded, token, clock, password="a quiet ward at night")
    assert call(seeded, "POST", "/v1/staff/patients", STAFF_ROUTE_BODY, token).status_code == 201
    assert call(seeded, "GET", "/v1/me", token=token).json_body["account"]["must"] is None
    # and the next sign-in asks for the code
    clock.advance(seconds=30)
    again = sign_in_answer(seeded, "nurse.kim", "a quiet ward at night").json_body
    assert again["mfa_required"] is True
    assert (
        call(
            seeded, "POST", "/v1/sessions/mfa", {"challenge_id": again["challenge_id"], "code": totp.at(clock.now())}
        ).json_body["must"]
        is None
    )


def test_the_exempt_demo_staff_signs_in_without_a_second_factor(seeded, clock):
    answer = sign_in_answer(seeded, "demo.staff", "albany-staff-demo")
    assert answer.status_code == 201 and answer.json_body["must"] is None


# -- terms ----------------------------------------------------------------------------------------


def test_the_terms_are_public(api):
    answer = call(api, "GET", "/v1/terms")
    assert answer.status_code == 200
    assert answer.json_body["version"] == terms.SHIPPED.version
    assert answer.json_body["terms_of_use"] and answer.json_body["consent"]


def test_new_terms_are_accepted_at_the_next_sign_in(enrolled, seeded, clock):
    # GIVEN Ana accepted an older version of the terms
    directory = wiring.container().directory
    directory.save_account(dataclasses.replace(account(), terms_version="2020-01-01"))

    answer = sign_in_answer(seeded)
    assert answer.json_body["must"] == "terms"
    token = answer.json_body["token"]

    me = call(seeded, "GET", "/v1/me", token=token)
    assert me.status_code == 200 and me.json_body["account"]["must"] == "terms"
    assert me.json_body["account"]["terms"]["accepted_version"] == "2020-01-01"
    refused = call(seeded, "GET", "/v1/me/sign-in-history", token=token)
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "terms_acceptance_required"
    assert (
        call(seeded, "POST", "/v1/me/terms-acceptances", {"accepted_terms_version": "2020-01-01"}, token).status_code
        == 400
    )

    accepted = call(
        seeded, "POST", "/v1/me/terms-acceptances", {"accepted_terms_version": terms.SHIPPED.version}, token
    )

    assert accepted.status_code == 201, accepted.json_body
    assert call(seeded, "GET", "/v1/me/sign-in-history", token=token).status_code == 200
    assert account().terms_version == terms.SHIPPED.version
    assert "account.terms_accepted" in [e.event_type for e in audit_events(account().account_id)]


# -- throttling -----------------------------------------------------------------------------------


def test_too_many_sign_ins_from_one_address_answer_429(seeded, clock, monkeypatch):
    monkeypatch.setenv("PORTAL_ATTEMPTS_PER_ADDRESS", "3")
    wiring.reset()
    for _ in range(3):
        assert sign_in_answer(seeded, "nobody.here", "whatever it is").status_code == 401

    throttled = sign_in_answer(seeded, "demo.staff", "albany-staff-demo")

    assert throttled.status_code == 429
    assert throttled.json_body["error"]["code"] == "too_many_requests"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 300
    # After the window, the address may try again.
    clock.advance(seconds=int(throttled.headers["Retry-After"]))
    assert sign_in_answer(seeded, "demo.staff", "albany-staff-demo").status_code == 201


# -- audit ----------------------------------------------------------------------------------------


def test_the_audit_trail_records_sign_in_and_security_changes_without_secrets(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    totp, recovery_codes = turn_on_totp(seeded, token, clock)
    changed = call(
        seeded,
        "PUT",
        "/v1/me/password",
        {"current_password": PASSWORD, "new_password": "a brand new passphrase"},
        token,
    )
    assert changed.status_code == 200, changed.json_body
    for _ in range(5):
        assert sign_in_answer(seeded, USERNAME, "not my password").status_code == 401
    locked = sign_in_answer(seeded, USERNAME, "a brand new passphrase")
    assert locked.status_code == 401 and locked.json_body["error"]["code"] == "sign_in_failed"
    clock.advance(minutes=16)  # the lock lasts 15 minutes
    assert sign_in_answer(seeded, USERNAME, "a brand new passphrase").json_body["mfa_required"] is True

    events = audit_events(account().account_id)
    seen = {(e.event_type, e.outcome.value) for e in events}

    assert {
        ("session.sign_in", "success"),
        ("session.sign_in", "failure"),
        ("account.locked", "success"),
        ("second_factor.totp_enabled", "success"),
        ("account.password_changed", "success"),
        ("session.sign_in", "denied"),
    } <= seen
    assert all(e.actor.account_id == account().account_id for e in events)
    everything = repr(scan("PORTAL_AUDIT_TABLE"))
    for secret in (
        PASSWORD,
        "a brand new passphrase",
        "not my password",
        token,
        token[16:],
        totp.secret,
        enrolled.code,
        *recovery_codes,
    ):
        assert secret not in everything


def test_staff_may_meet_the_second_factor_requirement_with_email_codes(seeded):
    from chalicelib import wiring
    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.domain import Role

    # GIVEN a staff account that is not exempt from the second factor
    accounts.create_staff_account(
        wiring.container().directory,
        organization_id="albany-medical-center",
        username="nurse.kim",
        password="a fine long passphrase",
        role=Role.STAFF,
        email="kim@albany.example",
        now=wiring.container().clock.now(),
    )
    token = call(
        seeded, "POST", "/v1/sessions", {"username": "nurse.kim", "password": "a fine long passphrase"}
    ).json_body["token"]
    assert call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "X"}, token).status_code == 403

    # WHEN they turn on codes by email instead of an authenticator app
    turned_on = call(
        seeded, "PUT", "/v1/me/second-factors/email", {"enabled": True, "password": "a fine long passphrase"}, token
    )

    # THEN the same session may now do staff work, and they get recovery codes
    assert turned_on.status_code == 200, turned_on.json_body
    assert len(turned_on.json_body["recovery_codes"]) == 10
    assert call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "X"}, token).json_body == {
        "patients": [],
        "truncated": False,
    }
