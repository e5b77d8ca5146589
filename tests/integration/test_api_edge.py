"""The API's edge as a client sees it: health (liveness and the deep check), one error shape, security headers, correlation
ids, deny by default, developer tools hidden outside the local stage, nothing leaked on a 500."""

from __future__ import annotations

import json

import boto3
import pytest
from chalice import Blueprint, Chalice
from chalice.test import Client

from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.http.envelope import make_envelope
from chalicelib.http.routing import Access, access_rule, route
from chalicelib.kernel.contract import RequestModel, ResponseModel


def test_health_is_liveness_and_asks_no_backing_service(api, aws, container):
    # GIVEN backing services gone (a queue, a table)
    boto3.client("sqs").delete_queue(QueueUrl=aws.physical["NotificationsQueue"])
    _delete_table(aws.physical["AuditEventsTable"])

    response = api.http.get("/v1/health")

    # THEN liveness still answers, and built no AWS client to do so
    assert response.status_code == 200
    assert response.json_body == {"status": "ok", "stage": "local", "version": response.json_body["version"]}
    assert response.json_body["version"]
    assert "_clients" not in container.__dict__ and "_session" not in container.__dict__


def test_deep_health_reports_every_backing_service(api):
    response = api.http.get("/v1/health/deep")

    assert response.status_code == 200
    body = response.json_body
    assert body["status"] == "ok" and body["stage"] == "local" and body["version"] and body["checked_at"]
    assert body["services"] == {name: "ok" for name in ("dynamodb", "s3", "sqs", "ses", "stepfunctions", "kms")}
    assert body["unavailable"] == []


def test_deep_health_names_the_dependency_that_is_down_without_revealing_resources(api, aws):
    boto3.client("sqs").delete_queue(QueueUrl=aws.physical["NotificationsQueue"])

    response = api.http.get("/v1/health/deep")

    assert response.status_code == 503
    assert response.json_body["status"] == "degraded"
    assert response.json_body["unavailable"] == ["sqs"]
    assert response.json_body["services"]["sqs"] == "unavailable"
    assert response.json_body["services"]["dynamodb"] == "ok"
    assert "patient-portal" not in response.body.decode()  # no queue, table or bucket names


def test_deep_health_reports_dynamodb_down_when_its_table_is_gone(api, aws):
    _delete_table(aws.physical["AuditEventsTable"])

    response = api.http.get("/v1/health/deep")

    assert response.status_code == 503
    assert response.json_body["unavailable"] == ["dynamodb"]


def test_a_burst_of_deep_health_calls_costs_one_probe_round(api, aws, clock, json_log):
    # GIVEN a first deep check, all well
    first = api.http.get("/v1/health/deep")
    assert first.status_code == 200
    # WHEN a service goes down and the check is asked again and again within the cache time
    boto3.client("sqs").delete_queue(QueueUrl=aws.physical["NotificationsQueue"])
    burst = []
    for _ in range(20):
        clock.advance(seconds=0.4)
        burst.append(api.http.get("/v1/health/deep"))

    # THEN every one of them got the first round's answer, and no service was asked again
    assert {(r.status_code, r.json_body["checked_at"]) for r in burst} == {(200, first.json_body["checked_at"])}
    assert [line["message"] for line in json_log()].count("health checked") == 1
    # AND once the answer is older than the cache time, the next call probes again and sees it
    clock.advance(seconds=2)
    later = api.http.get("/v1/health/deep")
    assert later.status_code == 503 and later.json_body["unavailable"] == ["sqs"]
    assert later.json_body["checked_at"] != first.json_body["checked_at"]


def test_deep_health_reports_s3_down_while_the_feed_archive_is_missing_and_up_once_restored(api, aws, clock):
    # GIVEN the feed archive bucket gone (the documents bucket still answers)
    s3 = boto3.client("s3")
    archive = aws.physical["FeedArchiveBucket"]
    s3.delete_bucket(Bucket=archive)

    down = api.http.get("/v1/health/deep")

    # THEN the deep check is degraded and names s3, and only s3
    assert down.status_code == 503
    assert down.json_body["unavailable"] == ["s3"]
    assert archive not in down.body.decode()
    # AND once the bucket is back and the cached answer has aged out, it is healthy again
    s3.create_bucket(Bucket=archive)
    clock.advance(seconds=11)
    up = api.http.get("/v1/health/deep")
    assert (up.status_code, up.json_body["unavailable"]) == (200, [])


def test_deep_health_reports_ses_down_while_the_sender_is_not_a_verified_identity(api, container, clock):
    # GIVEN the sender address's identity deleted: SES still answers (its send quota, say), but
    # refuses every email the portal sends
    ses = boto3.client("ses")
    sender = container.settings.sender_address
    ses.delete_identity(Identity=sender)

    down = api.http.get("/v1/health/deep")

    assert down.status_code == 503 and down.json_body["unavailable"] == ["ses"]
    assert sender not in down.body.decode() and sender.partition("@")[2] not in down.body.decode()
    # AND verifying the sender's domain instead is enough: the portal may send as any address of it
    ses.verify_domain_identity(Domain=sender.partition("@")[2])
    clock.advance(seconds=11)
    up = api.http.get("/v1/health/deep")
    assert (up.status_code, up.json_body["services"]["ses"]) == (200, "ok")


@pytest.mark.parametrize(
    ("break_it", "service"),
    [
        (lambda aws: boto3.client("sqs").delete_queue(QueueUrl=aws.physical["ClinicalAckQueue"]), "sqs"),
        (lambda aws: boto3.client("kms").disable_key(KeyId=aws.physical["CodeKey"]), "kms"),
        (lambda aws: _delete_table(aws.physical["IdentityTable"]), "dynamodb"),
        (lambda aws: _empty_and_delete(aws.physical["SignedDocumentsBucket"]), "s3"),
    ],
    ids=["acknowledgement-queue-gone", "code-key-disabled", "identity-table-gone", "signed-documents-bucket-gone"],
)
def test_deep_health_probes_every_resource_the_app_uses(api, aws, break_it, service):
    break_it(aws)

    response = api.http.get("/v1/health/deep")

    assert response.status_code == 503 and response.json_body["unavailable"] == [service]


def _empty_and_delete(bucket: str) -> None:
    s3 = boto3.client("s3")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    s3.delete_bucket(Bucket=bucket)


def _delete_table(table: str) -> None:
    dynamodb = boto3.client("dynamodb")
    dynamodb.update_table(TableName=table, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=table)


def test_every_response_carries_security_headers_and_a_correlation_id(api):
    response = api.http.get("/v1/health")

    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "max-age" in response.headers["Strict-Transport-Security"]
    assert len(response.headers["X-Correlation-Id"]) >= 8


def test_what_the_gateway_answers_itself_carries_the_same_security_headers(api):
    """The local twin of the deployed gateway responses (infra/local/gateway.py), and the 401 the
    function answers in the gateway's place (no authorizer: http/envelope.py)."""
    from chalicelib.http.envelope import SECURITY_HEADERS

    unknown = api.http.get("/v1/no-such-route")
    no_session = api.http.get("/v1/me")

    assert (unknown.status_code, no_session.status_code) == (404, 401)
    for answer in (unknown, no_session):
        assert {name: answer.headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS
        assert set(answer.json_body["error"]) == {"code", "message", "details"}


@pytest.fixture
def json_log():
    """The portal's log lines as Powertools writes them (caplog's records lack its keys)."""
    import io
    import logging

    from chalicelib.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger("patient-portal").addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger("patient-portal").removeHandler(handler)


def test_the_correlation_id_is_the_servers_and_the_callers_is_logged_beside_it(api, aws, clock, json_log):
    """A caller cannot choose the id that other requests' log lines are found by; its own id,
    when well formed, is kept beside it so a frontend can trace its calls."""
    boto3.client("sqs").delete_queue(QueueUrl=aws.physical["NotificationsQueue"])  # makes health log a warning

    deep = "/v1/health/deep"
    first = api.http.get(deep, headers={"X-Correlation-Id": "trace-1234abcd"}).headers["X-Correlation-Id"]
    clock.advance(minutes=1)  # past the deep check's cache: the second call probes (and warns) too
    second = api.http.get(deep, headers={"X-Correlation-Id": "<script>"}).headers["X-Correlation-Id"]

    assert first != second and "trace-1234abcd" not in (first, second)
    warnings = [line for line in json_log() if line["message"] == "health probe failed"]
    assert [(line["correlation_id"], line.get("client_correlation_id")) for line in warnings] == [
        (first, "trace-1234abcd"),
        (second, None),
    ]


def test_chalice_errors_come_in_the_portal_error_shape(api):
    response = api.http.post("/v1/sessions", body="username=a", headers={"Content-Type": "text/plain"})

    assert response.status_code == 415
    assert response.json_body == {
        "error": {"code": "unsupported_media_type", "message": response.json_body["error"]["message"], "details": []}
    }


def _gateway_unknown_route_answer() -> tuple[int, dict]:
    """(status, body) of the deployed gateway's MISSING_AUTHENTICATION_TOKEN response."""
    from infra.local.template import load_template

    response = load_template()["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    return int(response["StatusCode"]), json.loads(response["ResponseTemplates"]["application/json"])


@pytest.mark.parametrize(
    "method, path",
    [
        ("DELETE", "/v1/terms"),
        ("POST", "/v1/health"),
        ("PUT", "/v1/me"),
        ("HEAD", "/v1/terms"),
        # (OPTIONS is a route of every path: the CORS preflight, tests/e2e/test_api_contract_http.py)
    ],
)
def test_a_wrong_method_answers_as_the_deployed_gateway_does(api, method, path):
    """API Gateway refuses a method a path does not have before the function runs, with its
    MISSING_AUTHENTICATION_TOKEN response; chalice would answer 405."""
    response = api.http.request(method, path, headers={"Authorization": "Bearer secret-session-token"})

    assert (response.status_code, response.json_body) == _gateway_unknown_route_answer()
    assert response.json_body == {"error": {"code": "not_found", "message": "No such route.", "details": []}}
    assert "Allow" not in response.headers and response.headers["Cache-Control"] == "no-store"
    assert b"secret-session-token" not in response.body


def test_an_unknown_path_answers_as_a_wrong_method_does(api):
    response = api.http.get("/v1/no-such-route", headers={"Authorization": "Bearer secret-session-token"})

    assert (response.status_code, response.json_body) == _gateway_unknown_route_answer()


def test_mailbox_is_a_local_tool_only(api, monkeypatch):
    monkeypatch.setenv("PORTAL_STAGE", "prod")
    from chalicelib import wiring

    wiring.reset()
    import app as app_module

    with Client(app_module.app, stage_name="prod") as prod:
        response = prod.http.get("/dev/mailbox")
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"


def test_index_links_to_health(api):
    links = api.http.get("/v1").json_body["links"]
    assert (links["health"], links["deep_health"]) == ("/v1/health", "/v1/health/deep")


def test_every_route_of_the_app_declares_an_access_rule():
    """Deny by default: a route added without an access rule fails here (and is refused at run time)."""
    import app as app_module

    for path, methods in app_module.app.routes.items():
        for method, entry in methods.items():
            assert isinstance(access_rule(entry.view_function), Access), f"{method} {path} has no access rule"


class _ProbeBody(RequestModel):
    b: int


class _ProbeAnswer(ResponseModel):
    ok: bool


# A small app with the same envelope, to exercise error mapping and the deny-by-default path.
def _probe_app() -> Chalice:
    probe = Chalice(app_name="probe", configure_logs=False)
    routes = Blueprint(__name__)

    @route(routes, "/conflict", access=Access.PUBLIC, responses={200: None}, errors=(409,))
    def conflict():
        raise Conflict("That user name is taken.", [{"field": "username"}])

    @route(routes, "/missing", access=Access.PUBLIC, responses={200: None}, errors=(404,))
    def missing():
        raise NotFound("No such resource.")

    @route(routes, "/invalid", access=Access.PUBLIC, methods=("POST",), body=_ProbeBody, responses={200: None})
    def invalid(body: _ProbeBody):
        raise ValidationFailed("Bad request body.", [{"field": sorted(body.model_fields_set)[0]}])

    @route(routes, "/boom", access=Access.PUBLIC, responses={200: None})
    def boom():
        raise KeyError("Jane Doe 1961-06-15")  # a message that quotes PHI

    @routes.route("/unguarded")
    def unguarded():
        return {"secret": "should never be served"}

    probe.register_blueprint(routes)
    probe.register_middleware(make_envelope(probe, lambda: True), "http")
    return probe


@pytest.fixture
def probe():
    with Client(_probe_app()) as client:
        yield client


def test_domain_errors_map_to_their_status(probe):
    assert probe.http.get("/conflict").status_code == 409
    assert probe.http.get("/conflict").json_body["error"] == {
        "code": "conflict",
        "message": "That user name is taken.",
        "details": [{"field": "username"}],
    }
    assert probe.http.get("/missing").status_code == 404
    response = probe.http.post("/invalid", body=json.dumps({"b": 1}), headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    # (a field named without words of its own is given the message: each named field says what is wrong)
    assert response.json_body["error"]["details"] == [{"field": "b", "issue": "Bad request body."}]


def test_malformed_json_is_a_clear_400(probe):
    response = probe.http.post("/invalid", body="{not json", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json_body["error"]["code"] == "bad_request"


def test_json_nested_deeper_than_the_parser_goes_is_a_400_not_a_500(api):
    # a public route: anyone could otherwise make 500s (and set off the error alarms) at will
    response = api.http.post("/v1/sessions", body="[" * 3000 + "]" * 3000, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json_body["error"]["message"] == "The JSON body is nested too deeply."


@pytest.mark.parametrize("depth", [65, 20_000])
def test_json_nested_past_the_portals_limit_gets_the_same_answer_on_every_python(api, depth):
    # (3.11's parser gives up near 1,000 levels, 3.13's past 3,000: the portal's own limit decides)
    body = '{"username": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"
    response = api.http.post("/v1/sessions", body=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json_body["error"]["message"] == "The JSON body is nested too deeply."


def test_json_nested_to_the_portals_limit_is_read(api):
    body = '{"username": ' + "[" * 63 + "]" * 63 + "}"
    response = api.http.post("/v1/sessions", body=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400  # (a username is not a list: the contract says so)
    assert response.json_body["error"]["message"] != "The JSON body is nested too deeply."


def test_an_unexpected_failure_is_a_500_with_an_id_and_nothing_else(probe, caplog):
    response = probe.http.get("/boom")

    assert response.status_code == 500
    error = response.json_body["error"]
    assert error["code"] == "internal_error" and error["details"][0]["error_id"]
    assert "Jane" not in response.body.decode()
    logged = [record for record in caplog.records if record.name == "patient-portal"]
    assert [r.error_id for r in logged] == [error["details"][0]["error_id"]]  # on-call can find it
    assert logged[0].error_type == "KeyError" and logged[0].frames
    assert "Jane" not in repr([vars(r) for r in caplog.records])  # frames and type, never the message


def test_a_route_without_an_access_rule_is_refused(probe):
    response = probe.http.get("/unguarded")

    assert response.status_code == 403
    assert "secret" not in response.body.decode()


def test_a_failure_inside_the_envelope_still_answers_in_the_portal_shape():
    broken = Chalice(app_name="broken", configure_logs=False)
    routes = Blueprint(__name__)

    @route(routes, "/tool", access=Access.LOCAL_DEV, responses={200: _ProbeAnswer})
    def tool():
        return {"ok": True}

    def stage_lookup_fails() -> bool:
        raise RuntimeError("settings unavailable")

    broken.register_blueprint(routes)
    broken.register_middleware(make_envelope(broken, stage_lookup_fails), "http")
    with Client(broken) as client:
        response = client.http.get("/tool")

    assert response.status_code == 500
    assert response.json_body["error"]["code"] == "internal_error"
    assert response.headers["Cache-Control"] == "no-store" and response.headers["X-Correlation-Id"]
