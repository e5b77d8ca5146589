"""The session check runs inside the API function, in the request envelope: no gateway authorizer,
so a signed-in request is one Lambda invocation. What a caller sees must not change: one 401 for
any missing or dead session (audited where a token named a session), a 403 for the wrong role,
public routes open whatever Authorization header they carry, and the same DynamoDB calls as when
the authorizer made the check in a Lambda of its own.
"""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.http.envelope import SECURITY_HEADERS
from chalicelib.http.routing import Access, access_rule
from tests.integration.dynamodb_calls import dynamodb_calls
from tests.integration.identity.conftest import STAFF_PASSWORD, STAFF_USER, call, sign_in

USERNAME, PASSWORD = "ana.nunez", "correct horse battery"

# What the gateway's UNAUTHORIZED and ACCESS_DENIED responses answered before the check moved
# into the function: the frontend signs in again on exactly this.
NOT_AUTHENTICATED = {
    "error": {
        "code": "not_authenticated",
        "message": "Sign in: the session is missing, has expired or has ended.",
        "details": [],
    }
}


def refusals(account_id: str) -> list:
    events, _ = wiring.container().audit_log.by_actor(account_id, 100)
    return [e.reason for e in events if e.event_type == "session.refused"]


def ana_id() -> str:
    return wiring.container().directory.account_by_username(USERNAME).account_id


def _expired(api, clock) -> str:
    token = sign_in(api, USERNAME, PASSWORD)
    clock.advance(hours=13)  # past the 12-hour limit, however busy
    return token


def _ended(api, clock) -> str:
    token = sign_in(api, USERNAME, PASSWORD)
    assert call(api, "DELETE", "/v1/sessions/current", token=token).status_code == 204
    return token


@pytest.mark.parametrize(
    ("authorization", "audited"),
    [
        (lambda api, clock: None, None),
        (lambda api, clock: "Bearer not-a-session-token", None),
        (lambda api, clock: "Basic " + sign_in(api, USERNAME, PASSWORD), None),  # a live token, the wrong scheme
        (lambda api, clock: "Bearer " + _expired(api, clock), ("account", "expired")),
        (lambda api, clock: "Bearer " + _ended(api, clock), ("anonymous", "no_session")),
    ],
    ids=["missing", "garbage", "wrong-scheme", "expired", "signed-out"],
)
def test_a_signed_in_route_answers_one_401_to_any_missing_or_dead_session(
    enrolled, seeded, clock, authorization, audited
):
    header = authorization(seeded, clock)

    answer = seeded.http.get("/v1/me", headers={"Authorization": header} if header else {})

    assert (answer.status_code, answer.json_body) == (401, NOT_AUTHENTICATED)
    assert answer.headers["WWW-Authenticate"] == "Bearer"
    assert {name: answer.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
    # a token that named a session is on the trail (under its account while the session is on file)
    if audited is None:
        assert refusals(ana_id()) == [] and refusals("anonymous") == []
    else:
        whose, reason = audited
        assert refusals(ana_id() if whose == "account" else "anonymous") == [reason]


def test_a_browser_can_read_the_401_its_allowed_origin_gets(seeded, monkeypatch):
    """The gateway's own 401 carried no CORS header, so a browser on another allowed origin saw a
    network error instead; the function's 401 carries the same CORS headers as its other answers."""
    monkeypatch.setenv("PORTAL_CORS_ALLOWED_ORIGINS", "https://portal.test")
    wiring.reset()

    answer = seeded.http.get("/v1/me", headers={"Origin": "https://portal.test"})
    elsewhere = seeded.http.get("/v1/me", headers={"Origin": "https://evil.test"})

    assert (answer.status_code, answer.headers["Access-Control-Allow-Origin"]) == (401, "https://portal.test")
    assert "WWW-Authenticate" in answer.headers["Access-Control-Expose-Headers"]
    assert elsewhere.status_code == 401 and "Access-Control-Allow-Origin" not in elsewhere.headers


def test_the_wrong_role_is_still_refused_with_403_and_audited(enrolled, seeded):
    import app as app_module

    patient_only = sorted(
        path
        for path, methods in app_module.app.routes.items()
        if "GET" in methods and access_rule(methods["GET"].view_function) is Access.PATIENT and "{" not in path
    )
    staff = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)

    answer = call(seeded, "GET", patient_only[0], token=staff)

    assert answer.status_code == 403 and answer.json_body["error"]["code"] == "forbidden"
    staff_id = wiring.container().directory.account_by_username(STAFF_USER).account_id
    events, _ = wiring.container().audit_log.by_actor(staff_id, 100)
    assert [(e.resource_id, e.reason) for e in events if e.event_type == "access.denied"] == [
        (patient_only[0], "role_staff")
    ]


def test_an_authenticated_read_makes_the_same_dynamodb_calls_as_with_the_authorizer(seeded, aws):
    """GET /v1/me: the session check's one conditional UpdateItem (which also moves the idle
    deadline on), then the route's own two reads; nothing read twice for being in one function."""
    token = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)
    tables = aws.physical

    with dynamodb_calls() as calls:
        answer = call(seeded, "GET", "/v1/me", token=token)

    assert answer.status_code == 200
    assert calls == {
        f"UpdateItem:{tables['IdentityTable']}:": 1,
        f"GetItem:{tables['AccountsTable']}:": 1,
        f"GetItem:{tables['OrganizationsTable']}:": 1,
    }


def test_a_public_route_stays_open_and_checks_no_session_whatever_it_is_sent(seeded):
    with dynamodb_calls() as calls:
        answer = seeded.http.get("/v1/terms", headers={"Authorization": "Bearer not-a-session-token"})

    assert answer.status_code == 200
    assert not [name for name in calls if "IdentityTable" in name]


def test_claims_in_the_request_context_are_never_taken_for_a_session(seeded):
    """Only the envelope's own check makes a caller: an event whose request context claims one
    (as a gateway authorizer's context, or the envelope's own key) without a session is refused."""
    from chalice.local import LambdaContext

    import app as app_module
    from infra.local.gateway import PortalGateway

    token = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)
    account = wiring.container().directory.account_by_username(STAFF_USER)
    claims = {"account_id": account.account_id, "role": "admin", "session_id": token[:16], "restriction": ""}
    gateway = PortalGateway(app_module.app, seeded.http._config)
    for planted in ({"authorizer": claims}, {"portal_checked_caller": claims}):
        event = gateway._generate_lambda_event("GET", "/v1/me", {}, b"")
        event["requestContext"].update(planted)

        answer = app_module.app(event, LambdaContext("api_handler", 512))

        assert (answer["statusCode"], json.loads(answer["body"])) == (401, NOT_AUTHENTICATED), planted


def test_a_session_store_that_does_not_answer_is_a_503_not_a_sign_out(seeded, aws):
    """The frontend signs out on a 401; a store outage must not look like one."""
    import boto3

    token = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_table(TableName=aws.physical["IdentityTable"], DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=aws.physical["IdentityTable"])

    answer = call(seeded, "GET", "/v1/me", token=token)

    assert answer.status_code == 503, answer.json_body


def test_a_session_used_within_its_idle_timeout_lives_on_through_the_function(enrolled, seeded, clock):
    token = sign_in(seeded, USERNAME, PASSWORD)
    for _ in range(3):
        clock.advance(minutes=10)
        assert call(seeded, "GET", "/v1/me", token=token).status_code == 200
    clock.advance(minutes=16)

    assert call(seeded, "GET", "/v1/me", token=token).status_code == 401
