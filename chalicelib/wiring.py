"""Composition root: builds clients, adapters and repositories lazily, once per container
(a Lambda execution environment, or the local server process), never at import.

Services never import this module; routes and event handlers do, and pass what a service needs
as parameters. Tests call ``reset()`` so each test builds against its own moto backend.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.kernel.clock import Clock, SystemClock
from chalicelib.settings import Settings, load_settings

if TYPE_CHECKING:  # for the type checker only: the container imports each of these on first use
    from chalicelib.adapters.health_link_files import S3HealthLinkFiles
    from chalicelib.adapters.kms import KmsKeys, KmsSigningKey
    from chalicelib.adapters.s3 import S3Attachments, S3ObjectStore
    from chalicelib.adapters.ses import SesMailer
    from chalicelib.adapters.signed_documents import S3SignedDocuments
    from chalicelib.adapters.sqs import SqsQueue
    from chalicelib.adapters.stepfunctions import StepFunctionsTimers
    from chalicelib.data.appointment_reminders import DynamoReminderPlans
    from chalicelib.data.appointment_requests import DynamoAppointmentRequests
    from chalicelib.data.apps import DynamoApps
    from chalicelib.data.audit_log import DynamoAuditLog
    from chalicelib.data.care_teams import DynamoCareTeams
    from chalicelib.data.checkins import DynamoCheckIns
    from chalicelib.data.deliveries import DynamoDeliveries
    from chalicelib.data.directory import DynamoDirectory
    from chalicelib.data.exports import DynamoExports
    from chalicelib.data.feed_messages import DynamoFeedMessages
    from chalicelib.data.forms import DynamoCheckinForms
    from chalicelib.data.health_links import DynamoHealthLinks
    from chalicelib.data.identity_store import DynamoIdentityStore
    from chalicelib.data.inbox import DynamoInbox
    from chalicelib.data.messages import DynamoMessages
    from chalicelib.data.outbound import DynamoOutbound
    from chalicelib.data.outbox import DynamoOutbox
    from chalicelib.data.patients import DynamoPatients
    from chalicelib.data.proxy_grants import DynamoProxyGrants
    from chalicelib.data.proxy_requests import DynamoProxyRequests
    from chalicelib.data.records import DynamoRecords
    from chalicelib.data.refills import DynamoRefills
    from chalicelib.data.signed_forms import DynamoSignedForms
    from chalicelib.data.support import DynamoSupport
    from chalicelib.data.worklist import DynamoWorklist
    from chalicelib.health.service import CachedDeepCheck
    from chalicelib.identity.organization_names import CachedOrganizationNames
    from chalicelib.identity.terms import CachedTerms
    from chalicelib.messaging.visible import ShownUnread


# What the record-id key signs to derive the secret of filed items' ids. Changing it changes every
# id a resent item would get (docs/runbooks.md, "The record-id key"): never change it.
RECORD_ID_LABEL = b"patient-portal/record-ids/v1"
CODE_KEY_LABEL = b"patient-portal/emailed-codes/v1"


class ConfigurationMissing(RuntimeError):
    """A deployed function was not given the names of its resources (a template mistake)."""


class Container:
    def __init__(self, settings: Settings, clock: Clock | None = None):
        missing = settings.missing()
        if missing:
            from chalicelib.observability import logger

            logger.error("configuration missing or invalid; refusing to start", extra={"missing": missing})
            raise ConfigurationMissing("missing or invalid environment variables: " + ", ".join(missing))
        self.settings = settings
        # Routes and handlers read the time here and hand it to services; tests pin it (pin_clock).
        self.clock: Clock = clock or SystemClock()

    def _bind_tables(self) -> None:
        # PynamoDB is imported and its models pointed at this stage's tables on first data access,
        # so functions and routes that never touch DynamoDB never pay for it.
        # Every model shares the container's one DynamoDB client (and so its one botocore session).
        # Under the lock: the feed's lanes (feeds/consumer.py) and the threaded local server may
        # build repositories side by side, and bind_tables swaps each model's connection.
        from chalicelib.data.models import bind_tables

        with _lock:
            bind_tables(self.settings, self.client("dynamodb"))

    # -- AWS clients ---------------------------------------------------------------------------
    @cached_property
    def _session(self):
        import boto3

        return boto3.session.Session(region_name=self.settings.region)

    @cached_property
    def _client_config(self):
        from botocore.config import Config

        # Fail fast, and well inside the 29 s of API Gateway and the functions' 30 s: a request
        # waiting on a dead dependency holds a Lambda and a user; 2 x (2 s + 5 s) at the worst.
        return Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 2})

    def client(self, service: str) -> Any:
        with _lock:  # boto3 session.client is not thread safe; the local server is threaded
            cache = self.__dict__.setdefault("_clients", {})
            if service not in cache:
                config = self._client_config
                if service == "s3":
                    from botocore.config import Config

                    # Presigned links signed with SigV4: their lifetime is X-Amz-Expires, capped at
                    # seven days by S3 itself (SigV2 links name an absolute Expires moment instead).
                    config = config.merge(Config(signature_version="s3v4"))
                if service == "dynamodb":
                    from botocore.config import Config

                    # PynamoDB's models call through this client too (data/models.py, share_client):
                    # it skips client-side parameter validation as PynamoDB's own clients do (DynamoDB
                    # validates every request itself; validating twice costs CPU on every call).
                    config = config.merge(Config(parameter_validation=False))
                cache[service] = self._session.client(service, config=config)
            return cache[service]

    # -- adapters ------------------------------------------------------------------------------
    @cached_property
    def documents(self) -> S3ObjectStore:
        from chalicelib.adapters.s3 import S3ObjectStore

        return S3ObjectStore(self.client("s3"), self.settings.documents_bucket, self.settings.kms_key_id)

    @cached_property
    def feed_archive(self) -> S3ObjectStore:
        from chalicelib.adapters.s3 import S3ObjectStore

        return S3ObjectStore(self.client("s3"), self.settings.feed_archive_bucket, self.settings.kms_key_id)

    @cached_property
    def attachment_files(self) -> S3Attachments:
        """The files patients attach to messages (messaging/)."""
        from chalicelib.adapters.s3 import S3Attachments

        return S3Attachments(self.client("s3"), self.settings.attachments_bucket, self.settings.kms_key_id)

    @cached_property
    def signed_documents(self) -> S3SignedDocuments:
        """The PDFs of signed check-in forms, under object lock (checkin/signing.py)."""
        from chalicelib.adapters.signed_documents import S3SignedDocuments

        return S3SignedDocuments(self.client("s3"), self.settings.signed_documents_bucket, self.settings.kms_key_id)

    @cached_property
    def mailer(self) -> SesMailer:
        from chalicelib.adapters.ses import SesMailer

        return SesMailer(self.client("ses"), self.settings.sender_address)

    @cached_property
    def notifications_queue(self) -> SqsQueue:
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.notifications_queue_url)

    @cached_property
    def clinical_inbound_queue(self) -> SqsQueue:
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.clinical_inbound_queue_url)

    @cached_property
    def clinical_outbound_queue(self) -> SqsQueue:
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.clinical_outbound_queue_url)

    @cached_property
    def clinical_ack_queue(self) -> SqsQueue:
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.clinical_ack_queue_url)

    @cached_property
    def timers(self) -> StepFunctionsTimers:
        from chalicelib.adapters.stepfunctions import StepFunctionsTimers

        return StepFunctionsTimers(self.client("stepfunctions"), self.settings.dated_event_state_machine_arn)

    @cached_property
    def keys(self) -> KmsKeys:
        from chalicelib.adapters.kms import KmsKeys

        return KmsKeys(self.client("kms"), self.settings.kms_key_id)

    @cached_property
    def record_id_key(self) -> bytes:
        """The secret that keys filed items' ids (records.domain.result_id), asked of KMS on first
        use and kept for the container's life: one GenerateMac per container, not one per item.
        It is the MAC of a fixed label under the stack's record-id HMAC key, so every container of
        the stack derives the same secret while the key material itself never leaves KMS."""
        from chalicelib.adapters.kms import KmsMacKey

        return KmsMacKey(self.client("kms"), self.settings.record_id_key_id).mac(RECORD_ID_LABEL)

    @cached_property
    def code_key(self) -> bytes:
        """The secret emailed sign-in codes are stored under (identity.tokens.code_digest): the MAC
        of a fixed label under the stack's code key, asked of KMS on first use and kept for the
        container's life, so every container verifies what another stored."""
        from chalicelib.adapters.kms import KmsMacKey

        return KmsMacKey(self.client("kms"), self.settings.code_key_id).mac(CODE_KEY_LABEL)

    # -- repositories --------------------------------------------------------------------------
    @cached_property
    def audit_log(self) -> DynamoAuditLog:
        from chalicelib.data.audit_log import DynamoAuditLog

        self._bind_tables()
        return DynamoAuditLog()

    @cached_property
    def appointment_reminders(self) -> DynamoReminderPlans:
        from chalicelib.data.appointment_reminders import DynamoReminderPlans

        self._bind_tables()
        return DynamoReminderPlans()

    @cached_property
    def directory(self) -> DynamoDirectory:
        from chalicelib.data.directory import DynamoDirectory

        self._bind_tables()
        return DynamoDirectory(self.settings.default_time_zone)

    @cached_property
    def patients(self) -> DynamoPatients:
        from chalicelib.data.patients import DynamoPatients

        self._bind_tables()
        return DynamoPatients()

    @cached_property
    def identity_records(self) -> DynamoIdentityStore:
        from chalicelib.data.identity_store import DynamoIdentityStore

        self._bind_tables()
        return DynamoIdentityStore()

    @cached_property
    def records(self) -> DynamoRecords:
        from chalicelib.data.records import DynamoRecords

        self._bind_tables()
        return DynamoRecords()

    @cached_property
    def outbox(self) -> DynamoOutbox:
        from chalicelib.data.outbox import DynamoOutbox

        self._bind_tables()
        return DynamoOutbox()

    @cached_property
    def care_teams(self) -> DynamoCareTeams:
        from chalicelib.data.care_teams import DynamoCareTeams

        self._bind_tables()
        return DynamoCareTeams()

    @cached_property
    def outbound(self) -> DynamoOutbound:
        """FHIR events toward the clinical systems waiting to be sent (outbound.producer)."""
        from chalicelib.data.outbound import DynamoOutbound

        self._bind_tables()
        return DynamoOutbound()

    @cached_property
    def worklist(self) -> DynamoWorklist:
        from chalicelib.data.worklist import DynamoWorklist

        self._bind_tables()
        return DynamoWorklist()

    @cached_property
    def feed_messages(self) -> DynamoFeedMessages:
        from chalicelib.data.feed_messages import DynamoFeedMessages

        self._bind_tables()
        return DynamoFeedMessages()

    @cached_property
    def terms(self) -> CachedTerms:
        """The published Terms of Use, the current version kept a few seconds per container
        (identity.terms.CachedTerms): read at every patient sign-in and by GET /v1/terms."""
        from chalicelib.data.terms import DynamoTerms
        from chalicelib.identity.terms import CachedTerms

        self._bind_tables()
        return CachedTerms(DynamoTerms())

    @cached_property
    def organization_names(self) -> CachedOrganizationNames:
        """Organizations' names shown beside connections, kept a minute per container
        (identity.organization_names): GET /v1/me lists them on every page."""
        from chalicelib.identity.organization_names import CachedOrganizationNames

        return CachedOrganizationNames(self.directory)

    def idempotent(
        self,
        name: str,
        function: Callable[..., Any],
        key_jmespath: str,
        payload_jmespath: str,
        expires_after_seconds: int,
    ) -> tuple[Callable[..., Any], Any]:
        """``function(message=...)`` made idempotent on the key at ``key_jmespath`` of its message:
        returns it with its IdempotencyConfig (to register the Lambda context on). Built once per
        container and name. Each name has its own persistence layer, because Powertools configures
        a layer once, with the first config it sees; ``name`` is the key prefix, so records survive
        a renamed function. A repeated key whose ``payload_jmespath`` part differs is refused
        (IdempotencyValidationError) instead of being taken for a duplicate."""
        with _lock:
            cache = self.__dict__.setdefault("_idempotent", {})
            if name not in cache:
                from aws_lambda_powertools.utilities.idempotency import (
                    DynamoDBPersistenceLayer,
                    IdempotencyConfig,
                    idempotent_function,
                )

                config = IdempotencyConfig(
                    event_key_jmespath=key_jmespath,
                    payload_validation_jmespath=payload_jmespath,
                    expires_after_seconds=expires_after_seconds,
                    raise_on_no_idempotency_key=True,
                )
                # Given our client so Powertools does not build a client of its own at import.
                store = DynamoDBPersistenceLayer(
                    table_name=self.settings.idempotency_table, boto3_client=self.client("dynamodb")
                )
                cache[name] = (
                    idempotent_function(
                        function,
                        data_keyword_argument="message",
                        persistence_store=store,
                        config=config,
                        key_prefix=name,
                    ),
                    config,
                )
            return cache[name]

    @cached_property
    def support(self) -> DynamoSupport:
        from chalicelib.data.support import DynamoSupport

        self._bind_tables()
        return DynamoSupport()

    @cached_property
    def refills(self) -> DynamoRefills:
        """Refill requests, each side's copy, and what waits (refills/)."""
        from chalicelib.data.refills import DynamoRefills

        self._bind_tables()
        return DynamoRefills()

    @cached_property
    def appointment_requests(self) -> DynamoAppointmentRequests:
        """Appointment requests, each side's copy, and the marks beside filed visits (appointments/)."""
        from chalicelib.data.appointment_requests import DynamoAppointmentRequests

        self._bind_tables()
        return DynamoAppointmentRequests()

    @cached_property
    def proxy_grants(self) -> DynamoProxyGrants:
        """Who may act for whom: each grant under its patient and its proxy (proxies/, access/)."""
        from chalicelib.data.proxy_grants import DynamoProxyGrants

        self._bind_tables()
        return DynamoProxyGrants()

    @cached_property
    def proxy_requests(self) -> DynamoProxyRequests:
        """Requests for proxy access, the requester's and the organization's copies (proxies/)."""
        from chalicelib.data.proxy_requests import DynamoProxyRequests

        self._bind_tables()
        return DynamoProxyRequests()

    @property
    def support_desks(self) -> DynamoSupport:
        """Where support requests are emailed (the same store as the requests)."""
        return self.support

    @cached_property
    def checkins(self) -> DynamoCheckIns:
        """Patients' check-ins and the organizations' visits by day (checkin/)."""
        from chalicelib.data.checkins import DynamoCheckIns

        self._bind_tables()
        return DynamoCheckIns()

    @cached_property
    def checkin_forms(self) -> DynamoCheckinForms:
        """The forms patients sign at check-in and the visit types that ask for them (checkin/forms.py)."""
        from chalicelib.data.forms import DynamoCheckinForms

        self._bind_tables()
        return DynamoCheckinForms()

    @cached_property
    def signed_forms(self) -> DynamoSignedForms:
        """The records of signed check-in forms (checkin/signing.py); their PDFs are in signed_documents."""
        from chalicelib.data.signed_forms import DynamoSignedForms

        self._bind_tables()
        return DynamoSignedForms()

    @cached_property
    def shown_unread(self) -> ShownUnread:
        """Unread counts as a scope shows them (a proxy's switcher on GET /v1/me)."""
        from chalicelib.messaging.visible import ShownUnread

        return ShownUnread(self, self.messages)

    @cached_property
    def messages(self) -> DynamoMessages:
        from chalicelib.data.messages import DynamoMessages

        self._bind_tables()
        return DynamoMessages()

    @cached_property
    def idempotency_store(self) -> Any:
        """The Powertools persistence layer of the API's Idempotency-Key (http/idempotency.py),
        given our client so that Powertools builds none of its own."""
        from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

        return DynamoDBPersistenceLayer(
            table_name=self.settings.idempotency_table, boto3_client=self.client("dynamodb")
        )

    @cached_property
    def deep_health(self) -> CachedDeepCheck:
        """The deep health check's last probe round, kept per container (health/service.py)."""
        from chalicelib.health.service import CachedDeepCheck

        return CachedDeepCheck()

    def health_probes(self) -> dict[str, Callable[[], None]]:
        """One probe per resource the app uses, named "<service>.<part>": the deep check answers
        per service (health/service.py), so a missing archive bucket is "s3" down even while the
        documents bucket answers. Parts are the resources' roles, never their names."""
        from chalicelib.adapters.dynamodb import DynamoTable
        from chalicelib.adapters.kms import KmsMacKey

        settings = self.settings
        tables = {
            "audit": settings.audit_table,
            "accounts": settings.accounts_table,
            "organizations": settings.organizations_table,
            "patients": settings.patients_table,
            "identity": settings.identity_table,
            "records": settings.records_table,
            "feed_messages": settings.feed_messages_table,
            "idempotency": settings.idempotency_table,
        }
        probes: dict[str, Callable[[], None]] = {
            f"dynamodb.{part}": DynamoTable(self.client("dynamodb"), name).ping for part, name in tables.items()
        }
        probes.update(
            {
                "s3.documents": self.documents.ping,
                "s3.signed_documents": self.signed_documents.ping,
                "s3.feed_archive": self.feed_archive.ping,
                "s3.attachments": self.attachment_files.ping,
                "sqs.notifications": self.notifications_queue.ping,
                "sqs.clinical_inbound": self.clinical_inbound_queue.ping,
                "sqs.clinical_outbound": self.clinical_outbound_queue.ping,
                "sqs.clinical_acks": self.clinical_ack_queue.ping,
                "ses.sender": self.mailer.ping,
                "stepfunctions.timers": self.timers.ping,
                "kms.data_key": self.keys.ping,
                "kms.record_id_key": KmsMacKey(self.client("kms"), settings.record_id_key_id).ping,
                "kms.code_key": KmsMacKey(self.client("kms"), settings.code_key_id).ping,
                "kms.app_signing_key": self.id_token_key.ping,
            }
        )
        probes.update({"s3.exports": self.export_files.ping, "sqs.record_exports": self.record_exports_queue.ping})
        return probes

    @cached_property
    def deliveries(self) -> DynamoDeliveries:
        from chalicelib.data.deliveries import DynamoDeliveries

        self._bind_tables()
        return DynamoDeliveries()

    @cached_property
    def record_exports(self) -> DynamoExports:
        """Patients' record exports ("Download my record", apps/export)."""
        from chalicelib.data.exports import DynamoExports

        self._bind_tables()
        return DynamoExports()

    @cached_property
    def export_files(self) -> S3ObjectStore:
        """The exports' files (a FHIR Bundle and a PDF each), kept seven days (apps/export)."""
        from chalicelib.adapters.s3 import S3ObjectStore

        return S3ObjectStore(self.client("s3"), self.settings.exports_bucket, self.settings.kms_key_id)

    @cached_property
    def record_exports_queue(self) -> SqsQueue:
        from chalicelib.adapters.sqs import SqsQueue

        return SqsQueue(self.client("sqs"), self.settings.record_exports_queue_url)

    @cached_property
    def inbox(self) -> DynamoInbox:
        from chalicelib.data.inbox import DynamoInbox

        self._bind_tables()
        return DynamoInbox()

    @cached_property
    def id_token_key(self) -> KmsSigningKey:
        """The KMS key health apps' id_tokens are signed with (its public half: /oauth2/jwks)."""
        from chalicelib.adapters.kms import KmsSigningKey

        return KmsSigningKey(self.client("kms"), self.settings.app_signing_key_id)

    @cached_property
    def apps(self) -> DynamoApps:
        """Health apps: their registry, patients' authorizations, and the OAuth records."""
        from chalicelib.data.apps import DynamoApps

        self._bind_tables()
        return DynamoApps()

    @cached_property
    def health_links(self) -> DynamoHealthLinks:
        """SMART Health Links a patient made (apps/health_links/)."""
        from chalicelib.data.health_links import DynamoHealthLinks

        self._bind_tables()
        return DynamoHealthLinks()

    @cached_property
    def health_link_files(self) -> S3HealthLinkFiles:
        """The links' encrypted files, in the attachments bucket under health-links/."""
        from chalicelib.adapters.health_link_files import S3HealthLinkFiles

        return S3HealthLinkFiles(self.client("s3"), self.settings.attachments_bucket, self.settings.kms_key_id)


_lock = threading.RLock()
_container: Container | None = None
_settings: Settings | None = None
_pinned_clock: Clock | None = None


def settings() -> Settings:
    """This container's settings, without building clients (cheap; for middleware)."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def container() -> Container:
    global _container
    if _container is None:
        with _lock:
            if _container is None:
                _container = Container(settings(), _pinned_clock)
    return _container


def pinned_clock() -> Clock | None:
    """The clock pinned by ``pin_clock``, if any (a test restores it when it is done)."""
    return _pinned_clock


def pin_clock(clock: Clock | None) -> None:
    """Every container from now on (and the current one) reads the time from ``clock``; None
    returns to the system clock. For tests and benchmarks: a deployed function never calls it."""
    global _pinned_clock
    with _lock:
        _pinned_clock = clock
        if _container is not None:
            _container.clock = clock or SystemClock()


def reset() -> None:
    """Forget every client and the settings (tests; a changed environment). PynamoDB models are
    re-pointed at their tables when the next container first touches DynamoDB."""
    global _container, _settings
    with _lock:
        _container = None
        _settings = None
