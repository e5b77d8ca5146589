"""Composition root: builds clients, adapters and repositories lazily, once per container
(a Lambda execution environment, or the local server process), never at import.

Services never import this module; routes and event handlers do, and pass what a service needs
as parameters. Tests call ``reset()`` so each test builds against its own moto backend.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any, Callable

from chalicelib.settings import Settings, load_settings


class Container:
    def __init__(self, settings: Settings):
        self.settings = settings
        from chalicelib.data.models import bind_tables

        bind_tables(settings)

    # -- AWS clients ---------------------------------------------------------------------------
    @cached_property
    def _session(self):
        import boto3

        return boto3.session.Session(region_name=self.settings.region)

    @cached_property
    def _client_config(self):
        from botocore.config import Config

        # Fail fast: a request waiting on a dead dependency holds a Lambda and a user.
        return Config(connect_timeout=3, read_timeout=10, retries={"mode": "standard", "max_attempts": 3})

    def client(self, service: str) -> Any:
        with _lock:  # boto3 session.client is not thread safe; the local server is threaded
            cache = self.__dict__.setdefault("_clients", {})
            if service not in cache:
                cache[service] = self._session.client(service, config=self._client_config)
            return cache[service]

    # -- adapters ------------------------------------------------------------------------------
    @cached_property
    def documents(self):
        from chalicelib.adapters.s3 import S3ObjectStore

        return S3ObjectStore(self.client("s3"), self.settings.documents_bucket, self.settings.kms_key_id)

    @cached_property
    def feed_archive(self):
        from chalicelib.adapters.s3 import S3ObjectStore

        return S3ObjectStore(self.client("s3"), self.settings.feed_archive_bucket, self.settings.kms_key_id)

    @cached_property
    def mailer(self):
        from chalicelib.adapters.ses import SesMailer

        return SesMailer(self.client("ses"), self.settings.sender_address)

    @cached_property
    def notifications_queue(self):
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.notifications_queue_url)

    @cached_property
    def clinical_outbound_queue(self):
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.clinical_outbound_queue_url)

    @cached_property
    def timers(self):
        from chalicelib.adapters.stepfunctions import StepFunctionsTimers

        return StepFunctionsTimers(self.client("stepfunctions"), self.settings.dated_event_state_machine_arn)

    @cached_property
    def keys(self):
        from chalicelib.adapters.kms import KmsKeys

        return KmsKeys(self.client("kms"), self.settings.kms_key_id)

    # -- repositories --------------------------------------------------------------------------
    @cached_property
    def audit_log(self):
        from chalicelib.data.repositories import DynamoAuditLog

        return DynamoAuditLog()

    @cached_property
    def directory(self):
        from chalicelib.data.repositories import DynamoDirectory

        return DynamoDirectory()

    @cached_property
    def feed_messages(self):
        from chalicelib.data.repositories import DynamoFeedMessages

        return DynamoFeedMessages()

    @cached_property
    def idempotency_store(self):
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        # Given our client so Powertools does not build one at import (GUIDE 4).
        return DynamoDBPersistenceLayer(table_name=self.settings.idempotency_table,
                                        boto3_client=self.client("dynamodb"))

    def idempotent(self, name: str, function: Callable[..., Any], key_jmespath: str,
                   expires_after_seconds: int) -> Callable[..., Any]:
        """``function(message=...)`` made idempotent on the key at ``key_jmespath`` of its message,
        with Powertools' DynamoDB persistence; built once per container."""
        cache = self.__dict__.setdefault("_idempotent", {})
        if name not in cache:
            from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

            config = IdempotencyConfig(event_key_jmespath=key_jmespath, expires_after_seconds=expires_after_seconds,
                                       raise_on_no_idempotency_key=True)
            cache[name] = (idempotent_function(function, data_keyword_argument="message",
                                               persistence_store=self.idempotency_store, config=config), config)
        return cache[name]

    def health_probes(self) -> dict[str, Callable[[], None]]:
        return {
            "dynamodb": self.audit_log.ping,
            "s3": self.documents.ping,
            "sqs": self.notifications_queue.ping,
            "ses": self.mailer.ping,
            "stepfunctions": self.timers.ping,
            "kms": self.keys.ping,
        }


_lock = threading.RLock()
_container: Container | None = None


def container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = Container(load_settings())
    return _container


def reset() -> None:
    """Forget every client and setting (tests; a changed environment)."""
    global _container
    with _lock:
        _container = None
