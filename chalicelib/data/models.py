"""PynamoDB models. Meta, keys, then attributes with explicit ``null=``; indexes above their model.

The table names below are placeholders: ``bind_tables`` sets the real ones from Settings before any
call, because PynamoDB reads Meta when a model first connects and chalice's test client only
applies stage variables during a call: names read at import would be the wrong stage's.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BinaryAttribute,
    BooleanAttribute,
    JSONAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection, LocalSecondaryIndex
from pynamodb.models import Model


class AuditByActorIndex(GlobalSecondaryIndex):
    """Keys only: every event is written to it once, never updated, and its readers (an actor's
    trail, rarely asked) read a page's events from the table in one BatchGetItem. Keyed on
    ``actor_key``, sharded for the actors everyone shares (data/audit_log.py)."""

    class Meta:
        index_name = "by-actor-key"
        projection = KeysOnlyProjection()

    actor_key = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)


class AuditEventModel(Model):
    """Append-only: written with a condition that the item is new; the Lambda role may PutItem and
    Query this table, never UpdateItem or DeleteItem (infra/template.yaml, ApiAccessPolicy)."""

    class Meta:
        table_name = "audit-events"

    # the patient, or "account#<id>" when no patient ("account#<id>#<NN>" for a shared actor)
    subject_id = UnicodeAttribute(hash_key=True)
    sort_key = UnicodeAttribute(range_key=True)  # "<recorded_at ISO>#<event_id>": newest last
    event_id = UnicodeAttribute(null=False)
    recorded_at = UTCDateTimeAttribute(null=False)
    actor_id = UnicodeAttribute(null=False)
    actor_role = UnicodeAttribute(null=False)
    proxy_grant_id = UnicodeAttribute(null=True)
    app_authorization_id = UnicodeAttribute(null=True)  # a health app's read: its authorization
    action = UnicodeAttribute(null=False)
    event_type = UnicodeAttribute(null=False)
    outcome = UnicodeAttribute(null=False)
    patient_id = UnicodeAttribute(null=True)
    resource_type = UnicodeAttribute(null=True)
    resource_id = UnicodeAttribute(null=True)
    correlation_id = UnicodeAttribute(null=True)
    source_ip = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    actor_key = UnicodeAttribute(null=True)  # actor_id, or "<actor_id>#<NN>" for a shared actor
    by_actor = AuditByActorIndex()


class AccountByUsernameIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-username"
        projection = AllProjection()

    username = UnicodeAttribute(hash_key=True)


class AccountByVerifiedEmailIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by-verified-email"
        projection = KeysOnlyProjection()

    verified_email = UnicodeAttribute(hash_key=True)


class AccountsByOrganizationIndex(GlobalSecondaryIndex):
    """Sparse: only staff and admin accounts carry ``staff_of``, so an organization's admins list
    their colleagues in one Query (never a Scan), and patients' accounts are never in it.

    Keys only: the list shows which second factors an account has, known only from its secrets
    (the encrypted seed, the recovery-code hashes), so any projection that could answer the list
    alone would copy them (or need flags kept beside them). The list reads its page's accounts from
    the table instead (data/directory.py, ``staff_page``): at most 100 item reads when an admin
    opens a page, which is rare, while the index is written only when an account is created,
    never at the sign-ins that save accounts all day; and the page shows each account as it is
    now, not as the index last copied it."""

    class Meta:
        index_name = "by-organization"
        projection = KeysOnlyProjection()

    staff_of = UnicodeAttribute(hash_key=True)
    staff_listed_at = UnicodeAttribute(range_key=True)


class AccountModel(Model):
    class Meta:
        table_name = "accounts"

    account_id = UnicodeAttribute(hash_key=True)
    # Absent on a staff account until its owner chooses one with the set-up link (the sparse
    # by-username index then does not list it, and no claim is held for it).
    username = UnicodeAttribute(null=True)
    organization_id = UnicodeAttribute(null=False)
    role = UnicodeAttribute(null=False)
    password_hash = UnicodeAttribute(null=False)
    status = UnicodeAttribute(null=False)
    email = UnicodeAttribute(null=True)
    # Set (to the folded address) only once the address is verified: the sparse by-verified-email
    # index then answers "which accounts may be told their user name at this address".
    verified_email = UnicodeAttribute(null=True)
    pending_email = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=False)
    patient_id = UnicodeAttribute(null=True)  # the account holder's own patient record (patients)
    terms_version = UnicodeAttribute(null=True)
    terms_accepted_at = UTCDateTimeAttribute(null=True)
    # Guessing: failures counted within a window that starts at the first failure.
    failed_sign_ins = NumberAttribute(null=True)
    failures_since = UTCDateTimeAttribute(null=True)
    locked_until = UTCDateTimeAttribute(null=True)
    # Second factor: the TOTP seed only ever stored encrypted with the stack's KMS key.
    totp_secret = BinaryAttribute(null=True, legacy_encoding=False)
    totp_pending_secret = BinaryAttribute(null=True, legacy_encoding=False)
    totp_last_step = NumberAttribute(null=True)  # a code is accepted once (RFC 6238 section 5.2)
    email_code_enabled = BooleanAttribute(null=True)
    recovery_code_hashes = UnicodeSetAttribute(null=True)
    notification_preferences = JSONAttribute(null=True)
    connections = JSONAttribute(null=True)
    sessions = UnicodeSetAttribute(null=True)  # accounts.domain.Account.sessions
    # Staff and admin accounts only: their organization, and "<created ISO>#<account_id>" (the
    # by-organization index's order); absent on patients' accounts.
    staff_of = UnicodeAttribute(null=True)
    staff_listed_at = UnicodeAttribute(null=True)
    version = VersionAttribute()
    by_username = AccountByUsernameIndex()
    by_verified_email = AccountByVerifiedEmailIndex()
    by_organization = AccountsByOrganizationIndex()


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
    # The assigning authority of this organization's medical record numbers (HL7 PID-3.4), so
    # staff can find a patient by "mrn" alone.
    mrn_authority = UnicodeAttribute(null=True)
    release_policy = JSONAttribute(null=True)  # release.policy.ReleasePolicy.as_json()
    # IANA name (kernel.zones); absent until an admin or the operator chooses one: the
    # deployment's default zone then (the directory answers it).
    time_zone = UnicodeAttribute(null=True)
    appointment_policy = JSONAttribute(null=True)  # appointments.policy.AppointmentPolicy.as_json()
    sensitive_codes = JSONAttribute(null=True)  # access.sensitivity.SensitiveLists.as_json()
    version = VersionAttribute()


class FeedSourceModel(Model):
    """Lives in the organizations table under key "sender#<sender>" (the feed envelope's sender:
    "MSH-3|MSH-4" as written, or a FHIR source): which organization a sender files for, and the
    assigning authority to apply to its identifiers that carry none. "sender#*" is an
    organization's catch-all (a deployment for one hospital)."""

    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)  # "sender#<sender>"
    files_for = UnicodeAttribute(null=False)  # "" once retired (the API may not DeleteItem here)
    retired_by = UnicodeAttribute(null=True)  # the organization that retired it: only it may take it back
    default_authority = UnicodeAttribute(null=True)
    files_test_messages = BooleanAttribute(null=True)  # absent: test messages are quarantined
    authorities = JSONAttribute(null=True)  # [[as the sender writes it, the organization's authority], ...]
    category_codes = JSONAttribute(null=True)  # [["<system>|<code>" as the sender writes it, category], ...]


class OrganizationSendersModel(Model):
    """Lives in the organizations table under key "feed-sources#<organization_id>": the senders
    registered to the organization, so its admins list them in one read (the table has no index
    on ``files_for``, and the API may not Scan it). A hint, not the truth: each sender is checked
    against its own "sender#<sender>" item, which a later registration may have moved."""

    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)  # "feed-sources#<organization_id>"
    senders = UnicodeSetAttribute(null=True)


class TermsModel(Model):
    """Lives in the organizations table (the Terms of Use are the deployment's, not one
    organization's). "terms#current" holds the version in force, in full, and the list of
    published versions (so GET /v1/terms and a sign-in read one item); "terms#version#<label>"
    keeps each published version for good, and its creation on condition it is new keeps a label
    from being used twice."""

    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)  # "terms#current" or "terms#version#<label>"
    terms_version = UnicodeAttribute(null=False)
    terms_of_use = UnicodeAttribute(null=False)
    consent = UnicodeAttribute(null=False)
    summary = UnicodeAttribute(null=False)
    published_at = UTCDateTimeAttribute(null=False)
    history = JSONAttribute(null=True)  # "terms#current" only: [{"version", "summary", "published_at"}], newest first
    version = VersionAttribute()


class CareTeamsModel(Model):
    """An organization's care teams, all in one item: the admin page and a patient's list each
    read them in one GetItem, and a change is one conditional write (care teams number in the
    tens per organization, far below an item's 400 KB)."""

    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)  # "care-teams#<organization_id>"
    teams = JSONAttribute(null=False)  # [careteams.domain.CareTeam.as_json(), ...], oldest first
    version = VersionAttribute()


class RecordsByTimeIndex(LocalSecondaryIndex):
    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    listed_at = UnicodeAttribute(range_key=True)


class RecordsByCategoryIndex(LocalSecondaryIndex):
    class Meta:
        index_name = "by-category"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    category_listed_at = UnicodeAttribute(range_key=True)


class RecordsByIdIndex(GlobalSecondaryIndex):
    """Where a record lives, by its id alone (staff hold or release a result or document by id).
    Sparse: only current items carry ``current_record_id``, never the kept versions."""

    class Meta:
        index_name = "by-record-id"
        projection = KeysOnlyProjection()

    current_record_id = UnicodeAttribute(hash_key=True)


class RecordsWaitingIndex(GlobalSecondaryIndex):
    """Sparse: only a current item not yet released carries ``waiting_pk``, so what is on its way
    to a patient is one small Query however many results the patient has."""

    class Meta:
        index_name = "waiting"
        projection = AllProjection()

    waiting_pk = UnicodeAttribute(hash_key=True)  # the patient
    waiting_sk = UnicodeAttribute(range_key=True)  # "<release moment key>#<kind>#<id>"


class RecordModel(Model):
    """One item of a patient's health records (RecordsTable in infra/template.yaml)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)  # "<kind>#<id>" (current) or "<kind>#<id>#v<nnnn>"
    listed_at = UnicodeAttribute(null=True)  # current versions only: "<first filed ISO>#<id>"
    category_listed_at = UnicodeAttribute(null=True)  # current versions only: "<category>#<listed_at>"
    kind = UnicodeAttribute(null=False)  # result, document
    record_id = UnicodeAttribute(null=False)
    version = NumberAttribute(null=False)
    category = UnicodeAttribute(null=False)
    status = UnicodeAttribute(null=False)
    content_sha256 = UnicodeAttribute(null=False)  # of the content: a resend of the same result is no new version
    content = JSONAttribute(null=False)  # records.domain: the report as shown
    organization_id = UnicodeAttribute(null=False)
    source = UnicodeAttribute(null=False)  # the feed message it came from ("<sender>|<control id>")
    filed_at = UTCDateTimeAttribute(null=False)
    release_at = UTCDateTimeAttribute(null=False)  # not shown before (reads filter on it)
    critical = BooleanAttribute(null=True)
    release_timer = UnicodeAttribute(null=True)  # the Step Functions execution that announces a delayed release
    held_reason = UnicodeAttribute(null=True)  # a staff hold's recorded exception reason (a code)
    object_key = UnicodeAttribute(null=True)  # documents: the file in the documents bucket
    current_record_id = UnicodeAttribute(null=True)  # current versions only: record_id, for by-record-id
    waiting_pk = UnicodeAttribute(null=True)  # while not released: the patient, for the waiting index
    waiting_sk = UnicodeAttribute(null=True)  # while not released: "<release moment key>#<kind>#<id>"
    by_time = RecordsByTimeIndex()
    by_category = RecordsByCategoryIndex()
    by_record_id = RecordsByIdIndex()
    waiting = RecordsWaitingIndex()


class InboxByTimeIndex(LocalSecondaryIndex):
    class Meta:
        index_name = "by-time"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    listed_at = UnicodeAttribute(range_key=True)


class InboxItemModel(Model):
    """One notice in an account's portal inbox, in the records table (data/inbox.py).
    Its own copy of the by-time index: a PynamoDB index class belongs to one model."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "inbox#<account_id>"
    record_key = UnicodeAttribute(range_key=True)  # "notification#<notification_id>"
    listed_at = UnicodeAttribute(null=False)  # "<created ISO>#<notification_id>": the list order
    kind = UnicodeAttribute(null=False)  # "notification", for anyone reading the table by hand
    notification_id = UnicodeAttribute(null=False)
    template = UnicodeAttribute(null=False)
    title = UnicodeAttribute(null=False)  # the template's email subject: no PHI
    created_at = UTCDateTimeAttribute(null=False)
    read_at = UTCDateTimeAttribute(null=True)
    by_time = InboxByTimeIndex()


class OutboxModel(Model):
    """Something to send that was decided in a write of its own (a patient's notice of an early
    release, a release timer that could not start): written with that write, deleted once sent,
    so a failure to send is retried by the drain (release/outbox.py), never lost. Ids only."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "outbox": one partition, read by the drain
    record_key = UnicodeAttribute(range_key=True)  # "<kind>#<entry id>"
    kind = UnicodeAttribute(null=False)  # "notice" or "timer"
    payload = JSONAttribute(null=False)  # a notice as queued, or which record's timer to start
    created_at = UTCDateTimeAttribute(null=False)


class NoticeFoldModel(Model):
    """An account's open fold of "something waiting" notices of one template (notifications/folding.py),
    in the records table beside the inbox, in a partition of its own (the inbox's partition is
    read whole when marking everything read)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "notice-fold#<account_id>"
    record_key = UnicodeAttribute(range_key=True)  # the template
    notification_id = UnicodeAttribute(null=False)  # the fold's notice: its first notice's id
    first_at = UTCDateTimeAttribute(null=False)
    last_at = UTCDateTimeAttribute(null=False)


class WorklistOpenIndex(GlobalSecondaryIndex):
    """The records table's "waiting" index, as the worklist uses it: an open item carries
    waiting_pk "worklist-open#<organization>#<shard>" and waiting_sk its range key, and closing it
    removes both, so the open list reads open items only, however many were closed (data/worklist.py).
    (A PynamoDB index class belongs to one model: the same index as RecordsWaitingIndex.)"""

    class Meta:
        index_name = "waiting"
        projection = AllProjection()

    waiting_pk = UnicodeAttribute(hash_key=True)
    waiting_sk = UnicodeAttribute(range_key=True)


class WorklistItemModel(Model):
    """A staff to-do in the records table, under "worklist#<organization>": a critical result to
    call the patient about at once, whatever its release policy, or a merged record whose portal
    account is to be moved. The range key orders the list oldest first. While open, it is also
    on the sparse open index (WorklistOpenIndex), spread over a few shards per organization."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "worklist#<organization_id>"
    record_key = UnicodeAttribute(range_key=True)  # "<created ISO>#<item id>"
    item_id = UnicodeAttribute(null=False)
    task = UnicodeAttribute(null=False)  # call_patient
    subject_patient_id = UnicodeAttribute(null=False)
    result_id = UnicodeAttribute(null=False)
    result_version = NumberAttribute(null=False)
    status = UnicodeAttribute(null=False)  # open, done
    created_at = UTCDateTimeAttribute(null=False)
    done_by = UnicodeAttribute(null=True)
    done_at = UTCDateTimeAttribute(null=True)
    outcome = UnicodeAttribute(null=True)  # reached, left_message, no_answer ... (a code)
    waiting_pk = UnicodeAttribute(null=True)  # while open: "worklist-open#<organization>#<shard>"
    waiting_sk = UnicodeAttribute(null=True)  # while open: the range key (oldest first)
    open_items = WorklistOpenIndex()


class SupportRequestModel(Model):
    """A support request in the records table, under "support#<organization>": one partition per
    organization's queue, listed newest first through the by-time index (listed_at)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "support#<organization_id>"
    record_key = UnicodeAttribute(range_key=True)  # "request#<request_id>"
    listed_at = UnicodeAttribute(null=False)  # "<received ISO>#<request_id>"
    by_time = RecordsByTimeIndex()
    request_id = UnicodeAttribute(null=False)
    reference = UnicodeAttribute(null=False)
    topic = UnicodeAttribute(null=False)
    description = UnicodeAttribute(null=False)
    contact_name = UnicodeAttribute(null=True)
    contact_email = UnicodeAttribute(null=True)
    contact_phone = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)  # the requester's account, when they were signed in
    status = UnicodeAttribute(null=False)  # new, in_progress, answered, closed
    received_at = UTCDateTimeAttribute(null=False)
    updated_at = UTCDateTimeAttribute(null=False)
    answers = JSONAttribute(null=True)  # [{"answered_by", "answered_at", "text"}], oldest first
    version = VersionAttribute()


class MessagesInboxIndex(GlobalSecondaryIndex):
    """The records table's "waiting" index, as the care teams' inboxes use it: a thread carries
    waiting_pk "messages-inbox#<team>#<status>" and a sort key in the inbox's order (see
    data/messages.py), so a team's open threads, most overdue first, are one Query. (The same
    index as RecordsWaitingIndex, under partitions of its own: a table takes one new index per
    deployment, and this one already has the shape.)"""

    class Meta:
        index_name = "waiting"
        projection = AllProjection()

    waiting_pk = UnicodeAttribute(hash_key=True)
    waiting_sk = UnicodeAttribute(range_key=True)


class MessageThreadModel(Model):
    """A conversation between a patient and a care team, in the records table under
    "messages#<patient_id>" beside its messages and the patient's attachments. Listed by the
    patient newest activity first (by-time), by staff through the inbox index, found by its id
    alone through by-record-id (staff routes name the thread, not the patient)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "messages#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "thread#<thread_id>"
    listed_at = UnicodeAttribute(null=False)  # "<last message moment>#<thread_id>"
    current_record_id = UnicodeAttribute(null=False)  # the thread id, for by-record-id
    waiting_pk = UnicodeAttribute(null=False)  # "messages-inbox#<team_id>#<status>"
    waiting_sk = UnicodeAttribute(null=False)  # the inbox's order (data/messages.py)
    by_time = RecordsByTimeIndex()
    by_record_id = RecordsByIdIndex()
    inbox = MessagesInboxIndex()
    thread_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    organization_id = UnicodeAttribute(null=False)
    team_id = UnicodeAttribute(null=False)
    team_name = UnicodeAttribute(null=False)  # as it was when the thread began: a renamed team keeps its threads
    subject = UnicodeAttribute(null=False)
    status = UnicodeAttribute(null=False)  # open, waiting_on_patient, closed
    created_at = UTCDateTimeAttribute(null=False)
    last_message_at = UTCDateTimeAttribute(null=False)
    last_message_from = UnicodeAttribute(null=False)  # patient, care_team
    message_count = NumberAttribute(null=False)
    last_message_id = UnicodeAttribute(null=False)
    unread_by_patient = NumberAttribute(null=False)
    unread_by_team = NumberAttribute(null=False)
    patient_read_through = UTCDateTimeAttribute(null=True)
    team_read_through = UTCDateTimeAttribute(null=True)
    waiting_since = UTCDateTimeAttribute(null=True)
    reply_due_by = UTCDateTimeAttribute(null=True)
    urgent = BooleanAttribute(null=False)
    urgent_marked_by = UnicodeAttribute(null=True)
    urgent_marked_at = UTCDateTimeAttribute(null=True)
    assigned_to = UnicodeAttribute(null=True)
    assigned_name = UnicodeAttribute(null=True)
    version = VersionAttribute()


class MessageModel(Model):
    """One message of a thread, never changed once written."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "messages#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "thread#<thread_id>#message#<sent moment>#<message_id>"
    message_id = UnicodeAttribute(null=False)
    side = UnicodeAttribute(null=False)  # patient, care_team
    author_id = UnicodeAttribute(null=False)
    author = UnicodeAttribute(null=False)
    body = UnicodeAttribute(null=False)
    sent_at = UTCDateTimeAttribute(null=False)
    attachments = JSONAttribute(null=False)  # [{attachment_id, file_name, content_type, size_bytes, object_key}]
    # Sent by someone acting for the patient: who, as the grant named them, and the grant.
    proxy_name = UnicodeAttribute(null=True)
    proxy_relationship = UnicodeAttribute(null=True)
    grant_id = UnicodeAttribute(null=True)


class MessageAttachmentModel(Model):
    """A file a patient uploaded to attach to a message: waiting for its upload, ready (checked
    from its bytes), or refused; ``message_id`` once it went with a message (then never again)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "messages#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "attachment#<attachment_id>"
    attachment_id = UnicodeAttribute(null=False)
    file_name = UnicodeAttribute(null=False)
    content_type = UnicodeAttribute(null=False)
    size_bytes = NumberAttribute(null=False)
    state = UnicodeAttribute(null=False)  # waiting_for_upload, ready, refused
    object_key = UnicodeAttribute(null=False)
    created_at = UTCDateTimeAttribute(null=False)
    message_id = UnicodeAttribute(null=True)


class MessageCountsModel(Model):
    """Running counts kept in the same transactions as the threads they count, so a badge is one
    consistent GetItem: a patient's unread care-team messages (under "messages#<patient_id>"), a
    care team's open threads and unread patient messages (under "messages#team#<team_id>")."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "messages#<patient_id>" or "messages#team#<team_id>"
    record_key = UnicodeAttribute(range_key=True)  # "counts"
    unread = NumberAttribute(null=True)
    open = NumberAttribute(null=True)


class SupportDeskModel(Model):
    """Where an organization's support requests are emailed, in the organizations table under
    "support-desk#<organization>"; and, under "support-desks", the public list of organizations
    that take requests ({organization id: name}): one GetItem for the contact form."""

    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(null=True)
    desks: MapAttribute = MapAttribute(null=True)  # "support-desks" only; a map, so one desk is set in place


class RefillRequestModel(Model):
    """A refill request in the records table, kept twice so that each side reads it with one
    Query of its own partition: under "refills#<patient>" (the patient's list, newest first by
    listed_at "<requested ISO>#<id>") and under "refill-queue#<organization>" (the staff queue,
    listed_at "<status>#<requested or decided ISO>#<id>": one status at a time, in time order).
    Both copies change together, in one transaction."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "refills#<patient_id>" or "refill-queue#<organization_id>"
    record_key = UnicodeAttribute(range_key=True)  # "request#<request_id>"
    listed_at = UnicodeAttribute(null=False)
    by_time = RecordsByTimeIndex()
    request_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    organization_id = UnicodeAttribute(null=False)
    medication_id = UnicodeAttribute(null=False)
    medication_name = UnicodeAttribute(null=False)
    pharmacy = JSONAttribute(null=False)  # {"name", "phone", "address"}
    note = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=False)  # requested, approved, denied
    requested_at = UTCDateTimeAttribute(null=False)
    requested_by = UnicodeAttribute(null=False)  # the account that asked
    requested_by_proxy = JSONAttribute(null=True)  # {name, relationship, grant_id}: someone acting for the patient
    decided_at = UTCDateTimeAttribute(null=True)
    decided_by = UnicodeAttribute(null=True)  # the staff account
    decided_by_name = UnicodeAttribute(null=True)
    decision_reason = UnicodeAttribute(null=True)
    subject = JSONAttribute(null=True)  # {"system", "value"}: the MRN the request's Task named
    # What the staff queue shows beside the request, as it was when asked (the queue copy only):
    # {"name", "birth_date"} and {"dosage", "prescriber", "refills_allowed", "expires_on"}.
    patient = JSONAttribute(null=True)
    medication_detail = JSONAttribute(null=True)


class AppointmentRequestModel(Model):
    """A patient's appointment request in the records table, kept twice as refill requests are:
    under "appointment-requests#<patient>" (the patient's list, listed_at "<requested ISO>#<id>")
    and under "appointment-queue#<organization>" (staff's queues, listed_at "<queue>#<updated
    ISO>#<id>": one queue a contiguous run, in time order). Both copies change together, in one
    transaction, on condition of the version read (a change lost to another is a 409)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # the partition: see the docstring
    record_key = UnicodeAttribute(range_key=True)  # "request#<request_id>"
    listed_at = UnicodeAttribute(null=False)
    by_time = RecordsByTimeIndex()
    status = UnicodeAttribute(null=False)
    version = NumberAttribute(null=False)
    request = JSONAttribute(null=False)  # data/appointment_requests.py: the request's fields


class AppointmentVisitModel(Model):
    """What the portal keeps beside one filed appointment of a patient, under
    "appointment-requests#<patient>" at "visit#<entry id>": the patient's own cancellation (a row
    of its own, so a later feed update of the entry never undoes it), the request its booking
    closed, and the scheduling system's id of it (what an outbound cancellation names). Not
    listed (no listed_at)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    cancelled_at = UTCDateTimeAttribute(null=True)
    cancelled_by = UnicodeAttribute(null=True)  # the account
    cancelled_by_proxy = JSONAttribute(null=True)  # {name, relationship, grant_id}: someone acting for the patient
    request_id = UnicodeAttribute(null=True)
    scheduler_id = JSONAttribute(null=True)  # {"system", "value"}


class RefillPendingModel(Model):
    """The mark that a request for a medication waits for staff, under "refills#<patient>" at
    "pending#<medication_id>": its request_id written on condition there is none, in the request's
    transaction, so two requests for one medication cannot both wait; removed with the decision
    (the item stays: no function deletes from the records table but the outboxes). Not listed (no
    listed_at)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "refills#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "pending#<medication_id>"
    request_id = UnicodeAttribute(null=True)  # the request that waits; none once it is decided


class CheckinFormModel(Model):
    """A check-in form of an organization in the records table (data/forms.py): its head under
    "form#<form_id>" (the current version's text, whether it is active, every version's SHA-256)
    and each version, never changed once written, under "form-version#<form_id>#<nnnnnn>"."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "checkin-forms#<organization_id>"
    record_key = UnicodeAttribute(range_key=True)
    form_id = UnicodeAttribute(null=False)
    kind = UnicodeAttribute(null=True)  # the head only
    active = BooleanAttribute(null=True)  # the head only
    updated_at = UTCDateTimeAttribute(null=True)  # the head only
    versions = JSONAttribute(null=True)  # the head only: [{version, sha256, created_at, created_by}]
    version = NumberAttribute(null=False)  # the head: its current version
    title = UnicodeAttribute(null=False)
    body = UnicodeAttribute(null=False)
    sha256 = UnicodeAttribute(null=False)
    created_at = UTCDateTimeAttribute(null=False)
    created_by = UnicodeAttribute(null=False)


class VisitTypeModel(Model):
    """A visit type of an organization (data/forms.py), beside its forms."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "checkin-forms#<organization_id>"
    record_key = UnicodeAttribute(range_key=True)  # "visit-type#<visit_type_id>"
    visit_type_id = UnicodeAttribute(null=False)
    name = UnicodeAttribute(null=False)
    form_ids = JSONAttribute(null=False)
    questionnaire = JSONAttribute(null=True)
    updated_at = UTCDateTimeAttribute(null=False)
    updated_by = UnicodeAttribute(null=True)


class SignedFormsByCategoryIndex(LocalSecondaryIndex):
    """The records table's by-category index, as signed forms' document copies are on it (a
    PynamoDB index class belongs to one model)."""

    class Meta:
        index_name = "by-category"
        projection = AllProjection()

    patient_id = UnicodeAttribute(hash_key=True)
    category_listed_at = UnicodeAttribute(range_key=True)


class SignedFormModel(Model):
    """A form a patient signed (data/signed_forms.py), two copies under "signed-forms#<patient_id>":
    "visit#<appointment_id>#<form_id>#<version>" (what a visit's check-in lists; its condition of
    being new is what refuses a second signature of the same version) and "document#<document_id>"
    (what a download finds, and what the patient's documents list shows: it alone carries
    ``category_listed_at``, so the by-category index holds it once)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    document_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    organization_id = UnicodeAttribute(null=False)
    appointment_id = UnicodeAttribute(null=False)
    form_id = UnicodeAttribute(null=False)
    title = UnicodeAttribute(null=False)
    kind = UnicodeAttribute(null=False)
    version = NumberAttribute(null=False)
    form_sha256 = UnicodeAttribute(null=False)
    signed_at = UTCDateTimeAttribute(null=False)
    signed_name = UnicodeAttribute(null=False)
    has_drawn_signature = BooleanAttribute(null=False)
    client_ip = UnicodeAttribute(null=False)
    signed_by = UnicodeAttribute(null=False)  # the account that signed (the patient or a proxy)
    signed_by_proxy = JSONAttribute(null=True)  # {name, relationship, grant_id}: someone acting for the patient
    signed_for = UnicodeAttribute(null=True)  # then: the patient's name as it was when they signed
    time_zone = UnicodeAttribute(null=False)  # the organization's, which the PDF shows the time in
    pdf_sha256 = UnicodeAttribute(null=False)
    size_bytes = NumberAttribute(null=False)
    object_key = UnicodeAttribute(null=False)
    object_version = UnicodeAttribute(null=True)  # the bucket's version id of the PDF
    retain_until = UTCDateTimeAttribute(null=True)
    category_listed_at = UnicodeAttribute(null=True)  # the document copy: "document:signed-form#<listed_at>"
    by_category = SignedFormsByCategoryIndex()


class PatientsByBirthDateIndex(GlobalSecondaryIndex):
    """Sparse: patients whose birth date is known, by organization and that date, so staff find a
    patient by family name and birth date (the few patients born on one day are read and their
    names compared) without a Scan. Keys only: the search reads the patients themselves."""

    class Meta:
        index_name = "by-birth-date"
        projection = KeysOnlyProjection()

    born_in = UnicodeAttribute(hash_key=True)  # "<organization_id>#<YYYY-MM-DD>"


class PatientModel(Model):
    """A patient as the organization's records describe them (the EHR is the source of truth)."""

    class Meta:
        table_name = "patients"

    patient_id = UnicodeAttribute(hash_key=True)
    organization_id = UnicodeAttribute(null=False)
    identifiers = JSONAttribute(null=False)  # [{"authority", "value", "type"}]
    family_name = UnicodeAttribute(null=False)
    given_names = JSONAttribute(null=False)  # ["Jane", "Q"]
    birth_date = UnicodeAttribute(null=True)  # ISO date
    sex = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    pending_email = UnicodeAttribute(null=True)  # entered by staff, not yet confirmed by its owner
    portal_status = UnicodeAttribute(null=False)  # patients.domain.PortalStatus
    account_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=False)
    merged_into = UnicodeAttribute(null=True)  # A40: this record was merged into that patient
    wait_for_review = JSONAttribute(null=True)  # ["pathology", ...]: the patient's choice
    wait_days = JSONAttribute(null=True)  # {"lab": 3, ...}: the patient's choice
    deceased = BooleanAttribute(null=True)  # absent on records written before it existed: alive
    deceased_on = UnicodeAttribute(null=True)  # ISO date, when the sender gave one
    deceased_as_of = UnicodeAttribute(null=True)  # the sender's time of the statement
    invited_until = NumberAttribute(null=True)  # epoch: the live invitation's expiry (patients.domain)
    born_in = UnicodeAttribute(null=True)  # "<organization_id>#<birth date>" (by-birth-date), when known
    version = VersionAttribute()
    by_birth_date = PatientsByBirthDateIndex()


class IdentifierClaimModel(Model):
    """Lives in the patients table under key "identifier#<authority>|<value>"."""

    class Meta:
        table_name = "patients"

    patient_id = UnicodeAttribute(hash_key=True)
    claimed_by = UnicodeAttribute(null=False)


class IdentityByOwnerIndex(GlobalSecondaryIndex):
    """Keys only, as each model of the identity table reads it (sessions, deliveries, app tokens):
    a session's touch on every request changes none of its keys, so it writes the table alone,
    and a reader takes the records a Query names from the table in one BatchGetItem."""

    class Meta:
        index_name = "by-owner-keys"
        projection = KeysOnlyProjection()

    owner = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class IdentityRecordModel(Model):
    """One short-lived record of the identity table, keyed "<kind>#<selector>".

    Kinds: session, invitation, challenge (second factor at sign-in), link (password reset,
    email verification, account set-up), throttle (attempts per address and window). An
    invitation's ``purpose`` says what it opens: a patient's account (none), an account with no
    record (proxy_account) or a trusted person's proxy grant (trusted_person). A record
    holds only a SHA-256 of its secret (identity/tokens.py), never the secret. ``expires_at`` is
    checked on every read; ``expires_ttl`` (epoch seconds) lets DynamoDB collect the garbage.
    """

    class Meta:
        table_name = "identity"

    pk = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(null=False)
    owner = UnicodeAttribute(null=True)  # "account#<id>" or "patient#<id>"
    created_key = UnicodeAttribute(null=True)  # "<created ISO>#<selector>"
    secret_hash = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    patient_id = UnicodeAttribute(null=True)
    organization_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    purpose = UnicodeAttribute(null=True)  # links: password_reset, email_verification, account_setup
    status = UnicodeAttribute(null=True)  # invitations: pending, used, revoked, burned
    email = UnicodeAttribute(null=True)
    restriction = UnicodeAttribute(null=True)  # sessions: "", terms, second_factor_setup
    attempts = NumberAttribute(null=True)
    code_hash = UnicodeAttribute(null=True)  # challenges: the emailed one-time code
    created_by = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    last_seen_at = UTCDateTimeAttribute(null=True)
    idle_expires_at = NumberAttribute(null=True)  # sessions: epoch seconds
    grant_id = UnicodeAttribute(null=True)  # a trusted person's invitation: the proxy grant it names
    # An invitation to an account with no record: the answers enrollment checks (PHI, removed
    # when the invitation is used; the record's TTL collects an unused one).
    given_name = UnicodeAttribute(null=True)
    family_name = UnicodeAttribute(null=True)
    birth_date = UnicodeAttribute(null=True)
    expires_at = NumberAttribute(null=False)  # epoch seconds
    expires_ttl = NumberAttribute(null=False)
    by_owner = IdentityByOwnerIndex()


class DeliveriesByOwnerIndex(GlobalSecondaryIndex):
    """The identity table's by-owner index, as delivery records use it: their owners read
    "emails#patient#<id>" or "emails#account#<id>", a namespace no other record's owner shares,
    so what lists or ends an account's or a patient's records never meets a delivery record."""

    class Meta:
        index_name = "by-owner-keys"
        projection = KeysOnlyProjection()

    owner = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class DeliveryModel(Model):
    """The delivery record of one email request (notifications/deliveries.py), in the identity
    table under "delivery#<notification id>": as short-lived as the request (the queue and its
    dead-letter queue keep it 18 days at most). One about a patient or an account carries an
    owner in the by-owner index (DeliveriesByOwnerIndex), so staff list a patient's emails in one
    Query; one about neither (a staff member's set-up link) has none."""

    class Meta:
        table_name = "identity"

    pk = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(null=False)  # "delivery", for anyone reading the table by hand
    template = UnicodeAttribute(null=False)
    state = UnicodeAttribute(null=False)  # queued, sent, failed, not_emailed
    reason = UnicodeAttribute(null=True)  # failed: mail_refused, not_sent, dead_letter
    updated_at = UTCDateTimeAttribute(null=False)
    sent_at = UTCDateTimeAttribute(null=True)
    failed_attempts = NumberAttribute(null=True)
    expires_ttl = NumberAttribute(null=False)
    owner = UnicodeAttribute(null=True)  # "emails#patient#<id>" or "emails#account#<id>"
    created_key = UnicodeAttribute(null=True)  # "<asked_at ISO>#<notification id>"
    asked_at = UTCDateTimeAttribute(null=True)  # when it was first queued
    by_owner = DeliveriesByOwnerIndex()


class FeedMessagesByStatusIndex(GlobalSecondaryIndex):
    """Keyed on a shard of the status ("<status>#<NN>", kernel/shards.py, by the message's key):
    every message filed would otherwise land on the one key "filed". Its readers read every
    attribute of a message, so it projects them all."""

    class Meta:
        index_name = "by-status-shard"
        projection = AllProjection()

    status_shard = UnicodeAttribute(hash_key=True)
    received_at = UTCDateTimeAttribute(range_key=True)


class FeedMessagesByOrganizationIndex(GlobalSecondaryIndex):
    """Sparse: only a quarantined or held message whose sender an organization owns carries
    ``org_status``, so staff list their own organization's, one Query per page, whatever
    another organization has waiting."""

    class Meta:
        index_name = "by-organization-status"
        projection = AllProjection()

    org_status = UnicodeAttribute(hash_key=True)  # "<organization_id>#<status>"
    received_at = UTCDateTimeAttribute(range_key=True)


class FeedMessageModel(Model):
    """One inbound clinical message, keyed on sender + control id: a sender may deliver a message
    more than once, and the key makes the second delivery find the first."""

    class Meta:
        table_name = "feed-messages"

    message_key = UnicodeAttribute(hash_key=True)  # "<sender>|<control id>" or "quarantine|<sha256>"
    sha256 = UnicodeAttribute(null=False)
    format = UnicodeAttribute(null=False)
    message_type = UnicodeAttribute(null=True)
    sender = UnicodeAttribute(null=True)
    control_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=False)
    # "<status>#<NN>": written with every change of status (data/feed_messages.py)
    status_shard = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    archive_key = UnicodeAttribute(null=False)
    received_at = UTCDateTimeAttribute(null=False)
    held_for = UnicodeAttribute(null=True)  # "held": the patient its identifiers matched
    decision = UnicodeAttribute(null=True)  # staff's decision on a held message (filing.mismatch.Decision)
    # quarantined or held, of an owned sender: "<organization_id>#<status>" (the sender's owner)
    org_status = UnicodeAttribute(null=True)
    by_status = FeedMessagesByStatusIndex()
    by_organization_status = FeedMessagesByOrganizationIndex()


class CheckInModel(Model):
    """A patient's check-in for one visit, in the records table beside nothing else of theirs
    ("checkin#<patient_id>"): what they confirmed, the change they asked staff for, their answers
    (and the QuestionnaireResponse sent for them) and when they finished (data/checkins.py)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "checkin#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "visit#<appointment_id>"
    appointment_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    organization_id = UnicodeAttribute(null=False)
    confirmed_at = UTCDateTimeAttribute(null=True)
    change = JSONAttribute(null=True)  # checkin.domain.RequestedChange.as_json(): the latest asked for
    changes_requested = NumberAttribute(null=True)
    answers = JSONAttribute(null=True)  # [[link_id, value], ...] as answered
    answered_at = UTCDateTimeAttribute(null=True)
    answer_revision = NumberAttribute(null=True)
    questionnaire_response = JSONAttribute(null=True)  # the FHIR QuestionnaireResponse as sent
    completed_at = UTCDateTimeAttribute(null=True)
    # What it was done against (checkin/kept.py): the questionnaire answered; the forms listed at
    # completion as [[form_id, version], ...].
    questionnaire = JSONAttribute(null=True)
    completed_forms = JSONAttribute(null=True)
    version = VersionAttribute()


class VisitDayModel(Model):
    """A visit on its organization's list of a day ("visits#<organization_id>#<YYYY-MM-DD>" in the
    records table): staff's check-in status reads a day in one Query. Kept by the feed's filing
    (checkin/visits.py); with the patient's name and birth date as filed, so the list needs no
    read per patient."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "visits#<organization_id>#<day>"
    record_key = UnicodeAttribute(range_key=True)  # "visit#<appointment_id>"
    appointment_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    patient_name = UnicodeAttribute(null=False)
    birth_date = UnicodeAttribute(null=False)
    starts_at = UnicodeAttribute(null=False)
    visit_type = UnicodeAttribute(null=False)
    clinicians = JSONAttribute(null=False)
    status = UnicodeAttribute(null=False)
    # Set when the scheduler moved the visit to another day: the row stays (no function deletes
    # from the records table) and the day's list leaves it out.
    moved_to = UnicodeAttribute(null=True)


class VisitDayPointerModel(Model):
    """Which day's list a visit is on now ("checkin#<patient_id>", "day#<appointment_id>"), so a
    visit the scheduler moves to another day leaves the old day's list."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "checkin#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "day#<appointment_id>"
    day_partition = UnicodeAttribute(null=False)


class ProxyGrantModel(Model):
    """A proxy grant in the records table (data/proxy_grants.py), kept twice so that each side
    reads it with one Query of its own partition: under "proxy-grants#<patient>" (the patient's
    list, and what staff see) and, once an account holds it, under "proxy-of#<account>" (what the
    one check reads on every call of that account). Both copies are written together, in one
    transaction, on condition of the version read."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "proxy-grants#<patient_id>" or "proxy-of#<account_id>"
    record_key = UnicodeAttribute(range_key=True)  # the grant id
    version = NumberAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)  # the patient acted for
    organization_id = UnicodeAttribute(null=False)
    proxy_account_id = UnicodeAttribute(null=True)  # none while a trusted person's invitation waits
    relationship = UnicodeAttribute(null=False)
    access = UnicodeAttribute(null=False)
    areas = UnicodeSetAttribute(null=True)  # an empty set cannot be stored: none is no area
    status = UnicodeAttribute(null=False)
    starts_at = UTCDateTimeAttribute(null=False)
    ends_at = UTCDateTimeAttribute(null=True)
    visible_until = UTCDateTimeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=False)
    request_id = UnicodeAttribute(null=True)
    proxy_name = UnicodeAttribute(null=True)
    patient_name = UnicodeAttribute(null=True)
    consented_at = UTCDateTimeAttribute(null=True)
    ended_at = UTCDateTimeAttribute(null=True)
    ended_by = UnicodeAttribute(null=True)
    end_reason = UnicodeAttribute(null=True)


def bind_tables(settings, client=None) -> None:
    """Point every model at its table in this stage and region, and (given ``client``) make every
    model call DynamoDB through that one client (idempotent, cheap: under a millisecond)."""
    from chalicelib.data.appointment_reminders import AppointmentRemindersModel
    from chalicelib.data.proxy_requests import ProxyRequestModel

    names = {
        AppointmentRemindersModel: settings.records_table,
        ProxyRequestModel: settings.records_table,
        AuditEventModel: settings.audit_table,
        AccountModel: settings.accounts_table,
        UsernameClaimModel: settings.accounts_table,
        OrganizationModel: settings.organizations_table,
        PatientModel: settings.patients_table,
        IdentifierClaimModel: settings.patients_table,
        IdentityRecordModel: settings.identity_table,
        DeliveryModel: settings.identity_table,
        FeedSourceModel: settings.organizations_table,
        OrganizationSendersModel: settings.organizations_table,
        TermsModel: settings.organizations_table,
        CareTeamsModel: settings.organizations_table,
        RecordModel: settings.records_table,
        WorklistItemModel: settings.records_table,
        InboxItemModel: settings.records_table,
        OutboxModel: settings.records_table,
        NoticeFoldModel: settings.records_table,
        SupportRequestModel: settings.records_table,
        SupportDeskModel: settings.organizations_table,
        RefillRequestModel: settings.records_table,
        RefillPendingModel: settings.records_table,
        CheckinFormModel: settings.records_table,
        VisitTypeModel: settings.records_table,
        SignedFormModel: settings.records_table,
        AppointmentRequestModel: settings.records_table,
        AppointmentVisitModel: settings.records_table,
        MessageThreadModel: settings.records_table,
        MessageModel: settings.records_table,
        MessageAttachmentModel: settings.records_table,
        MessageCountsModel: settings.records_table,
        FeedMessageModel: settings.feed_messages_table,
        CheckInModel: settings.records_table,
        VisitDayModel: settings.records_table,
        VisitDayPointerModel: settings.records_table,
        ProxyGrantModel: settings.records_table,
        AppTokenModel: settings.identity_table,
        AppAuthorizationModel: settings.records_table,
        AppClientModel: settings.organizations_table,
        RecordExportModel: settings.records_table,
        HealthLinkModel: settings.records_table,
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
        if client is not None:
            share_client(model, client)


def share_client(model, client) -> None:
    """Hand ``model``'s PynamoDB connection the process's one DynamoDB client.

    Left alone, each model's connection builds its own botocore session (its own loaders, its own
    copy of the service model: tens of milliseconds of CPU each on a cold start) and its own
    client. PynamoDB 6 has no setting for a client, but its connection uses ``_client`` as long as
    that client has credentials (it builds a fresh one otherwise, so a client poisoned by a
    failed credential lookup still heals itself). What PynamoDB would have configured on its own
    client the shared one carries too (wiring.Container.client: no parameter validation, the
    same timeouts and retries); the before-send hook PynamoDB registers on its clients only adds
    Meta.extra_headers, which no model sets.
    """
    connection = model._get_connection().connection
    if connection._client is not client:
        connection._client = client


class AppTokensByOwnerIndex(GlobalSecondaryIndex):
    """The identity table's by-owner index, as health apps' tokens use it: their owner reads
    "app-authorization#<id>", so revoking an authorization finds and deletes its tokens in one
    Query, and nothing of a session's or a delivery's owners meets them."""

    class Meta:
        index_name = "by-owner-keys"
        projection = KeysOnlyProjection()

    owner = UnicodeAttribute(hash_key=True)
    created_key = UnicodeAttribute(range_key=True)


class AppTokenModel(Model):
    """The short-lived records of the authorization server (data/apps.py) in the identity table:
    "oauth-request#<id>" (a pending authorization request, while the patient decides),
    "oauth-code#<sha256>" (an authorization code), "app-token#<sha256>" (an access token),
    "app-refresh#<sha256>" (a refresh token). Codes and tokens are stored only as a SHA-256 of
    the secret handed out. ``payload`` holds the few fields each kind needs (ids, scope, PKCE
    challenge: never PHI). ``expires_at`` is checked on every read; ``expires_ttl`` collects."""

    class Meta:
        table_name = "identity"

    pk = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(null=False)
    owner = UnicodeAttribute(null=True)  # "app-authorization#<id>" on codes and tokens once issued
    created_key = UnicodeAttribute(null=True)  # "<created ISO>#<pk>"
    payload = JSONAttribute(null=False)
    marked = UnicodeAttribute(null=True)  # a code once exchanged: the authorization it issued under
    created_at = UTCDateTimeAttribute(null=False)
    expires_at = NumberAttribute(null=False)  # epoch seconds
    expires_ttl = NumberAttribute(null=False)
    by_owner = AppTokensByOwnerIndex()


class AppAuthorizationModel(Model):
    """A patient's consent for one app (apps.domain.AppAuthorization) in the records table, under
    "apps#<patient_id>" / "authorization#<id>"; and a pointer to it under
    "app-authorizations#<client_id>" / "<authorization id>" (``pointer``: only the ids), so that
    disabling an app finds every authorization it holds in one Query."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)
    record_key = UnicodeAttribute(range_key=True)
    subject_patient_id = UnicodeAttribute(null=False)
    authorization_id = UnicodeAttribute(null=False)
    client_id = UnicodeAttribute(null=False)
    pointer = BooleanAttribute(null=True)
    organization_id = UnicodeAttribute(null=True)
    account_id = UnicodeAttribute(null=True)
    resource_types = UnicodeSetAttribute(null=True)
    scope = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    offline = BooleanAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    proxy_grant_id = UnicodeAttribute(null=True)
    last_used_at = UTCDateTimeAttribute(null=True)
    app_name = UnicodeAttribute(null=True)
    version = VersionAttribute()


class AppClientModel(Model):
    """A health app an organization's admin registered (apps.domain.AppClient), in the
    organizations table under "app#<client_id>"; the organization's list of its apps under
    "apps#<organization_id>" (``client_ids``)."""

    class Meta:
        table_name = "organizations"

    organization_id = UnicodeAttribute(hash_key=True)
    owner_organization_id = UnicodeAttribute(null=True)
    client_ids = UnicodeSetAttribute(null=True)
    name = UnicodeAttribute(null=True)
    description = UnicodeAttribute(null=True)
    redirect_uris = JSONAttribute(null=True)  # ordered: the first is the default
    kind = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    logo_url = UnicodeAttribute(null=True)
    privacy_policy_url = UnicodeAttribute(null=True)
    secret_hash = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()


class RecordExportModel(Model):
    """A patient's record export (apps/export), under "exports#<patient_id>": "export#<id>" the
    export itself (ids sort by time), "building#<account_id>" the marker of the one building export
    an account may have for the patient."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "exports#<patient_id>"
    record_key = UnicodeAttribute(range_key=True)  # "export#<export_id>" or "building#<account_id>"
    version = VersionAttribute()
    export_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    requested_by = UnicodeAttribute(null=False)
    requested_at = UTCDateTimeAttribute(null=False)
    stale_after = UTCDateTimeAttribute(null=True)  # the marker: a new ask may replace it from then on
    requester_role = UnicodeAttribute(null=True)
    requester_organization_id = UnicodeAttribute(null=True)
    requester_patient_id = UnicodeAttribute(null=True)
    grant_id = UnicodeAttribute(null=True)
    areas = UnicodeSetAttribute(null=True)
    status = UnicodeAttribute(null=True)
    ready_at = UTCDateTimeAttribute(null=True)
    failed_at = UTCDateTimeAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    files = JSONAttribute(null=True)  # [{"kind", "object_key", "size"}]


class HealthLinkModel(Model):
    """A SMART Health Link (data/health_links.py) under "health-links#<patient_id>", "link#<link_id>"
    (the patient's list: one Query), and its pointer under "health-link#<manifest_id>", "link" (what
    the public manifest request finds it by: the manifest id is all a viewer has). Both written in
    one transaction with the creation's audit event; the link changed on condition of its version."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "health-links#<patient_id>" or "health-link#<manifest_id>"
    record_key = UnicodeAttribute(range_key=True)  # "link#<link_id>", or "link" for the pointer
    link_id = UnicodeAttribute(null=False)
    subject_patient_id = UnicodeAttribute(null=False)
    version = NumberAttribute(null=False)
    organization_id = UnicodeAttribute(null=True)  # the link's fields: on the link item only
    manifest_id = UnicodeAttribute(null=True)
    label = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)
    proxy_grant_id = UnicodeAttribute(null=True)
    key_ciphertext = BinaryAttribute(null=True, legacy_encoding=False)
    object_key = UnicodeAttribute(null=True)
    object_version = UnicodeAttribute(null=True)
    size = NumberAttribute(null=True)
    passcode_hash = UnicodeAttribute(null=True)
    wrong_passcodes = NumberAttribute(null=True)
    locked_at = UTCDateTimeAttribute(null=True)
    revoked_at = UTCDateTimeAttribute(null=True)
    uses = JSONAttribute(null=True)  # the newest uses: [{at, recipient, outcome}]
    use_count = NumberAttribute(null=True)
