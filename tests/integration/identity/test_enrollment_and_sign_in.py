"""The front door, through the API: staff register and invite a patient, the patient enrolls
with the emailed code, signs in, and the refusals hold."""

from __future__ import annotations

from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, enrollment, register_and_invite, sign_in


def test_a_patient_enrolls_with_the_emailed_code_and_reads_their_profile(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)

    enrolled = call(seeded, "POST", "/v1/enrollments", enrollment(invited))
    assert enrolled.status_code == 201, enrolled.json_body
    token = sign_in(seeded, "Ana.Nunez", "correct horse battery")
    me = call(seeded, "GET", "/v1/me", token=token)

    assert me.status_code == 200, me.json_body
    assert me.json_body["account"]["username"] == "ana.nunez"
    assert me.json_body["account"]["email_verified"] is True
    assert me.json_body["patient"]["patient_id"] == invited.patient_id
    assert me.json_body["acting_for"] == []
    assert [c["status"] for c in me.json_body["connections"]] == ["active"]
    assert me.headers["Cache-Control"] == "no-store"


def test_a_wrong_birth_date_is_refused_and_the_fifth_burns_the_code(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    for attempt in range(4):
        wrong = call(seeded, "POST", "/v1/enrollments", enrollment(invited, date_of_birth="1984-03-10"))
        assert wrong.status_code == 400 and wrong.json_body["error"]["details"][-1] == {"attempts_left": 4 - attempt}
    burned = call(seeded, "POST", "/v1/enrollments", enrollment(invited, date_of_birth="1984-03-10"))
    assert "no longer works" in burned.json_body["error"]["message"]

    right_too_late = call(seeded, "POST", "/v1/enrollments", enrollment(invited))
    assert right_too_late.status_code == 400
    assert [(d["field"], bool(d["issue"])) for d in right_too_late.json_body["error"]["details"]] == [
        ("invitation_code", True)
    ]


def test_a_code_works_once(enrolled, seeded):
    again = call(seeded, "POST", "/v1/enrollments", enrollment(enrolled, username="someone.else"))
    assert again.status_code == 400
    assert [(d["field"], bool(d["issue"])) for d in again.json_body["error"]["details"]] == [("invitation_code", True)]


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(enrolled, seeded):
    unknown = call(seeded, "POST", "/v1/sessions", {"username": "nobody.here", "password": "whatever123"})
    wrong = call(seeded, "POST", "/v1/sessions", {"username": "ana.nunez", "password": "whatever123"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json_body == wrong.json_body


def test_five_failures_lock_the_account_and_email_its_owner(enrolled, seeded):
    for _ in range(5):
        call(seeded, "POST", "/v1/sessions", {"username": "ana.nunez", "password": "not my password"})
    locked = call(seeded, "POST", "/v1/sessions", {"username": "ana.nunez", "password": "correct horse battery"})
    assert locked.status_code == 401
    emails = deliver_notifications(seeded)
    assert any(
        e.subject.lower().count("locked") or "paused" in e.body
        for e in emails
        if e.destinations["ToAddresses"] == [enrolled.email]
    )


def test_signing_out_ends_the_session(enrolled, seeded):
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    assert call(seeded, "DELETE", "/v1/sessions/current", token=token).status_code == 204
    after = call(seeded, "GET", "/v1/me", token=token)
    assert after.status_code == 401
    assert after.json_body["error"]["code"] == "not_authenticated"


def test_a_patient_cannot_call_a_staff_route(enrolled, seeded):
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    refused = call(
        seeded, "POST", "/v1/staff/patients", {"mrn": "X1", "family_name": "X", "birth_date": "1990-01-01"}, token
    )
    assert refused.status_code == 403


def test_no_session_no_entry(seeded):
    assert call(seeded, "GET", "/v1/me").status_code == 401
    assert call(seeded, "GET", "/v1/me", token="0123456789abcdef" + "A" * 43).status_code == 401
