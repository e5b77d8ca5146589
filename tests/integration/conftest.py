"""Integration tests: moto in decorator mode, the resources of infra/template.yaml provisioned
into it by the same code the local stack uses, and chalice's test client for the API."""

from __future__ import annotations

import functools
import json
import os
import threading

import boto3
import moto  # noqa: F401  (moto must patch botocore before any client exists)
import pytest
from chalice.test import Client

from chalicelib import wiring
from infra.local.provision import Provisioned
from tests.conftest import PROJECT_DIR
from tests.integration.shared_aws import MOTO_CONFIG, SharedAccount, stop_running  # noqa: F401  (MOTO_CONFIG: re-exported)
from tests.integration.timer_clock import TimerClock, install


def _one_table_request_at_a_time() -> None:
    """moto answers in-process DynamoDB requests one at a time, as DynamoDB applies each atomically
    and as the local stack's stand-in does (infra/local/aws_server.py): the feed handler files a
    batch's patients side by side (chalicelib/feeds/lanes.py), and moto's tables are plain dicts
    (a Query iterating one while another thread writes it raises RuntimeError) that a refused
    transaction puts back whole, undoing what another thread wrote meanwhile."""
    from moto.core.botocore_stubber import BotocoreStubber

    answer = BotocoreStubber.process_request
    lock = threading.Lock()

    @functools.wraps(answer)
    def serialised(self, request):
        target = request.headers.get("X-Amz-Target") or b""
        if not (target.decode() if isinstance(target, bytes) else target).startswith("DynamoDB_"):
            return answer(self, request)
        with lock:
            return answer(self, request)

    BotocoreStubber.process_request = serialised


_one_table_request_at_a_time()


# One moto account per test process (per xdist worker), provisioned once and emptied between
# tests: provisioning costs far more than most tests (tests/integration/shared_aws.py).
_ACCOUNT = SharedAccount()


# Password hashing with cheap argon2id parameters (256 KiB, one pass), for integration tests only.
# Production uses chalicelib.accounts.passwords.ARGON2_PARAMETERS (tens of ms a hash): every
# seeded account, enrollment and sign-in of a test would pay that, several times a test. Hashes
# stay argon2id; the unit tests of the password module and the end-to-end stack keep the real ones.
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 256, "parallelism": 1}


@pytest.fixture(autouse=True)
def _cheap_password_hashing():
    """argon2-cffi's ``PasswordHasher()`` with cheap parameters during each integration test (and
    only then: other tests in the same process keep the real ones). The portal makes its hasher
    on first use (chalicelib.accounts.passwords), so it picks this one up."""
    import argon2

    class CheapPasswordHasher(argon2.PasswordHasher):
        def __init__(self, *args, **kwargs):
            if not args:  # the cheap cost wins over the portal's own (passwords.ARGON2_PARAMETERS)
                kwargs = {**kwargs, **CHEAP_ARGON2}
            super().__init__(*args, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(argon2, "PasswordHasher", CheapPasswordHasher)
    _forget_hashers()
    yield
    patch.undo()
    _forget_hashers()


def _forget_hashers() -> None:
    """The portal caches its hasher (and a dummy hash made with it): forget them if made already."""
    import sys

    for module in [m for name, m in list(sys.modules.items()) if name.startswith("chalicelib.")]:
        for cached in ("_argon2", "_dummy_hash"):
            if hasattr(getattr(module, cached, None), "cache_clear"):
                getattr(module, cached).cache_clear()


@functools.cache
def _local_stage_variables() -> dict[str, str]:
    """The local stage's variables (.chalice/config.json), as the local stack sets them: chalice's
    test client applies them only during a call, and settings may be read before one. (The
    portal's own variables only: Powertools' switches stay per stage, for the tests that invoke
    the prod stage.)"""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    return {
        name: value
        for name, value in config["stages"]["local"]["environment_variables"].items()
        if name.startswith("PORTAL_")
    }


@pytest.fixture
def aws(monkeypatch) -> Provisioned:
    """A moto account with every resource of the template and no data, and the app pointed at it."""
    provisioned = _ACCOUNT.enter(os.environ["AWS_DEFAULT_REGION"])
    try:
        for name, value in provisioned.environment.items():
            monkeypatch.setenv(name, value)
        for name, value in _local_stage_variables().items():
            monkeypatch.setenv(name, value)
        wiring.reset()
        yield provisioned
    finally:
        wiring.reset()
        _ACCOUNT.leave()


@pytest.fixture
def timer_clock(aws) -> TimerClock:
    """The portal's clock and the Step Functions Wait states' clock in one, pinned for this test
    (tests/integration/timer_clock.py): a timer fires when the test moves the clock to its moment
    (``timer_clock.advance(hours=1)``), never on its own. It starts as the ``clock`` fixture does,
    a day ahead on a fresh five-minute window. Take it instead of ``clock``, and before any fixture
    that signs in (a session opened on the real clock would be a day old on this one).

    Executions still waiting when the test ends are stopped here (no thread outlives the test)."""
    from tests.conftest import pinned_start

    clock = TimerClock(pinned_start())
    wiring.pin_clock(clock)
    install(clock)
    try:
        yield clock
    finally:
        try:
            stop_running(os.environ["AWS_DEFAULT_REGION"])
            clock.wait_for_waiting(0, seconds=5)
        finally:
            install(None)
            wiring.pin_clock(None)


@pytest.fixture
def container(aws) -> wiring.Container:
    return wiring.container()


@pytest.fixture
def api(aws):
    import app as app_module
    from infra.local.gateway import PortalGateway

    with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        # the local stack's gateway (infra/local/api_server.py), so calls answer as over HTTP
        client.http._local_gateway = PortalGateway(app_module.app, client.http._config)
        client.http._error_response = _as_deployed_gateway
        yield client


def _as_deployed_gateway(error):
    """Refusals by chalice's local gateway, answered as the deployed gateway answers them."""
    from chalice.test import HTTPResponse

    from infra.local.gateway import gateway_answer

    status, headers, body = gateway_answer(error)
    return HTTPResponse(headers=headers, body=body, status_code=status)


def sent_emails() -> list:
    """What moto's SES accepted in this account, oldest first."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][os.environ["AWS_DEFAULT_REGION"]].sent_messages)


def sqs_event(
    client: Client, bodies: list[str], queue: str, group_id: str = "", attributes: dict | None = None
) -> dict:
    """A Lambda SQS event with distinct message ids (chalice's generator repeats one id)."""
    event = client.events.generate_sqs_event(message_bodies=bodies, queue_name=queue)
    for number, record in enumerate(event["Records"]):
        record["messageId"] = f"message-{number}"
        if group_id:
            record["attributes"]["MessageGroupId"] = group_id
        if attributes:
            record["messageAttributes"] = {
                name: {"stringValue": value, "dataType": "String"} for name, value in attributes.items()
            }
    return event


def deliver_notifications(client: Client) -> list:
    """Run every queued notification through the real handler (the local stack's poller does this
    on its own); returns the emails SES accepted so far."""
    queue_url = os.environ["PORTAL_NOTIFICATIONS_QUEUE_URL"]
    sqs = boto3.client("sqs")
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return sent_emails()
        event = sqs_event(client, [m["Body"] for m in messages], "patient-portal-notifications")
        client.lambda_.invoke("on_notification_request", event)
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def link_in(email, path_prefix: str) -> str:
    """The token of the one portal link in an email, e.g. link_in(email, "/enroll?code=")."""
    import re

    match = re.search(re.escape(path_prefix) + r"([A-Za-z0-9_-]+)", email.body)
    assert match, f"no {path_prefix} link in {email.subject!r}"
    return match.group(1)


@pytest.fixture(scope="session")
def packaged(tmp_path_factory):
    """`make package`'s first step (chalice package merged with infra/template.yaml), built once per
    test process: about three minutes, so test_template.py (the packaged template) and
    test_package_trim.py (a trimmed copy, run alone) share it. Both modules are in the xdist group
    "chalice-package": under `--dist loadgroup` (make integration) one worker builds it, and two
    `chalice package` never write chalice's deployment cache at the same time. Tests must not
    change it (test_package_trim.py trims a copy)."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    chalice = Path(sys.executable).with_name("chalice")
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    # chalice downloads the dependencies' wheels from the registry: when a download fails it either
    # only says so and packages without them, or gives up (exit status 2, its reason on stderr). A
    # registry that failed for a moment is asked once more (the half-built package is not reused);
    # a package that still fails, or is still without them, fails the test with chalice's words.
    said = ""
    for attempt in range(2):
        out = tmp_path_factory.mktemp("package") / "out"
        if attempt:
            shutil.rmtree(PROJECT_DIR / ".chalice" / "deployments", ignore_errors=True)
        done = subprocess.run(
            [str(chalice), "package", "--stage", "prod", "--merge-template", "infra/template.yaml", str(out)],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        said = f"exit status {done.returncode}: {done.stdout[-2000:]} {done.stderr[-2000:]}"
        if done.returncode == 0 and (out / "deployment.zip").stat().st_size > 1_000_000:
            return out
        print("chalice package failed or left the dependencies out;", said)
    pytest.fail(f"chalice package failed twice; {said}")
