"""Fixtures for the identity tests: a seeded organization with staff, and helpers that walk a
patient from registration to a signed-in session through the API."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from chalicelib import wiring
from infra.local import seed
from tests.integration.conftest import deliver_notifications, link_in

STAFF_USER, STAFF_PASSWORD = "demo.staff", "albany-staff-demo"
ADMIN_USER, ADMIN_PASSWORD = "demo.admin", "albany-admin-demo"


def call(api, method: str, path: str, body=None, token: str = ""):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api.http.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")


def sign_in(api, username: str, password: str) -> str:
    response = call(api, "POST", "/v1/sessions", {"username": username, "password": password})
    assert response.status_code == 201, response.json_body
    return response.json_body["token"]


@pytest.fixture
def seeded(api):
    seed.seed(wiring.container(), {})
    deliver_notifications(api)
    return api


@pytest.fixture
def staff_token(seeded) -> str:
    return sign_in(seeded, STAFF_USER, STAFF_PASSWORD)


@dataclass
class Invited:
    patient_id: str
    invitation_id: str
    code: str
    email: str


PATIENT = {
    "mrn": "MRN-1001",
    "family_name": "Núñez",
    "given_names": ["Ana"],
    "birth_date": "1984-03-09",
    "sex": "female",
}


def register_and_invite(api, staff_token: str, patient: dict | None = None, email: str = "ana@example.org") -> Invited:
    registered = call(api, "POST", "/v1/staff/patients", patient or PATIENT, staff_token)
    assert registered.status_code == 201, registered.json_body
    patient_id = registered.json_body["patient_id"]
    invited = call(api, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": email}, staff_token)
    assert invited.status_code == 201, invited.json_body
    emails = [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [email]]
    code = link_in(emails[-1], "/enroll?code=")
    return Invited(patient_id, invited.json_body["invitation_id"], code, email)


def enrollment(invited: Invited, **overrides) -> dict:
    from chalicelib.identity import terms

    body = {
        "invitation_code": invited.code,
        "date_of_birth": "1984-03-09",
        "family_name": "nunez",
        "username": "ana.nunez",
        "password": "correct horse battery",
        "email": invited.email,
        "accepted_terms_version": terms.SHIPPED.version,
    }
    body.update(overrides)
    return body


@pytest.fixture
def enrolled(seeded, staff_token) -> Invited:
    invited = register_and_invite(seeded, staff_token)
    response = call(seeded, "POST", "/v1/enrollments", enrollment(invited))
    assert response.status_code == 201, response.json_body
    return invited
