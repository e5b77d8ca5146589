"""Issue 3, "Done when", over real HTTP against the local stack: staff sign in, register and invite
a patient; the invitation arrives in the local mailbox (notifications queue, SQS poller, SES); the
patient follows the code, enrolls, signs in, turns on TOTP and signs in with it, and reads /v1/me.
Then the refusals, one test each.

The stack is the shared e2e one (conftest.py): its sessions end after PORTAL_SESSION_IDLE_SECONDS
(6 s) without a call, so a test never leaves a session idle that long unless that is its point;
staff sign in afresh for each piece of setup. The expired invitation code needs a stack of its own
with a short invitation lifetime (started only for that test).
"""

from __future__ import annotations

import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyotp
import pytest
import requests

from tests.e2e.conftest import E2E_ENVIRONMENT, RunningPortal, eventually, running_portal

pytestmark = pytest.mark.e2e

STAFF_USER, STAFF_PASSWORD = "demo.staff", E2E_ENVIRONMENT["PORTAL_DEMO_STAFF_PASSWORD"]
IDLE_SECONDS = int(E2E_ENVIRONMENT["PORTAL_SESSION_IDLE_SECONDS"])
SHORT_INVITATION_SECONDS = 10  # the invitation lifetime of the stack of the expired-code test
INVITATION_SUBJECT = "You are invited to the patient portal"
LOCKED_SUBJECT = "Signing in to your patient portal account is paused"
PASSWORD = "correct horse battery staple"
UNKNOWN_TOKEN = "0123456789abcdef" + "A" * 43  # well formed, never issued


class Api:
    """The portal's API over HTTP with ``requests``, and its local mailbox."""

    def __init__(self, portal: RunningPortal):
        self.url = portal.api_url
        self.http = requests.Session()

    def call(self, method: str, path: str, body=None, token: str = "") -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, self.url + path, json=body, headers=headers, timeout=30)

    def mailbox(self) -> list[dict]:
        """Every email of the run, newest first, page after page."""
        emails, cursor = [], ""
        while True:
            params = {"format": "json", "limit": "100", "cursor": cursor}
            answer = self.http.get(self.url + "/dev/mailbox", params=params, timeout=30)
            assert answer.status_code == 200, answer.text
            emails += answer.json()["emails"]
            cursor = answer.json()["next_cursor"]
            if not cursor:
                return emails

    def emails_to(self, address: str, subject: str) -> list[dict]:
        return [e for e in self.mailbox() if e["to"] == [address] and e["subject"] == subject]


@dataclass
class Person:
    """A patient as the clinic registers them, and the account they enroll."""

    tag: str
    suffix: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    family_name: str = "Núñez"
    given_names: tuple[str, ...] = ("Ana", "María")
    birth_date: str = "1984-03-09"
    patient_id: str = ""
    invitation: dict = field(default_factory=dict)
    code: str = ""

    @property
    def mrn(self) -> str:
        return f"E2E-{self.suffix}"

    @property
    def email(self) -> str:
        return f"{self.tag}.{self.suffix}@example.org"

    @property
    def username(self) -> str:
        return f"e2e.{self.tag}.{self.suffix}"

    def registration(self) -> dict:
        return {
            "mrn": self.mrn,
            "family_name": self.family_name,
            "given_names": list(self.given_names),
            "birth_date": self.birth_date,
            "sex": "female",
        }

    def enrollment(self, terms_version: str, **overrides) -> dict:
        # The answers as a person types them: case and accents are not what they were registered with.
        body = {
            "invitation_code": self.code,
            "date_of_birth": self.birth_date,
            "family_name": "NUNEZ",
            "username": self.username,
            "password": PASSWORD,
            "email": self.email,
            "accepted_terms_version": terms_version,
        }
        body.update(overrides)
        return body

    def credentials(self, password: str = PASSWORD) -> dict:
        return {"username": self.username, "password": password}


def staff_token(api: Api) -> str:
    answer = api.call("POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD})
    assert answer.status_code == 201, answer.text
    assert "mfa_required" not in answer.json()  # the seeded demo staff are exempt locally (.chalice/config.json)
    return answer.json()["token"]


def invitation_code(api: Api, address: str) -> str:
    """The code from the invitation email to ``address``, once the poller has delivered it."""
    emails = eventually(lambda: api.emails_to(address, INVITATION_SUBJECT), seconds=30)
    assert len(emails) == 1, f"expected one invitation email to {address}, found {len(emails)}"
    (link,) = emails[0]["links"]
    parts = urllib.parse.urlsplit(link)
    assert (f"{parts.scheme}://{parts.netloc}", parts.path) == (api.url, "/enroll")
    (code,) = urllib.parse.parse_qs(parts.query)["code"]
    return code


def register_and_invite(api: Api, person: Person) -> Person:
    staff = staff_token(api)
    registered = api.call("POST", "/v1/staff/patients", person.registration(), staff)
    assert registered.status_code == 201, registered.text
    person.patient_id = registered.json()["patient_id"]
    invited = api.call("POST", "/v1/staff/invitations", {"patient_id": person.patient_id, "email": person.email}, staff)
    assert invited.status_code == 201, invited.text
    person.invitation = invited.json()
    person.code = invitation_code(api, person.email)
    return person


def enrolled(api: Api, terms_version: str, tag: str) -> Person:
    person = register_and_invite(api, Person(tag))
    answer = api.call("POST", "/v1/enrollments", person.enrollment(terms_version))
    assert answer.status_code == 201, answer.text
    return person


def sign_in(api: Api, person: Person) -> str:
    answer = api.call("POST", "/v1/sessions", person.credentials())
    assert answer.status_code == 201, answer.text
    return answer.json()["token"]


def epoch_of(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def assert_not_authenticated(answer: requests.Response) -> None:
    """What the gateway answers a call without a live session (infra/template.yaml, gateway.py)."""
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body["error"]["code"] == "not_authenticated"
    assert set(body["error"]) == {"code", "message", "details"}
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert answer.headers["Cache-Control"] == "no-store"


@pytest.fixture(scope="module")
def api(portal) -> Api:
    return Api(portal)


@pytest.fixture(scope="module")
def terms_version(api) -> str:
    answer = api.call("GET", "/v1/terms")
    assert answer.status_code == 200, answer.text
    assert answer.json()["terms_of_use"] and answer.json()["consent"]
    return answer.json()["version"]


@pytest.fixture(scope="module")
def patient(api, terms_version) -> Person:
    """An enrolled patient without a second factor, shared by the refusals that need one."""
    return enrolled(api, terms_version, "shared")


# -- the journey -----------------------------------------------------------------------------------


def test_staff_invite_a_patient_who_enrolls_turns_on_totp_and_signs_in_with_it(api, terms_version):
    person = Person("journey")
    staff = staff_token(api)

    registered = api.call("POST", "/v1/staff/patients", person.registration(), staff)
    assert registered.status_code == 201, registered.text
    assert registered.json()["portal_status"] == "not_invited"
    person.patient_id = registered.json()["patient_id"]

    invited = api.call("POST", "/v1/staff/invitations", {"patient_id": person.patient_id, "email": person.email}, staff)
    assert invited.status_code == 201, invited.text
    assert set(invited.json()) == {"invitation_id", "expires_at"}
    assert abs(epoch_of(invited.json()["expires_at"]) - (time.time() + 7 * 24 * 3600)) < 120  # 7 days by default

    person.code = invitation_code(api, person.email)
    (email,) = api.emails_to(person.email, INVITATION_SUBJECT)
    for phi in (person.family_name, *person.given_names, person.mrn, person.birth_date):
        assert phi not in email["text"] and phi not in email["subject"]

    enrollment = api.call("POST", "/v1/enrollments", person.enrollment(terms_version))
    assert enrollment.status_code == 201, enrollment.text
    assert enrollment.json()["username"] == person.username
    assert enrollment.json()["email_verification_sent"] is False  # the address the invitation went to

    signed_in = api.call("POST", "/v1/sessions", person.credentials())
    assert signed_in.status_code == 201, signed_in.text
    assert signed_in.json()["idle_timeout_s"] == IDLE_SECONDS
    assert signed_in.json()["must"] is None  # the terms were accepted at enrollment
    token = signed_in.json()["token"]

    setup = api.call("POST", "/v1/me/second-factors/totp", token=token)
    assert setup.status_code == 201, setup.text
    assert setup.json()["provisioning_uri"].startswith("otpauth://totp/")
    totp = pyotp.TOTP(setup.json()["secret"])
    confirm_code = totp.now()
    confirmed = api.call(
        "POST", "/v1/me/second-factors/totp/confirm", {"code": confirm_code, "password": PASSWORD}, token
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["enabled"] is True
    recovery_codes = confirmed.json()["recovery_codes"]
    assert len(recovery_codes) == 10

    first_step = api.call("POST", "/v1/sessions", person.credentials())
    assert first_step.status_code == 201, first_step.text
    assert first_step.json()["mfa_required"] is True and "token" not in first_step.json()
    assert "totp" in first_step.json()["methods"]
    # A code is accepted once: the one used to confirm cannot sign in. The next time step's code
    # can (the server accepts one step either side of its own for clock drift), so no waiting.
    mfa_code = totp.at(time.time() + 30)
    assert mfa_code != confirm_code
    second_step = api.call(
        "POST", "/v1/sessions/mfa", {"challenge_id": first_step.json()["challenge_id"], "code": mfa_code}
    )
    assert second_step.status_code == 201, second_step.text
    token = second_step.json()["token"]

    me = api.call("GET", "/v1/me", token=token)
    assert me.status_code == 200, me.text
    assert me.headers["Cache-Control"] == "no-store"
    profile = me.json()
    assert profile["account"]["username"] == person.username
    assert profile["account"]["role"] == "patient"
    assert profile["account"]["email"] == person.email and profile["account"]["email_verified"] is True
    assert "totp" in profile["account"]["second_factors"]
    assert profile["account"]["terms"]["accepted_version"] == terms_version
    assert profile["patient"]["patient_id"] == person.patient_id
    assert profile["patient"]["family_name"] == person.family_name
    assert profile["acting_for"] == []
    assert [c["status"] for c in profile["connections"]] == ["active"]

    # The same TOTP code a second time is refused; a recovery code still completes that sign-in.
    again = api.call("POST", "/v1/sessions", person.credentials())
    assert again.json().get("mfa_required") is True, again.text
    replayed = api.call("POST", "/v1/sessions/mfa", {"challenge_id": again.json()["challenge_id"], "code": mfa_code})
    assert replayed.status_code == 401, replayed.text
    assert replayed.json()["error"]["code"] == "second_factor_failed"
    recovered = api.call(
        "POST", "/v1/sessions/mfa", {"challenge_id": again.json()["challenge_id"], "code": recovery_codes[0]}
    )
    assert recovered.status_code == 201, recovered.text
    assert api.call("GET", "/v1/me", token=recovered.json()["token"]).status_code == 200


# -- enrollment refusals ----------------------------------------------------------------------------


def test_a_wrong_birth_date_is_refused(api, terms_version):
    person = register_and_invite(api, Person("birthdate"))

    wrong = api.call("POST", "/v1/enrollments", person.enrollment(terms_version, date_of_birth="1984-03-10"))

    assert wrong.status_code == 400, wrong.text
    assert wrong.json()["error"]["code"] == "validation_failed"
    assert {"attempts_left": 4} in wrong.json()["error"]["details"]
    # It was the answer that was refused: the code still works with the right one.
    right = api.call("POST", "/v1/enrollments", person.enrollment(terms_version))
    assert right.status_code == 201, right.text


def test_a_used_code_is_refused(api, terms_version, patient):
    again = api.call(
        "POST", "/v1/enrollments", patient.enrollment(terms_version, username=f"e2e.again.{patient.suffix}")
    )

    assert again.status_code == 400, again.text
    assert again.json()["error"]["code"] == "validation_failed"
    assert [(d["field"], bool(d["issue"])) for d in again.json()["error"]["details"]] == [("invitation_code", True)]


@pytest.fixture(scope="module")
def short_invitations(tmp_path_factory) -> RunningPortal:
    """A stack of its own whose invitations expire in seconds, not days: the shared stack keeps
    the default 7 days, so nothing else races an expiry."""
    with running_portal(
        tmp_path_factory.mktemp("short-invitations"), PORTAL_INVITATION_LIFETIME_SECONDS=str(SHORT_INVITATION_SECONDS)
    ) as running:
        yield running


def test_an_expired_code_is_refused(short_invitations):
    api = Api(short_invitations)
    terms = api.call("GET", "/v1/terms").json()["version"]
    person = register_and_invite(api, Person("expiry"))
    expires_at = epoch_of(person.invitation["expires_at"])
    assert expires_at - time.time() <= SHORT_INVITATION_SECONDS

    # Before it expires the code is recognised: a wrong answer is counted against it (an unknown,
    # used or expired code would be refused as such, without attempts_left).
    if time.time() >= expires_at - 1:
        pytest.fail(f"the invitation email took longer than the {SHORT_INVITATION_SECONDS} s it was valid")
    live = api.call("POST", "/v1/enrollments", person.enrollment(terms, date_of_birth="1984-03-10"))
    assert {"attempts_left": 4} in live.json()["error"]["details"], live.text

    time.sleep(max(0.0, expires_at + 1 - time.time()))
    expired = api.call("POST", "/v1/enrollments", person.enrollment(terms))

    assert expired.status_code == 400, expired.text
    assert [(d["field"], bool(d["issue"])) for d in expired.json()["error"]["details"]] == [("invitation_code", True)]
    assert "expired" in expired.json()["error"]["message"]


# -- sign-in refusals -------------------------------------------------------------------------------


def test_five_failed_sign_ins_lock_the_account_and_email_its_owner(api, terms_version):
    person = enrolled(api, terms_version, "lockout")
    failures = [api.call("POST", "/v1/sessions", person.credentials("not my password")) for _ in range(5)]
    assert [f.status_code for f in failures] == [401] * 5
    assert failures[0].json()["error"]["code"] == "sign_in_failed"

    right_password = api.call("POST", "/v1/sessions", person.credentials())

    assert right_password.status_code == 401, right_password.text
    assert right_password.json() == failures[0].json()  # a locked account says nothing more
    emails = eventually(lambda: api.emails_to(person.email, LOCKED_SUBJECT), seconds=30)
    assert len(emails) == 1
    status = api.call("GET", f"/v1/staff/patients/{person.patient_id}", token=staff_token(api))
    assert status.status_code == 200, status.text
    assert status.json()["account"]["locked"] is True


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(api, patient):
    # (That both cost the same argon2id work is checked without a stopwatch in the unit tests:
    # test_an_unknown_user_pays_the_same_argon2_work_as_a_wrong_password.)
    nobody = {"username": f"e2e.nobody.{uuid.uuid4().hex[:8]}", "password": PASSWORD}
    unknown = api.call("POST", "/v1/sessions", nobody)
    wrong = api.call("POST", "/v1/sessions", patient.credentials("not my password"))

    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.json()["error"]["code"] == "sign_in_failed"
    per_request = {"Date", "X-Correlation-Id"}
    assert {k: v for k, v in unknown.headers.items() if k not in per_request} == {
        k: v for k, v in wrong.headers.items() if k not in per_request
    }


# -- sessions -----------------------------------------------------------------------------------------


def test_without_a_session_the_answer_is_not_authenticated(api):
    assert_not_authenticated(api.call("GET", "/v1/me"))
    assert_not_authenticated(api.call("GET", "/v1/me", token=UNKNOWN_TOKEN))
    assert_not_authenticated(api.call("GET", "/v1/me", token="not-a-token"))


def test_signing_out_revokes_the_session(api, patient):
    token = sign_in(api, patient)
    assert api.call("GET", "/v1/me", token=token).status_code == 200

    signed_out = api.call("DELETE", "/v1/sessions/current", token=token)

    assert signed_out.status_code == 204, signed_out.text
    assert_not_authenticated(api.call("GET", "/v1/me", token=token))
    assert_not_authenticated(api.call("DELETE", "/v1/sessions/current", token=token))


def test_an_idle_session_expires(api, patient):
    token = sign_in(api, patient)
    # Calls keep it alive past the idle timeout counted from sign-in ...
    for _ in range(2):
        time.sleep(IDLE_SECONDS * 2 / 3)
        assert api.call("GET", "/v1/me", token=token).status_code == 200
    # ... and no call for longer than the timeout ends it.
    time.sleep(IDLE_SECONDS + 1)

    assert_not_authenticated(api.call("GET", "/v1/me", token=token))


def test_a_patient_cannot_call_staff_routes(api, patient):
    token = sign_in(api, patient)
    refusals = [
        api.call("POST", "/v1/staff/patients", Person("intruder").registration(), token),
        api.call("GET", f"/v1/staff/patients/{patient.patient_id}", token=token),
        api.call("POST", "/v1/staff/invitations", {"patient_id": patient.patient_id, "email": patient.email}, token),
    ]

    for refused in refusals:
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "forbidden"
    assert api.call("GET", "/v1/me", token=token).status_code == 200  # the session itself is fine
