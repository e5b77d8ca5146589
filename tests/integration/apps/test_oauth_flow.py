"""SMART's standalone launch against the authorization server, as an app makes it over HTTP:
authorize, the patient's consent, the code exchanged with PKCE, refresh tokens that rotate,
introspection, revocation; and the refusals OAuth and SMART require."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.apps.oauth.bearer import InvalidToken, app_access
from tests.integration.apps.conftest import (
    BASE,
    CONFIDENTIAL_ID,
    CONFIDENTIAL_SECRET,
    FHIR,
    REDIRECT_URI,
    Launch,
    basic,
    body,
    call,
    form_post,
    query_of,
)
from tests.integration.apps.test_bearer import FakeRequest


def test_the_whole_launch_authorize_consent_token_refresh_introspect_revoke(patient_session, enrolled, app_registered):
    api = app_registered
    launch = Launch(api)
    # GIVEN the app sends the patient's browser to the authorization endpoint
    assert launch.authorize().startswith(f"{BASE}/apps/authorize?request=")
    # WHEN the signed-in patient reads the request and allows three resource types
    offer = call(api, "GET", f"/v1/app-authorizations/requests/{launch.request_id}", token=patient_session)
    assert offer.status_code == 200, offer.json_body
    assert offer.json_body["app"]["name"] == "Test Health App"
    assert [p["relationship"] for p in offer.json_body["patients"]] == ["self"]
    assert offer.json_body["patients"][0]["patient_id"] == enrolled.patient_id
    assert offer.json_body["offline"] is True and offer.json_body["openid"] is True
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient", "Observation", "Condition"])
    assert answer["state"] == launch.state
    # THEN the code buys tokens with the PKCE verifier
    token = launch.exchange(answer["code"])
    assert token.status_code == 200, token.body
    tokens = body(token)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert tokens["patient"] == enrolled.patient_id
    assert tokens["need_patient_banner"] is True
    assert set(tokens["scope"].split()) == {
        "launch/patient",
        "openid",
        "fhirUser",
        "offline_access",
        "patient/Patient.rs",
        "patient/Observation.rs",
        "patient/Condition.rs",
    }
    assert token.headers["Cache-Control"] == "no-store"
    # AND the refresh token rotates: the new one works, the old one is dead
    refreshed = launch.refresh(tokens["refresh_token"])
    assert refreshed.status_code == 200, refreshed.body
    second = body(refreshed)
    assert second["refresh_token"] != tokens["refresh_token"]
    assert second["access_token"] != tokens["access_token"]
    again = launch.refresh(tokens["refresh_token"])
    assert again.status_code == 400 and body(again)["error"] == "invalid_grant"
    # AND the app revokes its refresh token: every token of the authorization ends
    revoked = form_post(api, "/oauth2/revoke", {"token": second["refresh_token"], "client_id": launch.client_id})
    assert revoked.status_code == 200, revoked.body
    after = launch.refresh(second["refresh_token"])
    assert after.status_code == 400 and body(after)["error"] == "invalid_grant"


def test_a_confidential_app_introspects_its_own_tokens_and_a_wrong_secret_is_refused(
    patient_session, enrolled, app_registered
):
    api = app_registered
    launch = Launch(api, client_id=CONFIDENTIAL_ID)
    launch.authorize(scope="launch/patient patient/Observation.rs")
    answer = launch.approve(patient_session, enrolled.patient_id, ["Observation"])
    wrong = launch.exchange(answer["code"], headers=basic(CONFIDENTIAL_ID, "not-the-secret"), client_id=None)
    assert wrong.status_code == 401 and body(wrong)["error"] == "invalid_client"

    launch.authorize(scope="launch/patient patient/Observation.rs")
    answer = launch.approve(patient_session, enrolled.patient_id, ["Observation"])
    token = launch.exchange(answer["code"], headers=basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET), client_id=None)
    assert token.status_code == 200, token.body
    tokens = body(token)
    assert "refresh_token" not in tokens  # no offline_access asked

    active = form_post(
        api, "/oauth2/introspect", {"token": tokens["access_token"]}, basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET)
    )
    assert active.status_code == 200, active.body
    assert body(active)["active"] is True
    assert body(active)["patient"] == enrolled.patient_id
    assert body(active)["scope"] == "launch/patient patient/Observation.rs"
    unknown = form_post(
        api, "/oauth2/introspect", {"token": "nothing-we-issued"}, basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET)
    )
    assert body(unknown) == {"active": False}
    public = form_post(api, "/oauth2/introspect", {"token": tokens["access_token"], "client_id": "test-health-app"})
    assert public.status_code in (400, 401) and body(public)["error"] == "invalid_client"


def test_pkce_is_required_and_only_s256(patient_session, app_registered):
    launch = Launch(app_registered)
    plain = launch.authorize(code_challenge_method="plain")
    assert plain.startswith(REDIRECT_URI + "?")
    assert query_of(plain)["error"] == "invalid_request" and query_of(plain)["state"] == launch.state
    missing = launch.authorize(code_challenge=None, code_challenge_method=None)
    assert query_of(missing)["error"] == "invalid_request"


def test_a_wrong_verifier_gets_no_token(patient_session, enrolled, app_registered):
    launch = Launch(app_registered)
    launch.authorize()
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    refused = launch.exchange(answer["code"], verifier="x" * 50)
    assert refused.status_code == 400 and body(refused)["error"] == "invalid_grant"


def test_a_wrong_redirect_uri_or_client_is_never_redirected_to(app_registered):
    launch = Launch(app_registered)
    elsewhere = launch.authorize(redirect_uri="https://attacker.example/callback")
    assert elsewhere.startswith(f"{BASE}/apps/authorize?problem=")
    unknown = Launch(app_registered, client_id="no-such-app").authorize()
    assert unknown == f"{BASE}/apps/authorize?problem=invalid_client"


@pytest.mark.parametrize("garbage", [{"response_type": "é"}, {"response_type": "\x00"}, {"redirect_uri": "é"}])
def test_garbage_that_authlib_cannot_quote_goes_to_the_problem_page_not_a_500(app_registered, garbage):
    location = Launch(app_registered).authorize(**garbage)
    assert location == f"{BASE}/apps/authorize?problem=invalid_request"


def test_a_wrong_audience_is_refused(app_registered):
    location = Launch(app_registered).authorize(aud="https://other.example/fhir")
    assert location.startswith(REDIRECT_URI + "?") and query_of(location)["error"] == "invalid_request"


def test_a_code_used_twice_is_refused_and_ends_what_it_gave(patient_session, enrolled, app_registered):
    api = app_registered
    launch = Launch(api)
    launch.authorize()
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    first = body(launch.exchange(answer["code"]))
    second = launch.exchange(answer["code"])
    assert second.status_code == 400 and body(second)["error"] == "invalid_grant"
    assert launch.refresh(first["refresh_token"]).status_code == 400
    with pytest.raises(InvalidToken):
        app_access(wiring.container(), FakeRequest(headers={"authorization": f"Bearer {first['access_token']}"}))


def test_the_consent_request_is_answered_once_and_a_denial_tells_the_app(patient_session, app_registered):
    api = app_registered
    launch = Launch(api)
    launch.authorize()
    denied = call(api, "POST", f"/v1/app-authorizations/requests/{launch.request_id}/deny", token=patient_session)
    assert denied.status_code == 200
    told = query_of(denied.json_body["redirect_to"])
    assert denied.json_body["redirect_to"].startswith(REDIRECT_URI + "?")
    assert (told["error"], told["state"]) == ("access_denied", launch.state)
    gone = call(api, "GET", f"/v1/app-authorizations/requests/{launch.request_id}", token=patient_session)
    assert gone.status_code == 404


def test_discovery_document(app_registered):
    response = app_registered.http.get("/fhir/R4/.well-known/smart-configuration")
    assert response.status_code == 200
    document = body(response)
    assert document["issuer"] == FHIR
    assert document["token_endpoint"] == f"{BASE}/oauth2/token"
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert "permission-v2" in document["capabilities"]


def test_a_request_waits_ten_minutes_and_a_code_one(clock, patient_session, enrolled, app_registered):
    api = app_registered
    launch = Launch(api)
    launch.authorize()
    clock.advance(minutes=10, seconds=1)
    late = call(api, "GET", f"/v1/app-authorizations/requests/{launch.request_id}", token=patient_session)
    assert late.status_code == 404

    launch.authorize()
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    clock.advance(seconds=61)
    expired = launch.exchange(answer["code"])
    assert expired.status_code == 400 and body(expired)["error"] == "invalid_grant"


def test_a_confidential_app_must_authenticate(patient_session, enrolled, app_registered):
    launch = Launch(app_registered, client_id=CONFIDENTIAL_ID)
    launch.authorize()
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    as_public = launch.exchange(answer["code"])  # client_id alone, no secret
    assert as_public.status_code in (400, 401) and body(as_public)["error"] == "invalid_client"
    by_post = launch.exchange(answer["code"], client_secret=CONFIDENTIAL_SECRET)
    assert by_post.status_code == 200, by_post.body
