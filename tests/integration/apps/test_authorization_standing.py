"""An app can do no more than the account that authorized it: staff suspending the patient's
portal access stop their apps at once (and Connected apps lists none), and a proxy's app stops
when the proxy's grant ends (bearer, refresh and introspection all say so)."""

from __future__ import annotations

import dataclasses

import pytest

from chalicelib import wiring
from chalicelib.access.domain import Area
from chalicelib.apps.oauth.bearer import InvalidToken, app_access
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, Outcome
from chalicelib.audit.service import new_event
from chalicelib.proxies.domain import GrantStatus
from tests.integration.apps.conftest import (
    CONFIDENTIAL_ID,
    CONFIDENTIAL_SECRET,
    Launch,
    basic,
    body,
    call,
    enrollment,
    form_post,
    register_and_invite,
    sign_in,
)
from tests.integration.apps.test_bearer import FakeRequest
from tests.integration.test_proxy_grants import BOB, BOB_ANSWERS, give

SCOPE = "launch/patient offline_access patient/*.rs"


def bearer_refused(access_token: str) -> bool:
    try:
        app_access(wiring.container(), FakeRequest(headers={"authorization": f"Bearer {access_token}"}))
    except InvalidToken:
        return True
    return False


def connect(api, session: str, patient_id: str, types: list[str], client_id: str | None = None):
    launch = Launch(api, client_id=client_id) if client_id else Launch(api)
    launch.authorize(scope=SCOPE)
    answer = launch.approve(session, patient_id, types)
    headers = basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET) if client_id == CONFIDENTIAL_ID else None
    exchanged = launch.exchange(answer["code"], headers=headers, client_id=None if headers else launch.client_id)
    assert exchanged.status_code == 200, exchanged.body
    return launch, body(exchanged)


def refresh(launch: Launch, refresh_token: str, confidential: bool = False):
    fields = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    if confidential:
        return form_post(launch.api, "/oauth2/token", fields, basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET))
    return form_post(launch.api, "/oauth2/token", {**fields, "client_id": launch.client_id})


def test_suspending_portal_access_stops_the_patients_apps_and_lists_them_no_more(
    patient_session, enrolled, app_registered, staff_token
):
    api = app_registered
    launch, tokens = connect(api, patient_session, enrolled.patient_id, ["Patient", "Observation"])
    assert not bearer_refused(tokens["access_token"])

    suspended = call(
        api,
        "POST",
        f"/v1/staff/patients/{enrolled.patient_id}/portal-access",
        {"action": "suspend", "reason": "patient_request"},
        staff_token,
    )
    assert suspended.status_code == 200, suspended.json_body

    assert bearer_refused(tokens["access_token"])
    refused = launch.refresh(tokens["refresh_token"])
    assert refused.status_code == 400 and body(refused)["error"] == "invalid_grant"
    # Reinstated, the patient finds the app disconnected (it connects anew), and its old tokens stay dead.
    reinstated = call(
        api, "POST", f"/v1/staff/patients/{enrolled.patient_id}/portal-access", {"action": "reinstate"}, staff_token
    )
    assert reinstated.status_code == 200
    session = sign_in(api, "ana.nunez", "correct horse battery")
    listed = call(api, "GET", f"/v1/patients/{enrolled.patient_id}/apps", token=session)
    assert listed.status_code == 200 and listed.json_body["apps"] == []
    assert bearer_refused(tokens["access_token"])


@pytest.fixture
def bob(patient_session, enrolled, app_registered, staff_token):
    api = app_registered
    bob = register_and_invite(api, staff_token, BOB, email="bob@example.org")
    assert call(api, "POST", "/v1/enrollments", enrollment(bob, **BOB_ANSWERS)).status_code == 201
    session = sign_in(api, "bob.smith", "another horse battery")
    account_id = call(api, "GET", "/v1/me", token=session).json_body["account"]["account_id"]
    grant = give(enrolled.patient_id, account_id, areas=frozenset({Area.APPOINTMENTS}))
    return api, session, grant


def end(grant) -> None:
    ports = wiring.container()
    current = ports.proxy_grants.get(grant.patient_id, grant.grant_id)
    ended = dataclasses.replace(current, status=GrantStatus.REVOKED, ended_at=ports.clock.now(), end_reason="test")
    audit = new_event(
        actor=SYSTEM_ACTOR,
        action=Action.UPDATE,
        event_type="proxy.revoked",
        outcome=Outcome.SUCCESS,
        patient_id=grant.patient_id,
        resource_type="Consent",
        resource_id=grant.grant_id,
        recorded_at=ports.clock.now(),
    )
    ports.proxy_grants.change(ended, audit)


def test_a_proxys_app_stops_when_the_grant_it_was_authorized_under_ends(bob, enrolled):
    api, session, grant = bob
    launch, tokens = connect(api, session, enrolled.patient_id, ["Patient", "Appointment"], client_id=CONFIDENTIAL_ID)
    introspect = {"token": tokens["access_token"]}
    assert body(form_post(api, "/oauth2/introspect", introspect, basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET)))["active"]

    end(grant)

    assert bearer_refused(tokens["access_token"])
    answer = form_post(api, "/oauth2/introspect", introspect, basic(CONFIDENTIAL_ID, CONFIDENTIAL_SECRET))
    assert body(answer) == {"active": False}
    refused = refresh(launch, tokens["refresh_token"], confidential=True)
    assert refused.status_code == 400 and body(refused)["error"] == "invalid_grant", refused.body
