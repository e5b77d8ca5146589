"""The one module that reads ``os.environ``.

Importing needs nothing: ``chalice package`` (and a cold start) can import app.py without any AWS
resource existing. Resource names have no default, though: a function missing one refuses to build
its container (``Settings.missing``) rather than reach for a table of another stack. Resource names arrive as environment variables: in AWS the
merge template fills them with ``!Ref``/``!GetAtt`` of the stack's resources; locally the local
stack resolves the very same block of the template against the resources it provisioned
(infra/local/provision.py), so the two cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from chalicelib import __version__

# SQS event sources must be named when app.py is imported (chalice reads the decorator), so the
# queue names are constants shared with infra/template.yaml (a test checks they agree).
CLINICAL_INBOUND_QUEUE_NAME = "patient-portal-clinical-inbound.fifo"
NOTIFICATIONS_QUEUE_NAME = "patient-portal-notifications"

LOCAL_STAGE = "local"


@dataclass(frozen=True)
class Settings:
    stage: str
    version: str
    region: str
    audit_table: str
    accounts_table: str
    organizations_table: str
    feed_messages_table: str
    idempotency_table: str
    documents_bucket: str
    signed_documents_bucket: str
    feed_archive_bucket: str
    clinical_inbound_queue_url: str
    clinical_outbound_queue_url: str
    notifications_queue_url: str
    dated_event_state_machine_arn: str
    kms_key_id: str
    sender_address: str
    public_base_url: str
    # Only set on the local stack: where the AWS stand-in answers (used by /dev/mailbox).
    aws_endpoint_url: str
    tracing_enabled: bool
    running_in_lambda: bool

    @property
    def is_local(self) -> bool:
        """The local stack on a developer's machine. A stage named "local" deployed to Lambda by
        mistake is not local: developer tools and seeding stay closed there."""
        return self.stage == LOCAL_STAGE and not self.running_in_lambda

    def missing(self) -> list[str]:
        """Environment variables a deployed function needs but did not get (names only)."""
        required = {
            "PORTAL_AUDIT_TABLE": self.audit_table, "PORTAL_ACCOUNTS_TABLE": self.accounts_table,
            "PORTAL_ORGANIZATIONS_TABLE": self.organizations_table,
            "PORTAL_FEED_MESSAGES_TABLE": self.feed_messages_table, "PORTAL_IDEMPOTENCY_TABLE": self.idempotency_table,
            "PORTAL_DOCUMENTS_BUCKET": self.documents_bucket, "PORTAL_SIGNED_DOCUMENTS_BUCKET": self.signed_documents_bucket,
            "PORTAL_FEED_ARCHIVE_BUCKET": self.feed_archive_bucket,
            "PORTAL_CLINICAL_INBOUND_QUEUE_URL": self.clinical_inbound_queue_url,
            "PORTAL_CLINICAL_OUTBOUND_QUEUE_URL": self.clinical_outbound_queue_url,
            "PORTAL_NOTIFICATIONS_QUEUE_URL": self.notifications_queue_url,
            "PORTAL_DATED_EVENT_STATE_MACHINE_ARN": self.dated_event_state_machine_arn,
            "PORTAL_KMS_KEY_ID": self.kms_key_id, "PORTAL_PUBLIC_BASE_URL": self.public_base_url,
        }
        return sorted(name for name, value in required.items() if not value)


def load_settings(environ: os._Environ | dict | None = None) -> Settings:
    env = os.environ if environ is None else environ

    def get(name: str, default: str = "") -> str:
        return env.get(name, default)

    return Settings(
        stage=get("PORTAL_STAGE", "prod"),
        version=get("PORTAL_VERSION", __version__),
        region=get("AWS_REGION", get("AWS_DEFAULT_REGION", "us-east-1")),
        audit_table=get("PORTAL_AUDIT_TABLE"),
        accounts_table=get("PORTAL_ACCOUNTS_TABLE"),
        organizations_table=get("PORTAL_ORGANIZATIONS_TABLE"),
        feed_messages_table=get("PORTAL_FEED_MESSAGES_TABLE"),
        idempotency_table=get("PORTAL_IDEMPOTENCY_TABLE"),
        documents_bucket=get("PORTAL_DOCUMENTS_BUCKET"),
        signed_documents_bucket=get("PORTAL_SIGNED_DOCUMENTS_BUCKET"),
        feed_archive_bucket=get("PORTAL_FEED_ARCHIVE_BUCKET"),
        clinical_inbound_queue_url=get("PORTAL_CLINICAL_INBOUND_QUEUE_URL"),
        clinical_outbound_queue_url=get("PORTAL_CLINICAL_OUTBOUND_QUEUE_URL"),
        notifications_queue_url=get("PORTAL_NOTIFICATIONS_QUEUE_URL"),
        dated_event_state_machine_arn=get("PORTAL_DATED_EVENT_STATE_MACHINE_ARN"),
        kms_key_id=get("PORTAL_KMS_KEY_ID"),
        sender_address=get("PORTAL_SENDER_ADDRESS", "no-reply@portal.example.org"),
        public_base_url=get("PORTAL_PUBLIC_BASE_URL").rstrip("/"),
        aws_endpoint_url=get("AWS_ENDPOINT_URL"),
        tracing_enabled=get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true"),
        running_in_lambda=bool(get("AWS_LAMBDA_FUNCTION_NAME")),
    )
