"""Admins register apps, change them, give a confidential app a new secret, and disable an app,
whose tokens are then refused and whose authorizations are revoked. Patients see the apps their
organization registered."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.apps.oauth.bearer import InvalidToken, app_access
from tests.integration.apps.conftest import REDIRECT_URI, Launch, basic, body, call, sign_in
from tests.integration.apps.test_bearer import FakeRequest
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER

NEW_APP = {
    "name": "Pressure Diary",
    "description": "Keeps your blood pressure readings",
    "redirect_uris": ["https://diary.example/callback", REDIRECT_URI],
    "privacy_policy_url": "https://diary.example/privacy",
    "kind": "confidential",
}


@pytest.fixture
def admin_session(app_registered) -> str:
    return sign_in(app_registered, ADMIN_USER, ADMIN_PASSWORD)


def test_register_change_new_secret_and_disable(admin_session, app_registered, patient_session, enrolled):
    api = app_registered
    made = call(api, "POST", "/v1/admin/apps", NEW_APP, admin_session)
    assert made.status_code == 201, made.json_body
    app = made.json_body
    assert app["kind"] == "confidential" and app["status"] == "active" and app["client_secret"]
    client_id, secret = app["client_id"], app["client_secret"]
    listed = call(api, "GET", "/v1/admin/apps", token=admin_session).json_body["apps"]
    assert client_id in [a["client_id"] for a in listed]
    assert all(a["client_secret"] is None for a in listed)  # shown once, never again
    # the patient recognises it among their organization's apps
    names = [a["name"] for a in call(api, "GET", "/v1/apps", token=patient_session).json_body["apps"]]
    assert "Pressure Diary" in names

    changed = call(api, "PUT", f"/v1/admin/apps/{client_id}", {**NEW_APP, "name": "Pressure Diary 2"}, admin_session)
    assert changed.status_code == 200 and changed.json_body["name"] == "Pressure Diary 2"
    kind = call(api, "PUT", f"/v1/admin/apps/{client_id}", {**NEW_APP, "kind": "public"}, admin_session)
    assert kind.status_code == 400

    # an authorization and tokens under the first secret
    launch = Launch(api, client_id=client_id)
    launch.authorize()
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    tokens = body(launch.exchange(answer["code"], headers=basic(client_id, secret), client_id=None))
    assert "access_token" in tokens, tokens

    renewed = call(api, "POST", f"/v1/admin/apps/{client_id}/secret", token=admin_session)
    assert renewed.status_code == 200 and renewed.json_body["client_secret"] not in (None, secret)
    launch.authorize()
    answer = launch.approve(patient_session, enrolled.patient_id, ["Patient"])
    old_secret = launch.exchange(answer["code"], headers=basic(client_id, secret), client_id=None)
    assert old_secret.status_code == 401

    disabled = call(api, "POST", f"/v1/admin/apps/{client_id}/disable", token=admin_session)
    assert disabled.status_code == 200 and disabled.json_body["status"] == "disabled"
    with pytest.raises(InvalidToken):
        app_access(wiring.container(), FakeRequest(headers={"authorization": f"Bearer {tokens['access_token']}"}))
    assert call(api, "GET", f"/v1/patients/{enrolled.patient_id}/apps", token=patient_session).json_body == {"apps": []}
    # a disabled app cannot start again: its client is unknown to the authorization endpoint
    assert launch.authorize().endswith("problem=invalid_client")


@pytest.mark.parametrize(
    "uris",
    [["http://diary.example/callback"], ["https://diary.example/cb#frag"], ["diary://callback"], []],
)
def test_redirect_uris_are_https_or_the_developers_own_machine(admin_session, app_registered, uris):
    refused = call(app_registered, "POST", "/v1/admin/apps", {**NEW_APP, "redirect_uris": uris}, admin_session)
    assert refused.status_code == 400


def test_patients_and_staff_may_not_register_apps(app_registered, patient_session, staff_token):
    for token in (patient_session, staff_token):
        assert call(app_registered, "POST", "/v1/admin/apps", NEW_APP, token).status_code == 403
