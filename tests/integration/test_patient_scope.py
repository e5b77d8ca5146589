"""One access check for every patient record route: a caller reaches only the patients their
scope covers (a patient: their own record and their connections; staff: their organization's
patients). Any other patient id, whether it exists or not, is answered 404 as an unknown one
is, and the refusal is audited."""

from __future__ import annotations

import re

from chalicelib import wiring
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.identity.test_staff_and_admin import other_organization_staff

PATIENT_USER, PATIENT_PASSWORD = "ana.nunez", "correct horse battery"
SOMEONE_ELSE = {
    "mrn": "MRN-2002",
    "family_name": "Okafor",
    "given_names": ["Chidi"],
    "birth_date": "1990-01-02",
    "sex": "male",
}


def patient_record_routes(prefix: str) -> list[tuple[str, str]]:
    import app as app_module

    return [
        (path, method)
        for path, methods in app_module.app.routes.items()
        for method in methods
        if path.startswith(prefix) and method != "OPTIONS"  # CORS preflights carry no session
    ]


def concrete(path: str, patient_id: str) -> str:
    values = {"patient_id": patient_id, "section": "allergies", "index": "0"}
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "0" * 32), path)


# A well-formed body for each route that takes one: the access check must be what refuses, not the
# body's validation (which runs first and says nothing about the patient either way).
BODIES = {
    ("PUT", "/v1/patients/{patient_id}/release-preferences"): {"wait_for_review": []},
    ("POST", "/v1/patients/{patient_id}/refill-requests"): {
        "medication_id": "0" * 32,
        "pharmacy": {"name": "Main Street Pharmacy"},
        "note": "",
    },
    ("POST", "/v1/patients/{patient_id}/attachments"): {
        "file_name": "letter.pdf",
        "content_type": "application/pdf",
        "size_bytes": 1000,
    },
    ("POST", "/v1/patients/{patient_id}/messages"): {"team_id": "0" * 32, "subject": "A question", "body": "Hello"},
    ("POST", "/v1/patients/{patient_id}/messages/{thread_id}/replies"): {"body": "Hello"},
    ("POST", "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/details"): {"confirmed": True},
    ("POST", "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/answers"): {"answers": []},
    ("POST", "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/forms/{form_id}/sign"): {
        "version": 1,
        "sha256": "0" * 64,
        "typed_name": "Ana Núñez",
        "agree": True,
    },
    ("POST", "/v1/patients/{patient_id}/appointment-requests"): {
        "care_team_id": "0" * 32,
        "reason": "A check-up",
        "mode": "in_person",
        "preferred": [{"date": "2026-12-10", "time_of_day": "morning"}],
    },
    ("POST", "/v1/patients/{patient_id}/appointment-requests/{request_id}/answer"): {"accept": True},
    ("POST", "/v1/patients/{patient_id}/appointments/{appointment_id}/cancel"): {"reason": ""},
    ("POST", "/v1/patients/{patient_id}/appointments/{appointment_id}/reschedule"): {
        "reason": "Another day suits me better",
        "mode": "video",
        "preferred": [{"date": "2026-12-10", "time_of_day": "any"}],
    },
    ("POST", "/v1/patients/{patient_id}/proxies/{grant_id}/consent"): {"agree": True},
    ("POST", "/v1/patients/{patient_id}/proxies"): {
        "name": "Lee Friend",
        "email": "lee.friend@example.org",
        "relationship": "trusted_person",
        "access": "read_only",
        "areas": ["appointments"],
    },
    ("POST", "/v1/patients/{patient_id}/health-links"): {"label": "For a visit", "expires_in_days": 7},
}


def denials(account_id: str) -> list:
    events, _ = wiring.container().audit_log.by_actor(account_id, 500)
    events, _ = wiring.container().audit_log.by_actor(account_id, 1000)
    events, _ = wiring.container().audit_log.by_actor(account_id, 500)  # (two refusals a route)
    return [e for e in events if e.outcome.value == "denied" and e.resource_type == "Patient"]


def test_a_patient_reaches_no_other_patients_record_on_any_route(enrolled, seeded, staff_token):
    # GIVEN Ana signed in, and another patient of her organization
    other = register_and_invite(seeded, staff_token, SOMEONE_ELSE, email="chidi@example.org").patient_id
    token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    routes = patient_record_routes("/v1/patients/{patient_id}")
    assert len(routes) >= 10
    # WHEN she calls every patient record route with his id, and with an id nobody has
    for path, method in routes:
        for patient_id in (other, "f" * 32):
            body = BODIES.get((method, path))
            answer = call(seeded, method, concrete(path, patient_id), body, token)
            # THEN each answers 404, exactly as for an unknown patient
            assert answer.status_code == 404, f"{method} {path}: {answer.status_code}"
            assert answer.json_body["error"] == {"code": "not_found", "message": "No such patient.", "details": []}
    # AND every refusal is in the audit trail
    account = wiring.container().directory.account_by_username(PATIENT_USER)
    assert len(denials(account.account_id)) == 2 * len(routes)


def test_staff_reach_no_patient_of_another_organization_on_any_route(enrolled, seeded, staff_token, monkeypatch):
    # GIVEN a patient of Albany, and staff of another organization
    other_staff = other_organization_staff(seeded, monkeypatch)
    routes = [r for r in patient_record_routes("/v1/staff/patients/{patient_id}") if r[1] == "GET"]
    assert len(routes) >= 3
    # WHEN they read her record on every staff patient route THEN each answers 404
    for path, method in routes:
        answer = call(seeded, method, concrete(path, enrolled.patient_id), None, other_staff)
        assert answer.status_code == 404, f"{method} {path}: {answer.status_code}"
    # AND Albany's own staff reach her on the same routes (a route naming one thing of her record
    # besides, which the made-up id is not, answers that thing's 404, not the patient's)
    for path, method in routes:
        answer = call(seeded, method, concrete(path, enrolled.patient_id), None, staff_token)
        if re.search(r"\{(?!patient_id\})\w+\}", path):
            assert answer.status_code in (200, 404), f"{method} {path}: {answer.json_body}"
            assert answer.status_code == 200 or answer.json_body["error"]["message"] != "No such patient."
        else:
            assert answer.status_code == 200, f"{method} {path}: {answer.json_body}"
