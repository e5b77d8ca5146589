"""Fixtures of check-in's forms: the demo admin's token, and helpers to make forms and visit types."""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, sign_in


@pytest.fixture
def admin(seeded) -> str:
    return sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)


def form_sha(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def keyed(api, method: str, path: str, body, token: str, key: str):
    """A call with an Idempotency-Key."""
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return api.http.request(method, path, body=json.dumps(body).encode(), headers=headers)


def new_form(api, token: str, title: str = "Consent to photography", kind: str = "other", body: str = "") -> dict:
    answer = call(
        api, "POST", "/v1/admin/forms", {"title": title, "kind": kind, "body": body or f"{title}: I agree."}, token
    )
    assert answer.status_code == 201, answer.json_body
    return answer.json_body


def put_visit_type(api, token: str, visit_type_id: str, name: str, form_ids: list[str], questionnaire=None):
    body = {"name": name, "form_ids": form_ids, "questionnaire": questionnaire}
    return call(api, "PUT", f"/v1/admin/visit-types/{visit_type_id}", body, token)
