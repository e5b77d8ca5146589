"""Admins' tools for their colleagues' accounts: lifting a lockout and sending a new set-up link;
and the invitation email, which states the lifetime the deployment gives invitations."""

from __future__ import annotations

import re

from chalicelib import wiring
from tests.integration.conftest import link_in
from tests.integration.identity.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    PATIENT,
    STAFF_PASSWORD,
    STAFF_USER,
    call,
    sign_in,
)
from tests.integration.identity.test_staff_and_admin import (
    OTHER_STAFF,
    UNKNOWN_ID,
    create_staff,
    emails_to,
    other_organization_staff,
    set_up,
    status_of,
)


def admin_trail() -> list:
    admin_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    events, _ = wiring.container().audit_log.by_actor(admin_id, 100)
    return events


def listed(api, admin: str, account_id: str) -> dict:
    staff = call(api, "GET", "/v1/admin/staff?limit=100", token=admin).json_body["staff"]
    [account] = [a for a in staff if a["account_id"] == account_id]
    return account


def lock_out(api, username: str) -> None:
    for _ in range(5):
        call(api, "POST", "/v1/sessions", {"username": username, "password": "not the password at all"})


def test_an_admin_unlocks_a_locked_out_colleague_who_then_signs_in_with_their_password(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    staff_id = wiring.container().directory.account_by_username(STAFF_USER).account_id
    # GIVEN a colleague locked out by five wrong passwords
    lock_out(seeded, STAFF_USER)
    refused = call(seeded, "POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD})
    assert refused.status_code == 401
    assert listed(seeded, admin, staff_id)["locked"] is True

    # WHEN the admin unlocks the account
    unlocked = call(seeded, "POST", f"/v1/admin/staff/{staff_id}/unlock", token=admin)

    # THEN the colleague signs in with their password at once, the list says it is not locked,
    # and the unlock is on the admin's trail
    assert unlocked.status_code == 200, unlocked.json_body
    assert unlocked.json_body == {"account_id": staff_id, "locked": False}
    assert sign_in(seeded, STAFF_USER, STAFF_PASSWORD)
    assert listed(seeded, admin, staff_id)["locked"] is False
    assert [e.resource_id for e in admin_trail() if e.event_type == "staff_account.unlocked"] == [staff_id]

    # AND unlocking an account that is not locked is a 409 that changes nothing
    again = call(seeded, "POST", f"/v1/admin/staff/{staff_id}/unlock", token=admin)
    assert again.status_code == 409 and again.json_body["error"]["code"] == "not_locked"
    assert len([e for e in admin_trail() if e.event_type == "staff_account.unlocked"]) == 1


def test_an_admin_unlocks_and_resends_links_only_for_their_own_organizations_staff(enrolled, seeded, monkeypatch):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    other_organization_staff(seeded, monkeypatch)
    directory = wiring.container().directory
    other_id = directory.account_by_username(OTHER_STAFF).account_id
    patient_id = directory.account_by_username("ana.nunez").account_id
    lock_out(seeded, OTHER_STAFF)

    for target in (other_id, patient_id, UNKNOWN_ID, "not-an-id"):
        for action in ("unlock", "setup-link"):
            answer = call(seeded, "POST", f"/v1/admin/staff/{target}/{action}", token=admin)
            assert answer.status_code == 404, (target, action, answer.json_body)
    # The other organization's colleague stays locked: nothing was done to them.
    assert wiring.container().directory.account(other_id).locked_until is not None
    # AND staff may not use either route
    staff = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)
    admin_id = directory.account_by_username(ADMIN_USER).account_id
    for action in ("unlock", "setup-link"):
        assert call(seeded, "POST", f"/v1/admin/staff/{admin_id}/{action}", token=staff).status_code == 403


def test_a_new_set_up_link_replaces_the_earlier_one_for_a_colleague_not_yet_set_up(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    address = "slow.colleague@albany-medical-center.example"
    first = create_staff(seeded, admin, address)
    account_id = wiring.container().directory.accounts_by_verified_email(address)[0].account_id

    # WHEN the admin sends a new set-up link
    sent = call(seeded, "POST", f"/v1/admin/staff/{account_id}/setup-link", token=admin)

    # THEN a second email comes with a new link; the first stops working and the new one works
    assert sent.status_code == 201, sent.json_body
    assert set(sent.json_body) == {"account_id", "expires_at"} and sent.json_body["account_id"] == account_id
    emails = emails_to(seeded, address)
    assert len(emails) == 2
    fresh = link_in(emails[-1], "/account-setup?token=")
    assert fresh != first
    stale = set_up(seeded, first, "slow.colleague")
    assert stale.status_code == 400
    assert set_up(seeded, fresh, "slow.colleague").status_code == 200
    assert sign_in(seeded, "slow.colleague", "my own long passphrase")
    assert [e.resource_id for e in admin_trail() if e.event_type == "staff_account.setup_link_sent"] == [account_id]

    # AND once set up, asking for another link is a 409 and no email goes
    done = call(seeded, "POST", f"/v1/admin/staff/{account_id}/setup-link", token=admin)
    assert done.status_code == 409 and done.json_body["error"]["code"] == "setup_complete"
    assert len(emails_to(seeded, address)) == 2


def test_a_suspended_colleague_gets_no_set_up_link(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    address = "paused.colleague@albany-medical-center.example"
    create_staff(seeded, admin, address)
    account_id = wiring.container().directory.accounts_by_verified_email(address)[0].account_id
    assert (
        call(seeded, "PUT", f"/v1/admin/staff/{account_id}/status", {"status": "suspended"}, admin).status_code == 200
    )

    refused = call(seeded, "POST", f"/v1/admin/staff/{account_id}/setup-link", token=admin)
    assert refused.status_code == 409
    assert len(emails_to(seeded, address)) == 1


def test_the_invitation_email_states_the_lifetime_the_deployment_configures(seeded, staff_token, monkeypatch):
    # GIVEN a deployment whose invitations last 3 days
    monkeypatch.setenv("PORTAL_INVITATION_LIFETIME_SECONDS", str(3 * 24 * 3600))
    wiring.reset()
    wiring.settings()  # read now: during a call the test client restores the stage's own settings
    registered = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body
    invited = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": registered["patient_id"], "email": "three.days@example.org"},
        staff_token,
    )
    assert invited.status_code == 201, invited.json_body

    # THEN the email says 3 days, never the default 7
    [email] = emails_to(seeded, "three.days@example.org")
    assert "expires after 3 days" in email.body
    assert not re.search(r"\b7 days\b", email.body)


# -- the email address on a patient's record ------------------------------------------------------


def change_email(api, token: str, patient_id: str, email: str):
    return call(api, "PUT", f"/v1/staff/patients/{patient_id}/email", {"email": email}, token)


def test_staff_change_a_patients_address_which_is_used_only_once_its_owner_confirms_it(seeded, staff_token):
    registered = call(
        seeded, "POST", "/v1/staff/patients", {**PATIENT, "email": "ana.old@example.org"}, staff_token
    ).json_body
    patient_id = registered["patient_id"]

    # WHEN staff enter a new address
    changed = change_email(seeded, staff_token, patient_id, "ana.new@example.org")

    # THEN it waits as pending, the old one stays in use, and a confirmation link (no PHI) goes to it
    assert changed.status_code == 202, changed.json_body
    assert changed.json_body == {
        "patient_id": patient_id,
        "email": "ana.old@example.org",
        "pending_email": "ana.new@example.org",
    }
    shown = status_of(seeded, staff_token, patient_id)
    assert (shown["email"], shown["pending_email"]) == ("ana.old@example.org", "ana.new@example.org")
    [email] = emails_to(seeded, "ana.new@example.org")
    token = link_in(email, "/confirm-contact-email?token=")
    text = f"{email.subject}\n{email.body}".replace(token, "<token>").lower()
    for phi in ("núñez", "nunez", "ana", "mrn-1001", "1984", "albany"):
        assert phi not in text, phi
    assert emails_to(seeded, "ana.old@example.org") == []

    # WHEN its owner follows the link (no sign-in needed)
    confirmed = call(seeded, "POST", "/v1/account/contact-email-confirmations", {"token": token})

    # THEN the new address is the record's, nothing waits, and the link works once
    assert confirmed.status_code == 200, confirmed.json_body
    assert confirmed.json_body == {"email_confirmed": True}
    shown = status_of(seeded, staff_token, patient_id)
    assert (shown["email"], shown["pending_email"]) == ("ana.new@example.org", None)
    again = call(seeded, "POST", "/v1/account/contact-email-confirmations", {"token": token})
    assert again.status_code == 400
    # AND the request and the confirmation are on the patient's trail
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    kinds = [e.event_type for e in events]
    assert "patient.contact_email_change_requested" in kinds and "patient.contact_email_confirmed" in kinds

    # AND entering the address it already has is a 409
    same = change_email(seeded, staff_token, patient_id, "ANA.NEW@example.org")
    assert same.status_code == 409 and same.json_body["error"]["code"] == "email_unchanged"


def test_a_corrected_address_voids_the_link_sent_to_the_mistyped_one(clock, seeded, staff_token):
    patient_id = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body["patient_id"]
    assert change_email(seeded, staff_token, patient_id, "ana@exmaple.org").status_code == 202
    typo = link_in(emails_to(seeded, "ana@exmaple.org")[0], "/confirm-contact-email?token=")
    assert change_email(seeded, staff_token, patient_id, "ana@example.org").status_code == 202

    stale = call(seeded, "POST", "/v1/account/contact-email-confirmations", {"token": typo})
    assert stale.status_code == 400
    assert status_of(seeded, staff_token, patient_id)["pending_email"] == "ana@example.org"

    # AND a link followed after its 24 hours no longer works
    fresh = link_in(emails_to(seeded, "ana@example.org")[0], "/confirm-contact-email?token=")
    clock.advance(hours=24, seconds=1)
    late = call(seeded, "POST", "/v1/account/contact-email-confirmations", {"token": fresh})
    assert late.status_code == 400
    assert status_of(seeded, sign_in(seeded, STAFF_USER, STAFF_PASSWORD), patient_id)["email"] is None


def test_another_organizations_staff_cannot_change_a_patients_address(seeded, staff_token, monkeypatch):
    patient_id = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body["patient_id"]
    other = other_organization_staff(seeded, monkeypatch)
    refused = change_email(seeded, other, patient_id, "someone@example.org")
    assert refused.status_code == 404
    assert emails_to(seeded, "someone@example.org") == []
    assert change_email(seeded, staff_token, patient_id, "not an address").status_code == 400


def test_a_patients_account_keeps_its_own_sign_in_address(enrolled, seeded, staff_token):
    account_email = wiring.container().directory.account_by_username("ana.nunez").email
    assert change_email(seeded, staff_token, enrolled.patient_id, "ana.contact@example.org").status_code == 202
    token = link_in(emails_to(seeded, "ana.contact@example.org")[0], "/confirm-contact-email?token=")
    assert call(seeded, "POST", "/v1/account/contact-email-confirmations", {"token": token}).status_code == 200
    assert wiring.container().directory.account_by_username("ana.nunez").email == account_email
