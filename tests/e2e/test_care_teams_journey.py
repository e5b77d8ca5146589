"""The care-team directory over real HTTP against the local stack: the demo organization starts
with its seeded teams; an admin adds one and deactivates another; a newly enrolled patient lists
the teams they may write to (active, accepting messages, with the organization's name), and
another patient's id answers 404."""

from __future__ import annotations

import pytest

from tests.e2e.test_identity_journey import Api, enrolled, sign_in, staff_token
from tests.e2e.test_release_journey import ADMIN_PASSWORD, ADMIN_USER

pytestmark = pytest.mark.e2e


def test_an_admin_keeps_the_care_teams_and_a_patient_sees_the_ones_to_write_to(portal):
    api = Api(portal)
    admin = api.call("POST", "/v1/sessions", {"username": ADMIN_USER, "password": ADMIN_PASSWORD}).json()["token"]
    listed = api.call("GET", "/v1/admin/care-teams", token=admin)
    assert listed.status_code == 200, listed.text
    assert {"Cardiology", "Primary Care"} <= {t["name"] for t in listed.json()["care_teams"]}  # seeded

    added = api.call(
        "POST",
        "/v1/admin/care-teams",
        {"name": "E2E Dermatology", "kind": "clinic", "accepts_messages": True, "phone": "(518) 555-0199"},
        admin,
    )
    assert added.status_code == 201, added.text
    gone = api.call(
        "POST", "/v1/admin/care-teams", {"name": "E2E Old Clinic", "kind": "clinic", "accepts_messages": True}, admin
    ).json()
    deactivated = api.call(
        "PUT",
        f"/v1/admin/care-teams/{gone['team_id']}",
        {"name": "E2E Old Clinic", "kind": "clinic", "accepts_messages": True, "active": False},
        admin,
    )
    assert deactivated.status_code == 200, deactivated.text

    terms = api.call("GET", "/v1/terms").json()["version"]
    patient = enrolled(api, terms, "careteams")
    token = sign_in(api, patient)
    mine = api.call("GET", f"/v1/patients/{patient.patient_id}/care-teams", token=token)

    assert mine.status_code == 200, mine.text
    assert mine.headers["Cache-Control"] == "no-store"
    teams = {t["name"]: t for t in mine.json()["care_teams"]}
    assert {"Cardiology", "Primary Care", "E2E Dermatology"} <= set(teams)
    assert "E2E Old Clinic" not in teams
    assert teams["E2E Dermatology"]["phone"] == "(518) 555-0199"
    assert teams["E2E Dermatology"]["organization_name"] == "Albany Medical Center"

    other = api.call(
        "POST",
        "/v1/staff/patients",
        {
            "mrn": f"E2E-CT-{patient.suffix}",
            "family_name": "Other",
            "given_names": ["Bo"],
            "birth_date": "1970-01-01",
            "sex": "male",
        },
        staff_token(api),
    ).json()["patient_id"]
    assert api.call("GET", f"/v1/patients/{other}/care-teams", token=token).status_code == 404
