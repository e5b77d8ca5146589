"""Fixtures for the health apps tests: the identity fixtures (a seeded organization, its staff,
an enrolled patient) and an app's side of SMART's standalone launch, over HTTP through chalice's
test client, written without Authlib (so the server is checked by something it did not write)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chalicelib import wiring
from chalicelib.apps.domain import ClientKind
from chalicelib.apps.oauth.tokens import digest
from tests.apps_support import register_app
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)

ORG = "albany-medical-center"
BASE = "https://portal.test"
FHIR = BASE + "/fhir/R4"
REDIRECT_URI = "http://localhost:8765/callback"
CLIENT_ID = "test-health-app"
CONFIDENTIAL_ID = "test-server-app"
CONFIDENTIAL_SECRET = "s3cret-" + "x" * 40
PATIENT_USER, PATIENT_PASSWORD = "ana.nunez", "correct horse battery"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def form_post(api, path: str, fields: dict, headers: dict | None = None):
    return api.http.post(
        path,
        headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        body=urlencode(fields).encode(),
    )


def basic(client_id: str, secret: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


@dataclass
class Launch:
    """One run of an app's standalone launch, up to the consent page."""

    api: object
    client_id: str = CLIENT_ID
    verifier: str = ""
    state: str = ""
    request_id: str = ""

    def authorize(self, scope: str = "launch/patient openid fhirUser offline_access patient/*.rs", **overrides):
        self.verifier = self.verifier or secrets.token_urlsafe(48)
        self.state = self.state or secrets.token_urlsafe(8)
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": self.state,
            "aud": FHIR,
            "code_challenge": s256(self.verifier),
            "code_challenge_method": "S256",
            "nonce": "n-0S6_WzA2Mj",
        }
        params.update(overrides)
        params = {k: v for k, v in params.items() if v is not None}
        response = self.api.http.get("/oauth2/authorize?" + urlencode(params))
        assert response.status_code == 302, response.body
        location = response.headers["Location"]
        if location.startswith(BASE + "/apps/authorize?request="):
            self.request_id = query_of(location)["request"]
        return location

    def approve(self, session: str, patient_id: str, resource_types: list[str]) -> dict[str, str]:
        response = call(
            self.api,
            "POST",
            f"/v1/app-authorizations/requests/{self.request_id}/approve",
            {"patient_id": patient_id, "resource_types": resource_types},
            session,
        )
        assert response.status_code == 200, response.json_body
        redirect_to = response.json_body["redirect_to"]
        assert redirect_to.startswith(REDIRECT_URI + "?")
        return query_of(redirect_to)

    def exchange(self, code: str, verifier: str | None = None, headers: dict | None = None, **extra):
        fields = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": self.verifier if verifier is None else verifier,
            "client_id": self.client_id,
            **extra,
        }
        return form_post(self.api, "/oauth2/token", {k: v for k, v in fields.items() if v is not None}, headers)

    def refresh(self, refresh_token: str):
        return form_post(
            self.api,
            "/oauth2/token",
            {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id},
        )


@pytest.fixture
def app_registered(seeded):
    ports = wiring.container()
    register_app(ports, ORG, client_id=CLIENT_ID, redirect_uris=(REDIRECT_URI,))
    register_app(
        ports,
        ORG,
        client_id=CONFIDENTIAL_ID,
        name="Test Server App",
        redirect_uris=(REDIRECT_URI,),
        kind=ClientKind.CONFIDENTIAL,
        secret_hash=digest(CONFIDENTIAL_SECRET),
    )
    return seeded


@pytest.fixture
def patient_session(enrolled, app_registered) -> str:
    return sign_in(app_registered, PATIENT_USER, PATIENT_PASSWORD)


def body(response) -> dict:
    return json.loads(response.body)
