"""Sign-in on its own function: in the packaged template (what `make package` deploys), the routes
that hash or verify a password for someone not signed in reach SignInHandler, every other route
APIHandler; the two run the same code the same way, and the sign-in function has its own memory,
concurrency, log group and a role that reaches no health record."""

from __future__ import annotations

import pytest
import yaml

from infra.local.template import _CfnLoader
from tests.integration.test_template import RESOURCES, TEMPLATE, packaged  # noqa: F401  (the fixture)

pytestmark = pytest.mark.xdist_group("chalice-package")

SIGN_IN_ROUTES = {
    "/v1/sessions",
    "/v1/sessions/mfa",
    "/v1/sessions/mfa/email-code",
    "/v1/enrollments",
    "/v1/account/password-resets/confirm",
    "/v1/account/setup",
}


@pytest.fixture(scope="module")
def resources(packaged) -> dict:  # noqa: F811
    with open(packaged / "sam.yaml") as handle:
        return yaml.load(handle, Loader=_CfnLoader)["Resources"]


def _function_of(operation: dict) -> str:
    uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
    return uri.split("/functions/${")[1].split(".Arn}")[0]


def test_the_sign_in_routes_reach_the_sign_in_function_and_every_other_route_the_api(resources):
    paths = resources["RestAPI"]["Properties"]["DefinitionBody"]["paths"]
    reached = {
        (path, method): _function_of(operation) for path, item in paths.items() for method, operation in item.items()
    }
    assert {key for key, function in reached.items() if function == "SignInHandler"} == {
        (path, "post") for path in SIGN_IN_ROUTES
    }
    assert {function for function in reached.values()} == {"SignInHandler", "APIHandler"}
    # the override changed the uri only: the rest of chalice's integration is intact
    [operation] = [paths["/v1/sessions"]["post"]]
    assert operation["x-amazon-apigateway-integration"]["type"] == "aws_proxy"
    assert operation["summary"] == "Sign in with a user name and password."


def test_every_sign_in_route_is_a_public_post_route_of_the_app():
    import app as app_module

    routes = app_module.app.routes
    for path in SIGN_IN_ROUTES:
        assert "POST" in routes[path], path


def test_the_sign_in_function_runs_the_same_code_as_the_api_with_its_own_memory_and_concurrency(resources):
    api, sign_in = resources["APIHandler"]["Properties"], resources["SignInHandler"]["Properties"]
    for same in ("CodeUri", "Handler", "Runtime", "Architectures", "Timeout", "Tracing", "Tags", "Environment"):
        assert sign_in[same] == api[same], same
    assert sign_in["MemorySize"] == 1769 != api["MemorySize"]  # one full vCPU (bench/argon2_cost.py)
    assert sign_in["ReservedConcurrentExecutions"] == {"Ref": "SignInReservedConcurrency"}
    group = sign_in["LoggingConfig"]["LogGroup"]["Ref"]
    assert group == "SignInHandlerLogGroup" != api["LoggingConfig"]["LogGroup"]["Ref"]
    [policy] = resources["SignInHandlerRole"]["Properties"]["Policies"]
    logs = next(s for s in policy["PolicyDocument"]["Statement"] if s["Sid"] == "WriteOwnLogs")
    assert logs["Resource"] == {"Fn::GetAtt": [group, "Arn"]}
    permission = resources["SignInHandlerInvokePermission"]["Properties"]
    assert permission["Principal"] == "apigateway.amazonaws.com"
    assert permission["FunctionName"] == {"Ref": "SignInHandler"}
    assert "${RestAPI}/*/POST/*" in permission["SourceArn"]["Fn::Sub"]


def test_the_sign_in_role_reaches_no_health_record_document_feed_or_timer():
    policy = RESOURCES["SignInAccessPolicy"]["Properties"]
    assert policy["Roles"] == [{"Ref": "SignInHandlerRole"}]
    granted = repr(policy["PolicyDocument"]["Statement"])
    for elsewhere in ("RecordsTable", "FeedMessagesTable", "Bucket", "DatedEventStateMachine", "AppSigningKey"):
        assert elsewhere not in granted, elsewhere
    assert "s3:" not in granted and "states:" not in granted and "dynamodb:Scan" not in granted
    [audit] = [s for s in policy["PolicyDocument"]["Statement"] if "AuditEventsTable" in repr(s["Resource"])]
    assert audit["Action"] == "dynamodb:PutItem"  # the trail is appended to, never read, here


def test_the_sign_in_concurrency_is_a_parameter_with_a_floor():
    parameter = TEMPLATE["Parameters"]["SignInReservedConcurrency"]
    assert parameter["Type"] == "Number" and parameter["MinValue"] >= 1 and parameter["Default"] >= 1
