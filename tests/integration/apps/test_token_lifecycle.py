"""What review found in the tokens' life, over HTTP as an app meets it: a scope narrowed on refresh
narrows what the new token reads; online_access is not offline_access; a refresh token used twice
ends the authorization; a code replayed revokes it; an app relaunched replaces its consent."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.apps.domain import AuthorizationStatus
from chalicelib.apps.oauth.tokens import RecordKind, digest
from tests.integration.apps.conftest import FHIR, Launch, body, call, form_post

SCOPE = "launch/patient offline_access patient/Patient.rs patient/Observation.rs"


def connect(api, session: str, patient_id: str, types: list[str], scope: str = SCOPE):
    launch = Launch(api)
    launch.authorize(scope=scope)
    answer = launch.approve(session, patient_id, types)
    exchanged = launch.exchange(answer["code"])
    assert exchanged.status_code == 200, exchanged.body
    return launch, body(exchanged)


def fhir_status(api, path: str, token: str) -> int:
    headers = {"Accept": "application/fhir+json", "Authorization": f"Bearer {token}"}
    return api.http.get(f"{FHIR}/{path}", headers=headers).status_code


def test_a_scope_narrowed_on_refresh_narrows_what_the_new_token_reads(patient_session, enrolled, app_registered):
    api = app_registered
    launch, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient", "Observation"])
    assert fhir_status(api, "Observation", tokens["access_token"]) == 200

    narrowed = form_post(
        api,
        "/oauth2/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": launch.client_id,
            "scope": "launch/patient patient/Patient.rs",
        },
    )
    assert narrowed.status_code == 200, narrowed.body
    assert body(narrowed)["scope"] == "launch/patient patient/Patient.rs"
    token = body(narrowed)["access_token"]
    assert fhir_status(api, "Observation", token) == 403
    assert fhir_status(api, f"Patient/{enrolled.patient_id}", token) == 200


def test_online_access_gives_a_refresh_token_for_twelve_hours_that_rotation_does_not_stretch(
    clock, patient_session, enrolled, app_registered
):
    api = app_registered
    scope = "launch/patient online_access patient/Patient.rs"
    launch, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient"], scope=scope)
    assert set(tokens["scope"].split()) == {"launch/patient", "online_access", "patient/Patient.rs"}
    assert "offline_access" not in tokens["scope"]

    clock.advance(hours=11)
    rotated = launch.refresh(tokens["refresh_token"])
    assert rotated.status_code == 200, rotated.body
    assert "online_access" in body(rotated)["scope"].split()

    clock.advance(hours=1, seconds=1)  # twelve hours since the consent: the rotated one has ended too
    ended = launch.refresh(body(rotated)["refresh_token"])
    assert ended.status_code == 400 and body(ended)["error"] == "invalid_grant"


def authorization_of(patient_id: str, authorization_id: str):
    return wiring.container().apps.authorization(patient_id, authorization_id)


def introspected_authorization(access_token: str):
    """The authorization a token was issued under, as the store holds it (by the token's hash)."""
    ports = wiring.container()
    record = ports.apps.record(RecordKind.ACCESS, digest(access_token))
    assert record is not None
    return record.get("patient_id"), record.get("authorization_id")


def test_a_refresh_token_used_twice_ends_the_authorization_and_says_why(patient_session, enrolled, app_registered):
    api = app_registered
    launch, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient"])
    patient_id, authorization_id = introspected_authorization(tokens["access_token"])
    rotated = body(launch.refresh(tokens["refresh_token"]))

    replayed = launch.refresh(tokens["refresh_token"])  # the old one again: stolen, or the app's copy was

    assert replayed.status_code == 400 and body(replayed)["error"] == "invalid_grant"
    assert authorization_of(patient_id, authorization_id).status is AuthorizationStatus.REVOKED
    assert launch.refresh(rotated["refresh_token"]).status_code == 400  # the thief's or the app's: both end
    assert fhir_status(api, f"Patient/{enrolled.patient_id}", rotated["access_token"]) == 401
    events = wiring.container().audit_log.for_patient(enrolled.patient_id, 200)[0]
    assert any(e.event_type == "app.revoke" and e.reason == "refresh_reused" for e in events)


@pytest.fixture
def by_owner_index_lags(monkeypatch):
    """The by-owner index is eventually consistent: here it finds nothing to delete."""
    monkeypatch.setattr(type(wiring.container().apps), "delete_owned", lambda self, owner: 0)


def test_a_code_replayed_revokes_the_authorization_even_before_the_index_catches_up(
    patient_session, enrolled, app_registered, by_owner_index_lags
):
    api = app_registered
    launch = Launch(api)
    launch.authorize(scope=SCOPE)
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    tokens = body(launch.exchange(answer["code"]))

    assert launch.exchange(answer["code"]).status_code == 400

    assert fhir_status(api, f"Patient/{enrolled.patient_id}", tokens["access_token"]) == 401
    assert launch.refresh(tokens["refresh_token"]).status_code == 400


def test_revoking_a_refresh_token_holds_even_before_the_index_catches_up(
    patient_session, enrolled, app_registered, by_owner_index_lags
):
    api = app_registered
    launch, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient"])
    revoked = form_post(api, "/oauth2/revoke", {"token": tokens["refresh_token"], "client_id": launch.client_id})
    assert revoked.status_code == 200
    refused = launch.refresh(tokens["refresh_token"])
    assert refused.status_code == 400 and body(refused)["error"] == "invalid_grant"
    # Revoking an access token ends it by its own key.
    assert fhir_status(api, f"Patient/{enrolled.patient_id}", tokens["access_token"]) == 200
    form_post(api, "/oauth2/revoke", {"token": tokens["access_token"], "client_id": launch.client_id})
    assert fhir_status(api, f"Patient/{enrolled.patient_id}", tokens["access_token"]) == 401


def connected(api, session: str, patient_id: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/apps", token=session)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["apps"]


def test_an_app_is_connected_once_its_code_is_exchanged_and_a_relaunch_replaces_it(
    patient_session, enrolled, app_registered
):
    api = app_registered
    abandoned = Launch(api)
    abandoned.authorize(scope=SCOPE)
    abandoned.approve(patient_session, enrolled.patient_id, ["Patient"])
    assert connected(api, patient_session, enrolled.patient_id) == []  # approved, never exchanged

    _, first = connect(api, patient_session, enrolled.patient_id, ["Patient"])
    _, second = connect(api, patient_session, enrolled.patient_id, ["Patient", "Observation"])

    apps = connected(api, patient_session, enrolled.patient_id)
    assert [a["resource_types"] for a in apps] == [["Patient", "Observation"]]
    assert fhir_status(api, f"Patient/{enrolled.patient_id}", first["access_token"]) == 401
    assert fhir_status(api, "Observation", second["access_token"]) == 200
    events = wiring.container().audit_log.for_patient(enrolled.patient_id, 200)[0]
    assert any(e.event_type == "app.revoke" and e.reason == "replaced" for e in events)
