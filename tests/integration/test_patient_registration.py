"""Staff register a patient and change their portal access with requests of a declared shape:
what a form sends for an empty field is taken as not given, and what is malformed is a 400 that
names the field, without repeating what was sent.

GIVEN the seeded organization and its staff
WHEN staff register a patient, search for one, or change portal access with odd input
THEN a well-meant empty field is accepted, a malformed one refused naming it, and nothing is stored
from a refused request.
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib import wiring
from tests.integration.identity.conftest import PATIENT, call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)

REGISTER = "/v1/staff/patients"


def fields_of(answer) -> list[str]:
    return [d["field"] for d in answer.json_body["error"]["details"]]


def test_a_birth_date_is_a_day_written_yyyy_mm_dd_and_nothing_else(seeded, staff_token):
    # A number or a timestamp would otherwise be read as a day (0 as 1970-01-01) and stored.
    for written in (0, "0", 19840309, "1984-03-09T00:00:00Z", "09/03/1984", "1984-02-30"):
        answer = call(seeded, "POST", REGISTER, {**PATIENT, "birth_date": written}, staff_token)
        assert answer.status_code == 400, written
        assert fields_of(answer) == ["birth_date"], written
    # AND nothing was registered
    assert call(seeded, "POST", f"{REGISTER}/search", {"mrn": PATIENT["mrn"]}, staff_token).json_body["patients"] == []


def test_empty_optional_fields_count_as_not_given(seeded, staff_token):
    body = {**PATIENT, "email": "", "identifiers": None, "given_names": None}

    answer = call(seeded, "POST", REGISTER, body, staff_token)

    assert answer.status_code == 201, answer.json_body
    assert answer.json_body["portal_status"] == "not_invited"
    stored = wiring.container().patients.get(answer.json_body["patient_id"])
    assert (stored.email, stored.given_names, stored.sex) == ("", (), "female")


def test_malformed_fields_are_named_and_not_repeated(seeded, staff_token):
    cases = {
        "email": {**PATIENT, "email": "ana at example"},
        "sex": {**PATIENT, "sex": "F"},
        "mrn": {**PATIENT, "mrn": "MRN 1001\n"},
        "given_names": {**PATIENT, "given_names": [f"Name{n}" for n in range(6)]},
        "identifiers.0.type": {**PATIENT, "identifiers": [{"authority": "NYS-LAB", "value": "L-1", "type": "mr"}]},
    }
    for field, body in cases.items():
        answer = call(seeded, "POST", REGISTER, body, staff_token)
        assert answer.status_code == 400, field
        assert fields_of(answer) == [field]
        assert "ana at example" not in str(answer.json_body) and "MRN 1001" not in str(answer.json_body)


def test_every_wrong_identifier_and_the_birth_date_are_named_at_once(seeded, staff_token):
    # GIVEN a form with a social security number, an identifier given twice and a birth date to come
    body = {
        **PATIENT,
        "identifiers": [
            {"authority": "LAB", "value": "L-1"},
            {"authority": "SSA", "value": "123456789", "type": "SS"},
            {"authority": "LAB", "value": "L-1"},
        ],
        "birth_date": (date.today() + timedelta(days=400)).isoformat(),
    }

    answer = call(seeded, "POST", REGISTER, body, staff_token)

    # THEN one answer names each problem, in words, the entries by their place
    assert answer.status_code == 400
    details = answer.json_body["error"]["details"]
    assert [d["field"] for d in details] == ["identifiers.1", "identifiers.2", "birth_date"]
    assert all(d["issue"] for d in details)
    assert answer.json_body["error"]["message"] == "Some answers need another look."
    assert "123456789" not in answer.body.decode()
    # AND nothing was registered
    assert call(seeded, "POST", f"{REGISTER}/search", {"mrn": PATIENT["mrn"]}, staff_token).json_body["patients"] == []


def test_a_search_takes_one_form_only(seeded, staff_token):
    for body in ({}, {"mrn": ""}, {"mrn": 1001}, {"mrn": "MRN-1001", "family_name": "Núñez"}, ["MRN-1001"]):
        answer = call(seeded, "POST", f"{REGISTER}/search", body, staff_token)
        assert answer.status_code == 400, body
        assert answer.json_body["error"]["code"] == "validation_failed"


def test_a_portal_access_change_needs_a_listed_action_and_a_coded_reason(enrolled, seeded, staff_token):
    path = f"{REGISTER}/{enrolled.patient_id}/portal-access"
    for body, field in (
        ({"action": "delete"}, "action"),
        ({"reason": "patient_request"}, "action"),
        ({"action": "suspend", "reason": "She asked us to, call 555-0100"}, "reason"),
        ({"action": "suspend", "reason": "x" * 65}, "reason"),
        ({"action": "suspend", "notify": False}, "notify"),
    ):
        answer = call(seeded, "POST", path, body, staff_token)
        assert answer.status_code == 400, body
        assert fields_of(answer) == [field], body
        assert "555-0100" not in str(answer.json_body)
    # AND none of them suspended her
    assert wiring.container().patients.get(enrolled.patient_id).portal_status.value == "active"

    suspended = call(seeded, "POST", path, {"action": "suspend", "reason": "patient_request"}, staff_token)
    assert suspended.status_code == 200, suspended.json_body
    assert suspended.json_body == {"portal_status": "suspended", "account_status": "suspended", "sessions_ended": 0}
