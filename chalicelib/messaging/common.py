"""What both sides of secure messaging share: the ports its services are handed, the answers for
a conversation or team not found or closed, how a thread and its messages are shown (to the
patient, a care-team message is the team's), the audit of a thread's reads and changes and of
one refused as unknown, the patient a message is about (with their organization's time zone,
which the reply clock counts in), and the small retry of a change that lost a race. One place,
so the patient's and the care teams' sides show and audit a thread alike.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from chalicelib.access.acting import ActedBy
from chalicelib.access.domain import PatientScope
from chalicelib.access.service import AccessPorts
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import AuditPorts, scope_actor, write_audit
from chalicelib.careteams.domain import CareTeam
from chalicelib.careteams.stores import CareTeams
from chalicelib.errors import Conflict, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.domain import SentMessage, Side, StoredAttachment, Thread, urgent_notice
from chalicelib.messaging.stores import AttachmentFiles, Messages, PatientsOfAPage
from chalicelib.outbound.producer import OutboundPorts
from chalicelib.patients.domain import Patient
from chalicelib.release import outbox

NO_THREAD = "No such conversation."
NO_TEAM = "No such care team."
CLOSED = "This conversation is closed. Start a new message."
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


def patient_name(patient: Patient | None) -> str:
    if patient is None:
        return ""
    return patient.shown_name


def author_name(patient: Patient | None, by: ActedBy | None) -> str:
    """A patient-side message's author as both sides see it: the patient, or the proxy who
    wrote for them ("Luis Rivera (parent) for Emma Rivera"), never passed off as the patient."""
    return by.for_patient(patient_name(patient)) if by else patient_name(patient)


def attachment_json(attachment: StoredAttachment) -> dict[str, Any]:
    return {
        "attachment_id": attachment.attachment_id,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "size_bytes": attachment.size_bytes,
        "status": attachment.state.value,
    }


def message_json(thread: Thread, message: SentMessage, reader: Side, reader_id: str = "") -> dict[str, Any]:
    """``reader_id``: the reading account, so that the one who wrote a message (the patient, or
    a proxy acting for them) sees it as theirs."""
    return {
        "message_id": message.message_id,
        "from": message.side.value,
        "author": _author(thread, message, reader),
        "sent_by": message.acted_by.as_json() if message.acted_by else None,
        "yours": bool(reader_id) and message.author_id == reader_id,
        "body": message.body,
        "sent_at": iso(message.sent_at),
        "attachments": [attachment_json(a) for a in message.attachments],
        "read": thread.read_by(reader, message),
    }


def _author(thread: Thread, message: SentMessage, reader: Side) -> str:
    """Who wrote, as the reader is shown it. Patients see a care-team message as the team's: staff
    accounts carry only their sign-in user name, which is half of a colleague's credentials."""
    if reader is Side.PATIENT and message.side is Side.CARE_TEAM:
        return thread.team_name
    return message.author


def summary(thread: Thread, reader: Side) -> dict[str, Any]:
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


def notice_text(thread: Thread, team: CareTeam | None) -> str | None:
    return urgent_notice(team.phone if team else "") if thread.urgent else None


def find_team(ports: MessagingPorts, organization_id: str, team_id: str) -> CareTeam | None:
    teams, _ = ports.care_teams.teams_of(organization_id)
    return next((t for t in teams if t.team_id == team_id), None)


def audit_thread(
    ports: MessagingPorts,
    origin: Origin,
    caller: Caller,
    event: str,
    action: Action,
    thread: Thread,
    scope: PatientScope | None = None,
    **kw: Any,
) -> None:
    """A read or change of a thread, on the trail with the patient it concerns (and, read within
    a patient's scope, the proxy grant the caller acts under)."""
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        event,
        action=action,
        patient_id=thread.patient_id,
        resource_type="Communication",
        resource_id=thread.thread_id,
        **kw,
    )


def audit_denied(
    ports: MessagingPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    reason: str,
    scope: PatientScope | None = None,
) -> None:
    """A conversation asked for and refused as unknown: on the trail, with the caller's own patient
    when it is a patient asking (staff get no patient: the thread may be another organization's)."""
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "messages.read",
        Outcome.DENIED,
        action=Action.READ,
        patient_id=patient_id,
        resource_type="Communication",
        reason=reason,
    )


def retrying(change: Callable[[], _T], attempts: int = 3) -> _T:
    """A small change (read state, a flag) made again on a fresh read when another one won the
    race: the caller meant it whatever the other change was."""
    for attempt in range(attempts):
        try:
            return change()
        except Conflict:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def patient_and_zone(ports: MessagingPorts, patient_id: str, known: Patient | None = None) -> tuple[Patient, str]:
    patient = known or ports.patients.get(patient_id)
    if patient is None:  # the record went (merged away) after the check: as for any unknown patient
        raise NotFound("No such patient.")
    organization = ports.directory.organization(patient.organization_id)
    return patient, (organization.time_zone if organization and organization.time_zone else "UTC")
