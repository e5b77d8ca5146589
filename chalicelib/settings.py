"""The one module that reads ``os.environ``.

Importing needs nothing: ``chalice package`` (and a cold start) can import app.py without any AWS
resource existing. Resource names have no default, though: a function missing one refuses to build
its container (``Settings.missing``) rather than reach for a table of another stack.

Resource names arrive as environment variables: in AWS the merge template fills them with
``!Ref``/``!GetAtt`` of the stack's resources; locally the local stack resolves the very same
block of the template against the resources it provisioned (infra/local/provision.py), so the two
cannot drift apart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from chalicelib import __version__
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE, is_zone_name

# SQS event sources must be named when app.py is imported (chalice reads the decorator), so the
# queue names are constants shared with infra/template.yaml (a test checks they agree).
CLINICAL_INBOUND_QUEUE_NAME = "patient-portal-clinical-inbound.fifo"
NOTIFICATIONS_QUEUE_NAME = "patient-portal-notifications"
APPOINTMENT_REMINDERS_QUEUE_NAME = "patient-portal-appointment-reminders"
PROXY_GRANT_TIMERS_QUEUE_NAME = "patient-portal-proxy-grant-timers"
RECORD_EXPORTS_QUEUE_NAME = "patient-portal-record-exports"

LOCAL_STAGE = "local"
PRODUCTION_STAGE = "prod"


@dataclass(frozen=True)
class Settings:
    stage: str
    version: str
    region: str
    audit_table: str
    accounts_table: str
    organizations_table: str
    patients_table: str
    identity_table: str
    records_table: str
    feed_messages_table: str
    idempotency_table: str
    documents_bucket: str
    signed_documents_bucket: str
    feed_archive_bucket: str
    attachments_bucket: str  # files patients attach to messages (messaging/)
    clinical_inbound_queue_url: str
    clinical_outbound_queue_url: str
    clinical_ack_queue_url: str  # acknowledgements to HL7 v2 senders (chalicelib.feeds.acks)
    notifications_queue_url: str
    dated_event_state_machine_arn: str
    kms_key_id: str
    record_id_key_id: str  # the KMS HMAC key that filed items' ids are derived with
    code_key_id: str  # the KMS HMAC key that emailed sign-in codes are stored under (identity.tokens)
    app_signing_key_id: str  # the KMS RSA key health apps' id_tokens are signed with (apps/oauth)
    sender_address: str
    public_base_url: str
    tracing_enabled: bool
    running_in_lambda: bool
    # Origins a browser may call the API from (http/cors.py); none by default.
    cors_allowed_origins: tuple[str, ...]
    # The value CloudFront sends toward the API to mark its own requests (http/edge.py); empty
    # where the API is not behind the portal's distribution (the local stack).
    edge_secret: str
    identity: IdentityPolicy
    # The organization whose admins publish the deployment-wide Terms of Use (identity.terms);
    # empty: nobody publishes, and the version shipped with the code stays in force.
    terms_organization: str
    # The IANA time zone of an organization whose admins have not chosen one (kernel.zones).
    default_time_zone: str = DEFAULT_TIME_ZONE
    # The object lock each signed check-in form is stored under (checkin/signing.py): its mode
    # (GOVERNANCE: only a role granted s3:BypassGovernanceRetention may shorten or lift it;
    # COMPLIANCE: no one may, the account's root included) and how many days it lasts (six years
    # and a day by default: HIPAA keeps documentation six years).
    signed_form_lock_mode: str = "GOVERNANCE"
    signed_form_lock_days: int = 2192
    # Where the appointment reminders' timers deliver (appointments/reminders.py).
    appointment_reminders_queue_url: str = ""
    # Where the proxy grants' timers deliver (proxies/grants.py: a 12th birthday, an end date).
    proxy_grant_timers_queue_url: str = ""
    # "Download my record" (apps/export): the asks waiting to be built, and where the files go.
    record_exports_queue_url: str = ""
    exports_bucket: str = ""
    # Tuning variables whose value is not a positive whole number (or not a time zone's name). Loading never raises (middleware
    # reads settings outside the request envelope); the container refuses to start instead.
    invalid: tuple[str, ...] = ()

    @property
    def is_local(self) -> bool:
        """The local stack on a developer's machine. A stage named "local" deployed to Lambda by
        mistake is not local: developer tools and seeding stay closed there."""
        return self.stage == LOCAL_STAGE and not self.running_in_lambda

    @property
    def is_production(self) -> bool:
        """The stage that holds real patients' charts: test messages are never filed there."""
        return self.stage == PRODUCTION_STAGE

    def second_factor_exempt(self, username: str) -> bool:
        return self.is_local and username in self.identity.second_factor_exempt_usernames

    def missing(self) -> list[str]:
        """Environment variables a deployed function needs but did not get, or got in a form it
        cannot use (names only): the container refuses to start on any of them."""
        return sorted(
            [name for field, name in RESOURCE_VARIABLES.items() if not getattr(self, field)] + list(self.invalid)
        )


# Where each resource's name comes from: the variables the template's Globals set for every
# function (tests/integration/test_local_provisioning.py checks the two lists agree).
RESOURCE_VARIABLES = {
    "audit_table": "PORTAL_AUDIT_TABLE",
    "accounts_table": "PORTAL_ACCOUNTS_TABLE",
    "organizations_table": "PORTAL_ORGANIZATIONS_TABLE",
    "patients_table": "PORTAL_PATIENTS_TABLE",
    "identity_table": "PORTAL_IDENTITY_TABLE",
    "records_table": "PORTAL_RECORDS_TABLE",
    "feed_messages_table": "PORTAL_FEED_MESSAGES_TABLE",
    "idempotency_table": "PORTAL_IDEMPOTENCY_TABLE",
    "documents_bucket": "PORTAL_DOCUMENTS_BUCKET",
    "signed_documents_bucket": "PORTAL_SIGNED_DOCUMENTS_BUCKET",
    "feed_archive_bucket": "PORTAL_FEED_ARCHIVE_BUCKET",
    "attachments_bucket": "PORTAL_ATTACHMENTS_BUCKET",
    "clinical_inbound_queue_url": "PORTAL_CLINICAL_INBOUND_QUEUE_URL",
    "clinical_outbound_queue_url": "PORTAL_CLINICAL_OUTBOUND_QUEUE_URL",
    "clinical_ack_queue_url": "PORTAL_CLINICAL_ACK_QUEUE_URL",
    "notifications_queue_url": "PORTAL_NOTIFICATIONS_QUEUE_URL",
    "appointment_reminders_queue_url": "PORTAL_APPOINTMENT_REMINDERS_QUEUE_URL",
    "proxy_grant_timers_queue_url": "PORTAL_PROXY_GRANT_TIMERS_QUEUE_URL",
    "record_exports_queue_url": "PORTAL_RECORD_EXPORTS_QUEUE_URL",
    "exports_bucket": "PORTAL_EXPORTS_BUCKET",
    "dated_event_state_machine_arn": "PORTAL_DATED_EVENT_STATE_MACHINE_ARN",
    "kms_key_id": "PORTAL_KMS_KEY_ID",
    "record_id_key_id": "PORTAL_RECORD_ID_KEY_ID",
    "code_key_id": "PORTAL_CODE_KEY_ID",
    "app_signing_key_id": "PORTAL_APP_SIGNING_KEY_ID",
    "public_base_url": "PORTAL_PUBLIC_BASE_URL",
}


@dataclass(frozen=True)
class IdentityPolicy:
    """The identity rules a deployment may tune (docs/deploying.md lists the variables)."""

    session_idle_seconds: int  # server-side idle timeout: no call for this long ends the session
    session_lifetime_seconds: int  # absolute lifetime, however active the session is
    invitation_lifetime_seconds: int
    attempts_per_address: int  # sign-in, enrollment, recovery and code attempts per source address ...
    attempts_window_seconds: int  # ... within this window, per kind of attempt
    staff_second_factor_required: bool
    # Accounts that may sign in without a second factor although their role requires one. Only
    # honoured on the local stack (Settings.second_factor_exempt), for the seeded demo accounts.
    second_factor_exempt_usernames: frozenset[str]


def load_settings(environ: os._Environ | dict | None = None) -> Settings:
    env = os.environ if environ is None else environ
    invalid: list[str] = []

    def get(name: str, default: str = "") -> str:
        return env.get(name, default)

    def positive(name: str, default: int) -> int:
        value = get(name, str(default)).strip()
        if not value.isdigit() or int(value) <= 0:
            invalid.append(name)
            return default
        return int(value)

    identity = IdentityPolicy(
        session_idle_seconds=positive("PORTAL_SESSION_IDLE_SECONDS", 15 * 60),
        session_lifetime_seconds=positive("PORTAL_SESSION_LIFETIME_SECONDS", 12 * 3600),
        invitation_lifetime_seconds=positive("PORTAL_INVITATION_LIFETIME_SECONDS", 7 * 24 * 3600),
        attempts_per_address=positive("PORTAL_ATTEMPTS_PER_ADDRESS", 20),
        attempts_window_seconds=positive("PORTAL_ATTEMPTS_WINDOW_SECONDS", 5 * 60),
        staff_second_factor_required=get("PORTAL_STAFF_SECOND_FACTOR", "required") != "optional",
        second_factor_exempt_usernames=frozenset(
            name.strip().lower() for name in get("PORTAL_SECOND_FACTOR_EXEMPT_USERS").split(",") if name.strip()
        ),
    )
    default_time_zone = get("PORTAL_DEFAULT_TIME_ZONE").strip() or DEFAULT_TIME_ZONE
    if not is_zone_name(default_time_zone):
        # Read wrongly, every zone-less time of every feed would be filed at the wrong moment.
        invalid.append("PORTAL_DEFAULT_TIME_ZONE")
        default_time_zone = DEFAULT_TIME_ZONE
    lock_mode = get("PORTAL_SIGNED_FORM_LOCK_MODE", "GOVERNANCE").strip().upper()
    if lock_mode not in ("GOVERNANCE", "COMPLIANCE"):
        invalid.append("PORTAL_SIGNED_FORM_LOCK_MODE")
    return Settings(
        stage=get("PORTAL_STAGE", "prod"),
        version=get("PORTAL_VERSION", __version__),
        region=get("AWS_REGION", get("AWS_DEFAULT_REGION", "us-east-1")),
        **{
            field: get(name).rstrip("/") if field == "public_base_url" else get(name)
            for field, name in RESOURCE_VARIABLES.items()
        },
        sender_address=get("PORTAL_SENDER_ADDRESS", "no-reply@portal.example.org"),
        tracing_enabled=get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true"),
        cors_allowed_origins=tuple(
            origin.strip().rstrip("/") for origin in get("PORTAL_CORS_ALLOWED_ORIGINS").split(",") if origin.strip()
        ),
        edge_secret=get("PORTAL_EDGE_SECRET"),
        terms_organization=get("PORTAL_TERMS_ORGANIZATION").strip(),
        default_time_zone=default_time_zone,
        running_in_lambda=bool(get("AWS_LAMBDA_FUNCTION_NAME")),
        identity=identity,
        signed_form_lock_mode=lock_mode,
        signed_form_lock_days=positive("PORTAL_SIGNED_FORM_LOCK_DAYS", 2192),
        invalid=tuple(invalid),
    )
