"""End-to-end: the local stack exactly as `make run` starts it, in a subprocess, on free ports, over
real HTTP. (A subprocess because moto's server mode and decorator mode must not share a process:
entering mock_aws wipes a server's data.)"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest

from tests.conftest import PROJECT_DIR


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningPortal:
    api_url: str
    aws_url: str
    process: subprocess.Popen
    output_path: str
    state_path: str  # where the stack says it runs (infra/local/state.py)

    def client(self, service: str):
        return boto3.client(
            service,
            endpoint_url=self.aws_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(self.api_url + path, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def mailbox(self) -> list[dict]:
        """Every email of the run, newest first (the mailbox answers a page at a time)."""
        emails, cursor = [], ""
        while True:
            status, _, body = self.get(f"/dev/mailbox?format=json&limit=100&cursor={cursor}")
            assert status == 200
            page = json.loads(body)
            emails += page["emails"]
            if not page["next_cursor"]:
                return emails
            cursor = page["next_cursor"]

    def feed(self, path: Path, **environment: str) -> subprocess.CompletedProcess:
        """`make feed FILE=path` against this stack, as a developer runs it from another terminal."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PORTAL_"))}
        env.update(PORTAL_LOCAL_STATE=self.state_path, **environment)
        return subprocess.run(
            [sys.executable, "-m", "infra.local.feed", str(path)],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=90,
            env=env,
        )

    def output(self) -> str:
        with open(self.output_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()


# The environment of the e2e stack, on top of what `make run` uses.
E2E_ENVIRONMENT = {
    "PYTHONUNBUFFERED": "1",
    "TZ": "UTC",
    "PORTAL_DEMO_STAFF_PASSWORD": "e2e staff passphrase",
    # A short server-side idle timeout, so that test_identity_journey can watch a session expire
    # when idle without waiting 15 minutes. Every other test keeps each session busy (or signs in
    # again) well within it.
    "PORTAL_SESSION_IDLE_SECONDS": "6",
    # Every e2e call comes from 127.0.0.1, so the per-address throttle (PORTAL_ATTEMPTS_PER_ADDRESS,
    # default 20 attempts per kind per 5-minute window) counts the whole suite as one guesser:
    # test_identity_journey.py alone makes 23 sign-in attempts (staff signing in for each piece of
    # setup, five wrong passwords for the lockout, three pairs for the same-answer check), and a
    # 429 would fail tests that are about something else. The throttle has its own unit and
    # integration tests; here it only has to stay out of the way.
    "PORTAL_ATTEMPTS_PER_ADDRESS": "1000",
}


@contextlib.contextmanager
def running_portal(directory: Path, wait_for_banner: bool = True, **environment: str) -> Iterator[RunningPortal]:
    """``python -m infra.local`` in a subprocess on free ports, with E2E_ENVIRONMENT and
    ``environment``, until the block ends (then Ctrl-C, as a developer would stop it)."""
    api_port, aws_port = free_port(), free_port()
    output_path = str(directory / "output.log")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PORTAL_"))}
    # Each stack says where it runs in a file of its own: several run at once (one per worker),
    # and none may overwrite or remove the file of a developer's `make run`.
    state_path = str(directory / "stack.json")
    env.update(
        E2E_ENVIRONMENT,
        PORTAL_PORT=str(api_port),
        PORTAL_AWS_PORT=str(aws_port),
        PORTAL_LOCAL_STATE=state_path,
        **environment,
    )
    with open(output_path, "w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "infra.local"], cwd=PROJECT_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    running = RunningPortal(
        f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{aws_port}", process, output_path, state_path
    )
    try:
        deadline = time.monotonic() + 90
        while wait_for_banner and "Press Ctrl-C to stop." not in running.output():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the local portal did not start:\n" + running.output()[-4000:])
            time.sleep(0.2)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def portal(tmp_path_factory) -> Iterator[RunningPortal]:
    """The stack every e2e module shares (data accumulates across modules: filter by your own ids)."""
    with running_portal(tmp_path_factory.mktemp("portal")) as running:
        yield running


def eventually(check, seconds: float = 20, interval: float = 0.25):
    """The stack is asynchronous (pollers, timers): wait for ``check()`` to return something truthy."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
