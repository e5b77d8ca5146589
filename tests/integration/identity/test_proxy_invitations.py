"""Accounts with no record of their own, through the API: staff invite a parent (or guardian, or
agent) who has no record here; they enroll answering with what staff typed, sign in and use the
portal without a record; a patient invites someone they trust, who takes the invitation up and
then acts for the patient."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib import wiring
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import new_event
from chalicelib.identity import terms
from chalicelib.identity.domain import InvitationStatus, RecordKind
from chalicelib.proxies.domain import GrantStatus
from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import call, enrollment, register_and_invite, sign_in

PARENT = {
    "email": "sam.parent@example.org",
    "given_name": "Sam",
    "family_name": "O'Connor-Díaz",
    "birth_date": "1979-11-02",
}


def invite_parent(api, staff_token: str, **changes) -> tuple[str, str]:
    """Staff's invitation of someone with no record: its id and the emailed code."""
    body = {**PARENT, **changes}
    invited = call(api, "POST", "/v1/staff/proxy-invitations", body, staff_token)
    assert invited.status_code == 201, invited.json_body
    emails = [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [body["email"]]]
    return invited.json_body["invitation_id"], link_in(emails[-1], "/enroll?code=")


def parent_enrollment(code: str, **changes) -> dict:
    body = {
        "invitation_code": code,
        "date_of_birth": "1979-11-02",
        "family_name": "oconnor diaz",  # as typed by the parent: accents, case and hyphens ignored
        "username": "sam.parent",
        "password": "correct horse battery",
        "email": PARENT["email"],
        "accepted_terms_version": terms.SHIPPED.version,
    }
    return {**body, **changes}


# -- staff invite someone with no record --------------------------------------------------------------


def test_an_invited_parent_enrolls_without_a_record_signs_in_and_reads_their_own_view(seeded, staff_token):
    # GIVEN staff's invitation of a parent who has no record here
    _, code = invite_parent(seeded, staff_token)

    # WHEN the parent enrolls with the emailed code and the answers staff typed, and signs in
    enrolled = call(seeded, "POST", "/v1/enrollments", parent_enrollment(code))
    assert enrolled.status_code == 201, enrolled.json_body
    token = sign_in(seeded, "sam.parent", "correct horse battery")
    me = call(seeded, "GET", "/v1/me", token=token)

    # THEN the account is a patient's with no record, connections nor anyone to act for yet
    assert me.status_code == 200, me.json_body
    assert me.json_body["account"]["role"] == "patient"
    assert me.json_body["account"]["organization_id"] == "albany-medical-center"
    assert me.json_body["account"]["email_verified"] is True
    assert me.json_body["account"]["must"] is None
    assert me.json_body["patient"] is None
    assert me.json_body["connections"] == []
    assert me.json_body["acting_for"] == []
    assert me.json_body["unread_messages"] == 0
    # AND the account's other own pages answer too
    assert call(seeded, "GET", "/v1/me/connections", token=token).json_body == {"connections": []}
    assert call(seeded, "GET", "/v1/me/sign-in-history", token=token).status_code == 200
    assert call(seeded, "GET", "/v1/me/notifications", token=token).status_code == 200


def test_the_invitation_email_names_nobody_and_the_used_invitation_forgets_the_answers(seeded, staff_token):
    invitation_id, code = invite_parent(seeded, staff_token)
    [email] = [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == [PARENT["email"]]]
    words = f"{email.subject} {email.body}"
    for detail in ("Sam", "Connor", "Díaz", "1979", "Albany"):
        assert detail not in words
    assert "ask for access" in email.body

    assert call(seeded, "POST", "/v1/enrollments", parent_enrollment(code)).status_code == 201

    used = wiring.container().identity_records.get(RecordKind.INVITATION, invitation_id)
    assert used is not None and used.status == InvitationStatus.USED.value
    assert (used.given_name, used.family_name, used.birth_date) == ("", "", "")


def test_wrong_answers_count_and_the_fifth_burns_the_code(seeded, staff_token):
    _, code = invite_parent(seeded, staff_token)
    for attempt in range(4):
        wrong = call(seeded, "POST", "/v1/enrollments", parent_enrollment(code, family_name="Smith"))
        assert wrong.status_code == 400, wrong.json_body
        assert wrong.json_body["error"]["details"][-1] == {"attempts_left": 4 - attempt}
        # (the refusal never says what was expected)
        assert "Connor" not in str(wrong.json_body) and "1979" not in str(wrong.json_body)
    burned = call(seeded, "POST", "/v1/enrollments", parent_enrollment(code, date_of_birth="1979-11-03"))
    assert burned.status_code == 400 and "no longer works" in burned.json_body["error"]["message"]

    right_too_late = call(seeded, "POST", "/v1/enrollments", parent_enrollment(code))
    assert right_too_late.status_code == 400
    assert [d["field"] for d in right_too_late.json_body["error"]["details"]] == ["invitation_code"]


def test_a_new_invitation_to_the_same_address_replaces_the_earlier_one(seeded, staff_token):
    _, first = invite_parent(seeded, staff_token)
    _, second = invite_parent(seeded, staff_token, given_name="Samuel")

    stale = call(seeded, "POST", "/v1/enrollments", parent_enrollment(first))
    assert stale.status_code == 400
    assert call(seeded, "POST", "/v1/enrollments", parent_enrollment(second)).status_code == 201


def test_staff_resend_and_revoke_an_invitation_without_a_record_as_any_other(seeded, staff_token):
    invitation_id, first = invite_parent(seeded, staff_token)
    resent = call(seeded, "POST", f"/v1/staff/invitations/{invitation_id}/resend", token=staff_token)
    assert resent.status_code == 201, resent.json_body
    emails = [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == [PARENT["email"]]]
    fresh = link_in(emails[-1], "/enroll?code=")
    assert fresh != first
    assert call(seeded, "POST", "/v1/enrollments", parent_enrollment(first)).status_code == 400

    revoked = call(seeded, "DELETE", f"/v1/staff/invitations/{resent.json_body['invitation_id']}", token=staff_token)
    assert revoked.status_code == 204
    assert call(seeded, "POST", "/v1/enrollments", parent_enrollment(fresh)).status_code == 400


@pytest.mark.parametrize(
    "change, field",
    [
        ({"birth_date": "2999-01-01"}, "birth_date"),
        ({"email": "not an address"}, "email"),
        ({"given_name": " "}, "given_name"),
    ],
)
def test_staff_are_told_what_to_fix(seeded, staff_token, change, field):
    refused = call(seeded, "POST", "/v1/staff/proxy-invitations", {**PARENT, **change}, staff_token)
    assert refused.status_code == 400
    assert field in [d.get("field") for d in refused.json_body["error"]["details"]]


def test_an_account_without_a_record_cannot_connect_another_organizations_record(seeded, staff_token):
    _, code = invite_parent(seeded, staff_token)
    assert call(seeded, "POST", "/v1/enrollments", parent_enrollment(code)).status_code == 201
    token = sign_in(seeded, "sam.parent", "correct horse battery")
    patient = register_and_invite(seeded, staff_token, email="someone@example.org")

    refused = call(seeded, "POST", "/v1/me/connections", {"invitation_code": patient.code}, token)

    assert refused.status_code == 409 and refused.json_body["error"]["code"] == "no_own_record"


def test_a_proxy_invitation_code_connects_nothing_to_an_account_with_a_record(enrolled, seeded, staff_token):
    _, code = invite_parent(seeded, staff_token)
    token = sign_in(seeded, "ana.nunez", "correct horse battery")

    refused = call(seeded, "POST", "/v1/me/connections", {"invitation_code": code}, token)

    assert refused.status_code == 400
    assert call(seeded, "POST", "/v1/enrollments", parent_enrollment(code)).status_code == 201


def test_a_patient_cannot_invite_someone_without_a_record(enrolled, seeded):
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    assert call(seeded, "POST", "/v1/staff/proxy-invitations", PARENT, token).status_code == 403


# -- a patient invites a trusted person ---------------------------------------------------------------

TRUSTED = {
    "name": "Lee Friend",
    "email": "lee.friend@example.org",
    "relationship": "trusted_person",
    "access": "read_only",
    "areas": ["appointments", "messages"],
}


def invite_trusted(api, token: str, patient_id: str, **changes) -> tuple[dict, str]:
    """The patient's invitation of a trusted person: the grant as answered and the emailed code."""
    body = {**TRUSTED, **changes}
    made = call(api, "POST", f"/v1/patients/{patient_id}/proxies", body, token)
    assert made.status_code == 201, made.json_body
    emails = [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [body["email"]]]
    return made.json_body, link_in(emails[-1], "/proxy-invitation#code=")


@pytest.fixture
def ana(enrolled, seeded) -> tuple[str, str]:
    """Ana, enrolled and signed in: her session and her record's id."""
    return sign_in(seeded, "ana.nunez", "correct horse battery"), enrolled.patient_id


@pytest.fixture
def lee(seeded, staff_token) -> str:
    """Lee, with an account and no record (invited by staff, enrolled): a session."""
    _, code = invite_parent(seeded, staff_token, email=TRUSTED["email"], given_name="Lee", family_name="Friend")
    body = parent_enrollment(code, username="lee.friend", email=TRUSTED["email"], family_name="Friend")
    assert call(seeded, "POST", "/v1/enrollments", body).status_code == 201
    return sign_in(seeded, "lee.friend", "correct horse battery")


def test_a_patient_invites_a_trusted_person_who_redeems_and_then_acts_for_the_patient(seeded, ana, lee):
    token, patient_id = ana
    # WHEN Ana invites Lee
    grant, code = invite_trusted(seeded, token, patient_id)

    # THEN the grant waits for Lee, Ana's consent recorded, for a year, the areas she chose
    assert grant["status"] == "invited" and grant["relationship"] == "trusted_person"
    assert grant["consented_at"] is not None and grant["given_by"] == "patient"
    assert grant["areas"] == ["appointments", "messages"] and grant["access"] == "read_only"
    assert grant["proxy_name"] == "Lee Friend" and grant["patient_name"] == "Ana"
    lasts = datetime.fromisoformat(grant["ends_at"]) - datetime.fromisoformat(grant["created_at"])
    assert lasts == timedelta(days=365)
    # AND Lee has nobody to act for yet
    assert call(seeded, "GET", "/v1/me", token=lee).json_body["acting_for"] == []

    # WHEN Lee, signed in, redeems the code
    redeemed = call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee)

    # THEN the grant is active with Lee as proxy, and Lee's own view lists Ana
    assert redeemed.status_code == 200, redeemed.json_body
    assert redeemed.json_body["status"] == "active" and redeemed.json_body["grant_id"] == grant["grant_id"]
    [acting] = call(seeded, "GET", "/v1/me", token=lee).json_body["acting_for"]
    assert acting["patient_id"] == patient_id and acting["grant_id"] == grant["grant_id"]
    assert acting["relationship"] == "trusted_person" and acting["access"] == "read_only"
    assert sorted(acting["areas"]) == ["appointments", "messages"]
    # AND Lee reads Ana's appointments, but not her results (an area she did not give)
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=lee).status_code == 200
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=lee).status_code == 404


def test_the_trusted_persons_email_says_nothing_of_the_patient_and_carries_the_code_in_the_fragment(seeded, ana):
    token, patient_id = ana
    invite_trusted(seeded, token, patient_id)
    [email] = [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == [TRUSTED["email"]]]
    words = f"{email.subject} {email.body}"
    for detail in ("Ana", "Núñez", "Nunez", "1984", "Lee", "Friend", "Albany"):
        assert detail not in words
    assert "/proxy-invitation#code=" in email.body and "?code=" not in email.body


def test_a_used_code_is_refused(seeded, ana, lee, staff_token):
    token, patient_id = ana
    _, code = invite_trusted(seeded, token, patient_id)
    assert call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee).status_code == 200

    # another account with the same code
    _, other_code = invite_parent(seeded, staff_token, email="kim@example.org")
    body = parent_enrollment(other_code, username="kim.other", email="kim@example.org")
    assert call(seeded, "POST", "/v1/enrollments", body).status_code == 201
    kim = sign_in(seeded, "kim.other", "correct horse battery")
    again = call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, kim)

    assert again.status_code == 400
    assert [d["field"] for d in again.json_body["error"]["details"]] == ["invitation_code"]
    assert call(seeded, "GET", "/v1/me", token=kim).json_body["acting_for"] == []
    # AND enrolling with it opens no account either
    enrolling = call(seeded, "POST", "/v1/enrollments", parent_enrollment(code, username="someone.new"))
    assert enrolling.status_code == 400


def test_the_patients_own_account_cannot_redeem_its_own_invitation(seeded, ana, lee):
    token, patient_id = ana
    _, code = invite_trusted(seeded, token, patient_id)

    own = call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, token)

    assert own.status_code == 409 and own.json_body["error"]["code"] == "own_record"
    assert call(seeded, "GET", "/v1/me", token=token).json_body["acting_for"] == []
    # AND the code still works for the person it was meant for
    assert call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee).status_code == 200


def test_enrolling_with_a_trusted_persons_code_opens_an_account_that_acts_for_the_patient(seeded, ana):
    token, patient_id = ana
    grant, code = invite_trusted(seeded, token, patient_id, access="full")

    # WHEN the person opens an account with the code (no record of theirs to check answers against)
    body = parent_enrollment(code, username="lee.friend", email=TRUSTED["email"], family_name="Friend")
    enrolled = call(seeded, "POST", "/v1/enrollments", body)

    # THEN the account has no record and acts for Ana at once
    assert enrolled.status_code == 201, enrolled.json_body
    lee = sign_in(seeded, "lee.friend", "correct horse battery")
    me = call(seeded, "GET", "/v1/me", token=lee).json_body
    assert me["patient"] is None and me["connections"] == []
    assert [(a["patient_id"], a["grant_id"], a["access"]) for a in me["acting_for"]] == [
        (patient_id, grant["grant_id"], "full")
    ]
    # AND the code is used up
    assert call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee).status_code == 400


def test_a_staff_invitation_code_is_not_redeemed_as_a_trusted_persons(seeded, staff_token, lee):
    _, code = invite_parent(seeded, staff_token, email="kim@example.org")
    refused = call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee)
    assert refused.status_code == 400


def test_a_trusted_person_cannot_invite_others_for_the_patient(seeded, ana, lee):
    token, patient_id = ana
    _, code = invite_trusted(seeded, token, patient_id, access="full")
    assert call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee).status_code == 200

    refused = call(seeded, "POST", f"/v1/patients/{patient_id}/proxies", {**TRUSTED, "email": "x@example.org"}, lee)

    assert refused.status_code == 404


def test_staff_cannot_invite_a_trusted_person_for_a_patient(seeded, ana, staff_token):
    _, patient_id = ana
    refused = call(seeded, "POST", f"/v1/patients/{patient_id}/proxies", TRUSTED, staff_token)
    assert refused.status_code == 403


@pytest.mark.parametrize("days_ahead, accepted", [(0, True), (365, True), (366, False), (-1, False)])
def test_the_last_day_is_from_today_to_a_year_ahead(seeded, ana, days_ahead, accepted):
    token, patient_id = ana
    today = wiring.container().clock.now().astimezone(ZoneInfo("America/New_York")).date()
    last_day = (today + timedelta(days=days_ahead)).isoformat()
    answer = call(seeded, "POST", f"/v1/patients/{patient_id}/proxies", {**TRUSTED, "ends_at": last_day}, token)
    if accepted:
        assert answer.status_code == 201, answer.json_body
        assert answer.json_body["ends_at"].startswith((today + timedelta(days=days_ahead + 1)).isoformat()), (
            answer.json_body["ends_at"]
        )
    else:
        assert answer.status_code == 400
        assert [d.get("field") for d in answer.json_body["error"]["details"]] == ["ends_at"]


def test_a_revoked_invitation_cannot_be_taken_up(seeded, ana, lee):
    token, patient_id = ana
    grant, code = invite_trusted(seeded, token, patient_id)
    # (revoking is the grants' own route: here, the change it writes)
    grants = wiring.container().proxy_grants
    current = grants.get(patient_id, grant["grant_id"])
    assert current is not None
    revoked = new_event(
        actor=Actor(account_id="someone", role="patient"),
        action=Action.UPDATE,
        event_type="proxy_grant.revoked",
        outcome=Outcome.SUCCESS,
        patient_id=patient_id,
        recorded_at=wiring.container().clock.now(),
    )
    grants.change(dataclasses.replace(current, status=GrantStatus.REVOKED), revoked)

    refused = call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee)
    assert refused.status_code == 400
    assert call(seeded, "GET", "/v1/me", token=lee).json_body["acting_for"] == []


def test_a_taken_up_grant_ends_on_the_last_day_the_patient_chose(timer_clock, seeded, ana, lee):
    from tests.integration.test_proxy_grants import consume, grant_timers_due

    # GIVEN Ana's invitation lasting through today only, taken up by Lee
    token, patient_id = ana
    today = timer_clock.now().astimezone(ZoneInfo("America/New_York")).date()
    grant, code = invite_trusted(seeded, token, patient_id, ends_at=today.isoformat())
    assert call(seeded, "POST", "/v1/proxy-invitations/redeem", {"code": code}, lee).status_code == 200
    # THEN its end date's timer is waiting (taking it up started it)
    timer_clock.wait_for_waiting(1)

    # WHEN the day is over
    timer_clock.advance(days=1, minutes=1)
    [due] = grant_timers_due()
    consume(seeded, [due])

    # THEN the grant has ended, and Lee (signed in anew: a day idle ended the session) no longer
    # reaches Ana's record
    ended = wiring.container().proxy_grants.get(patient_id, grant["grant_id"])
    assert ended is not None and ended.status is GrantStatus.ENDED
    lee_again = sign_in(seeded, "lee.friend", "correct horse battery")
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=lee_again).status_code == 404


def test_at_most_ten_invitations_wait_at_once_and_revoking_one_frees_its_place(seeded, ana):
    token, patient_id = ana
    made = []
    for number in range(10):
        answer = call(
            seeded, "POST", f"/v1/patients/{patient_id}/proxies", {**TRUSTED, "email": f"p{number}@example.org"}, token
        )
        assert answer.status_code == 201, answer.json_body
        made.append(answer.json_body["grant_id"])

    eleventh = call(seeded, "POST", f"/v1/patients/{patient_id}/proxies", TRUSTED, token)
    assert eleventh.status_code == 409 and eleventh.json_body["error"]["code"] == "too_many_invitations"

    revoked = call(seeded, "POST", f"/v1/patients/{patient_id}/proxies/{made[0]}/revoke", token=token)
    assert revoked.status_code == 200, revoked.json_body
    assert call(seeded, "POST", f"/v1/patients/{patient_id}/proxies", TRUSTED, token).status_code == 201


def test_a_patient_under_18_cannot_invite_a_trusted_person(seeded, staff_token):
    # GIVEN Mia, 17 (her 18th birthday is tomorrow on the clinic's calendar), with her own account
    today = wiring.container().clock.now().astimezone(ZoneInfo("America/New_York")).date()
    born = (today + timedelta(days=1)).replace(year=today.year - 18).isoformat()
    mia = register_and_invite(
        seeded,
        staff_token,
        {"mrn": "MRN-7007", "family_name": "Reyes", "given_names": ["Mia"], "birth_date": born},
        email="mia@example.org",
    )
    body = enrollment(mia, date_of_birth=born, family_name="reyes", username="mia.reyes")
    assert call(seeded, "POST", "/v1/enrollments", body).status_code == 201
    token = sign_in(seeded, "mia.reyes", "correct horse battery")

    # WHEN she invites someone she trusts
    refused = call(seeded, "POST", f"/v1/patients/{mia.patient_id}/proxies", TRUSTED, token)

    # THEN she is told in words, and no grant is kept nor email sent
    assert refused.status_code == 400, refused.json_body
    assert refused.json_body["error"]["message"].startswith("Only patients 18 or older can invite a trusted person.")
    assert wiring.container().proxy_grants.of_patient(mia.patient_id) == []
    assert not [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == [TRUSTED["email"]]]
