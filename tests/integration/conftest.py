"""Integration tests: moto in decorator mode, the resources of infra/template.yaml provisioned
into it by the same code the local stack uses, and chalice's test client for the API."""

from __future__ import annotations

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
        monkeypatch.setenv("PORTAL_STAGE", "local")
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
        yield client


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
