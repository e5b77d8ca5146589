"""Behind the portal's CloudFront distribution, sign-ins are counted and recorded under the
visitor's own address, not the edge's; a caller that forges CloudFront's headers straight to the
API is recorded under the address API Gateway saw.

GIVEN a stack with an edge secret, WHEN staff sign in through the edge and straight to the API
with forged headers, THEN the sign-in history names the visitor only for the first."""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from tests.integration.identity.conftest import STAFF_PASSWORD, STAFF_USER, call

SECRET = "edge-secret-" + "x" * 36


@pytest.fixture
def behind_the_edge(seeded, monkeypatch):
    monkeypatch.setenv("PORTAL_EDGE_SECRET", SECRET)
    wiring.reset()
    return seeded


def sign_in_with(api, headers: dict) -> str:
    body = json.dumps({"username": STAFF_USER, "password": STAFF_PASSWORD}).encode()
    answer = api.http.post("/v1/sessions", headers={"Content-Type": "application/json", **headers}, body=body)
    assert answer.status_code == 201, answer.json_body
    return answer.json_body["token"]


def last_sign_in_address(api, token: str) -> str | None:
    history = call(api, "GET", "/v1/me/sign-in-history", token=token)
    assert history.status_code == 200, history.json_body
    return history.json_body["events"][0]["source_ip"]


def test_a_sign_in_through_the_edge_is_recorded_under_the_visitors_address(behind_the_edge):
    token = sign_in_with(behind_the_edge, {"X-Portal-Edge": SECRET, "CloudFront-Viewer-Address": "198.51.100.7:50123"})
    assert last_sign_in_address(behind_the_edge, token) == "198.51.100.7"


def test_forged_edge_headers_straight_to_the_api_are_not_believed(behind_the_edge):
    token = sign_in_with(
        behind_the_edge, {"X-Portal-Edge": "a guess", "CloudFront-Viewer-Address": "198.51.100.7:50123"}
    )
    assert last_sign_in_address(behind_the_edge, token) != "198.51.100.7"
