"""The first request after a cold start: a patient's first results page (GET
/v1/patients/{id}/results, a page of 20), the path a patient hits first, in a fresh process:
import app.py, then the Lambda event API Gateway hands the API function, answered.

Its floor is a fresh process doing the same AWS work with raw boto3: import boto3, build one
client per service the request calls, and make the very same calls (same operations, same
parameters, same answers). Both sides are answered by a local replay server (bench/replay_server):
answers recorded once against moto, so neither process carries moto, and the server's CPU is
never charged to either. Sides in turns, medians, CPU and wall, with bytecode present (a package
that ships .pyc files) and absent (compiled from source on each cold start).

The event is the one chalice's gateway built for that request; whatever the API function does
with it (the session check included, when it runs inside the function) is what the recorded calls
are: the first request's own calls, made on a container as a cold start finds it.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

from bench import fresh
from bench.cold_start import app_modules, floor_code
from bench.table import Row

ROUNDS = 1 if fresh.QUICK else 9
RESULTS = 3 if fresh.QUICK else 21  # a full first page of 20, and a cursor to the next
PAGE = 20
SERVICES = ("dynamodb", "s3", "kms", "sqs", "ses", "stepfunctions")

PORTAL = """
import pickle as _p, sys as _s
_event = _p.load(open(_s.argv[1], "rb"))
_c0 = _t.process_time(); _w0 = _t.perf_counter()
import app
_ci, _wi = _t.process_time(), _t.perf_counter()
class _Context:
    function_name = "patient-portal-prod-APIHandler"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:patient-portal-prod-APIHandler"
    aws_request_id = "bench-request"
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 29000
_answer = app.app(_event, _Context())
_extra = {
    "status": _answer["statusCode"],
    "request_cpu": (_t.process_time() - _ci) * 1000,
    "request_wall": (_t.perf_counter() - _wi) * 1000,
}
"""

FLOOR_LOAD = """
import pickle as _p, sys as _s
_calls = _p.load(open(_s.argv[1], "rb"))
"""
CLOCKS = "_c0 = _t.process_time(); _w0 = _t.perf_counter()\n"
FLOOR_CALLS = """
import boto3
from botocore import xform_name
_clients = {}
for _service, _operation, _params in _calls:
    if _service not in _clients:
        _clients[_service] = boto3.client(_service)
    getattr(_clients[_service], xform_name(_operation))(**_params)
_extra = {"status": 200}
"""


def _stage_environment(provisioned: dict[str, str]) -> dict[str, str]:
    """What the deployed API function has: the app's and the prod stage's variables, the stack's
    resource names; X-Ray off (its cost is measured on its own)."""
    config = json.loads((fresh.PROJECT_DIR / ".chalice" / "config.json").read_text())
    env = dict(config.get("environment_variables", {}))
    env.update(config["stages"]["prod"]["environment_variables"])
    env.update(provisioned)
    env["POWERTOOLS_TRACE_DISABLED"] = "true"
    return env


class _Capture:
    """Stands in for the app object in chalice's gateway: keeps the Lambda event it is handed,
    and records the AWS calls the app makes answering it (the session check, where it runs in
    front of the function, is called before: only the function's own calls are recorded)."""

    def __init__(self, app: Any, recorder: Any) -> None:
        self._app = app
        self._recorder = recorder
        self.events: list[dict] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def __call__(self, event: dict, context: Any) -> Any:
        self.events.append(copy.deepcopy(event))
        with self._recorder.recording():
            return self._app(event, context)


def record() -> tuple[dict, list, list, dict[str, str], int]:
    """Against moto: a patient with RESULTS released results, signed in; then, on a fresh
    container, her first results page through chalice's gateway, its event, calls and answers."""
    from chalice.test import Client
    from moto import mock_aws

    import app as app_module
    from bench.feed_intake import filing_stack, oru_with_20_obx
    from bench.replay_server import Recorder
    from bench.results_reads import _local_stage_environment, _patient_session
    from chalicelib import wiring
    from chalicelib.feeds import service as feeds

    with mock_aws():
        _local_stage_environment()
        container, env, filer, filed = filing_stack()
        for number in range(RESULTS):
            feeds.receive(
                oru_with_20_obx(number),
                archive=container.feed_archive,
                messages=container.feed_messages,
                sender_hint="LAB",
                filer=filer,
                received_at=container.clock.now(),
            )
        patient_id = filed[0].patients[0]
        token = _patient_session(container, patient_id)
        path = f"/v1/patients/{patient_id}/results?limit={PAGE}"
        recorder = Recorder()
        with Client(app_module.app, stage_name="local", project_dir=str(fresh.PROJECT_DIR)) as client:
            client.http.request("GET", "/v1/health")  # the gateway exists from here
            gateway = client.http._local_gateway
            capture = _Capture(gateway._app_object, recorder)
            gateway._app_object = capture
            try:
                wiring.reset()  # the container as a cold start finds it
                for service in SERVICES:
                    recorder.watch(wiring.container().client(service))
                response = client.http.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            finally:
                gateway._app_object = capture._app
        calls, answers = list(recorder.calls), list(recorder.answers)
        items = len(json.loads(response.body)["results"]) if response.status_code == 200 else 0
        return capture.events[-1], calls, answers, env, items if response.status_code == 200 else -1


def rows() -> list[Row]:
    from bench.replay_server import ReplayServer

    event, calls, answers, provisioned, items = _record_in_child()
    if items < 0:
        raise RuntimeError("the recorded first request did not answer 200")
    operations = ", ".join(f"{service}.{operation}" for service, operation, _ in calls)
    print(f"first results page ({items} results): the API function's calls: {operations}")
    out: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-first-") as folder, ReplayServer(answers) as server:
        event_file, calls_file = Path(folder, "event.pickle"), Path(folder, "calls.pickle")
        event_file.write_bytes(pickle.dumps(event))
        calls_file.write_bytes(pickle.dumps(calls))
        env = fresh.environment({**_stage_environment(provisioned), "AWS_ENDPOINT_URL": server.url})

        def side(code: str, argument: Path, bytecode: bool):
            def once() -> dict[str, float]:
                server.rewind()
                figures = fresh.run(code, env, bytecode, argv=[str(argument)])
                if figures.pop("status") != 200 or server.unanswered or server.served != len(calls):
                    raise RuntimeError(
                        f"the replayed request went astray: {server.served} of {len(calls)} calls served, "
                        f"unanswered {server.unanswered}"
                    )
                return figures

            return once

        fresh.run(PORTAL, env, True, argv=[str(event_file)])  # the portal's bytecode written once
        # The whole cold start's floor: the modules app.py's import loads, then the raw calls.
        # The request's floor starts where the portal's request starts: with the modules app.py's
        # import loaded (untimed), so neither side is charged for what the other's import loaded.
        # The whole cold start's floor times those modules too.
        modules = floor_code(app_modules())
        floor_request = FLOOR_LOAD + modules + CLOCKS + FLOOR_CALLS
        floor_all = FLOOR_LOAD + CLOCKS + modules + FLOOR_CALLS
        for bytecode in (True,) if fresh.QUICK else (True, False):
            medians = fresh.turns(
                {
                    "portal": side(PORTAL, event_file, bytecode),
                    "floor": side(floor_request, calls_file, bytecode),
                    "floor_all": side(floor_all, calls_file, bytecode),
                },
                ROUNDS,
            )
            portal, floor, whole = medians["portal"], medians["floor"], medians["floor_all"]
            label = "bytecode present" if bytecode else "no bytecode"
            print(
                f"cold start, {label}: import app.py + first request {portal['cpu']:.0f} ms CPU / "
                f"{portal['wall']:.0f} ms wall (the request {portal['request_cpu']:.0f} / "
                f"{portal['request_wall']:.0f}); floor of the request {floor['cpu']:.0f} / {floor['wall']:.0f}; "
                f"floor of the whole {whole['cpu']:.0f} / {whole['wall']:.0f}"
            )
            note = (
                ""
                if out
                else f"fresh process: app.py imported, then the API function's first results page ({len(calls)} AWS "
                "calls), timed from the import's end; floor: a fresh process with the same modules loaded (untimed) "
                "importing boto3, building one client per service and making the same calls (same parameters, same "
                f"answers); answers replayed by a local server, no moto in either process; sides in turns, {ROUNDS} "
                "each, medians"
            )
            whole_note = (
                ""
                if len(out) > 2
                else "the whole cold start: import app.py + the first request, against the same modules app.py's "
                "import loads (without the portal's code) + the raw request floor"
            )
            out += [
                Row(f"first request after a cold start, {label}, CPU", portal["request_cpu"], "ms CPU",
                    "<= 1.25x floor", floor["cpu"], note),
                Row(f"first request after a cold start, {label}, wall", portal["request_wall"], "ms wall",
                    "<= 1.25x floor", floor["wall"]),
                Row(f"import app.py + first request, {label}, CPU", portal["cpu"], "ms CPU", "<= 1.25x floor",
                    whole["cpu"], whole_note),
            ]  # fmt: skip
    return out


def _record_in_child() -> tuple[dict, list, list, dict[str, str], int]:
    """Recording needs moto, which must patch botocore before any client exists and would stay
    in this process: it is done in a child process, handing its findings back by file."""
    import subprocess
    import sys

    with tempfile.TemporaryDirectory(prefix="bench-record-") as folder:
        out = Path(folder, "recorded.pickle")
        env = {**os.environ, **fresh.environment(), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        subprocess.run(
            [
                sys.executable,
                "-c",
                f"import pickle, bench.first_request as f; open({str(out)!r}, 'wb').write(pickle.dumps(f.record()))",
            ],  # fmt: skip
            cwd=fresh.PROJECT_DIR,
            env=env,
            check=True,
            timeout=600,
        )
        return pickle.loads(out.read_bytes())


def main() -> None:
    from bench.table import render

    print(render(rows()))


if __name__ == "__main__":
    main()
