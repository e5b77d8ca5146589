"""What review found in the tokens' life, over HTTP as an app meets it: a scope narrowed on refresh
narrows what the new token reads; online_access is not offline_access; a refresh token used twice
ends the authorization; a code replayed revokes it; an app relaunched replaces its consent."""

from __future__ import annotations

from tests.integration.apps.conftest import FHIR, Launch, body, form_post

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
