"""Starts and stops the whole local portal: moto server, provisioned resources, API, pollers, seed."""

from __future__ import annotations

import importlib
import json
import os
import socket
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The web frontend's development server (Vite), which calls this API cross-origin; the built
# frontend is served from the API's own origin and needs no CORS.
LOCAL_FRONTEND_ORIGINS = "http://127.0.0.1:5173,http://localhost:5173"


@dataclass
class LocalStackOptions:
    host: str = "127.0.0.1"
    aws_port: int = 5000
    api_port: int = 8000
    stack_name: str = "patient-portal-local"
    seed: bool = True
    # Host names the API and the AWS stand-in answer for besides 127.0.0.1, localhost, [::1] and
    # ``host`` (infra/local/hosts.py); PORTAL_ALLOWED_HOSTS for `make run`.
    allowed_hosts: tuple[str, ...] = ()


def prepare_environment(options: LocalStackOptions, environ=os.environ) -> None:
    """What every process of the local stack needs before any boto3 client exists."""
    environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    environ["AWS_REGION"] = environ["AWS_DEFAULT_REGION"]
    environ["AWS_EC2_METADATA_DISABLED"] = "true"
    environ["AWS_ENDPOINT_URL"] = f"http://{options.host}:{options.aws_port}"
    environ["MOTO_PORT"] = str(options.aws_port)  # moto's Step Functions executor calls back here
    environ["TZ"] = "UTC"  # moto compares Wait timestamps in local time
    time.tzset()


class PortInUse(RuntimeError):
    pass


def port_is_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class LocalStack:
    options: LocalStackOptions = field(default_factory=LocalStackOptions)

    def __post_init__(self) -> None:
        self._moto = None
        self._api_thread = None
        self._api_server = None
        self._pollers: list = []
        self.provisioned = None
        self.seeded: list = []
        self.clock = None

    @property
    def api_url(self) -> str:
        return f"http://{self.options.host}:{self.options.api_port}"

    @property
    def aws_url(self) -> str:
        return f"http://{self.options.host}:{self.options.aws_port}"

    def start(self) -> LocalStack:
        for name, port in (("PORTAL_AWS_PORT", self.options.aws_port), ("PORTAL_PORT", self.options.api_port)):
            if not port_is_free(self.options.host, port):
                raise PortInUse(f"port {port} on {self.options.host} is in use: stop what uses it, or set {name}")
        prepare_environment(self.options)
        from infra.local.aws_server import AwsStandIn
        from infra.local.hosts import host_guard

        try:
            self._moto = AwsStandIn(
                self.options.host,
                self.options.aws_port,
                host_guard(self.options.host, self.options.aws_port, self.options.allowed_hosts),
            ).start()
        except OSError as error:  # taken since the check above
            raise PortInUse(
                f"port {self.options.aws_port} on {self.options.host} is in use "
                f"({error.strerror}): stop what uses it, or set PORTAL_AWS_PORT"
            ) from None
        self._post("/moto-api/config", {"stepfunctions": {"execute_state_machine": True}})

        import boto3

        from infra.local.provision import provision

        session = boto3.session.Session()
        self.provisioned = provision(
            session,
            stack_name=self.options.stack_name,
            parameters={"PublicBaseUrl": self.api_url, "CorsAllowedOrigins": LOCAL_FRONTEND_ORIGINS},
        )
        os.environ.update(self.provisioned.environment)

        from chalicelib import wiring
        from infra.local.clock import LocalClock, install

        # One clock for the API, the consumers and the timers' Wait states, which POST /dev/clock
        # moves forward (a reminder days away can be reached at once).
        self.clock = LocalClock()
        install(self.clock)
        wiring.pin_clock(self.clock)
        wiring.reset()
        try:
            self._start_api()
        except OSError as error:  # taken since the check above
            raise PortInUse(
                f"port {self.options.api_port} on {self.options.host} is in use "
                f"({error.strerror}): stop what uses it, or set PORTAL_PORT"
            ) from None
        if self.options.seed:  # before the pollers: nothing else runs app code yet
            from infra.local.seed import seed

            self.seeded = seed(wiring.container(), os.environ)
        # Ready: only now does the API answer (a request made meanwhile waited in the socket's
        # queue), so whoever waits for /v1/health may sign in with the demo accounts at once.
        self._api_thread.start()
        app_module = importlib.import_module("app")
        from infra.local.api_server import DISPATCH_LOCK
        from infra.local.schedules import schedules_for_app
        from infra.local.sqs_poller import pollers_for_app

        self._pollers = pollers_for_app(app_module, session.client("sqs"), self._lambda_timeouts(), DISPATCH_LOCK)
        # (schedules start and stop as pollers do: the outbox's drain every five minutes)
        self._pollers += schedules_for_app(app_module, os.environ["AWS_DEFAULT_REGION"], DISPATCH_LOCK)
        for poller in self._pollers:
            poller.start()
        if self.options.seed:
            # The demo patient's conversation waits for the feed to file her (the pollers do that).
            threading.Thread(target=self._seed_conversation, name="demo-conversation", daemon=True).start()
        return self

    def _seed_conversation(self, seconds: float = 60) -> None:
        from chalicelib import wiring
        from chalicelib.errors import PortalError
        from infra.local.seed import MRN_AUTHORITY, ORGANIZATION_ID, TIME_ZONE, seed_demo_conversation
        from infra.local.seed_proxy import seed_demo_proxy

        # Each waits for the feed to file its patient: the demo patient's conversation, and the
        # demo parent's grant for her child.
        waiting = {
            "conversation": lambda: seed_demo_conversation(wiring.container()),
            "proxy": lambda: seed_demo_proxy(wiring.container(), os.environ, ORGANIZATION_ID, MRN_AUTHORITY, TIME_ZONE),
        }
        deadline = time.monotonic() + seconds
        while waiting and time.monotonic() < deadline:
            for name, attempt in list(waiting.items()):
                try:
                    if attempt():
                        del waiting[name]
                except PortalError as error:  # demo data only: the stack runs on without it
                    print(f"The demo {name} was not seeded: {error}", file=sys.stderr)
                    del waiting[name]
            time.sleep(0.5)

    def _start_api(self) -> None:
        from chalice.cli.factory import CLIFactory

        from infra.local.api_server import create_api_server
        from infra.local.hosts import host_guard

        if str(PROJECT_DIR) not in sys.path:
            sys.path.insert(0, str(PROJECT_DIR))
        factory = CLIFactory(str(PROJECT_DIR), environ=os.environ)
        guard = host_guard(self.options.host, self.options.api_port, self.options.allowed_hosts)
        web_root = PROJECT_DIR / "web" / "dist"
        server = create_api_server(factory, self.options.host, self.options.api_port, "local", guard, web_root)
        self._api_server = server
        # Bound now (a taken port is reported before anything else starts), served once seeded.
        self._api_thread = threading.Thread(target=server.serve_forever, name="chalice-local", daemon=True)

    def _lambda_timeouts(self) -> dict[str, int]:
        config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
        functions = config["stages"]["prod"].get("lambda_functions", {})
        return {name: spec.get("lambda_timeout", config.get("lambda_timeout", 30)) for name, spec in functions.items()}

    def _post(self, path: str, payload: dict) -> None:
        request = urllib.request.Request(
            self.aws_url + path,
            data=json.dumps(payload).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()

    def stop(self) -> None:
        # Every poller is told first, then each is waited for: one after the other, each would
        # finish its long poll before the next was even told (about a second apiece).
        for poller in self._pollers:
            poller.ask_to_stop()
        for poller in self._pollers:
            poller.stop()
        if self._api_thread is not None and self._api_thread.is_alive():
            self._api_server.shutdown()  # (waits for serve_forever: only once it was started)
        if self._api_server is not None:
            self._api_server.server.server_close()
        if self._moto is not None:
            self._stop_timers()
            self._moto.stop()

    def _stop_timers(self) -> None:
        """Stop every timer still waiting (reminders days away, releases an hour off): their
        threads wait on the clock and would keep the process from ending. Nothing is lost that
        stopping the stack does not lose anyway (moto keeps its data in memory)."""
        arn = os.environ.get("PORTAL_DATED_EVENT_STATE_MACHINE_ARN")
        if not arn:
            return
        import boto3

        sfn = boto3.client("stepfunctions")
        try:
            pages = sfn.get_paginator("list_executions").paginate(stateMachineArn=arn, statusFilter="RUNNING")
            for execution in (e for page in pages for e in page["executions"]):
                sfn.stop_execution(executionArn=execution["executionArn"], cause="the local stack stopped")
        except Exception:  # noqa: BLE001 - stopping must go on whatever the stand-in answers
            return
