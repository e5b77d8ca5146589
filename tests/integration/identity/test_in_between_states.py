"""Accounts in between states, as the patient and the staff of each organization see them: a
connection added before the other organization's record said who it describes turns active when
that organization's feed brings the record (through the real feed handler); a revoked, burned or
expired invitation leaves the patient not invited again; adding an organization is all or
nothing; a user name already taken is refused at enrollment before the code is looked up, and the
same way whatever code comes with it."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from chalicelib.kernel.clock import PinnedClock
from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import (
    STAFF_PASSWORD,
    STAFF_USER,
    call,
    enrollment,
    register_and_invite,
    sign_in,
)
from tests.integration.identity.test_staff_and_admin import OTHER_AUTHORITY, OTHER_ORG, other_organization_staff
from tests.integration.records.conftest import deliver, msh, segment

PATIENT_USER, PATIENT_PASSWORD = "ana.nunez", "correct horse battery"
SARATOGA_ADT = "ADT|SH"


def saratoga_adt(control: str, family: str, birth: str) -> str:
    """Saratoga's registration feed: an A08 for its record SH-77, with what it knows of her."""
    return "\r".join(
        [
            msh(control, "ADT^A08^ADT_A01", "ADT", "SH"),
            segment("EVN", {1: "A08", 2: "20261203080000"}),
            segment("PID", {1: "1", 3: f"SH-77^^^{OTHER_AUTHORITY}^MR", 5: f"{family}^Ana", 7: birth, 8: "F"}),
            segment("PV1", {1: "1", 2: "O"}),
        ]
    )


def connections_of(api, token: str) -> dict[str, dict]:
    answer = call(api, "GET", "/v1/me/connections", token=token)
    assert answer.status_code == 200, answer.json_body
    return {c["organization_id"]: c for c in answer.json_body["connections"]}


def staff_view(api, token: str, patient_id: str) -> dict:
    answer = call(api, "GET", f"/v1/staff/patients/{patient_id}", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def searched_status(api, token: str, mrn: str) -> str:
    answer = call(api, "POST", "/v1/staff/patients/search", {"mrn": mrn}, token)
    assert answer.status_code == 200, answer.json_body
    [found] = answer.json_body["patients"]
    return found["portal_status"]


@pytest.fixture
def waiting(enrolled, seeded, monkeypatch):
    """Ana, enrolled at Albany, adds Saratoga with its code while Saratoga's record of her (sent by
    its feed) has no birth date yet: the connection waits."""
    other_staff = other_organization_staff(seeded, monkeypatch)
    wiring.container().records.add_feed_source(FeedSource(SARATOGA_ADT, OTHER_ORG, OTHER_AUTHORITY))
    assert deliver(seeded, saratoga_adt("SH-1", "NUNEZ", ""), group_id="SH")["batchItemFailures"] == []
    found = call(seeded, "POST", "/v1/staff/patients/search", {"mrn": "SH-77"}, other_staff).json_body["patients"]
    patient_id = found[0]["patient"]["patient_id"]
    invited = call(
        seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": "ana@example.org"}, other_staff
    )
    assert invited.status_code == 201, invited.json_body
    code = link_in(deliver_notifications(seeded)[-1], "/enroll?code=")
    token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    added = call(seeded, "POST", "/v1/me/connections", {"invitation_code": code}, token)
    assert added.status_code == 201, added.json_body
    assert (added.json_body["status"], added.json_body["patient_id"]) == ("pending", None)
    return {"token": token, "other_staff": other_staff, "patient_id": patient_id}


# -- a pending connection turns active when its record arrives ----------------------------------


def test_a_pending_connection_turns_active_when_its_record_arrives(waiting, seeded):
    token, other_staff, patient_id = waiting["token"], waiting["other_staff"], waiting["patient_id"]
    # While it waits, the record opens nothing and Saratoga's office sees her as invited.
    assert connections_of(seeded, token)[OTHER_ORG]["status"] == "pending"
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).status_code == 404
    assert staff_view(seeded, other_staff, patient_id)["portal_status"] == "invited"
    # ... and does not send another code meanwhile.
    again = call(
        seeded, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": "ana@example.org"}, other_staff
    )
    assert again.status_code == 409

    # Saratoga's feed sends her record with her birth date and family name.
    assert deliver(seeded, saratoga_adt("SH-2", "Núñez", "19840309"), group_id="SH")["batchItemFailures"] == []

    connection = connections_of(seeded, token)[OTHER_ORG]
    assert (connection["status"], connection["patient_id"]) == ("active", patient_id)
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).status_code == 200
    assert staff_view(seeded, other_staff, patient_id)["portal_status"] == "active"
    assert searched_status(seeded, other_staff, "SH-77") == "active"
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    assert [(e.event_type, e.outcome.value) for e in events if e.event_type == "connection.activated"] == [
        ("connection.activated", "success")
    ]
    # Another message about her changes nothing more, and reads no account again.
    reads: list[str] = []
    directory = wiring.container().directory
    read = directory.account
    directory.account = lambda account_id: reads.append(account_id) or read(account_id)  # type: ignore[method-assign]
    try:
        assert deliver(seeded, saratoga_adt("SH-3", "Núñez", "19840309"), group_id="SH")["batchItemFailures"] == []
    finally:
        del directory.account
    assert reads == []
    assert connections_of(seeded, token)[OTHER_ORG]["status"] == "active"


def test_a_record_that_arrives_describing_someone_else_leaves_the_connection_pending(waiting, seeded):
    token, other_staff, patient_id = waiting["token"], waiting["other_staff"], waiting["patient_id"]

    assert deliver(seeded, saratoga_adt("SH-2", "Núñez", "19840310"), group_id="SH")["batchItemFailures"] == []

    assert connections_of(seeded, token)[OTHER_ORG]["status"] == "pending"
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).status_code == 404
    assert staff_view(seeded, other_staff, patient_id)["portal_status"] == "invited"
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    refused = [e for e in events if e.event_type == "connection.activated"]
    assert [(e.outcome.value, e.reason) for e in refused] == [("failure", "record_does_not_match")]


def test_removing_a_pending_connection_lets_the_office_invite_again(waiting, seeded):
    token, other_staff, patient_id = waiting["token"], waiting["other_staff"], waiting["patient_id"]
    pending = connections_of(seeded, token)[OTHER_ORG]
    assert call(seeded, "DELETE", f"/v1/me/connections/{pending['connection_id']}", token=token).status_code == 204

    assert staff_view(seeded, other_staff, patient_id)["portal_status"] == "not_invited"
    # ... and the record arriving later opens nothing for her.
    assert deliver(seeded, saratoga_adt("SH-2", "Núñez", "19840309"), group_id="SH")["batchItemFailures"] == []
    assert OTHER_ORG not in connections_of(seeded, token)


# -- revoked, burned and expired invitations ---------------------------------------------------


def test_a_revoked_invitation_shows_the_patient_as_not_invited_again(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    assert staff_view(seeded, staff_token, invited.patient_id)["portal_status"] == "invited"

    revoked = call(seeded, "DELETE", f"/v1/staff/invitations/{invited.invitation_id}", token=staff_token)
    assert revoked.status_code == 204

    seen = staff_view(seeded, staff_token, invited.patient_id)
    assert seen["portal_status"] == "not_invited"
    assert [i["status"] for i in seen["invitations"]] == ["revoked"]
    assert searched_status(seeded, staff_token, "MRN-1001") == "not_invited"
    # Inviting again makes her invited again.
    again = call(
        seeded, "POST", "/v1/staff/invitations", {"patient_id": invited.patient_id, "email": invited.email}, staff_token
    )
    assert again.status_code == 201
    assert staff_view(seeded, staff_token, invited.patient_id)["portal_status"] == "invited"


def test_revoking_a_replaced_invitation_leaves_the_newer_one_standing(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    newer = call(seeded, "POST", f"/v1/staff/invitations/{invited.invitation_id}/resend", token=staff_token)
    assert newer.status_code in (200, 201), newer.json_body
    # (the older one was revoked by the resend: revoking it again is refused and changes nothing)
    assert (
        call(seeded, "DELETE", f"/v1/staff/invitations/{invited.invitation_id}", token=staff_token).status_code == 409
    )
    assert staff_view(seeded, staff_token, invited.patient_id)["portal_status"] == "invited"


def test_an_expired_invitation_shows_the_patient_as_not_invited_again(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    wiring.pin_clock(PinnedClock(datetime.now(timezone.utc) + timedelta(days=8)))
    staff_token = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)  # the earlier session ended long ago

    seen = staff_view(seeded, staff_token, invited.patient_id)
    assert seen["portal_status"] == "not_invited"
    assert [i["status"] for i in seen["invitations"]] == ["expired"]
    assert searched_status(seeded, staff_token, "MRN-1001") == "not_invited"


def test_an_invitation_burned_by_wrong_answers_shows_the_patient_as_not_invited_again(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    for _ in range(5):
        wrong = call(seeded, "POST", "/v1/enrollments", enrollment(invited, date_of_birth="1984-03-10"))
        assert wrong.status_code == 400

    seen = staff_view(seeded, staff_token, invited.patient_id)
    assert (seen["portal_status"], [i["status"] for i in seen["invitations"]]) == ("not_invited", ["burned"])


# -- adding an organization is all or nothing --------------------------------------------------


def test_an_organization_added_while_its_record_changes_is_not_half_added_and_the_code_still_works(
    enrolled, seeded, monkeypatch
):
    other_staff = other_organization_staff(seeded, monkeypatch)
    record = {
        "mrn": "SH-77",
        "family_name": "NUNEZ",
        "given_names": ["Ana"],
        "birth_date": "1984-03-09",
        "sex": "female",
    }
    other = register_and_invite(seeded, other_staff, record)
    token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    patients = wiring.container().patients
    read = patients.get

    def read_before_a_change(patient_id: str):
        # Saratoga's record as read just before another change to it lands.
        patient = read(patient_id)
        if patient is not None and patient_id == other.patient_id:
            return dataclasses.replace(patient, version=(patient.version or 1) - 1)
        return patient

    monkeypatch.setattr(patients, "get", read_before_a_change)
    refused = call(seeded, "POST", "/v1/me/connections", {"invitation_code": other.code}, token)
    assert refused.status_code == 409, refused.json_body

    monkeypatch.setattr(patients, "get", read)
    assert list(connections_of(seeded, token)) == ["albany-medical-center"]
    seen = staff_view(seeded, other_staff, other.patient_id)
    assert (seen["portal_status"], [i["status"] for i in seen["invitations"]]) == ("invited", ["pending"])
    events, _ = wiring.container().audit_log.for_patient(other.patient_id, 50)
    assert not [e for e in events if e.event_type == "connection.added"]
    # Nothing was used up: the same code adds Saratoga now.
    added = call(seeded, "POST", "/v1/me/connections", {"invitation_code": other.code}, token)
    assert (added.status_code, added.json_body["status"]) == (201, "active")


# -- a taken user name at enrollment -----------------------------------------------------------


def test_a_taken_user_name_is_refused_before_the_code_is_used_and_alike_for_any_code(enrolled, seeded, staff_token):
    # Ana holds "ana.nunez"; Bo, invited, asks for it.
    bo = register_and_invite(
        seeded,
        staff_token,
        {"mrn": "MRN-2002", "family_name": "Berg", "given_names": ["Bo"], "birth_date": "1990-01-02", "sex": "male"},
        email="bo@example.org",
    )
    answers = {"date_of_birth": "1990-01-02", "family_name": "Berg", "email": "bo@example.org"}

    with_valid_code = call(seeded, "POST", "/v1/enrollments", enrollment(bo, username="ana.nunez", **answers))
    with_wrong_answers = call(
        seeded,
        "POST",
        "/v1/enrollments",
        enrollment(bo, username="ana.nunez", **{**answers, "date_of_birth": "1990-01-03"}),
    )
    with_unknown_code = call(
        seeded,
        "POST",
        "/v1/enrollments",
        enrollment(bo, username="ana.nunez", invitation_code=bo.code[:-4] + "AAAA", **answers),
    )
    with_garbage_code = call(
        seeded, "POST", "/v1/enrollments", enrollment(bo, username="ana.nunez", invitation_code="nonsense", **answers)
    )

    for refused in (with_valid_code, with_wrong_answers, with_unknown_code, with_garbage_code):
        assert refused.status_code == 409, refused.json_body
        assert refused.json_body["error"]["details"] == with_valid_code.json_body["error"]["details"]
        assert [d.get("field") for d in refused.json_body["error"]["details"]] == ["username"]
        assert refused.json_body["error"]["message"] == with_valid_code.json_body["error"]["message"]
    # No try was counted and the code was not used: Bo enrolls with it under another name.
    [invitation] = staff_view(seeded, staff_token, bo.patient_id)["invitations"]
    assert (invitation["status"], invitation["failed_attempts"]) == ("pending", 0)
    enrolled_bo = call(seeded, "POST", "/v1/enrollments", enrollment(bo, username="bo.berg", **answers))
    assert enrolled_bo.status_code == 201, enrolled_bo.json_body


def test_a_patient_whose_access_ended_can_be_invited_again(enrolled, seeded, staff_token):
    ended = call(
        seeded, "POST", f"/v1/staff/patients/{enrolled.patient_id}/portal-access", {"action": "terminate"}, staff_token
    )
    assert ended.status_code == 200, ended.json_body

    again = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": enrolled.patient_id, "email": enrolled.email},
        staff_token,
    )
    assert again.status_code == 201, again.json_body
    assert staff_view(seeded, staff_token, enrolled.patient_id)["portal_status"] == "invited"
