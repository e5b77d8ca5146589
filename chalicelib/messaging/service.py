"""Secure messaging: patients write to their care teams and read the answers; staff work their
teams' inboxes.

What leaves with a message, in the one transaction that keeps it (data/messages.py): its FHIR
Communication for the clinical systems (outbound), and the email that tells the other side a
message is waiting (the notices' outbox). Both are sent at once when their queue takes them,
else by the scheduled drain: nothing is lost, and nothing is sent about a message not kept.
The email never says what was written, by whom, or to which team.

A side is emailed when the other side's message is the first it has not read in the thread:
a conversation of five quick messages is one email, not five.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.audit.domain import Action, AuditEvent, Outcome
from chalicelib.audit.trail import AuditPorts, audit_event, caller_actor, write_audit
from chalicelib.careteams.domain import CareTeam
from chalicelib.careteams.stores import CareTeams
from chalicelib.errors import Conflict, NotFound, Problems, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.contract import NewAttachment, NewReply, NewThread, StaffReply, StaffThreadsQuery
from chalicelib.messaging.domain import (
    CONTENT_TYPES,
    DOWNLOAD_SECONDS,
    MAX_BYTES,
    NOT_ALLOWED_TYPE,
    SEND_WITHIN,
    TOO_BIG,
    UPLOAD_SECONDS,
    AttachmentState,
    SentMessage,
    Side,
    Status,
    StoredAttachment,
    Thread,
    after_message,
    is_overdue,
    reply_due_by,
    sending_moment,
    urgent_notice,
)
from chalicelib.messaging.stores import AttachmentFiles, Messages, PatientsOfAPage
from chalicelib.notifications.deliveries import about_account, about_patient
from chalicelib.notifications.sealing import seal
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import MESSAGE, OutboundEvent
from chalicelib.outbound.producer import OutboundPorts
from chalicelib.patients.domain import Patient, PortalStatus
from chalicelib.records.outbox import OutboxEntry
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry

# The first bytes read to tell a file's type: the signatures of PDF, JPEG and PNG (and of what
# pretends to be one) sit in the first few; filetype looks at most this far.
SNIFF_BYTES = 8192
# Team members emailed about one message at most (the transaction that keeps the message holds
# every email: DynamoDB takes 100 items in one).
MAX_EMAILED_MEMBERS = 80

NO_THREAD = "No such conversation."
NO_TEAM = "No such care team."
NO_ATTACHMENT = "No such attachment."
CLOSED = "This conversation is closed. Start a new message."
TEAM_NOT_TAKING = "This care team is not taking messages now. Please call them, or write to another team."
_T = TypeVar("_T")


class MessagingPorts(AccessPorts, AuditPorts, outbox.OutboxPorts, OutboundPorts, Protocol):
    @property
    def messages(self) -> Messages: ...

    @property
    def attachment_files(self) -> AttachmentFiles: ...

    @property
    def care_teams(self) -> CareTeams: ...

    @property
    def patients(self) -> PatientsOfAPage: ...


# -- shaping ----------------------------------------------------------------------------------------


def _name(patient: Patient | None) -> str:
    if patient is None:
        return ""
    return " ".join([*patient.given_names, patient.family_name]).strip()


def _attachment_json(attachment: StoredAttachment) -> dict[str, Any]:
    return {
        "attachment_id": attachment.attachment_id,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "size_bytes": attachment.size_bytes,
        "status": attachment.state.value,
    }


def _message_json(thread: Thread, message: SentMessage, reader: Side) -> dict[str, Any]:
    return {
        "message_id": message.message_id,
        "from": message.side.value,
        "author": _author(thread, message, reader),
        "body": message.body,
        "sent_at": iso(message.sent_at),
        "attachments": [_attachment_json(a) for a in message.attachments],
        "read": thread.read_by(reader, message),
    }


def _author(thread: Thread, message: SentMessage, reader: Side) -> str:
    """Who wrote, as the reader is shown it. Patients see a care-team message as the team's: staff
    accounts carry only their sign-in user name, which is half of a colleague's credentials."""
    if reader is Side.PATIENT and message.side is Side.CARE_TEAM:
        return thread.team_name
    return message.author


def _summary(thread: Thread, reader: Side) -> dict[str, Any]:
    return {
        "thread_id": thread.thread_id,
        "subject": thread.subject,
        "care_team": {"team_id": thread.team_id, "name": thread.team_name},
        "status": thread.status.value,
        "urgent": thread.urgent,
        "last_message_at": iso(thread.last_message_at),
        "last_message_from": thread.last_message_from.value,
        "message_count": thread.message_count,
        "unread_count": thread.unread_for(reader),
    }


def _staff_summary(thread: Thread, patient: Patient | None, now: datetime) -> dict[str, Any]:
    return {
        **_summary(thread, Side.CARE_TEAM),
        "patient": {
            "patient_id": thread.patient_id,
            "name": _name(patient),
            "birth_date": (patient.birth_date or None) if patient else None,
        },
        "assigned_to": {"account_id": thread.assigned_to, "name": thread.assigned_name} if thread.assigned_to else None,
        "waiting_since": iso(thread.waiting_since) if thread.waiting_since else None,
        "reply_due_by": iso(thread.reply_due_by) if thread.reply_due_by else None,
        "overdue": thread.status is Status.OPEN and is_overdue(thread.reply_due_by, now),
    }


def _notice_text(thread: Thread, team: CareTeam | None) -> str | None:
    return urgent_notice(team.phone if team else "") if thread.urgent else None


def _team(ports: MessagingPorts, organization_id: str, team_id: str) -> CareTeam | None:
    teams, _ = ports.care_teams.teams_of(organization_id)
    return next((t for t in teams if t.team_id == team_id), None)


def _audit(
    ports: MessagingPorts, origin: Origin, caller: Caller, event: str, action: Action, thread: Thread, **kw: Any
) -> None:
    """A read or change of a thread, on the trail with the patient it concerns."""
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        event,
        action=action,
        patient_id=thread.patient_id,
        resource_type="Communication",
        resource_id=thread.thread_id,
        **kw,
    )


def _retrying(change: Callable[[], _T], attempts: int = 3) -> _T:
    """A small change (read state, a flag) made again on a fresh read when another one won the
    race: the caller meant it whatever the other change was."""
    for attempt in range(attempts):
        try:
            return change()
        except Conflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# -- attachments ------------------------------------------------------------------------------------


def start_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, request: NewAttachment, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    if request.size_bytes > MAX_BYTES:
        raise ValidationFailed(TOO_BIG + ".", [{"field": "size_bytes", "issue": TOO_BIG}])
    attachment_id = new_id()
    # The key is the server's: never the file's name, which is the patient's words.
    key = f"uploads/{scope.patient_id}/{attachment_id}"
    form = ports.attachment_files.presigned_post(key, request.content_type, MAX_BYTES, UPLOAD_SECONDS)
    attachment = StoredAttachment(
        attachment_id=attachment_id,
        patient_id=scope.patient_id,
        file_name=request.file_name,
        content_type=request.content_type,
        size_bytes=request.size_bytes,
        state=AttachmentState.WAITING_FOR_UPLOAD,
        object_key=key,
        created_at=now,
    )
    started = audit_event(
        ports,
        origin,
        caller_actor(caller),
        "messages.attachment_started",
        action=Action.CREATE,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=attachment_id,
    )
    ports.messages.add_attachment(attachment, started)
    return {
        **_attachment_json(attachment),
        "upload": {"url": str(form["url"]), "fields": {str(k): str(v) for k, v in dict(form["fields"]).items()}},
        "expires_at": iso(now + timedelta(seconds=UPLOAD_SECONDS)),
        "max_bytes": MAX_BYTES,
    }


def check_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, attachment_id: str, now: datetime
) -> dict[str, Any]:
    """Tell the uploaded file's type from its first bytes; a file that is too big, not a PDF, JPEG
    or PNG, or not the type declared is deleted and the attachment refused for good."""
    scope = patient_scope(ports, caller, origin, patient_id)
    attachment = (
        ports.messages.attachment(scope.patient_id, attachment_id) if RECORD_ID.fullmatch(attachment_id) else None
    )
    if attachment is None:
        raise NotFound(NO_ATTACHMENT)
    if attachment.state is AttachmentState.READY:
        return _attachment_json(attachment)
    if attachment.state is AttachmentState.REFUSED:
        raise ValidationFailed(NOT_ALLOWED_TYPE + ".", [{"field": "file", "issue": "refused: upload it again"}])
    head = ports.attachment_files.head_bytes(attachment.object_key, SNIFF_BYTES)
    if head is None:
        raise Conflict("The file has not been uploaded yet.")
    problem = ""
    if head.size > MAX_BYTES:
        problem = TOO_BIG
    elif _sniffed(head.first) != attachment.content_type:
        problem = NOT_ALLOWED_TYPE
    if problem:
        ports.attachment_files.delete(attachment.object_key)
        ports.messages.set_attachment(attachment, AttachmentState.REFUSED, attachment.object_key)
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "messages.attachment_refused",
            action=Action.UPDATE,
            patient_id=scope.patient_id,
            resource_type="DocumentReference",
            resource_id=attachment_id,
            reason="too_big" if problem == TOO_BIG else "type",
        )
        field = "size_bytes" if problem == TOO_BIG else "file"
        raise ValidationFailed(problem + ".", [{"field": field, "issue": problem}])
    # Copied out of uploads/ (which the lifecycle rule empties) before the record says ready; the
    # upload goes last, so a failure on the way leaves a file the next check can still read. The
    # copy is of the version just read: a file posted to the same key since is never kept.
    kept = f"attachments/{scope.patient_id}/{attachment_id}"
    ports.attachment_files.copy(
        head, attachment.object_key, kept, attachment.content_type, _disposition(attachment.file_name)
    )
    ports.messages.set_attachment(attachment, AttachmentState.READY, kept, head.size)
    ports.attachment_files.delete_quietly(attachment.object_key)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "messages.attachment_checked",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=attachment_id,
    )
    return _attachment_json(
        dataclasses.replace(attachment, state=AttachmentState.READY, object_key=kept, size_bytes=head.size)
    )


def _sniffed(first: bytes) -> str:
    """The type the bytes say, of those accepted; "" for anything else (an executable, a text)."""
    import filetype

    kind = filetype.guess(first) if first else None
    mime = kind.mime if kind else ""
    return mime if mime in CONTENT_TYPES else ""


def _free_attachments(
    ports: MessagingPorts, patient_id: str, ids: list[str], now: datetime
) -> tuple[StoredAttachment, ...]:
    """The attachments a message takes: the patient's own, ready, not sent with another message,
    and checked recently enough that the bucket still keeps the file (each named when not; the
    transaction checks again)."""
    problems = Problems()
    taken: list[StoredAttachment] = []
    for index, attachment_id in enumerate(ids):
        attachment = ports.messages.attachment(patient_id, attachment_id)
        if attachment is None or not attachment.usable or attachment_id in [a.attachment_id for a in taken]:
            problems.add(
                f"attachment_ids.{index}",
                "not a ready attachment of this patient, or already sent",
                "This attachment is not ready, or was already sent.",
            )
        elif attachment.created_at + SEND_WITHIN < now:
            problems.add(
                f"attachment_ids.{index}",
                "too old: attach the file again",
                "This file was attached too long ago. Attach it again.",
            )
        else:
            taken.append(attachment)
    problems.raise_if_any("Some attachments cannot be sent.")
    return tuple(taken)


# -- sending ----------------------------------------------------------------------------------------


def _communication(
    ports: MessagingPorts, patient: Patient, thread: Thread, message: SentMessage, now: datetime
) -> OutboundEvent:
    organization = ports.directory.organization(patient.organization_id)
    identifier = fhir.patient_identifier(patient.identifiers, organization.mrn_authority if organization else "")
    if message.side is Side.PATIENT:
        sender, recipients = identifier.reference(), [fhir.care_team(thread.team_id)]
    else:
        sender, recipients = fhir.staff_member(message.author_id), [identifier.reference()]
    resource = fhir.communication(
        message_id=message.message_id,
        patient=identifier,
        sender=sender,
        recipients=recipients,
        text=message.body,
        sent=message.sent_at,
        attachments=[a.attachment_id for a in message.attachments],
        in_response_to=thread.last_message_id if thread.message_count else "",
    )
    return producer.event(
        f"message-{message.message_id}", patient.patient_id, MESSAGE, resource, identifier.system, now
    )


def _staff_emails(ports: MessagingPorts, team: CareTeam | None, thread: Thread, now: datetime) -> list[OutboxEntry]:
    """The team's members told a patient message waits, when it is the first the team has not
    read in the thread. Each at their account's address; only the team's inbox in the link."""
    if team is None or thread.unread_by_team:
        return []
    entries = []
    for account_id in team.members[:MAX_EMAILED_MEMBERS]:
        account = ports.directory.account(account_id)
        if account is None or account.status is not AccountStatus.ACTIVE or not account.email:
            continue
        notification_id = f"message-{thread.thread_id}-{thread.message_count}-{account_id[:12]}"
        message = {
            "notification_id": notification_id,
            "template": "care_team_message_waiting",
            "to_address": account.email,
        }
        entries.append(
            OutboxEntry(
                "notice", notification_id, {**seal(ports.keys, message), "about": about_account(account_id)}, now
            )
        )
    return entries


def _patient_notice(patient: Patient, thread: Thread, now: datetime) -> list[OutboxEntry]:
    """The patient told a care-team message waits (in their portal inbox; emailed by their
    message-email preference), when it is the first they have not read in the thread."""
    if thread.unread_by_patient or patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id:
        return []
    notice = {
        "notification_id": f"message-{thread.thread_id}-{thread.message_count}",
        "template": "new_message",
        "account_id": patient.account_id,
    }
    return [notice_entry(notice, now, about_patient(patient.patient_id))]


def _send(
    ports: MessagingPorts,
    patient: Patient,
    before: Thread,
    after: Thread,
    message: SentMessage,
    emails: list[OutboxEntry],
    now: datetime,
    audited: AuditEvent,
) -> None:
    """Keep the message with its emails, its Communication and its audit event in one write, then
    hand the emails and the event to their queues. Nothing after the write may fail the request:
    a failed answer releases the Idempotency-Key, and the retry would send the message again.
    What is not handed over now waits in its outbox for the scheduled drain."""
    event = _communication(ports, patient, before, message, now)
    # Kept for good before the message is: a failure here keeps nothing (the request can be sent
    # again); a message not kept after it leaves a file kept, never a message without its file.
    for attachment in message.attachments:
        ports.attachment_files.mark_sent(attachment.object_key)
    ports.messages.send(after, message, emails, event, audited)
    _hand_over(ports, emails, event, now)


def _hand_over(ports: MessagingPorts, emails: list[OutboxEntry], event: OutboundEvent | None, now: datetime) -> None:
    """Send what a kept write queued; what fails waits in its outbox for the scheduled drain, so
    no failure here may fail the request."""
    try:
        for entry in emails:
            outbox.send_now(ports, entry, now)
        if event is not None:
            producer.send_now(ports, event)
    except Exception:  # kept and queued in the write before: the drains send it
        logger.warning("a message's emails or event were left for the drains")


def _sent_event(ports: MessagingPorts, origin: Origin, caller: Caller, thread: Thread, reason: str = "") -> AuditEvent:
    return audit_event(
        ports,
        origin,
        caller_actor(caller),
        "messages.sent",
        action=Action.CREATE,
        patient_id=thread.patient_id,
        resource_type="Communication",
        resource_id=thread.thread_id,
        reason=reason,
    )


def _patient_and_zone(ports: MessagingPorts, patient_id: str, known: Patient | None = None) -> tuple[Patient, str]:
    patient = known or ports.patients.get(patient_id)
    if patient is None:  # the record went (merged away) after the check: as for any unknown patient
        raise NotFound("No such patient.")
    organization = ports.directory.organization(patient.organization_id)
    return patient, (organization.time_zone if organization and organization.time_zone else "UTC")


def start_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, request: NewThread, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    patient, zone = _patient_and_zone(ports, scope.patient_id)
    # Only a team of the organization holding this record, open to patients: any other is
    # answered as one that does not exist (a team id says nothing of another organization).
    team = _team(ports, patient.organization_id, request.team_id)
    if team is None or not team.open_to_patients:
        raise NotFound(NO_TEAM)
    attachments = _free_attachments(ports, scope.patient_id, request.attachment_ids, now)
    thread_id, message_id = new_id(), new_id()
    blank = Thread(
        thread_id=thread_id,
        patient_id=scope.patient_id,
        organization_id=patient.organization_id,
        team_id=team.team_id,
        team_name=team.name,
        subject=request.subject,
        status=Status.OPEN,
        created_at=now,
        last_message_at=now,
        last_message_from=Side.PATIENT,
        message_count=0,
    )
    message = SentMessage(
        message_id, thread_id, Side.PATIENT, caller.account_id, _name(patient), request.body, now, attachments
    )
    thread = dataclasses.replace(after_message(blank, Side.PATIENT, now, zone), last_message_id=message_id)
    emails = _staff_emails(ports, team, blank, now)
    _send(ports, patient, blank, thread, message, emails, now, _sent_event(ports, origin, caller, thread, "new_thread"))
    return _patient_view(thread, [message], team)


def patient_reply(
    ports: MessagingPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    thread_id: str,
    request: NewReply,
    now: datetime,
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    thread = _patient_thread(ports, caller, origin, scope.patient_id, thread_id)
    if thread.status is Status.CLOSED:
        raise Conflict(CLOSED)
    # A team made inactive or not taking messages has nobody reading its inbox: a reply there
    # would wait unanswered, so the patient is told to reach the team another way.
    team = _team(ports, thread.organization_id, thread.team_id)
    if team is None or not team.open_to_patients:
        raise Conflict(TEAM_NOT_TAKING)
    patient, zone = _patient_and_zone(ports, scope.patient_id)
    attachments = _free_attachments(ports, scope.patient_id, request.attachment_ids, now)
    at = sending_moment(thread, now)
    message = SentMessage(
        new_id(), thread.thread_id, Side.PATIENT, caller.account_id, _name(patient), request.body, at, attachments
    )
    after = dataclasses.replace(after_message(thread, Side.PATIENT, at, zone), last_message_id=message.message_id)
    emails = _staff_emails(ports, team, thread, now)
    _send(ports, patient, thread, after, message, emails, now, _sent_event(ports, origin, caller, thread))
    return _message_json(after, message, Side.PATIENT)


# -- the patient's reading ----------------------------------------------------------------------------


def _patient_thread(ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str) -> Thread:
    thread = ports.messages.thread(patient_id, thread_id) if RECORD_ID.fullmatch(thread_id) else None
    if thread is None:
        _denied(ports, caller, origin, patient_id, "not_found")
        raise NotFound(NO_THREAD)
    return thread


def _patient_view(thread: Thread, messages: list[SentMessage], team: CareTeam | None) -> dict[str, Any]:
    return {
        **_summary(thread, Side.PATIENT),
        "messages": [_message_json(thread, m, Side.PATIENT) for m in messages],
        "urgent_notice": _notice_text(thread, team),
        "care_team_phone": (team.phone or None) if team else None,
    }


def patient_threads(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, limit: int, cursor: str, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    threads, next_cursor = ports.messages.page(scope.patient_id, limit, cursor)
    unread = ports.messages.unread_for_patients([scope.patient_id])
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "messages.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Communication",
        reason=f"count:{len(threads)}",
    )
    return {
        "threads": [_summary(t, Side.PATIENT) for t in threads],
        "next_cursor": next_cursor or None,
        "unread_count": unread,
    }


def patient_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    thread = _patient_thread(ports, caller, origin, scope.patient_id, thread_id)
    messages = ports.messages.messages(thread)
    _audit(ports, origin, caller, "messages.read", Action.READ, thread)
    return _patient_view(thread, messages, _team(ports, thread.organization_id, thread.team_id))


def patient_read(ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str) -> None:
    scope = patient_scope(ports, caller, origin, patient_id)

    def mark() -> None:
        thread = _patient_thread(ports, caller, origin, scope.patient_id, thread_id)
        if thread.unread_by_patient or thread.patient_read_through != thread.last_message_at:
            ports.messages.save(
                dataclasses.replace(thread, unread_by_patient=0, patient_read_through=thread.last_message_at)
            )

    _retrying(mark)


def patient_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str, attachment_id: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    thread = _patient_thread(ports, caller, origin, scope.patient_id, thread_id)
    return _download(ports, caller, origin, thread, attachment_id)


def _download(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread: Thread, attachment_id: str
) -> dict[str, Any]:
    found = next(
        (a for m in ports.messages.messages(thread) for a in m.attachments if a.attachment_id == attachment_id), None
    )
    if found is None:
        raise NotFound(NO_ATTACHMENT)
    # A bare link: the stored object carries its type and download name (copy() in the check),
    # so the file's name is in no URL, access log or browser history.
    url = ports.attachment_files.presigned_get(found.object_key, DOWNLOAD_SECONDS)
    _audit(ports, origin, caller, "messages.attachment_read", Action.READ, thread, reason=f"attachment:{attachment_id}")
    return {"url": url, "file_name": found.file_name, "content_type": found.content_type}


def _disposition(file_name: str) -> str:
    """Saved under its name: RFC 6266's encoded form for any character, a plain ASCII fallback."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


# -- the care teams' side -----------------------------------------------------------------------------


def _caller_teams(ports: MessagingPorts, caller: Caller) -> list[CareTeam]:
    """The teams whose inbox the caller works: those they are a member of; an admin, every one."""
    teams, _ = ports.care_teams.teams_of(caller.organization_id)
    if caller.role == Role.ADMIN.value:
        return teams
    return [t for t in teams if caller.account_id in t.members]


def _staff_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str
) -> tuple[Thread, CareTeam, Patient | None]:
    """A thread of a team the caller works, and its patient, through the one access check on the
    thread's patient; any other (another organization's, another team's) is answered, and
    audited, as one that does not exist."""
    thread = ports.messages.thread_by_id(thread_id) if RECORD_ID.fullmatch(thread_id) else None
    if thread is None or thread.organization_id != caller.organization_id:
        _denied(ports, caller, origin, "", "not_found_or_other_organization")
        raise NotFound(NO_THREAD)
    try:
        scope = patient_scope(ports, caller, origin, thread.patient_id)
    except NotFound:
        raise NotFound(NO_THREAD) from None
    team = next((t for t in _caller_teams(ports, caller) if t.team_id == thread.team_id), None)
    if team is None:
        _denied(ports, caller, origin, "", "not_a_team_of_the_caller")
        raise NotFound(NO_THREAD)
    patient = scope.record if isinstance(scope.record, Patient) else ports.patients.get(thread.patient_id)
    return thread, team, patient


def _denied(ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, reason: str) -> None:
    """A conversation asked for and refused as unknown: on the trail, with the caller's own patient
    when it is a patient asking (staff get no patient: the thread may be another organization's)."""
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "messages.read",
        Outcome.DENIED,
        action=Action.READ,
        patient_id=patient_id,
        resource_type="Communication",
        reason=reason,
    )


def _staff_view(
    ports: MessagingPorts,
    thread: Thread,
    team: CareTeam | None,
    patient: Patient | None,
    now: datetime,
) -> dict[str, Any]:
    messages = ports.messages.messages(thread)
    return {
        **_staff_summary(thread, patient, now),
        "messages": [_message_json(thread, m, Side.CARE_TEAM) for m in messages],
        "urgent_notice": _notice_text(thread, team),
        "urgent_marked_by": thread.urgent_marked_by or None if thread.urgent else None,
        "urgent_marked_at": iso(thread.urgent_marked_at) if thread.urgent and thread.urgent_marked_at else None,
    }


def team_inboxes(ports: MessagingPorts, caller: Caller, origin: Origin, now: datetime) -> dict[str, Any]:
    """Each team's counts: the running open and unread counts of all of them in one read, and one
    COUNT Query per team of its open threads past their due moment."""
    teams = sorted(_caller_teams(ports, caller), key=lambda t: (t.name.casefold(), t.created_at))
    counts = ports.messages.team_counts([t.team_id for t in teams])
    return {
        "teams": [
            {
                "team_id": t.team_id,
                "name": t.name,
                "open_count": counts[t.team_id][0],
                "unread_count": counts[t.team_id][1],
                "overdue_count": ports.messages.overdue(t.team_id, now),
            }
            for t in teams
        ]
    }


def staff_threads(
    ports: MessagingPorts, caller: Caller, origin: Origin, query: StaffThreadsQuery, now: datetime
) -> dict[str, Any]:
    teams = _caller_teams(ports, caller)
    if query.team_id is not None:
        if query.team_id not in [t.team_id for t in teams]:
            raise NotFound(NO_TEAM)
        team_ids = [query.team_id]
    else:
        team_ids = [t.team_id for t in teams]  # an admin's: every team of the organization
    assigned = {"me": caller.account_id, "unassigned": "", "anyone": None}[query.assigned]
    threads, next_cursor = ports.messages.inbox(team_ids, Status(query.status), assigned, query.limit, query.cursor)
    patients = ports.patients.many([t.patient_id for t in threads])
    # The list shows each patient's name, birth date and subjects: a read of each one's record,
    # on the trail each patient reads of who looked: one event per patient shown, in one write.
    shown: dict[str, int] = {}
    for thread in threads:
        shown[thread.patient_id] = shown.get(thread.patient_id, 0) + 1
    ports.messages.record(
        [
            audit_event(
                ports,
                origin,
                caller_actor(caller),
                "messages.inbox_read",
                action=Action.READ,
                patient_id=patient_id,
                resource_type="Communication",
                reason=f"count:{count}",
            )
            for patient_id, count in shown.items()
        ]
    )
    return {
        "threads": [_staff_summary(t, patients.get(t.patient_id), now) for t in threads],
        "next_cursor": next_cursor or None,
    }


def staff_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, now: datetime
) -> dict[str, Any]:
    thread, team, patient = _staff_thread(ports, caller, origin, thread_id)
    _audit(ports, origin, caller, "messages.read", Action.READ, thread)
    return _staff_view(ports, thread, team, patient, now)


def staff_read(ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str) -> None:
    def mark() -> None:
        thread, _, _ = _staff_thread(ports, caller, origin, thread_id)
        if thread.unread_by_team or thread.team_read_through != thread.last_message_at:
            ports.messages.save(dataclasses.replace(thread, unread_by_team=0, team_read_through=thread.last_message_at))

    _retrying(mark)


def staff_reply(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, request: StaffReply, now: datetime
) -> dict[str, Any]:
    thread, team, patient = _staff_thread(ports, caller, origin, thread_id)
    if thread.status is Status.CLOSED:
        raise Conflict(CLOSED)
    patient, zone = _patient_and_zone(ports, thread.patient_id, patient)
    account = ports.directory.account(caller.account_id)
    author = f"{_staff_name(account)}, {thread.team_name}"
    at = sending_moment(thread, now)
    message = SentMessage(new_id(), thread.thread_id, Side.CARE_TEAM, caller.account_id, author, request.body, at)
    after = dataclasses.replace(
        after_message(thread, Side.CARE_TEAM, at, zone, Status(request.status_after)),
        last_message_id=message.message_id,
    )
    audited = _sent_event(ports, origin, caller, thread, f"status:{request.status_after}")
    _send(ports, patient, thread, after, message, _patient_notice(patient, thread, now), now, audited)
    return _message_json(after, message, Side.CARE_TEAM)


def _staff_name(account: Account | None) -> str:
    # Staff accounts carry a user name only; it is what colleagues and patients know them by here.
    return account.username if account else "Care team"


def assign(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, account_id: str | None, now: datetime
) -> dict[str, Any]:
    def change() -> dict[str, Any]:
        thread, team, patient = _staff_thread(ports, caller, origin, thread_id)
        name = ""
        if account_id is not None:
            account = ports.directory.account(account_id)
            fits = (
                account is not None
                and account.organization_id == caller.organization_id
                and account.status is AccountStatus.ACTIVE
                and (
                    account.role is Role.ADMIN
                    or (account.role is Role.STAFF and team is not None and account_id in team.members)
                )
            )
            if not fits:
                raise ValidationFailed(
                    "Assign the conversation to a member of its care team or an admin.",
                    [{"field": "account_id", "issue": "not a member of the care team or an admin"}],
                )
            name = _staff_name(account)
        saved = ports.messages.save(dataclasses.replace(thread, assigned_to=account_id or "", assigned_name=name))
        _audit(
            ports,
            origin,
            caller,
            "messages.assigned",
            Action.UPDATE,
            saved,
            reason="assigned" if account_id else "unassigned",
        )
        return _staff_view(ports, saved, team, patient, now)

    return _retrying(change)


def change_status(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, status: str, now: datetime
) -> dict[str, Any]:
    def change() -> dict[str, Any]:
        thread, team, patient = _staff_thread(ports, caller, origin, thread_id)
        changed = dataclasses.replace(thread, status=Status(status))
        if thread.status is Status.CLOSED and changed.status is Status.OPEN:
            # Opened again: the reply clock starts now if the patient's message is the last one
            # (a clock kept from before it was closed would make it overdue at once), else none runs.
            waiting = thread.last_message_from is Side.PATIENT
            _, zone = _patient_and_zone(ports, thread.patient_id, patient)
            changed = dataclasses.replace(
                changed,
                waiting_since=now if waiting else None,
                reply_due_by=reply_due_by(now, zone) if waiting else None,
            )
        saved = ports.messages.save(changed)
        _audit(ports, origin, caller, "messages.status_changed", Action.UPDATE, saved, reason=status)
        return _staff_view(ports, saved, team, patient, now)

    return _retrying(change)


def mark_urgent(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, urgent: bool, now: datetime
) -> dict[str, Any]:
    """Marked urgent, the patient must see the notice soon: it counts as an unread message in the
    thread, and the PHI-free "new message" notice is queued in the same write (emailed by their
    message-email preference), whatever they have read."""

    def change() -> tuple[Thread, CareTeam, Patient | None, list[OutboxEntry]]:
        thread, team, patient = _staff_thread(ports, caller, origin, thread_id)
        newly = urgent and not thread.urgent
        marked = dataclasses.replace(
            thread,
            urgent=urgent,
            urgent_marked_by=_staff_name(ports.directory.account(caller.account_id)) if urgent else "",
            urgent_marked_at=now if urgent else None,
            unread_by_patient=thread.unread_by_patient + 1 if newly else thread.unread_by_patient,
        )
        notices = _urgent_notice(patient, thread, now) if newly else []
        saved = ports.messages.save(marked, notices)
        event = "messages.urgent_marked" if urgent else "messages.urgent_cleared"
        _audit(ports, origin, caller, event, Action.UPDATE, saved)
        return saved, team, patient, notices

    saved, team, patient, notices = _retrying(change)
    _hand_over(ports, notices, None, now)
    return _staff_view(ports, saved, team, patient, now)


def _urgent_notice(patient: Patient | None, thread: Thread, now: datetime) -> list[OutboxEntry]:
    if patient is None or patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id:
        return []
    notice = {
        "notification_id": f"message-{thread.thread_id}-urgent-{int(now.timestamp())}",
        "template": "new_message",
        "account_id": patient.account_id,
    }
    return [notice_entry(notice, now, about_patient(patient.patient_id))]


def staff_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, attachment_id: str
) -> dict[str, Any]:
    thread, _, _ = _staff_thread(ports, caller, origin, thread_id)
    return _download(ports, caller, origin, thread, attachment_id)


def unread_for(ports: MessagingPorts, patient_id: str) -> int:
    """The patient's unread care-team messages (GET /v1/me)."""
    return ports.messages.unread_for_patients([patient_id])
