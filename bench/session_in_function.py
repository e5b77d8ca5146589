"""The session check inside the API function: what a signed-in request costs now that no gateway
authorizer runs before it.

- Lambda invocations per signed-in request, counted from the app's route table (the API function,
  plus one for each distinct gateway authorizer a signed-in route names).
- The check warm, CPU per request: ``app._check_session`` (what the envelope calls) against the
  raw boto3 conditional UpdateItem it comes down to, with the very parameters it sent.
- A cold signed-in request, CPU: a fresh interpreter importing app.py and answering its first
  GET /v1/me (the session check, then the route's two reads), against a fresh interpreter doing
  the same three DynamoDB calls with raw boto3 (its floor).
- What a cold signed-in request no longer pays: the former authorizer's own cold start (a fresh
  interpreter importing the session check and running it once), which a patient's first call met
  before the API function's.

moto's cost is removed from every figure: its answers are recorded once and handed back by
botocore's Endpoint._send (moto switched off), so what is timed is the client side, what a Lambda
pays on top of DynamoDB's latency. The sides take turns (A B A B) and the figures are medians of
CPU time (``time.process_time``); wall time is printed beside them. Both fresh-process sides run
with the same bytecode state (the .pyc files written by a first, untimed run).
"""

from __future__ import annotations

import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.table import Row

PROJECT_DIR = Path(__file__).resolve().parents[1]
WARM_TURNS = 400
COLD_TURNS = 9

# Run in the fresh interpreters, before anything of the side is imported (and so inside its
# timing): DynamoDB answered from the recorded answers, keyed by operation and table.
CANNED_SEND = """
import io, json, os, time
cpu, wall = time.process_time(), time.perf_counter()
import botocore.awsrequest, botocore.endpoint
ANSWERS = json.loads(os.environ["BENCH_ANSWERS"])
class Raw(io.BytesIO):
    def stream(self, **_):
        yield self.getvalue()
def send(self, request):
    operation = request.headers["X-Amz-Target"].decode().rsplit(".", 1)[1]
    table = json.loads(request.body)["TableName"]
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "bench"}
    return botocore.awsrequest.AWSResponse(request.url, 200, headers, Raw(ANSWERS[operation + " " + table].encode()))
botocore.endpoint.Endpoint._send = send
"""
DONE = "\nprint(json.dumps([(time.process_time() - cpu) * 1000, (time.perf_counter() - wall) * 1000]))\n"

COLD_APP = """
import app
class Context:  # what Lambda hands the handler (Powertools' logger reads these)
    function_name, memory_limit_in_mb, aws_request_id = "api_handler", 512, "bench"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:api_handler"
answer = app.app(json.loads(os.environ["BENCH_EVENT"]), Context())
assert answer["statusCode"] == 200, answer
"""
COLD_FLOOR = """
import boto3
client = boto3.client("dynamodb")
for operation, params in json.loads(os.environ["BENCH_CALLS"]):
    getattr(client, operation)(**params)
"""
COLD_AUTHORIZER = """
import chalice
from chalicelib import wiring
from chalicelib.identity.session_check import authorize
container = wiring.container()
assert authorize(container, os.environ["BENCH_AUTHORIZATION"], container.clock.now()) is not None
"""


class _Raw(io.BytesIO):
    def stream(self, **_: Any):
        yield self.getvalue()


def _xform(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)


def _record_calls():
    """Every DynamoDB call made meanwhile, with its answer (any client: the stores' and raw ones)."""
    from botocore.client import BaseClient

    calls: list[tuple[str, dict, dict]] = []
    original = BaseClient._make_api_call

    def recorded(client, operation, params):
        answer = original(client, operation, params)
        if client.meta.service_model.service_name == "dynamodb":
            calls.append((operation, params, answer))
        return answer

    BaseClient._make_api_call = recorded  # type: ignore[method-assign]
    return calls, lambda: setattr(BaseClient, "_make_api_call", original)


def _wire(answer: dict) -> str:
    """A low-level DynamoDB answer as it came over the wire (its JSON protocol is the same shape)."""
    return json.dumps({key: value for key, value in answer.items() if key != "ResponseMetadata"}, default=str)


def _canned_send(answers: dict[str, str]):
    """Endpoint._send answering from ``answers`` (moto switched off meanwhile); returns an undo."""
    import botocore.awsrequest
    import botocore.endpoint
    from moto.core.models import botocore_stubber

    original, was = botocore.endpoint.Endpoint._send, botocore_stubber.enabled

    def send(self, request):
        operation = request.headers["X-Amz-Target"].decode().rsplit(".", 1)[1]
        table = json.loads(request.body)["TableName"]
        headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "bench"}
        body = answers[f"{operation} {table}"].encode()
        return botocore.awsrequest.AWSResponse(request.url, 200, headers, _Raw(body))

    botocore.endpoint.Endpoint._send = send
    botocore_stubber.enabled = False

    def undo() -> None:
        botocore.endpoint.Endpoint._send = original
        botocore_stubber.enabled = was

    return undo


def _stack():
    """A moto account with the template's resources, a staff account and its session; the app's
    event for GET /v1/me with it."""
    import boto3
    from chalice.local import LocalGateway
    from chalice.test import Client

    import app as app_module
    from chalicelib import wiring
    from chalicelib.accounts import service as accounts
    from chalicelib.accounts.domain import Role
    from chalicelib.identity import sessions
    from chalicelib.kernel.origin import Origin
    from infra.local.provision import provision

    provisioned = provision(boto3.session.Session())
    os.environ.update(provisioned.environment)
    os.environ["PORTAL_STAGE"] = "local"
    os.environ["PORTAL_SECOND_FACTOR_EXEMPT_USERS"] = "bench.staff"
    wiring.reset()
    container = wiring.container()
    now = container.clock.now()
    accounts.ensure_organization(container.directory, "bench-org", "Bench", now=now)
    accounts.create_staff_account(
        container.directory,
        organization_id="bench-org",
        username="bench.staff",
        password="a bench passphrase",
        role=Role.STAFF,
        email="b@bench.example",
        now=now,
    )
    account = container.directory.account_by_username("bench.staff")
    token = sessions.open_session(container, Origin("127.0.0.1"), account, now, "password")["token"]
    authorization = f"Bearer {token}"
    with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        gateway = LocalGateway(app_module.app, client.http._config)
        event = gateway._generate_lambda_event("GET", "/v1/me", {"authorization": authorization}, b"")
    event["body"] = None  # (bytes, and a GET has none: the event must travel as JSON)
    return app_module, container, provisioned.environment, authorization, event


def _turns(sides: dict[str, Any], turns: int) -> dict[str, list[float]]:
    """Each side's CPU ms per run, the sides taking turns."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(turns):
        for name, run in sides.items():
            started = time.process_time()
            run()
            samples[name].append((time.process_time() - started) * 1000)
    return samples


def _fresh(code: str, environment: dict[str, str]) -> tuple[float, float]:
    """(CPU ms, wall ms) of ``code`` in a fresh interpreter, timed from its first line."""
    out = subprocess.run(
        [sys.executable, "-c", CANNED_SEND + code + DONE],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    cpu, wall = json.loads(out.stdout.strip().splitlines()[-1])
    return cpu, wall


def measure(warm_turns: int = WARM_TURNS, cold_turns: int = COLD_TURNS, bytecode_first: bool = True) -> list[Row]:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    from moto import mock_aws

    from chalicelib.http.routing import access_rule

    with mock_aws():
        app_module, container, environment, authorization, event = _stack()

        signed_in = [
            entry
            for methods in app_module.app.routes.values()
            for entry in methods.values()
            if (rule := access_rule(entry.view_function)) is not None and rule.needs_session
        ]
        invocations = 1 + len({entry.authorizer.name for entry in signed_in if entry.authorizer is not None})

        # One signed-in request through the app, its DynamoDB calls and moto's answers recorded.
        from chalice.local import LambdaContext

        calls, stop = _record_calls()
        try:
            answer = app_module.app(json.loads(json.dumps(event)), LambdaContext("api_handler", 512))
        finally:
            stop()
        assert answer["statusCode"] == 200, answer
        answers = {f"{op} {params['TableName']}": _wire(result) for op, params, result in calls}
        [check] = [params for op, params, _ in calls if op == "UpdateItem"]
        raw = container.client("dynamodb")

        undo = _canned_send(answers)
        try:
            warm = _turns(
                {
                    "check": lambda: app_module._check_session(authorization),
                    "floor": lambda: raw.update_item(**check),
                },
                warm_turns,
            )
        finally:
            undo()

    child = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": os.environ["AWS_DEFAULT_REGION"],
        "AWS_EC2_METADATA_DISABLED": "true",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        **environment,
        "PORTAL_STAGE": "prod",  # as deployed: no contract checks of the answers (the local stage's)
        "BENCH_ANSWERS": json.dumps(answers),
        "BENCH_EVENT": json.dumps(event),
        "BENCH_CALLS": json.dumps([(_xform(op), params) for op, params, _ in calls]),
        "BENCH_AUTHORIZATION": authorization,
    }
    sides = {"app": COLD_APP, "floor": COLD_FLOOR, "authorizer": COLD_AUTHORIZER}
    for code in sides.values() if bytecode_first else ():
        _fresh(code, child)  # bytecode written once, the same for every side
    cold: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
    for _ in range(cold_turns):
        for name, code in sides.items():
            cold[name].append(_fresh(code, child))

    def median(name: str, index: int) -> float:
        return statistics.median(sample[index] for sample in cold[name])

    print(f"DynamoDB calls of a signed-in GET /v1/me: {', '.join(op for op, _, _ in calls)}")
    print(
        f"cold, wall ms (medians): app {median('app', 1):.1f}, floor {median('floor', 1):.1f}, "
        f"former authorizer {median('authorizer', 1):.1f}"
    )
    return [
        Row(
            "Lambda invocations per signed-in request",
            invocations,
            "invocations",
            "1 (was 2: authorizer + API)",
            note="the API function plus one per gateway authorizer a signed-in route names (app.routes)",
        ),
        Row(
            "session check in the API function, warm, CPU",
            statistics.median(warm["check"]),
            "ms CPU",
            "one UpdateItem, no 2nd invocation",
            floor=statistics.median(warm["floor"]),
            note=f"app._check_session vs raw boto3 update_item with its parameters; {warm_turns} turns, "
            "moto's answers replayed",
        ),
        Row(
            "cold signed-in request: import app + GET /v1/me, CPU",
            median("app", 0),
            "ms CPU",
            "one cold start",
            floor=median("floor", 0),
            note="fresh interpreter each; floor: import boto3, one client, the same 3 DynamoDB calls; "
            f"{cold_turns} turns, moto's answers replayed",
        ),
        Row(
            "former authorizer's cold start, no longer paid, CPU",
            median("authorizer", 0),
            "ms CPU",
            "0 (not paid)",
            note="fresh interpreter: import the session check, run it once (what the SessionAuthorizer "
            "function did before the API function's cold start)",
        ),
    ]


def rows() -> list[Row]:
    if os.environ.get("BENCH_QUICK"):  # the harness's smoke test: the figures then mean nothing
        return measure(warm_turns=3, cold_turns=1, bytecode_first=False)
    return measure()


def main() -> None:
    from bench.table import render

    print(render(rows()))


if __name__ == "__main__":
    main()
