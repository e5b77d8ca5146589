"""The patient's and proxy's side once an app is connected: the list (with what the app read, from
the audit trail), the revoke that ends its tokens at once, the access log naming the app, the id
token an app checks against the published key, and a proxy sharing only within their grant."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from chalicelib import wiring
from chalicelib.access.domain import Area
from chalicelib.apps.oauth.bearer import InvalidToken, app_access
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.kernel.origin import Origin
from tests.integration.apps.conftest import (
    FHIR,
    Launch,
    body,
    call,
    enrollment,
    form_post,
    register_and_invite,
    sign_in,
)
from tests.integration.apps.test_bearer import FakeRequest
from tests.integration.test_proxy_grants import BOB, BOB_ANSWERS, give


def connect(api, session, patient_id, types, scope="launch/patient openid fhirUser offline_access patient/*.rs"):
    launch = Launch(api)
    launch.authorize(scope=scope)
    answer = launch.approve(session, patient_id, types)
    return launch, body(launch.exchange(answer["code"]))


def app_read(access_token: str, resource_type: str) -> None:
    """What the FHIR API writes for a read: one event under the app's caller."""
    ports = wiring.container()
    access = app_access(ports, FakeRequest(headers={"authorization": f"Bearer {access_token}"}))
    from chalicelib.access.service import patient_scope

    scope = patient_scope(ports, access.caller, Origin(), access.authorization.patient_id, area=Area.RESULTS)
    write_audit(
        ports,
        Origin(),
        scope_actor(access.caller, scope),
        "fhir.read",
        action=Action.READ,
        patient_id=access.authorization.patient_id,
        resource_type=resource_type,
        resource_id="x",
    )


def test_the_patient_sees_what_an_app_read_and_revoking_ends_its_tokens_at_once(
    patient_session, enrolled, app_registered
):
    api = app_registered
    launch, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient", "Observation"])
    app_read(tokens["access_token"], "Observation")
    app_read(tokens["access_token"], "Observation")
    app_read(tokens["access_token"], "Patient")

    listed = call(api, "GET", f"/v1/patients/{enrolled.patient_id}/apps", token=patient_session)
    assert listed.status_code == 200, listed.json_body
    [app] = listed.json_body["apps"]
    assert app["app"]["name"] == "Test Health App"
    assert app["authorized_by"] == "you" and app["offline"] is True
    assert app["resource_types"] == ["Patient", "Observation"]
    assert {(r["resource_type"], r["count"]) for r in app["reads"]} == {("Observation", 2), ("Patient", 1)}
    assert app["last_used_at"] is not None

    log = call(api, "GET", f"/v1/patients/{enrolled.patient_id}/access-log", token=patient_session).json_body
    apps_lines = [e for e in log["events"] if e["who"] == "app"]
    assert {e["what"] for e in apps_lines} >= {"fhir.read", "app.token"}
    assert {e["app_name"] for e in apps_lines} == {"Test Health App"}
    assert any(e["what"] == "app.authorize" and e["who"] == "you" for e in log["events"])

    revoked = call(
        api, "POST", f"/v1/patients/{enrolled.patient_id}/apps/{app['authorization_id']}/revoke", token=patient_session
    )
    assert revoked.status_code == 204
    with pytest.raises(InvalidToken):
        app_access(wiring.container(), FakeRequest(headers={"authorization": f"Bearer {tokens['access_token']}"}))
    refresh = launch.refresh(tokens["refresh_token"])
    assert refresh.status_code == 400 and body(refresh)["error"] == "invalid_grant"
    assert call(api, "GET", f"/v1/patients/{enrolled.patient_id}/apps", token=patient_session).json_body == {"apps": []}
    again = call(
        api, "POST", f"/v1/patients/{enrolled.patient_id}/apps/{app['authorization_id']}/revoke", token=patient_session
    )
    assert again.status_code == 404


def test_the_id_token_verifies_against_the_published_key_and_names_the_patient(
    patient_session, enrolled, app_registered
):
    api = app_registered
    _, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient"])
    keys = KeySet.import_key_set(body(api.http.get("/oauth2/jwks")))
    token = jwt.decode(tokens["id_token"], keys, algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    assert token.claims["iss"] == FHIR
    assert token.claims["aud"] == "test-health-app"
    assert token.claims["fhirUser"] == f"{FHIR}/Patient/{enrolled.patient_id}"
    assert token.claims["nonce"] == "n-0S6_WzA2Mj"


def test_a_proxy_shares_only_what_their_grant_covers_and_sees_only_their_own_apps(
    patient_session, enrolled, app_registered, staff_token
):
    api = app_registered
    bob = register_and_invite(api, staff_token, BOB, email="bob@example.org")
    assert call(api, "POST", "/v1/enrollments", enrollment(bob, **BOB_ANSWERS)).status_code == 201
    bob_session = sign_in(api, "bob.smith", "another horse battery")
    bob_account = call(api, "GET", "/v1/me", token=bob_session).json_body["account"]["account_id"]
    grant = give(enrolled.patient_id, bob_account, areas=frozenset({Area.APPOINTMENTS}))

    launch = Launch(api)
    launch.authorize()
    offer = call(api, "GET", f"/v1/app-authorizations/requests/{launch.request_id}", token=bob_session).json_body
    ana = next(p for p in offer["patients"] if p["patient_id"] == enrolled.patient_id)
    assert ana["relationship"] == "health_care_agent"
    assert ana["resource_types"] == [
        "Patient",
        "Encounter",
        "Appointment",
        "Practitioner",
        "Organization",
        "Provenance",
    ]
    outside = call(
        api,
        "POST",
        f"/v1/app-authorizations/requests/{launch.request_id}/approve",
        {"patient_id": enrolled.patient_id, "resource_types": ["Observation"]},
        bob_session,
    )
    assert outside.status_code == 400
    answer = launch.approve(bob_session, enrolled.patient_id, ["Patient", "Appointment"])
    tokens = body(launch.exchange(answer["code"]))
    assert tokens["patient"] == enrolled.patient_id
    from joserfc import jwt as jwt_

    keys = KeySet.import_key_set(body(api.http.get("/oauth2/jwks")))
    assert jwt_.decode(tokens["id_token"], keys).claims["fhirUser"] == f"{FHIR}/RelatedPerson/{grant.grant_id}"

    # The patient's own app, beside the proxy's
    connect(api, patient_session, enrolled.patient_id, ["Observation"])
    mine = call(api, "GET", f"/v1/patients/{enrolled.patient_id}/apps", token=patient_session).json_body["apps"]
    assert sorted(a["authorized_by"] for a in mine) == ["proxy", "you"]
    assert next(a for a in mine if a["authorized_by"] == "proxy")["authorized_by_name"] == "Robert Smith"
    bobs = call(api, "GET", f"/v1/patients/{enrolled.patient_id}/apps", token=bob_session).json_body["apps"]
    assert [a["resource_types"] for a in bobs] == [["Patient", "Appointment"]]
    patients = next(a for a in mine if a["authorized_by"] == "you")
    refused = call(
        api, "POST", f"/v1/patients/{enrolled.patient_id}/apps/{patients['authorization_id']}/revoke", token=bob_session
    )
    assert refused.status_code == 404


def test_open_cors_on_smarts_endpoints_and_not_on_v1(app_registered):
    api = app_registered
    token = form_post(api, "/oauth2/token", {"grant_type": "refresh_token"}, {"Origin": "https://app.example"})
    assert token.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in token.headers
    jwks = api.http.get("/oauth2/jwks", headers={"Origin": "https://app.example"})
    assert jwks.headers["Access-Control-Allow-Origin"] == "*"
    v1 = api.http.get("/v1/health", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in v1.headers
