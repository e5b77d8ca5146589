"""Refusals found by the security review: each test is an attack that must keep failing."""

from __future__ import annotations

import dataclasses
import json

import pytest

from chalicelib import wiring
from chalicelib.errors import Conflict
from chalicelib.identity import sessions
from chalicelib.kernel.clock import SystemClock
from chalicelib.kernel.origin import Origin
from tests.integration.identity.conftest import PATIENT, call, register_and_invite, sign_in
from tests.integration.identity.test_sessions_and_second_factor import sign_in_answer, turn_on_totp
from tests.integration.identity.test_staff_and_admin import other_organization_staff

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"


def wrong_code(totp, clock) -> str:
    from datetime import timedelta

    near = {totp.at(clock.now() + timedelta(seconds=s)) for s in (-30, 0, 30)}
    return next(c for c in ("123456", "654321", "111111", "222222") if c not in near)


def test_new_sign_ins_buy_no_more_guesses_at_the_second_factor(enrolled, seeded, clock):
    # GIVEN someone who knows Ana's password but not her authenticator app
    totp, _ = turn_on_totp(seeded, sign_in(seeded, USERNAME, PASSWORD), clock)
    clock.advance(seconds=30)
    guess = wrong_code(totp, clock)

    # WHEN they guess four codes, sign in again with the right password, and guess once more
    first = sign_in_answer(seeded).json_body["challenge_id"]
    for _ in range(4):
        call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": first, "code": guess})
    second = sign_in_answer(seeded).json_body["challenge_id"]
    call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": second, "code": guess})

    # THEN the fifth wrong code locked the account: even the right code and password fail now
    assert (
        call(seeded, "POST", "/v1/sessions/mfa", {"challenge_id": second, "code": totp.at(clock.now())}).status_code
        == 401
    )
    assert sign_in_answer(seeded).status_code == 401


def test_a_sign_in_that_read_the_account_before_a_suspension_opens_no_session(enrolled, seeded):
    # GIVEN a sign-in that has checked Ana's password and status ...
    container = wiring.container()
    read_at_sign_in = container.directory.account_by_username(USERNAME)
    # ... WHEN staff suspend her before its session is written
    staff = sign_in(seeded, "demo.staff", "albany-staff-demo")
    suspended = call(
        seeded, "POST", f"/v1/staff/patients/{enrolled.patient_id}/portal-access", {"action": "suspend"}, staff
    )
    assert suspended.status_code == 200

    # THEN the session is refused, because the account changed since it was read
    with pytest.raises(Conflict):
        sessions.open_session(container, Origin(), read_at_sign_in, SystemClock().now(), method="password")
    assert container.directory.account(read_at_sign_in.account_id).sessions == frozenset()


def test_terminating_again_ends_sessions_a_failed_first_attempt_left(enrolled, seeded):
    staff = sign_in(seeded, "demo.staff", "albany-staff-demo")
    token = sign_in(seeded, USERNAME, PASSWORD)
    path = f"/v1/staff/patients/{enrolled.patient_id}/portal-access"
    assert call(seeded, "POST", path, {"action": "terminate"}, staff).status_code == 200
    # (as if the first attempt had failed after saving: the session is listed again)
    directory = wiring.container().directory
    account = directory.account_by_username(USERNAME)
    directory.save_account(dataclasses.replace(account, sessions=frozenset({f"{token[:16]}:9999999999"})))

    again = call(seeded, "POST", path, {"action": "terminate"}, staff)

    assert again.status_code == 200, again.json_body
    assert call(seeded, "GET", "/v1/me", token=token).status_code == 401


def test_confirming_an_authenticator_app_needs_the_password(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    import pyotp

    secret = call(seeded, "POST", "/v1/me/second-factors/totp", {}, token).json_body["secret"]
    refused = call(
        seeded, "POST", "/v1/me/second-factors/totp/confirm", {"code": pyotp.TOTP(secret).at(clock.now())}, token
    )
    assert refused.status_code == 400
    assert {d.get("field") for d in refused.json_body["error"]["details"]} == {"password"}


def test_staff_reset_a_lost_second_factor_and_the_patient_signs_in_with_the_password(enrolled, seeded, clock):
    totp, _ = turn_on_totp(seeded, sign_in(seeded, USERNAME, PASSWORD), clock)
    assert sign_in_answer(seeded).json_body["mfa_required"] is True
    staff = sign_in(seeded, "demo.staff", "albany-staff-demo")

    reset = call(
        seeded,
        "POST",
        f"/v1/staff/patients/{enrolled.patient_id}/portal-access",
        {"action": "reset_second_factor", "reason": "lost_phone"},
        staff,
    )

    assert reset.status_code == 200, reset.json_body
    assert "token" in sign_in_answer(seeded).json_body


def test_staff_cannot_turn_off_the_only_second_factor_their_role_requires(seeded, clock):
    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.domain import Role

    accounts.create_staff_account(
        wiring.container().directory,
        organization_id="albany-medical-center",
        username="nurse.lee",
        password="an orderly long passphrase",
        role=Role.STAFF,
        email="lee@albany.example",
        now=wiring.container().clock.now(),
    )
    token = sign_in(seeded, "nurse.lee", "an orderly long passphrase")
    turn_on_totp(seeded, token, clock, password="an orderly long passphrase")

    refused = call(seeded, "DELETE", "/v1/me/second-factors/totp", {"password": "an orderly long passphrase"}, token)

    assert refused.status_code == 409


def test_each_organization_holds_its_own_identifiers(seeded, staff_token, monkeypatch):
    shared = {
        "identifiers": [{"authority": "CMS-MBI", "value": "1EG4-TE5-MK73", "type": "MC"}],
        "family_name": "Núñez",
        "birth_date": "1984-03-09",
    }
    assert call(seeded, "POST", "/v1/staff/patients", shared, staff_token).status_code == 201
    other = other_organization_staff(seeded, monkeypatch)

    # The other organization registers its own record: it neither collides nor learns of the first.
    assert call(seeded, "POST", "/v1/staff/patients", shared, other).status_code == 201


@pytest.mark.parametrize(
    "sensitive",
    [
        {"authority": "AMC", "value": "123-45-6789", "type": "SS"},
        {"authority": "http://hl7.org/fhir/sid/us-ssn", "value": "123-45-6789", "type": "MR"},
        {"authority": "NY-DMV", "value": "123-45-6789", "type": "DL"},
    ],
)
def test_staff_cannot_register_a_social_security_or_licence_number(seeded, staff_token, sensitive):
    body = {**PATIENT, "identifiers": [sensitive]}

    refused = call(seeded, "POST", "/v1/staff/patients", body, staff_token)

    assert refused.status_code == 400
    assert "social security" in refused.json_body["error"]["message"]
    assert [d["field"] for d in refused.json_body["error"]["details"]] == ["identifiers.0"]  # the entry
    assert "6789" not in json.dumps(refused.json_body)


@pytest.mark.parametrize(
    "identifiers",
    [5, True, [{"authority": "AMC-MRN", "value": "DUP-1"}], [{"authority": "X", "value": str(n)} for n in range(11)]],
)
def test_malformed_or_duplicate_identifiers_are_a_clear_400(seeded, staff_token, identifiers):
    body = {**PATIENT, "mrn": "DUP-1", "identifiers": identifiers}
    answer = call(seeded, "POST", "/v1/staff/patients", body, staff_token)
    assert answer.status_code == 400, answer.json_body
    assert [d["field"].partition(".")[0] for d in answer.json_body["error"]["details"]] == ["identifiers"]


def test_a_session_held_back_by_the_terms_is_audited_when_refused(enrolled, seeded):
    directory = wiring.container().directory
    account = directory.account_by_username(USERNAME)
    directory.save_account(dataclasses.replace(account, terms_version="2020-01-01"))
    token = sign_in(seeded, USERNAME, PASSWORD)

    assert call(seeded, "PUT", "/v1/me/notification-preferences", {"email_messages": False}, token).status_code == 403

    events, _ = wiring.container().audit_log.by_actor(account.account_id, 20)
    assert any(e.event_type == "access.denied" and e.reason == "restricted_terms" for e in events)


def test_an_invitation_for_a_registered_patient_still_works_after_the_review(seeded, staff_token):
    # (register_and_invite goes through the search-free path; the search is a POST)
    invited = register_and_invite(seeded, staff_token)
    found = call(seeded, "POST", "/v1/staff/patients/search", {"mrn": PATIENT["mrn"]}, staff_token)
    assert found.status_code == 200 and found.json_body["patients"][0]["patient"]["patient_id"] == invited.patient_id
