"""Integration tests: moto in decorator mode, the resources of infra/template.yaml provisioned
into it by the same code the local stack uses, and chalice's test client for the API."""

from __future__ import annotations

import json
import os

import moto  # noqa: F401  (GUIDE 4: moto before any boto3 client)
import boto3
import pytest
from chalice.test import Client
from moto import mock_aws

from chalicelib import wiring
from infra.local.provision import Provisioned, provision
from tests.conftest import PROJECT_DIR

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}


@pytest.fixture
def aws(monkeypatch) -> Provisioned:
    """A fresh moto account with every resource of the template, and the app pointed at it."""
    with mock_aws(config=MOTO_CONFIG):
        provisioned = provision(boto3.session.Session(), parameters={"PublicBaseUrl": "https://portal.test"})
        for name, value in provisioned.environment.items():
            monkeypatch.setenv(name, value)
        # The local stage's variables (.chalice/config.json), as the local stack sets them: chalice's
        # test client applies them only during a call, and settings may be read before one.
        config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
        # (The portal's own variables only: Powertools' switches stay per stage, for the tests that
        # invoke the prod stage.)
        for name, value in config["stages"]["local"]["environment_variables"].items():
            if name.startswith("PORTAL_"):
                monkeypatch.setenv(name, value)
        wiring.reset()
        yield provisioned
        wiring.reset()


@pytest.fixture
def container(aws) -> wiring.Container:
    return wiring.container()


@pytest.fixture
def api(aws):
    import app as app_module

    with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
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


def sqs_event(client: Client, bodies: list[str], queue: str, group_id: str = "", attributes: dict | None = None) -> dict:
    """A Lambda SQS event with distinct message ids (chalice's generator repeats one id)."""
    event = client.events.generate_sqs_event(message_bodies=bodies, queue_name=queue)
    for number, record in enumerate(event["Records"]):
        record["messageId"] = f"message-{number}"
        if group_id:
            record["attributes"]["MessageGroupId"] = group_id
        if attributes:
            record["messageAttributes"] = {name: {"stringValue": value, "dataType": "String"}
                                           for name, value in attributes.items()}
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
