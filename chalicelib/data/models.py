"""PynamoDB models. Meta, keys, then attributes with explicit ``null=``; indexes above their model.

The table names below are placeholders: ``bind_tables`` sets the real ones from Settings before any
call, because PynamoDB reads Meta when a model first connects and chalice's test client only
applies stage variables during a call (GUIDE 4).
"""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class AuditByActorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-actor"
        projection = AllProjection()

    actor_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class AuditEventModel(Model):
    """Append-only: written with a condition that the item is new; the Lambda role may PutItem and
    Query this table, never UpdateItem or DeleteItem (infra/template.yaml, ApiAccessPolicy)."""

    class Meta:
        table_name = "audit-events"

    subject_id = UnicodeAttribute(hash_key=True)  # the patient, or "account#<id>" when no patient
    sort_key = UnicodeAttribute(range_key=True)  # "<recorded_at ISO>#<event_id>": newest last
    event_id = UnicodeAttribute(null=False)
    recorded_at = UTCDateTimeAttribute(null=False)
    actor_id = UnicodeAttribute(null=False)
    actor_role = UnicodeAttribute(null=False)
    proxy_grant_id = UnicodeAttribute(null=True)
    action = UnicodeAttribute(null=False)
    event_type = UnicodeAttribute(null=False)
    outcome = UnicodeAttribute(null=False)
    patient_id = UnicodeAttribute(null=True)
    resource_type = UnicodeAttribute(null=True)
    resource_id = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    by_actor = AuditByActorIndex()


class AccountByUsernameIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-username"
        projection = AllProjection()

    username = UnicodeAttribute(hash_key=True)


class AccountModel(Model):
    class Meta:
        table_name = "accounts"

    account_id = UnicodeAttribute(hash_key=True)
    username = UnicodeAttribute(null=False)
    organization_id = UnicodeAttribute(null=False)
    role = UnicodeAttribute(null=False)
    password_hash = UnicodeAttribute(null=False)
    status = UnicodeAttribute(null=False)
    email = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=False)
    version = VersionAttribute()
    by_username = AccountByUsernameIndex()


class UsernameClaimModel(Model):
    """Lives in the accounts table under key "username#<name>": a GSI cannot enforce uniqueness,
    so creating an account writes its claim in the same transaction, on condition it is new."""

    class Meta:
        table_name = "accounts"

    account_id = UnicodeAttribute(hash_key=True)
    claimed_by = UnicodeAttribute(null=False)


class OrganizationModel(Model):
    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(null=False)
    created_at = UTCDateTimeAttribute(null=False)
    version = VersionAttribute()


class FeedMessageModel(Model):
    """One inbound clinical message, keyed on sender + control id (idempotency, GUIDE 5.8)."""

    class Meta:
        table_name = "feed-messages"

    message_key = UnicodeAttribute(hash_key=True)  # "<sender>|<control id>" or "quarantine|<sha256>"
    sha256 = UnicodeAttribute(null=False)
    format = UnicodeAttribute(null=False)
    message_type = UnicodeAttribute(null=True)
    sender = UnicodeAttribute(null=True)
    control_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=False)
    reason = UnicodeAttribute(null=True)
    archive_key = UnicodeAttribute(null=False)
    received_at = UTCDateTimeAttribute(null=False)


def bind_tables(settings) -> None:
    """Point every model at its table in this stage and region (idempotent, cheap)."""
    names = {
        AuditEventModel: settings.audit_table,
        AccountModel: settings.accounts_table,
        UsernameClaimModel: settings.accounts_table,
        OrganizationModel: settings.organizations_table,
        FeedMessageModel: settings.feed_messages_table,
    }
    for model, table_name in names.items():
        if model.Meta.table_name != table_name or getattr(model.Meta, "region", None) != settings.region:
            model.Meta.table_name = table_name
            model.Meta.region = settings.region
            # The same fail-fast budget as the boto3 clients (wiring.py), not PynamoDB's 15 s + 30 s.
            model.Meta.connect_timeout_seconds = 2
            model.Meta.read_timeout_seconds = 5
            model.Meta.max_retry_attempts = 1
            model._connection = None  # PynamoDB caches the connection with the old table name
