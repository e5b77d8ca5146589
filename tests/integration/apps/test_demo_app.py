"""The demo health app (`make demo-app`) against the app in process: its pages are driven as a
browser would follow them, fhirclient's HTTP routed into chalice's test client, the patient's
approval given on the consent API as the portal's page gives it. She sees her name, birth date,
lab result and the granted scope; after she revokes the app, reading again says it was refused."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fhirclient import client

from chalicelib import wiring
from infra.local.demo_app import DemoApp
from infra.local.seed_apps import DEMO_APP_CLIENT_ID, seed_demo_apps
from tests.integration.apps.conftest import BASE, ORG, call
from tests.integration.apps.test_fhirclient_launch import InProcess
from tests.integration.identity.conftest import sign_in
from tests.integration.test_patient_results import ana, feed, oru  # noqa: F401  (fixtures)


@pytest.fixture
def demo_app(seeded):
    seed_demo_apps(wiring.container(), ORG)

    def in_process(settings: dict[str, str]) -> client.FHIRClient:
        smart = client.FHIRClient(settings=settings)
        smart.server.session.mount("https://", InProcess(seeded))
        return smart

    return DemoApp(portal_url=BASE, make_client=in_process)


def approve_in_the_portal(api, authorize_url: str, patient_id: str, session: str) -> str:
    """What the portal's sign-in and consent pages do: the redirect back to the app."""
    consent = api.http.get(authorize_url.removeprefix(BASE))
    assert consent.status_code == 302, consent.body
    [request_id] = parse_qs(urlsplit(consent.headers["Location"]).query)["request"]
    offer = call(api, "GET", f"/v1/app-authorizations/requests/{request_id}", token=session).json_body
    assert offer["app"]["client_id"] == DEMO_APP_CLIENT_ID
    approved = call(
        api,
        "POST",
        f"/v1/app-authorizations/requests/{request_id}/approve",
        {"patient_id": patient_id, "resource_types": offer["patients"][0]["resource_types"]},
        session,
    )
    assert approved.status_code == 200, approved.json_body
    return approved.json_body["redirect_to"]


def test_the_demo_app_connects_shows_her_labs_and_says_so_once_revoked(seeded, demo_app, ana, feed):  # noqa: F811
    patient_id, _ = ana
    feed(oru("c-1", "ORD-1", "85"))
    session = sign_in(seeded, "ana.nunez", "correct horse battery")
    assert "Connect to Albany Medical Center" in demo_app.home().body

    connect = demo_app.connect()
    assert connect.status == 302 and connect.location.startswith(f"{BASE}/oauth2/authorize?")
    back = demo_app.callback(approve_in_the_portal(seeded, connect.location, patient_id, session))
    assert (back.status, back.location) == (303, "/results")

    shown = demo_app.results()
    assert shown.status == 200
    assert "Ana Núñez" in shown.body and "1984-03-09" in shown.body
    assert "<td>Glucose</td><td>85</td>" in shown.body
    assert "patient/Observation.rs" in shown.body and "Read again" in shown.body

    # An hour on, the access token has lapsed: reading again refreshes it (offline_access).
    demo_app.smart.server.auth.access_token = "lapsed"
    assert "<td>Glucose</td><td>85</td>" in demo_app.results().body

    apps = call(seeded, "GET", f"/v1/patients/{patient_id}/apps", token=session).json_body["apps"]
    [connected] = [a for a in apps if a["app"]["client_id"] == DEMO_APP_CLIENT_ID]
    revoked = call(
        seeded, "POST", f"/v1/patients/{patient_id}/apps/{connected['authorization_id']}/revoke", token=session
    )
    assert revoked.status_code == 204, revoked.json_body

    refused = demo_app.results()
    assert refused.status == 403
    assert "was disconnected in the portal" in refused.body and "Ana" not in refused.body


def test_a_refusal_on_the_consent_page_leaves_the_app_with_nothing(demo_app):
    demo_app.connect()

    answer = demo_app.callback("http://localhost:8765/callback?error=access_denied&state=x")

    assert answer.status == 400 and "has read nothing" in answer.body
    assert demo_app.results().location == "/"
