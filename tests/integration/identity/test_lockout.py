"""A lockout stops guessing without locking the owner out.

Anyone who knows a user name can make five wrong sign-ins. During the 15 minutes that follow, the
answer to a sign-in is the same 401 whatever the password, so a guesser learns nothing; the right
password also emails the owner a link and a code, which finish the sign-in at /v1/sessions/mfa.
Time is the pinned ``clock``.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from chalicelib import wiring
from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import call, sign_in
from tests.integration.identity.test_sessions_and_second_factor import turn_on_totp

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"
UNLOCK_SUBJECT = "Finish signing in"
PER_REQUEST_HEADERS = {"X-Correlation-Id", "Date"}


def sign_in_answer(api, username: str = USERNAME, password: str = PASSWORD):
    return call(api, "POST", "/v1/sessions", {"username": username, "password": password})


def lock_out(api, username: str = USERNAME) -> None:
    """What an attacker who knows only the user name can do."""
    for _ in range(5):
        assert sign_in_answer(api, username, "a guess at the password").status_code == 401
    assert wiring.container().directory.account_by_username(username).locked_until is not None


def unlock_emails(api, address: str) -> list:
    return [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == [address] and e.subject.startswith(UNLOCK_SUBJECT)
    ]


def challenge_and_code(email) -> tuple[str, str]:
    return link_in(email, "/sign-in/continue?challenge="), re.search(r"enter the code (\d{6})", email.body).group(1)


def finish(api, challenge: str, code: str):
    return call(api, "POST", "/v1/sessions/mfa", {"challenge_id": challenge, "code": code})


def same_answer(first, second) -> bool:
    def headers(answer) -> dict:
        return {k: v for k, v in answer.headers.items() if k not in PER_REQUEST_HEADERS}

    return (first.status_code, first.json_body, headers(first)) == (
        second.status_code,
        second.json_body,
        headers(second),
    )


def account_events(username: str = USERNAME) -> list[tuple[str, str, str]]:
    account = wiring.container().directory.account_by_username(username)
    events, _ = wiring.container().audit_log.by_actor(account.account_id, 100)
    return [(e.event_type, e.outcome.value, e.reason) for e in sorted(events, key=lambda e: e.recorded_at)]


def test_a_locked_out_owner_gets_in_with_the_right_password_and_the_emailed_code(enrolled, seeded, clock):
    # GIVEN an attacker who knows Ana's user name locked her account
    lock_out(seeded)
    deliver_notifications(seeded)
    unknown = sign_in_answer(seeded, "nobody.at.all", PASSWORD)

    # WHEN they go on guessing, and Ana signs in with her password during the lockout
    guess = sign_in_answer(seeded, USERNAME, "another guess")
    assert unlock_emails(seeded, enrolled.email) == []
    clock.advance(seconds=1)
    owner = sign_in_answer(seeded)

    # THEN all three answers are the same 401: neither the guesser nor anyone else can tell a
    # locked account from an unknown user, nor the right password from a wrong one
    assert owner.status_code == 401 and owner.json_body["error"]["code"] == "sign_in_failed"
    assert same_answer(guess, unknown) and same_answer(owner, unknown)
    assert "email with a link" in owner.json_body["error"]["message"]
    # AND only the right password emailed Ana a link and a code, with nothing about her health
    [email] = unlock_emails(seeded, enrolled.email)
    assert "Núñez" not in email.body and "Nunez" not in email.body and "1984" not in email.body
    challenge, code = challenge_and_code(email)

    # WHEN Ana follows the link and enters the code
    done = finish(seeded, challenge, code)

    # THEN she is in, at once, and the lockout is over
    assert done.status_code == 201, done.json_body
    assert call(seeded, "GET", "/v1/me", token=done.json_body["token"]).status_code == 200
    assert wiring.container().directory.account_by_username(USERNAME).locked_until is None
    assert sign_in_answer(seeded).status_code == 201
    # AND the trail tells the story: the lock, the refused guess, the code sent on the right
    # password, the unlock and the sign-in it opened
    events = account_events()
    for expected in (
        ("account.locked", "success", "too_many_failures"),
        ("session.sign_in", "denied", "locked"),
        ("session.sign_in", "denied", "locked_code_emailed"),
        ("account.unlocked", "success", "email_code"),
        ("session.sign_in", "success", "email_after_lockout"),
    ):
        assert events.count(expected) == 1, expected


def test_wrong_passwords_during_a_lockout_are_refused_whatever_follows_and_never_emailed(enrolled, seeded, clock):
    lock_out(seeded)

    answers = [sign_in_answer(seeded, USERNAME, f"guess number {n}") for n in range(10)]

    assert {a.status_code for a in answers} == {401}
    assert all(same_answer(a, answers[0]) for a in answers)
    assert unlock_emails(seeded, enrolled.email) == []
    # The guesses during the lockout neither extend it nor count towards another: it ends on time.
    clock.advance(minutes=15, seconds=1)
    assert sign_in_answer(seeded).status_code == 201


def test_each_answer_during_a_lockout_costs_one_argon2_verification_as_for_an_unknown_user(
    enrolled, seeded, clock, monkeypatch
):
    # GIVEN a spy on argon2id's verification, noting the parameters of each hash it checks
    from argon2 import PasswordHasher, extract_parameters

    checked: list = []
    verify = PasswordHasher.verify

    def spy(self, hash, password):
        checked.append(extract_parameters(hash))
        return verify(self, hash, password)

    lock_out(seeded)
    monkeypatch.setattr(PasswordHasher, "verify", spy)

    # WHEN an unknown user, a wrong password and the right password are tried during the lockout
    work = []
    for username, password in (("nobody.at.all", PASSWORD), (USERNAME, "a guess"), (USERNAME, PASSWORD)):
        checked.clear()
        assert sign_in_answer(seeded, username, password).status_code == 401
        work.append(list(checked))

    # THEN each cost exactly one verification, against hashes of the same parameters
    assert [len(w) for w in work] == [1, 1, 1]
    assert work[0] == work[1] == work[2]


def test_the_emailed_code_works_once_for_ten_minutes_and_five_wrong_codes_end_it(enrolled, seeded, clock):
    lock_out(seeded)

    # A wrong code is refused as any wrong second-factor code is
    assert sign_in_answer(seeded).status_code == 401
    challenge, code = challenge_and_code(unlock_emails(seeded, enrolled.email)[-1])
    wrong = next(c for c in ("123456", "654321") if c != code)
    refused = finish(seeded, challenge, wrong)
    assert refused.status_code == 401 and refused.json_body["error"]["code"] == "second_factor_failed"
    # ... no second code can be asked for it (the code came with the link) ...
    resend = call(seeded, "POST", "/v1/sessions/mfa/email-code", {"challenge_id": challenge})
    assert resend.status_code == 400
    # ... and the code works once
    assert finish(seeded, challenge, code).status_code == 201
    again = finish(seeded, challenge, code)
    assert again.status_code == 401 and again.json_body["error"]["code"] == "challenge_expired"

    # Locked again: a code is good for 10 minutes, as the email says
    lock_out(seeded)
    assert sign_in_answer(seeded).status_code == 401
    email = unlock_emails(seeded, enrolled.email)[-1]
    assert "expire in 10 minutes" in email.body
    challenge, code = challenge_and_code(email)
    clock.advance(minutes=10, seconds=1)
    late = finish(seeded, challenge, code)
    assert late.status_code == 401 and late.json_body["error"]["code"] == "challenge_expired"

    # ... and five wrong codes end the challenge
    assert sign_in_answer(seeded).status_code == 401
    challenge, code = challenge_and_code(unlock_emails(seeded, enrolled.email)[-1])
    wrong = next(c for c in ("123456", "654321") if c != code)
    assert [finish(seeded, challenge, wrong).status_code for _ in range(5)] == [401] * 5
    ended = finish(seeded, challenge, code)
    assert ended.status_code == 401 and ended.json_body["error"]["code"] == "challenge_expired"


def test_an_account_with_an_authenticator_app_still_needs_it_after_the_emailed_code(enrolled, seeded, clock):
    # GIVEN Ana signs in with an authenticator app, and her account is locked
    totp, _ = turn_on_totp(seeded, sign_in(seeded, USERNAME, PASSWORD), clock)
    clock.advance(seconds=30)
    lock_out(seeded)
    assert sign_in_answer(seeded).status_code == 401
    challenge, code = challenge_and_code(unlock_emails(seeded, enrolled.email)[-1])

    # WHEN she enters the emailed code
    step = finish(seeded, challenge, code)

    # THEN the lockout is lifted, but the email does not stand in for her app: it asks for a code
    assert step.status_code == 201, step.json_body
    assert step.json_body["mfa_required"] is True and "token" not in step.json_body
    assert step.json_body["methods"] == ["totp", "recovery_code"]
    done = finish(seeded, step.json_body["challenge_id"], totp.at(clock.now()))
    assert done.status_code == 201 and "token" in done.json_body


def test_lockout_emails_in_flight_are_limited(enrolled, seeded, clock):
    lock_out(seeded)

    for _ in range(5):
        assert sign_in_answer(seeded).status_code == 401

    # Three passwords a window are checked during a lockout, so three emails at most
    assert len(unlock_emails(seeded, enrolled.email)) == 3
    refused = [e for e in account_events() if e[2] == "locked_checks_spent"]
    assert refused == [("session.sign_in", "denied", "locked_checks_spent")] * 2
    # Once those have expired, the next right password (the lockout still on) sends one again.
    clock.advance(minutes=10, seconds=1)
    assert sign_in_answer(seeded).status_code == 401
    assert len(unlock_emails(seeded, enrolled.email)) == 4


def test_during_a_lockout_only_a_few_passwords_a_window_are_checked_at_all(enrolled, seeded, clock):
    """The right password during a lockout emails a code, which takes longer than a wrong one: a
    guesser who timed the answers could tell them apart. So only three passwords a window are
    checked; after that even the right one is answered without a check, and nothing is emailed."""
    lock_out(seeded)

    # WHEN a guesser spends the window's checks on wrong passwords
    for guess in ("guess-one-x", "guess-two-x", "guess-three-x"):
        assert sign_in_answer(seeded, password=guess).status_code == 401
    # THEN the right password, in the same window, is not checked and emails nothing
    answer = sign_in_answer(seeded)
    assert answer.status_code == 401
    assert unlock_emails(seeded, enrolled.email) == []
    assert [e for e in account_events() if e[2] == "locked_checks_spent"] == [
        ("session.sign_in", "denied", "locked_checks_spent")
    ]
    # AND the owner is not stuck: a password reset by email still works during the lockout
    assert call(seeded, "POST", "/v1/account/password-resets", {"username": USERNAME}).status_code == 202
    # AND in the next window the right password is checked again
    clock.advance(minutes=10, seconds=1)
    assert sign_in_answer(seeded).status_code == 401
    assert len(unlock_emails(seeded, enrolled.email)) == 1


@pytest.mark.parametrize("state", ["unverified_email", "suspended"])
def test_without_a_verified_address_or_while_suspended_the_lockout_runs_its_course(enrolled, seeded, clock, state):
    directory = wiring.container().directory
    account = directory.account_by_username(USERNAME)
    from chalicelib.accounts.domain import AccountStatus

    changes = {"email_verified": False} if state == "unverified_email" else {"status": AccountStatus.SUSPENDED}
    directory.save_account(dataclasses.replace(account, **changes))
    lock_out(seeded)
    deliver_notifications(seeded)

    refused = sign_in_answer(seeded)

    assert refused.status_code == 401 and refused.json_body["error"]["code"] == "sign_in_failed"
    assert unlock_emails(seeded, enrolled.email) == []
    assert ("session.sign_in", "denied", "locked_no_email") in account_events()
