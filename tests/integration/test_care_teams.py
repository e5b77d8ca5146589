"""The care-team directory: admins add, change and deactivate their organization's teams and
name the staff who answer for each; a patient lists the active teams that accept messages of the
organization holding their record, and nobody else's; every change is audited."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    ADMIN_PASSWORD,
    ADMIN_USER,
    STAFF_USER,
    call,
    enrolled,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.test_feed_sources_admin import other_organization_admin
from tests.integration.test_patient_results import ana  # noqa: F401  (fixtures)

BASE = "/v1/admin/care-teams"
SEEDED = ["Cardiology", "Primary Care"]  # the demo organization's teams (infra/local/seed.py)


def team(name: str = "Dermatology", **changes) -> dict:
    return {
        "name": name,
        "kind": "department",
        "description": "Skin, hair and nails.",
        "accepts_messages": True,
        "phone": "(518) 555-0199",
    } | changes


@pytest.fixture
def admin(seeded) -> str:
    return sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)


def names(api, token: str) -> list[str]:
    answer = call(api, "GET", BASE, token=token)
    assert answer.status_code == 200, answer.json_body
    return [t["name"] for t in answer.json_body["care_teams"]]


def patient_teams(api, patient_id: str, token: str):
    return call(api, "GET", f"/v1/patients/{patient_id}/care-teams", token=token)


def test_an_admin_adds_a_team_and_sees_it_in_the_list_by_name(seeded, admin):
    added = call(seeded, "POST", BASE, team(), admin)

    assert added.status_code == 201, added.json_body
    assert added.json_body | {"team_id": "", "created_at": ""} == {
        "team_id": "",
        "name": "Dermatology",
        "kind": "department",
        "description": "Skin, hair and nails.",
        "accepts_messages": True,
        "phone": "(518) 555-0199",
        "active": True,
        "member_ids": [],
        "created_at": "",
    }
    assert names(seeded, admin) == ["Cardiology", "Dermatology", "Primary Care"]


def test_the_demo_staff_member_answers_for_the_seeded_teams(seeded, admin):
    staff = wiring.container().directory.account_by_username(STAFF_USER)

    listed = call(seeded, "GET", BASE, token=admin).json_body["care_teams"]

    assert [t["member_ids"] for t in listed] == [[staff.account_id], [staff.account_id]]


def test_a_patient_sees_only_active_teams_that_accept_messages_with_the_organizations_name(seeded, admin, ana):
    patient_id, token = ana
    quiet = call(seeded, "POST", BASE, team("Billing", accepts_messages=False, phone=None), admin).json_body
    gone = call(seeded, "POST", BASE, team("Old Clinic", kind="clinic"), admin).json_body
    deactivated = call(
        seeded, "PUT", f"{BASE}/{gone['team_id']}", team("Old Clinic", kind="clinic", active=False), admin
    )
    assert deactivated.status_code == 200 and deactivated.json_body["active"] is False
    assert quiet["phone"] is None

    answer = patient_teams(seeded, patient_id, token)

    assert answer.status_code == 200, answer.json_body
    assert [(t["name"], t["organization_name"]) for t in answer.json_body["care_teams"]] == [
        ("Cardiology", "Albany Medical Center"),
        ("Primary Care", "Albany Medical Center"),
    ]
    assert "member_ids" not in answer.json_body["care_teams"][0]  # staff accounts are the organization's business
    # Deactivated, not deleted: the admin still sees it.
    assert "Old Clinic" in names(seeded, admin)


def test_another_patients_care_teams_are_not_found(seeded, ana, staff_token):
    _, token = ana
    other = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {"mrn": "MRN-2002", "family_name": "Other", "given_names": ["Bo"], "birth_date": "1970-01-01", "sex": "male"},
        staff_token,
    ).json_body["patient_id"]

    assert patient_teams(seeded, other, token).status_code == 404


def test_staff_and_patients_cannot_manage_teams(seeded, staff_token, ana):
    _, patient_token = ana
    assert call(seeded, "POST", BASE, team(), staff_token).status_code == 403
    assert call(seeded, "GET", BASE, token=patient_token).status_code == 403


def test_an_admin_edits_a_team_and_every_change_is_audited(seeded, admin):
    added = call(seeded, "POST", BASE, team(), admin).json_body

    changed = call(
        seeded, "PUT", f"{BASE}/{added['team_id']}", team("Dermatology Clinic", kind="clinic", phone=""), admin
    )

    assert changed.status_code == 200, changed.json_body
    assert (changed.json_body["name"], changed.json_body["kind"], changed.json_body["phone"]) == (
        "Dermatology Clinic",
        "clinic",
        None,
    )
    account_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    events, _ = wiring.container().audit_log.by_actor(account_id, 50)
    mine = sorted((e.recorded_at, e.event_type) for e in events if e.resource_id == added["team_id"])
    assert [event_type for _, event_type in mine] == ["care_team.create", "care_team.update"]


def test_a_second_active_team_of_the_same_name_is_refused_naming_the_field(seeded, admin):
    answer = call(seeded, "POST", BASE, team(" cardiology "), admin)

    assert answer.status_code == 400
    assert [d["field"] for d in answer.json_body["error"]["details"]] == ["name"]


@pytest.mark.parametrize(
    "body, field",
    [
        (team(name=""), "name"),
        (team(name="x" * 101), "name"),
        (team(kind="ward"), "kind"),
        (team(phone="call us maybe"), "phone"),
        (team(description="a\u202eb"), "description"),
        (team() | {"email": "team@example.org"}, "email"),
    ],
)
def test_bad_team_fields_are_refused_naming_the_field(seeded, admin, body, field):
    answer = call(seeded, "POST", BASE, body, admin)

    assert answer.status_code == 400, answer.json_body
    assert field in [d["field"] for d in answer.json_body["error"]["details"]]


def test_an_unknown_team_is_not_found(seeded, admin):
    assert call(seeded, "PUT", f"{BASE}/{'0' * 32}", team(), admin).status_code == 404


def test_members_are_staff_of_the_organization_only(seeded, admin, ana, monkeypatch):
    staff = wiring.container().directory.account_by_username(STAFF_USER)
    patient_account = wiring.container().directory.account_by_username("ana.nunez")
    added = call(seeded, "POST", BASE, team(), admin).json_body
    path = f"{BASE}/{added['team_id']}/members"

    refused = call(seeded, "PUT", path, {"account_ids": [staff.account_id, patient_account.account_id]}, admin)
    set_ = call(seeded, "PUT", path, {"account_ids": [staff.account_id, staff.account_id]}, admin)

    assert refused.status_code == 400
    assert [d["field"] for d in refused.json_body["error"]["details"]] == ["account_ids.1"]
    assert set_.status_code == 200, set_.json_body
    assert set_.json_body["member_ids"] == [staff.account_id]

    # Another organization's admin neither sees these teams nor may add this organization's staff.
    other = other_organization_admin(seeded, monkeypatch)
    assert names(seeded, other) == []
    assert call(seeded, "PUT", path, {"account_ids": []}, other).status_code == 404
    theirs = call(seeded, "POST", BASE, team(), other).json_body
    foreign = call(seeded, "PUT", f"{BASE}/{theirs['team_id']}/members", {"account_ids": [staff.account_id]}, other)
    assert foreign.status_code == 400
