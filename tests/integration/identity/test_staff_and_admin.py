"""Staff and admins through the API: registering patients, their portal status, invitations,
portal access (suspend, reinstate, unlock, terminate), staff accounts, and the rule that nothing
of another organization is reachable (it answers 404, as an unknown record does)."""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta, timezone

import boto3

from chalicelib import wiring
from chalicelib.accounts import service as accounts
from chalicelib.accounts.domain import Role
from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    PATIENT,
    STAFF_PASSWORD,
    STAFF_USER,
    Invited,
    call,
    enrollment,
    register_and_invite,
    sign_in,
)

BASE_URL = "https://portal.test"  # PublicBaseUrl of the integration stack
OTHER_ORG, OTHER_AUTHORITY = "saratoga-hospital", "SH-MRN"
OTHER_STAFF, OTHER_PASSWORD = "saratoga.staff", "saratoga-desk-password"
PATIENT_USER, PATIENT_PASSWORD = "ana.nunez", "correct horse battery"
UNKNOWN_ID = "0" * 32


def other_organization_staff(api, monkeypatch) -> str:
    """A second organization with its own staff account (exempt from the second factor, as the
    seeded ones are on the local stage); returns that staff member's session token."""
    directory = wiring.container().directory
    accounts.ensure_organization(
        directory, OTHER_ORG, "Saratoga Hospital", mrn_authority=OTHER_AUTHORITY, now=wiring.container().clock.now()
    )
    accounts.create_staff_account(
        directory,
        organization_id=OTHER_ORG,
        username=OTHER_STAFF,
        password=OTHER_PASSWORD,
        role=Role.STAFF,
        email=f"{OTHER_STAFF}@saratoga.example",
        now=wiring.container().clock.now(),
    )
    exempt = os.environ.get("PORTAL_SECOND_FACTOR_EXEMPT_USERS", "")
    monkeypatch.setenv("PORTAL_SECOND_FACTOR_EXEMPT_USERS", f"{exempt},{OTHER_STAFF}")
    wiring.reset()
    wiring.settings()  # read now: during a call the test client restores the stage's own list
    return sign_in(api, OTHER_STAFF, OTHER_PASSWORD)


def audit_events(patient_id: str) -> list:
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    return events


def emails_to(api, address: str) -> list:
    return [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [address]]


def status_of(api, staff_token: str, patient_id: str) -> dict:
    answer = call(api, "GET", f"/v1/staff/patients/{patient_id}", token=staff_token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def invitations_of(api, staff_token: str, patient_id: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/staff/invitations?patient_id={patient_id}", token=staff_token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["invitations"]


def enroll(api, code_holder, **overrides):
    return call(api, "POST", "/v1/enrollments", enrollment(code_holder, **overrides))


def fields_of(answer) -> set[str]:
    return {d["field"] for d in answer.json_body["error"]["details"] if "field" in d}


# -- registering patients -------------------------------------------------------------------------


def test_staff_register_a_patient_by_mrn_or_by_identifiers_and_an_identifier_is_never_taken_twice(seeded, staff_token):
    by_mrn = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token)
    assert by_mrn.status_code == 201, by_mrn.json_body
    assert by_mrn.json_body["portal_status"] == "not_invited"
    assert re.fullmatch(r"[0-9a-f]{32}", by_mrn.json_body["patient_id"])

    by_identifiers = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {
            "identifiers": [{"authority": "AMC-MRN", "value": "MRN-2002", "type": "MR"}],
            "family_name": "Okafor",
            "birth_date": "1990-11-30",
        },
        staff_token,
    )
    assert by_identifiers.status_code == 201, by_identifiers.json_body

    again = call(seeded, "POST", "/v1/staff/patients", {**PATIENT, "family_name": "Other"}, staff_token)
    assert again.status_code == 409
    assert again.json_body["error"]["code"] == "conflict"
    # The MRN given as an identifier of the organization's authority is the same identifier.
    same_as_identifier = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {
            "identifiers": [{"authority": "AMC-MRN", "value": "MRN-1001"}],
            "family_name": "X",
            "birth_date": "1990-01-01",
        },
        staff_token,
    )
    assert same_as_identifier.status_code == 409
    # The same value from another assigning authority is another identifier.
    other_authority = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {
            "identifiers": [{"authority": "NYS-LAB", "value": "MRN-1001"}],
            "family_name": "Núñez",
            "birth_date": "1984-03-09",
        },
        staff_token,
    )
    assert other_authority.status_code == 201

    found = call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "MRN-1001"}, staff_token)
    [only] = found.json_body["patients"]
    assert only["patient"]["patient_id"] == by_mrn.json_body["patient_id"]
    assert only["patient"]["family_name"] == "Núñez"  # the first registration, unchanged


def test_a_registration_with_missing_wrong_or_unexpected_fields_is_refused_naming_them(seeded, staff_token):
    missing = call(seeded, "POST", "/v1/staff/patients", {"mrn": "MRN-3003"}, staff_token)
    assert missing.status_code == 400
    assert missing.json_body["error"]["code"] == "validation_failed"
    assert fields_of(missing) == {"family_name", "birth_date"}

    tomorrow = (datetime.now(timezone.utc) + timedelta(days=2)).date().isoformat()
    future = call(seeded, "POST", "/v1/staff/patients", {**PATIENT, "birth_date": tomorrow}, staff_token)
    assert future.status_code == 400
    assert fields_of(future) == {"birth_date"}

    unexpected = call(
        seeded, "POST", "/v1/staff/patients", {**PATIENT, "ssn": "123-45-6789", "notes": "x"}, staff_token
    )
    assert unexpected.status_code == 400
    assert fields_of(unexpected) == {"ssn", "notes"}
    assert "123-45-6789" not in str(unexpected.json_body)

    no_identifier = call(
        seeded, "POST", "/v1/staff/patients", {"family_name": "Núñez", "birth_date": "1984-03-09"}, staff_token
    )
    assert no_identifier.status_code == 400

    # Nothing was registered by any of them.
    for mrn in ("MRN-3003", "MRN-1001"):
        assert call(seeded, "POST", "/v1/staff/patients/search", {"mrn": mrn}, staff_token).json_body["patients"] == []


def test_staff_follow_a_patient_from_not_invited_to_invited_to_active(seeded, staff_token):
    registered = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body
    patient_id = registered["patient_id"]

    found = call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "MRN-1001"}, staff_token)
    assert found.status_code == 200, found.json_body
    assert found.headers["Cache-Control"] == "no-store"
    assert found.json_body["patients"][0]["portal_status"] == "not_invited"
    before = status_of(seeded, staff_token, patient_id)
    assert before["account"] is None and before["invitations"] == []
    assert before["patient"]["identifiers"] == [{"authority": "AMC-MRN", "value": "MRN-1001", "type": "MR"}]
    assert before["patient"]["birth_date"] == "1984-03-09"

    invited = call(
        seeded, "POST", "/v1/staff/invitations", {"mrn": "MRN-1001", "email": "ana@example.org"}, staff_token
    )
    assert invited.status_code == 201, invited.json_body
    code = link_in(emails_to(seeded, "ana@example.org")[-1], "/enroll?code=")
    waiting = status_of(seeded, staff_token, patient_id)
    assert waiting["portal_status"] == "invited"
    assert [(i["invitation_id"], i["status"]) for i in waiting["invitations"]] == [
        (invited.json_body["invitation_id"], "pending")
    ]

    enrolled = enroll(seeded, Invited(patient_id, invited.json_body["invitation_id"], code, "ana@example.org"))
    assert enrolled.status_code == 201, enrolled.json_body
    active = status_of(seeded, staff_token, patient_id)
    assert active["portal_status"] == "active"
    assert active["account"] == {
        "username": PATIENT_USER,
        "status": "active",
        "locked": False,
        "email_verified": True,
        "second_factors": [],
        "closed_reason": None,
    }
    assert [i["status"] for i in active["invitations"]] == ["used"]
    # Each look at the record is in the patient's audit trail.
    reads = [e for e in audit_events(patient_id) if e.event_type == "patient.portal_status.read"]
    assert len(reads) == 3


def test_another_organizations_staff_reach_none_of_its_patients_or_invitations(seeded, staff_token, monkeypatch):
    invited = register_and_invite(seeded, staff_token)
    other = other_organization_staff(seeded, monkeypatch)
    patient_id, invitation_id = invited.patient_id, invited.invitation_id

    refused = {
        "patient by id": call(seeded, "GET", f"/v1/staff/patients/{patient_id}", token=other),
        "invite by id": call(
            seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": "someone@example.org"}, other
        ),
        "invite by mrn": call(
            seeded, "POST", "/v1/staff/invitations", {"mrn": "MRN-1001", "email": "someone@example.org"}, other
        ),
        "list invitations": call(seeded, "GET", f"/v1/staff/invitations?patient_id={patient_id}", token=other),
        "resend": call(seeded, "POST", f"/v1/staff/invitations/{invitation_id}/resend", token=other),
        "revoke": call(seeded, "DELETE", f"/v1/staff/invitations/{invitation_id}", token=other),
        "portal access": call(
            seeded, "POST", f"/v1/staff/patients/{patient_id}/portal-access", {"action": "suspend"}, other
        ),
    }
    # A search finds none of them, by number or by name and birth date.
    for body in ({"mrn": "MRN-1001"}, {"family_name": "Núñez", "birth_date": "1984-03-09"}):
        assert call(seeded, "POST", "/v1/staff/patients/search", body, other).json_body["patients"] == []
    unknown = call(seeded, "GET", f"/v1/staff/patients/{UNKNOWN_ID}", token=other)
    for what, answer in refused.items():
        assert answer.status_code == 404, (what, answer.json_body)
        assert answer.json_body["error"]["code"] == unknown.json_body["error"]["code"] == "not_found", what
        assert "Núñez" not in str(answer.json_body), what

    # The other organization's own patient with the same MRN value is its own (another authority).
    own = call(seeded, "POST", "/v1/staff/patients", {**PATIENT, "family_name": "Smith"}, other)
    assert own.status_code == 201
    assert (
        call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "MRN-1001"}, other).json_body["patients"][0][
            "patient"
        ]["family_name"]
        == "Smith"
    )
    # Nothing the other organization tried changed anything: the code is still pending and works.
    assert [i["status"] for i in invitations_of(seeded, staff_token, patient_id)] == ["pending"]
    assert enroll(seeded, invited).status_code == 201
    assert emails_to(seeded, "someone@example.org") == []


# -- invitations ----------------------------------------------------------------------------------


def test_an_invitation_lasts_seven_days_and_its_email_carries_a_link_but_no_phi(seeded, staff_token):
    registered = call(
        seeded, "POST", "/v1/staff/patients", {**PATIENT, "email": "ana.record@example.org"}, staff_token
    ).json_body
    started = datetime.now(timezone.utc)
    invited = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": registered["patient_id"], "email": "ana@example.org"},
        staff_token,
    )

    assert invited.status_code == 201, invited.json_body
    assert set(invited.json_body) == {"invitation_id", "expires_at"}
    expires = datetime.strptime(invited.json_body["expires_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(expires - (started + timedelta(days=7))) < timedelta(minutes=1)

    [email] = emails_to(seeded, "ana@example.org")
    code = link_in(email, "/enroll?code=")
    assert f"{BASE_URL}/enroll?code={code}" in email.body
    assert len(code) >= 32  # well over 128 bits of randomness
    text = f"{email.subject}\n{email.body}".replace(code, "<code>")
    for phi in ("Núñez", "Nunez", "NUNEZ", "MRN-1001", "1984", "03/09", "09/03", "ana.record"):
        assert phi.lower() not in text.lower(), phi
    assert not re.search(r"\bAna\b", text, re.IGNORECASE)

    listed = invitations_of(seeded, staff_token, registered["patient_id"])
    assert [(i["invitation_id"], i["status"], i["email"], i["expires_at"], i["failed_attempts"]) for i in listed] == [
        (invited.json_body["invitation_id"], "pending", "ana@example.org", invited.json_body["expires_at"], 0)
    ]


def test_a_new_invitation_replaces_the_earlier_code(seeded, staff_token):
    first = register_and_invite(seeded, staff_token)
    second = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": first.patient_id, "email": "ana.new@example.org"},
        staff_token,
    )
    assert second.status_code == 201
    new_code = link_in(emails_to(seeded, "ana.new@example.org")[-1], "/enroll?code=")

    old = enroll(seeded, first)
    assert old.status_code == 400
    assert fields_of(old) == {"invitation_code"}
    statuses = {i["invitation_id"]: i["status"] for i in invitations_of(seeded, staff_token, first.patient_id)}
    assert statuses == {first.invitation_id: "revoked", second.json_body["invitation_id"]: "pending"}

    new = enroll(seeded, first, invitation_code=new_code, email="ana.new@example.org")
    assert new.status_code == 201, new.json_body


def test_a_resent_invitation_replaces_the_earlier_code(seeded, staff_token):
    first = register_and_invite(seeded, staff_token)
    resent = call(seeded, "POST", f"/v1/staff/invitations/{first.invitation_id}/resend", token=staff_token)
    assert resent.status_code == 201, resent.json_body
    assert set(resent.json_body) == {"invitation_id", "expires_at"}
    assert resent.json_body["invitation_id"] != first.invitation_id
    emails = emails_to(seeded, first.email)
    assert len(emails) == 2  # to the address of the first invitation
    new_code = link_in(emails[-1], "/enroll?code=")
    assert new_code != first.code

    assert enroll(seeded, first).status_code == 400
    assert enroll(seeded, first, invitation_code=new_code).status_code == 201


def test_a_revoked_invitation_no_longer_enrolls(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    revoked = call(seeded, "DELETE", f"/v1/staff/invitations/{invited.invitation_id}", token=staff_token)
    assert revoked.status_code == 204

    refused = enroll(seeded, invited)
    assert refused.status_code == 400
    assert fields_of(refused) == {"invitation_code"}
    assert [i["status"] for i in invitations_of(seeded, staff_token, invited.patient_id)] == ["revoked"]
    twice = call(seeded, "DELETE", f"/v1/staff/invitations/{invited.invitation_id}", token=staff_token)
    assert twice.status_code == 409
    assert call(seeded, "DELETE", "/v1/staff/invitations/0123456789abcdef", token=staff_token).status_code == 404
    assert any(e.event_type == "invitation.revoked" for e in audit_events(invited.patient_id))


def test_an_expired_invitation_no_longer_enrolls_and_is_listed_as_expired(seeded, staff_token):
    from chalicelib.kernel.clock import PinnedClock

    invited = register_and_invite(seeded, staff_token)
    wiring.pin_clock(PinnedClock(datetime.now(timezone.utc) + timedelta(days=8)))
    # Eight days on, staff sign in again (their earlier session ended long ago).
    staff_token = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)

    refused = enroll(seeded, invited)
    assert refused.status_code == 400
    assert fields_of(refused) == {"invitation_code"}
    assert [i["status"] for i in invitations_of(seeded, staff_token, invited.patient_id)] == ["expired"]
    assert [i["status"] for i in status_of(seeded, staff_token, invited.patient_id)["invitations"]] == ["expired"]


def test_an_enrolled_patient_cannot_be_invited_again(enrolled, seeded, staff_token):
    again = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": enrolled.patient_id, "email": "ana@example.org"},
        staff_token,
    )
    assert again.status_code == 409
    resent = call(seeded, "POST", f"/v1/staff/invitations/{enrolled.invitation_id}/resend", token=staff_token)
    assert resent.status_code == 409


def test_no_invitation_code_is_stored_in_clear(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    verifier = invited.code[16:]  # the secret part (the first 16 characters select the record)

    dynamodb = boto3.client("dynamodb")
    stored = []
    for table in dynamodb.list_tables()["TableNames"]:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            stored.extend((table, item) for item in page["Items"])
    key = f"invitation#{invited.invitation_id}"
    invitation = [item for _, item in stored if item.get("pk", {}).get("S") == key]
    assert len(invitation) == 1 and invitation[0]["secret_hash"]["S"] != verifier
    for table, item in stored:
        assert verifier not in str(item), table


# -- portal access --------------------------------------------------------------------------------


def test_suspending_ends_the_patients_sessions_at_once_and_reinstating_lets_them_back(enrolled, seeded, staff_token):
    patient_token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    assert call(seeded, "GET", "/v1/me", token=patient_token).status_code == 200
    deliver_notifications(seeded)

    suspended = call(
        seeded,
        "POST",
        f"/v1/staff/patients/{enrolled.patient_id}/portal-access",
        {"action": "suspend", "reason": "patient_request"},
        staff_token,
    )
    assert suspended.status_code == 200, suspended.json_body
    assert suspended.json_body == {"portal_status": "suspended", "account_status": "suspended", "sessions_ended": 1}

    assert call(seeded, "GET", "/v1/me", token=patient_token).status_code == 401
    email = emails_to(seeded, enrolled.email)[-1]
    assert "paused" in email.subject
    assert "Núñez" not in email.body and "Nunez" not in email.body and "1984" not in email.body
    refused = call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD})
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "account_suspended"
    seen = status_of(seeded, staff_token, enrolled.patient_id)
    assert (seen["portal_status"], seen["account"]["status"]) == ("suspended", "suspended")
    # A suspended patient is not invited anew: they are reinstated.
    assert (
        call(
            seeded,
            "POST",
            "/v1/staff/invitations",
            {"patient_id": enrolled.patient_id, "email": enrolled.email},
            staff_token,
        ).status_code
        == 409
    )

    reinstated = call(
        seeded, "POST", f"/v1/staff/patients/{enrolled.patient_id}/portal-access", {"action": "reinstate"}, staff_token
    )
    assert reinstated.status_code == 200
    assert reinstated.json_body["portal_status"] == "active"
    sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)

    trail = [
        (e.event_type, e.reason, e.actor.role)
        for e in audit_events(enrolled.patient_id)
        if e.event_type.startswith("portal_access.")
    ]
    assert ("portal_access.suspend", "patient_request", "staff") in trail
    assert ("portal_access.reinstate", "", "staff") in trail


def test_unlocking_lifts_a_lockout(enrolled, seeded, staff_token):
    for _ in range(5):
        call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": "not my password"})
    assert (
        call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD}).status_code
        == 401
    )
    assert status_of(seeded, staff_token, enrolled.patient_id)["account"]["locked"] is True

    unlocked = call(
        seeded,
        "POST",
        f"/v1/staff/patients/{enrolled.patient_id}/portal-access",
        {"action": "unlock", "reason": "identity_verified"},
        staff_token,
    )
    assert unlocked.status_code == 200, unlocked.json_body
    assert unlocked.json_body["portal_status"] == "active"
    assert status_of(seeded, staff_token, enrolled.patient_id)["account"]["locked"] is False
    sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    assert any(
        e.event_type == "portal_access.unlock" and e.reason == "identity_verified"
        for e in audit_events(enrolled.patient_id)
    )


def test_terminating_ends_portal_access_for_good(enrolled, seeded, staff_token):
    patient_token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    deliver_notifications(seeded)

    ended = call(
        seeded,
        "POST",
        f"/v1/staff/patients/{enrolled.patient_id}/portal-access",
        {"action": "terminate", "reason": "deceased"},
        staff_token,
    )
    assert ended.status_code == 200, ended.json_body
    assert ended.json_body == {"portal_status": "terminated", "account_status": "terminated", "sessions_ended": 1}
    assert call(seeded, "GET", "/v1/me", token=patient_token).status_code == 401
    email = emails_to(seeded, enrolled.email)[-1]
    assert "ended" in email.subject

    refused = call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD})
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "account_terminated"
    for action in ("reinstate", "unlock", "suspend"):
        answer = call(
            seeded, "POST", f"/v1/staff/patients/{enrolled.patient_id}/portal-access", {"action": action}, staff_token
        )
        assert answer.status_code == 409, action
    assert (
        call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD}).status_code
        == 403
    )
    assert ("portal_access.terminate", "deceased") in [
        (e.event_type, e.reason) for e in audit_events(enrolled.patient_id)
    ]


def test_a_portal_access_change_takes_only_a_known_action_and_a_short_reason_code(enrolled, seeded, staff_token):
    path = f"/v1/staff/patients/{enrolled.patient_id}/portal-access"
    free_text = call(
        seeded, "POST", path, {"action": "suspend", "reason": "Patient said her ex-husband knows it"}, staff_token
    )
    assert free_text.status_code == 400
    assert fields_of(free_text) == {"reason"}
    assert "husband" not in str(free_text.json_body)
    assert call(seeded, "POST", path, {"action": "delete"}, staff_token).status_code == 400
    assert call(seeded, "POST", path, {"action": "suspend", "note": "x"}, staff_token).status_code == 400
    assert (
        call(
            seeded, "POST", f"/v1/staff/patients/{UNKNOWN_ID}/portal-access", {"action": "suspend"}, staff_token
        ).status_code
        == 404
    )

    # None of them changed anything.
    assert status_of(seeded, staff_token, enrolled.patient_id)["portal_status"] == "active"
    assert not [e for e in audit_events(enrolled.patient_id) if e.event_type.startswith("portal_access.")]


def test_a_patient_without_an_account_has_no_portal_access_to_change(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    answer = call(
        seeded, "POST", f"/v1/staff/patients/{invited.patient_id}/portal-access", {"action": "suspend"}, staff_token
    )
    assert answer.status_code == 409


# -- admins and staff accounts --------------------------------------------------------------------


def create_staff(api, admin: str, address: str, role: str = "staff") -> str:
    """An admin creates a staff account for ``address``; returns the token of its set-up link."""
    created = call(api, "POST", "/v1/admin/staff", {"email": address, "role": role}, admin)
    assert created.status_code == 201, created.json_body
    return link_in(emails_to(api, address)[-1], "/account-setup?token=")


def set_up(api, token: str, username: str, password: str = "my own long passphrase"):
    return call(api, "POST", "/v1/account/setup", {"token": token, "username": username, "password": password})


def test_an_admin_creates_a_staff_account_whose_owner_chooses_a_user_name_and_password_by_the_link(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    address = "new.colleague@albany-medical-center.example"
    created = call(seeded, "POST", "/v1/admin/staff", {"email": address, "role": "staff"}, admin)
    assert created.status_code == 201, created.json_body
    assert {k: v for k, v in created.json_body.items() if k != "account_id"} == {
        "username": None,  # the colleague chooses it
        "role": "staff",
        "status": "active",
    }

    [email] = emails_to(seeded, address)
    token = link_in(email, "/account-setup?token=")
    assert f"{BASE_URL}/account-setup?token={token}" in email.body
    # Until it is set up the account has no user name: a reminder to its address names none.
    assert call(seeded, "POST", "/v1/account/username-reminders", {"email": address}).status_code == 202
    assert emails_to(seeded, address) == [email]

    done = set_up(seeded, token, "New.Colleague")
    assert done.status_code == 200, done.json_body
    assert done.json_body == {"username": "new.colleague"}
    again = set_up(seeded, token, "another.name", "another long passphrase")
    assert again.status_code == 400  # the link works once
    assert wiring.container().directory.account_by_username("another.name") is None

    # Not exempt from the second factor: the new colleague must set one up before anything else.
    signed_in = call(
        seeded, "POST", "/v1/sessions", {"username": "new.colleague", "password": "my own long passphrase"}
    )
    assert signed_in.status_code == 201, signed_in.json_body
    assert signed_in.json_body["must"] == "second_factor_setup"
    restricted = call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "MRN-1001"}, signed_in.json_body["token"])
    assert restricted.status_code == 403
    assert restricted.json_body["error"]["code"] == "second_factor_setup_required"

    directory = wiring.container().directory
    trail, _ = wiring.container().audit_log.by_actor(directory.account_by_username(ADMIN_USER).account_id, 50)
    assert any(
        e.event_type == "staff_account.created" and e.resource_id == created.json_body["account_id"] for e in trail
    )
    own, _ = wiring.container().audit_log.by_actor(created.json_body["account_id"], 50)
    assert "account.account_setup_completed" in [e.event_type for e in own]


def test_a_staff_account_takes_only_an_address_and_a_workforce_role(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    # The admin does not choose user names, so no answer here can say which names exist.
    named = call(
        seeded, "POST", "/v1/admin/staff", {"username": "some.one", "email": "x@example.org", "role": "staff"}, admin
    )
    assert named.status_code == 400 and fields_of(named) == {"username"}
    patient_role = call(seeded, "POST", "/v1/admin/staff", {"email": "x@example.org", "role": "patient"}, admin)
    assert patient_role.status_code == 400 and fields_of(patient_role) == {"role"}
    extra = call(
        seeded,
        "POST",
        "/v1/admin/staff",
        {"email": "x@example.org", "role": "admin", "organization_id": "saratoga-hospital"},
        admin,
    )
    assert extra.status_code == 400 and fields_of(extra) == {"organization_id"}
    missing = call(seeded, "POST", "/v1/admin/staff", {}, admin)
    assert missing.status_code == 400 and fields_of(missing) == {"email", "role"}
    assert emails_to(seeded, "x@example.org") == []


def test_a_name_held_anywhere_is_refused_at_set_up_without_saying_whose(enrolled, seeded, monkeypatch):
    # GIVEN names held by a colleague of the same organization, by a patient, and by another
    # organization's staff, and a new colleague with a set-up link
    other_organization_staff(seeded, monkeypatch)
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    address = "new.colleague@albany-medical-center.example"
    token = create_staff(seeded, admin, address)

    # WHEN the colleague asks for each of them
    answers = [set_up(seeded, token, name) for name in (STAFF_USER, PATIENT_USER, OTHER_STAFF.upper())]

    # THEN each gets the same answer, which names no account, organization or role
    assert [a.status_code for a in answers] == [409, 409, 409]
    assert answers[0].json_body == answers[1].json_body == answers[2].json_body
    assert answers[0].json_body["error"] == {
        "code": "conflict",
        "message": "That user name is taken.",
        "details": [{"field": "username"}],
    }
    # AND each refusal is in the trail, without the name asked for
    [account_id] = accounts_with_address(address)
    trail, _ = wiring.container().audit_log.by_actor(account_id, 50)
    refusals = [e for e in trail if e.event_type == "account.account_setup"]
    assert [(e.outcome.value, e.reason) for e in refusals] == [("failure", "username_unavailable")] * 3
    assert OTHER_STAFF not in repr(refusals) and PATIENT_USER not in repr(refusals)
    # AND the link still works with a free name; nothing held was touched
    assert set_up(seeded, token, "new.colleague").status_code == 200
    assert wiring.container().directory.account_by_username(PATIENT_USER).role is Role.PATIENT
    assert sign_in(seeded, OTHER_STAFF, OTHER_PASSWORD)


def accounts_with_address(address: str) -> list[str]:
    return [a.account_id for a in wiring.container().directory.accounts_by_verified_email(address)]


def test_a_set_up_link_stops_working_after_ten_taken_names(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    address = "curious.colleague@albany-medical-center.example"
    token = create_staff(seeded, admin, address)

    refusals = [set_up(seeded, token, STAFF_USER).status_code for _ in range(9)]
    tenth = set_up(seeded, token, STAFF_USER)

    assert refusals == [409] * 9
    assert tenth.status_code == 400 and fields_of(tenth) == {"token"}
    assert "no longer works" in tenth.json_body["error"]["message"]
    free = set_up(seeded, token, "curious.colleague")
    assert free.status_code == 400 and fields_of(free) == {"token"}
    # AND a reset by email sends a new set-up link, which works
    assert call(seeded, "POST", "/v1/account/password-resets", {"email": address}).status_code == 202
    fresh = link_in(emails_to(seeded, address)[-1], "/account-setup?token=")
    assert set_up(seeded, fresh, "curious.colleague").status_code == 200


def test_set_up_attempts_are_throttled_per_address(seeded, clock, monkeypatch):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    token = create_staff(seeded, admin, "quick.colleague@albany-medical-center.example")
    monkeypatch.setenv("PORTAL_ATTEMPTS_PER_ADDRESS", "3")
    wiring.reset()

    answers = [set_up(seeded, token, STAFF_USER).status_code for _ in range(4)]

    assert answers == [409, 409, 409, 429]


def test_an_expired_set_up_link_is_replaced_through_a_reset_by_email(seeded, clock):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    address = "late.colleague@albany-medical-center.example"
    token = create_staff(seeded, admin, address)

    # GIVEN the link was not followed within its 72 hours
    clock.advance(hours=72, seconds=1)
    late = set_up(seeded, token, "late.colleague")
    assert late.status_code == 400 and fields_of(late) == {"token"}

    # WHEN the colleague asks for a password reset with their address (they have no user name yet)
    assert call(seeded, "POST", "/v1/account/password-resets", {"email": address}).status_code == 202

    # THEN a new set-up link comes (not a reset link: the password alone would leave no name)
    email = emails_to(seeded, address)[-1]
    fresh = link_in(email, "/account-setup?token=")
    as_reset = call(
        seeded, "POST", "/v1/account/password-resets/confirm", {"token": fresh, "new_password": "a password alone"}
    )
    assert as_reset.status_code == 400 and fields_of(as_reset) == {"token"}
    assert "/v1/account/setup" in as_reset.json_body["error"]["message"]
    assert set_up(seeded, fresh, "late.colleague").status_code == 200
    assert sign_in(seeded, "late.colleague", "my own long passphrase")


def test_staff_cannot_use_the_admin_routes(seeded, staff_token):
    staff_id = wiring.container().directory.account_by_username(STAFF_USER).account_id
    create = call(
        seeded,
        "POST",
        "/v1/admin/staff",
        {"username": "sneaky.one", "email": "s@example.org", "role": "admin"},
        staff_token,
    )
    status = call(seeded, "PUT", f"/v1/admin/staff/{staff_id}/status", {"status": "active"}, staff_token)
    assert create.status_code == status.status_code == 403
    assert create.json_body["error"]["code"] == "forbidden"
    assert wiring.container().directory.account_by_username("sneaky.one") is None


def test_suspending_a_staff_account_ends_its_sessions_at_once(seeded, staff_token):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    staff_id = wiring.container().directory.account_by_username(STAFF_USER).account_id
    assert call(seeded, "GET", f"/v1/staff/patients/{UNKNOWN_ID}", token=staff_token).status_code == 404

    suspended = call(seeded, "PUT", f"/v1/admin/staff/{staff_id}/status", {"status": "suspended"}, admin)
    assert suspended.status_code == 200, suspended.json_body
    assert suspended.json_body == {"account_id": staff_id, "status": "suspended", "sessions_ended": 1}
    assert call(seeded, "GET", f"/v1/staff/patients/{UNKNOWN_ID}", token=staff_token).status_code == 401
    refused = call(seeded, "POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD})
    assert refused.status_code == 403 and refused.json_body["error"]["code"] == "account_suspended"

    active = call(seeded, "PUT", f"/v1/admin/staff/{staff_id}/status", {"status": "active"}, admin)
    assert active.status_code == 200 and active.json_body["status"] == "active"
    sign_in(seeded, STAFF_USER, STAFF_PASSWORD)


def test_an_admin_cannot_suspend_themselves_nor_an_account_that_is_not_their_staff(enrolled, seeded, monkeypatch):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    directory = wiring.container().directory
    admin_id = directory.account_by_username(ADMIN_USER).account_id

    myself = call(seeded, "PUT", f"/v1/admin/staff/{admin_id}/status", {"status": "suspended"}, admin)
    assert myself.status_code == 409
    assert call(seeded, "GET", "/v1/me", token=admin).status_code == 200

    assert (
        call(seeded, "PUT", f"/v1/admin/staff/{UNKNOWN_ID}/status", {"status": "suspended"}, admin).status_code == 404
    )
    assert call(seeded, "PUT", "/v1/admin/staff/not-an-id/status", {"status": "suspended"}, admin).status_code == 404
    patient_id = directory.account_by_username(PATIENT_USER).account_id
    assert (
        call(seeded, "PUT", f"/v1/admin/staff/{patient_id}/status", {"status": "suspended"}, admin).status_code == 404
    )
    other_organization_staff(seeded, monkeypatch)
    directory = wiring.container().directory
    other_id = directory.account_by_username(OTHER_STAFF).account_id
    assert call(seeded, "PUT", f"/v1/admin/staff/{other_id}/status", {"status": "suspended"}, admin).status_code == 404
    assert wiring.container().directory.account(other_id).status.value == "active"
    staff_id = directory.account_by_username(STAFF_USER).account_id
    bad = call(seeded, "PUT", f"/v1/admin/staff/{staff_id}/status", {"status": "terminated"}, admin)
    assert bad.status_code == 400 and fields_of(bad) == {"status"}


def test_a_lookup_without_a_patient_says_what_is_missing(seeded, staff_token):
    for method, path, body in (
        ("POST", "/v1/staff/patients/search", {}),
        ("POST", "/v1/staff/patients/search", {"mrn": ""}),
        ("GET", "/v1/staff/invitations", None),
        ("GET", "/v1/staff/invitations?patient_id=", None),
    ):
        answer = call(seeded, method, path, body, staff_token)
        assert answer.status_code == 400, (path, answer.json_body)
        assert answer.json_body["error"]["code"] == "validation_failed", path


# -- the staff directory --------------------------------------------------------------------------


def test_an_admin_lists_their_own_organizations_staff_and_never_another_organizations(enrolled, seeded, monkeypatch):
    # GIVEN a second organization with its own staff, a patient of the first, and a new colleague
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    other_token = other_organization_staff(seeded, monkeypatch)
    created = call(seeded, "POST", "/v1/admin/staff", {"email": "new.one@amc.example", "role": "admin"}, admin)
    assert created.status_code == 201, created.json_body

    # WHEN the admin lists the organization's staff, one at a time
    seen, cursor, pages = [], None, 0
    while True:
        path = "/v1/admin/staff?limit=1" + (f"&cursor={cursor}" if cursor else "")
        page = call(seeded, "GET", path, token=admin)
        assert page.status_code == 200, page.json_body
        seen += page.json_body["staff"]
        cursor, pages = page.json_body["next_cursor"], pages + 1
        if cursor is None:
            break

    # THEN every staff and admin account of the organization is there once, newest first, with
    # its sign-in state; the other organization's staff and the patient never are
    assert pages == 3
    assert (seen[0]["username"], seen[0]["role"]) == (None, "admin")  # the newest
    # (the two seeded accounts were created at the same moment: either may come first)
    assert sorted((a["username"], a["role"]) for a in seen[1:]) == [(ADMIN_USER, "admin"), (STAFF_USER, "staff")]
    assert seen[0]["account_id"] == created.json_body["account_id"]
    assert seen[0]["email"] == "new.one@amc.example" and seen[0]["status"] == "active"
    assert seen[0]["second_factors"] == []
    everyone = call(seeded, "GET", "/v1/admin/staff?limit=100", token=admin).json_body["staff"]
    assert OTHER_STAFF not in {a["username"] for a in everyone}
    assert PATIENT_USER not in {a["username"] for a in everyone}
    assert len(everyone) == 3
    # AND each read is on the trail as a staff-directory read
    admin_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    trail, _ = wiring.container().audit_log.by_actor(admin_id, 50)
    reads = sorted(e.reason for e in trail if e.event_type == "staff_accounts.list")
    assert reads == ["count:1"] * 3 + ["count:3"]
    # AND staff may not list them, nor may the other organization's staff
    assert call(seeded, "GET", "/v1/admin/staff", token=other_token).status_code == 403
    refused = call(seeded, "GET", "/v1/admin/staff", token=sign_in(seeded, STAFF_USER, STAFF_PASSWORD))
    assert refused.status_code == 403
    # AND a cursor that is not one is a 400, not a way into another listing
    bad = call(seeded, "GET", "/v1/admin/staff?cursor=bm90IGEgY3Vyc29y", token=admin)
    assert bad.status_code == 400


def test_another_organizations_admin_sees_only_their_own_staff(seeded, monkeypatch):
    other_organization_staff(seeded, monkeypatch)
    directory = wiring.container().directory
    accounts.create_staff_account(
        directory,
        organization_id=OTHER_ORG,
        username="saratoga.admin",
        password=OTHER_PASSWORD,
        role=Role.ADMIN,
        email="saratoga.admin@saratoga.example",
        now=wiring.container().clock.now(),
    )
    exempt = os.environ.get("PORTAL_SECOND_FACTOR_EXEMPT_USERS", "")
    monkeypatch.setenv("PORTAL_SECOND_FACTOR_EXEMPT_USERS", f"{exempt},saratoga.admin")
    wiring.reset()
    wiring.settings()
    other_admin = sign_in(seeded, "saratoga.admin", OTHER_PASSWORD)

    listed = call(seeded, "GET", "/v1/admin/staff", token=other_admin)

    assert listed.status_code == 200, listed.json_body
    assert sorted(a["username"] for a in listed.json_body["staff"]) == ["saratoga.admin", OTHER_STAFF]
