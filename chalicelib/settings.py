"""The one module that reads ``os.environ``.

Everything has a safe default so that ``chalice package`` (and a cold start) can import app.py
without any AWS resource existing. Resource names arrive as environment variables: in AWS the
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

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL_STAGE


def load_settings(environ: os._Environ | dict | None = None) -> Settings:
    env = os.environ if environ is None else environ

    def get(name: str, default: str = "") -> str:
        return env.get(name, default)

    return Settings(
        stage=get("PORTAL_STAGE", "prod"),
        version=get("PORTAL_VERSION", __version__),
        region=get("AWS_REGION", get("AWS_DEFAULT_REGION", "us-east-1")),
        audit_table=get("PORTAL_AUDIT_TABLE", "portal-audit-events"),
        accounts_table=get("PORTAL_ACCOUNTS_TABLE", "portal-accounts"),
        organizations_table=get("PORTAL_ORGANIZATIONS_TABLE", "portal-organizations"),
        feed_messages_table=get("PORTAL_FEED_MESSAGES_TABLE", "portal-feed-messages"),
        idempotency_table=get("PORTAL_IDEMPOTENCY_TABLE", "portal-idempotency"),
        documents_bucket=get("PORTAL_DOCUMENTS_BUCKET", "portal-documents"),
        signed_documents_bucket=get("PORTAL_SIGNED_DOCUMENTS_BUCKET", "portal-signed-documents"),
        feed_archive_bucket=get("PORTAL_FEED_ARCHIVE_BUCKET", "portal-feed-archive"),
        clinical_inbound_queue_url=get("PORTAL_CLINICAL_INBOUND_QUEUE_URL"),
        clinical_outbound_queue_url=get("PORTAL_CLINICAL_OUTBOUND_QUEUE_URL"),
        notifications_queue_url=get("PORTAL_NOTIFICATIONS_QUEUE_URL"),
        dated_event_state_machine_arn=get("PORTAL_DATED_EVENT_STATE_MACHINE_ARN"),
        kms_key_id=get("PORTAL_KMS_KEY_ID"),
        sender_address=get("PORTAL_SENDER_ADDRESS", "no-reply@portal.example.org"),
        public_base_url=get("PORTAL_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        aws_endpoint_url=get("AWS_ENDPOINT_URL"),
        tracing_enabled=get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true"),
    )
