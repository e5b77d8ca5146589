"""Sending a message, from either side: the message kept in one write with its emails, its
Communication and its audit event, then handed to their queues; and the notices that tell the
other side (or the patient, of a thread marked urgent) that a message waits.

What leaves with a message, in the one transaction that keeps it (data/messages.py): its FHIR
Communication for the clinical systems (outbound), and the email that tells the other side a
message is waiting (the notices' outbox). Both are sent at once when their queue takes them,
else by the scheduled drain: nothing is lost, and nothing is sent about a message not kept.
The email never says what was written, by whom, or to which team.

A side is emailed when the other side's message is the first it has not read in the thread:
a conversation of five quick messages is one email, not five.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.access.domain import Area, PatientScope
from chalicelib.accounts.domain import AccountStatus
from chalicelib.audit.domain import Action, AuditEvent
from chalicelib.audit.trail import audit_event, scope_actor
from chalicelib.careteams.domain import CareTeam
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.common import MessagingPorts
from chalicelib.messaging.domain import SentMessage, Side, Thread
from chalicelib.notifications.deliveries import about_account, about_patient
from chalicelib.notifications.proxy_notices import NewItem, proxy_notices
from chalicelib.notifications.sealing import seal
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import MESSAGE, OutboundEvent
from chalicelib.patients.domain import Patient, PortalStatus
from chalicelib.records.outbox import OutboxEntry
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry

# Team members emailed about one message at most (the transaction that keeps the message holds
# every email: DynamoDB takes 100 items in one).
MAX_EMAILED_MEMBERS = 80


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


def staff_emails(ports: MessagingPorts, team: CareTeam | None, thread: Thread, now: datetime) -> list[OutboxEntry]:
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


def patient_notice(patient: Patient, thread: Thread, now: datetime) -> list[OutboxEntry]:
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


def proxy_message_notices(
    ports: MessagingPorts, patient: Patient, sent_at: datetime, now: datetime
) -> list[OutboxEntry]:
    """The people acting for the patient whose access covers messages and shows one sent then."""
    if patient.deceased:
        return []
    return [
        notice_entry(notice, now, about_patient(patient.patient_id))
        for notice in proxy_notices(ports, patient.patient_id, Area.MESSAGES, [NewItem(sent_at)], now)
    ]


def urgent_marked_notice(patient: Patient | None, thread: Thread, now: datetime) -> list[OutboxEntry]:
    if patient is None or patient.portal_status is not PortalStatus.ACTIVE or not patient.account_id:
        return []
    notice = {
        "notification_id": f"message-{thread.thread_id}-urgent-{int(now.timestamp())}",
        "template": "new_message",
        "account_id": patient.account_id,
    }
    return [notice_entry(notice, now, about_patient(patient.patient_id))]


def send(
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
    hand_over(ports, emails, event, now)


def hand_over(ports: MessagingPorts, emails: list[OutboxEntry], event: OutboundEvent | None, now: datetime) -> None:
    """Send what a kept write queued; what fails waits in its outbox for the scheduled drain, so
    no failure here may fail the request."""
    try:
        for entry in emails:
            outbox.send_now(ports, entry, now)
        if event is not None:
            producer.send_now(ports, event)
    except Exception:  # kept and queued in the write before: the drains send it
        logger.warning("a message's emails or event were left for the drains")


def sent_event(
    ports: MessagingPorts,
    origin: Origin,
    caller: Caller,
    thread: Thread,
    reason: str = "",
    scope: PatientScope | None = None,
) -> AuditEvent:
    return audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "messages.sent",
        action=Action.CREATE,
        patient_id=thread.patient_id,
        resource_type="Communication",
        resource_id=thread.thread_id,
        reason=reason,
    )
