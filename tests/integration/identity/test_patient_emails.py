"""Every email the portal asked for about a patient, as staff see it on the patient's page: the
real routes, the real notifications handler and moto's SES, which refuses mail while the portal's
sender identity is gone."""

from __future__ import annotations

import boto3

from chalicelib import wiring
from chalicelib.release.notices import tell
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import PATIENT, call, sign_in
from tests.integration.identity.test_staff_and_admin import PATIENT_USER, audit_events, other_organization_staff


def emails_of(api, token: str, patient_id: str):
    return call(api, "GET", f"/v1/staff/patients/{patient_id}/emails", token=token)


def test_staff_see_a_failed_results_notice_above_the_sent_invitation_and_what_to_do_about_it(
    clock, seeded, staff_token, enrolled, aws
):
    # GIVEN an enrolled patient (their invitation was sent) and, later, a results notice that the
    # mail service refuses
    clock.advance(minutes=1)
    ses = boto3.client("ses")
    sender = aws.environment["PORTAL_SENDER_ADDRESS"]
    ses.delete_identity(Identity=sender)
    patient = wiring.container().patients.get(enrolled.patient_id)
    tell(wiring.container(), patient, clock.now())
    deliver_notifications(seeded)
    ses.verify_email_identity(EmailAddress=sender)

    # WHEN staff look at the patient's emails
    answer = emails_of(seeded, staff_token, enrolled.patient_id)

    # THEN the notice comes first, failed, with what staff can say; then the invitation, sent
    assert answer.status_code == 200, answer.json_body
    emails = answer.json_body["emails"]
    assert [(e["kind"], e["state"]) for e in emails] == [("something_waiting", "failed"), ("invitation", "sent")]
    notice, invitation = emails
    assert (notice["reason"], notice["next_step"], notice["failed_attempts"]) == ("mail_refused", "seen_in_portal", 1)
    assert notice["sent_at"] is None
    assert notice["asked_at"] > invitation["asked_at"]
    assert invitation["next_step"] is None and invitation["sent_at"] is not None
    # never an address, a subject or a body
    assert enrolled.email not in answer.body.decode()
    assert set(notice) == {
        "kind",
        "asked_at",
        "state",
        "reason",
        "sent_at",
        "updated_at",
        "failed_attempts",
        "next_step",
        "invitation_id",
    }
    assert invitation["invitation_id"] == enrolled.invitation_id
    # and the read is on the patient's trail, like staff's other reads of the patient
    assert "patient.emails.read" in [e.event_type for e in audit_events(enrolled.patient_id)]


def test_a_password_reset_of_the_patients_account_is_listed_and_the_patient_can_ask_again(
    clock, seeded, staff_token, enrolled, aws
):
    # GIVEN the patient asks for a password reset, and the mail service refuses it
    clock.advance(minutes=1)
    asked = call(seeded, "POST", "/v1/account/password-resets", {"username": PATIENT_USER})
    assert asked.status_code in (200, 202), asked.json_body
    ses = boto3.client("ses")
    sender = aws.environment["PORTAL_SENDER_ADDRESS"]
    ses.delete_identity(Identity=sender)
    deliver_notifications(seeded)
    ses.verify_email_identity(EmailAddress=sender)

    # WHEN staff look at the patient's emails
    emails = emails_of(seeded, staff_token, enrolled.patient_id).json_body["emails"]

    # THEN the reset (their account's email) is listed first, with the patient's next step
    assert [(e["kind"], e["state"], e["next_step"]) for e in emails] == [
        ("password_reset", "failed", "patient_asks_again"),
        ("invitation", "sent", None),
    ]
    # and what lists or ends the account's pending records (a password change, a suspension)
    # never meets a delivery record: they sit under an owner of their own
    identity = wiring.container().identity_records
    account_id = wiring.container().patients.get(enrolled.patient_id).account_id
    assert {r.kind.value for r in identity.owned_by(f"account#{account_id}")} <= {"session", "link", "challenge"}
    identity.revoke_pending(account_id)
    assert [e["kind"] for e in emails_of(seeded, staff_token, enrolled.patient_id).json_body["emails"]] == [
        "password_reset",
        "invitation",
    ]


def test_another_organizations_staff_get_404_for_the_patients_emails(seeded, staff_token, monkeypatch):
    patient_id = call(seeded, "POST", "/v1/staff/patients", PATIENT, staff_token).json_body["patient_id"]
    call(seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": "ana@example.org"}, staff_token)
    other = other_organization_staff(seeded, monkeypatch)

    answer = emails_of(seeded, other, patient_id)

    assert answer.status_code == 404
    assert "invitation" not in answer.body.decode()
    assert emails_of(seeded, staff_token, patient_id).json_body["emails"][0]["state"] == "queued"


def test_an_unknown_patient_has_no_emails_to_show(seeded, staff_token):
    assert emails_of(seeded, staff_token, "0" * 32).status_code == 404


def test_a_patient_cannot_list_their_emails_through_the_staff_route(seeded, enrolled):
    token = sign_in(seeded, PATIENT_USER, "correct horse battery")
    assert emails_of(seeded, token, enrolled.patient_id).status_code == 403
