"""The patient's side of secure messaging: starting a conversation with one of their care teams,
replying, reading their threads and messages (each read audited), marking a thread read,
downloading a thread's attachments, and their count of unread care-team messages. Every call
goes through the one access check on the patient's own records.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from chalicelib.access.acting import acted_by
from chalicelib.access.domain import Area, PatientScope, Standing
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.careteams.domain import CareTeam
from chalicelib.errors import Conflict, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.attachments import download, free_attachments
from chalicelib.messaging.common import (
    CLOSED,
    NO_TEAM,
    NO_THREAD,
    MessagingPorts,
    audit_denied,
    audit_thread,
    author_name,
    find_team,
    message_json,
    notice_text,
    patient_and_zone,
    retrying,
    summary,
)
from chalicelib.messaging.contract import NewReply, NewThread
from chalicelib.messaging.domain import SentMessage, Side, Status, Thread, after_message, sending_moment
from chalicelib.messaging.sending import send, sent_event, staff_emails
from chalicelib.messaging.visible import message_view

TEAM_NOT_TAKING = "This care team is not taking messages now. Please call them, or write to another team."


def start_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, request: NewThread, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES, acts=True)
    patient, zone = patient_and_zone(ports, scope.patient_id)
    # Only a team of the organization holding this record, open to patients: any other is
    # answered as one that does not exist (a team id says nothing of another organization).
    team = find_team(ports, patient.organization_id, request.team_id)
    if team is None or not team.open_to_patients:
        raise NotFound(NO_TEAM)
    attachments = free_attachments(ports, scope.patient_id, request.attachment_ids, now)
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
    by = acted_by(ports.proxy_grants, scope)
    message = SentMessage(
        message_id,
        thread_id,
        Side.PATIENT,
        caller.account_id,
        author_name(patient, by),
        request.body,
        now,
        attachments,
        acted_by=by,
    )
    thread = dataclasses.replace(after_message(blank, Side.PATIENT, now, zone), last_message_id=message_id)
    emails = staff_emails(ports, team, blank, now)
    send(
        ports,
        patient,
        blank,
        thread,
        message,
        emails,
        now,
        sent_event(ports, origin, caller, thread, "new_thread", scope),
    )
    return _patient_view(thread, [message], team, caller)


def patient_reply(
    ports: MessagingPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    thread_id: str,
    request: NewReply,
    now: datetime,
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES, acts=True)
    thread = _patient_thread(ports, caller, origin, scope, thread_id)
    if thread.status is Status.CLOSED:
        raise Conflict(CLOSED)
    # A team made inactive or not taking messages has nobody reading its inbox: a reply there
    # would wait unanswered, so the patient is told to reach the team another way.
    team = find_team(ports, thread.organization_id, thread.team_id)
    if team is None or not team.open_to_patients:
        raise Conflict(TEAM_NOT_TAKING)
    patient, zone = patient_and_zone(ports, scope.patient_id)
    attachments = free_attachments(ports, scope.patient_id, request.attachment_ids, now)
    at = sending_moment(thread, now)
    by = acted_by(ports.proxy_grants, scope)
    message = SentMessage(
        new_id(),
        thread.thread_id,
        Side.PATIENT,
        caller.account_id,
        author_name(patient, by),
        request.body,
        at,
        attachments,
        acted_by=by,
    )
    after = dataclasses.replace(after_message(thread, Side.PATIENT, at, zone), last_message_id=message.message_id)
    emails = staff_emails(ports, team, thread, now)
    send(ports, patient, thread, after, message, emails, now, sent_event(ports, origin, caller, thread, scope=scope))
    return message_json(after, message, Side.PATIENT, caller.account_id)


def _patient_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, scope: PatientScope, thread_id: str
) -> Thread:
    """The thread as stored (what a change saves), when the scope shows it."""
    return _shown_thread(ports, caller, origin, scope, thread_id)[0]


def _shown_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, scope: PatientScope, thread_id: str
) -> tuple[Thread, Thread, list[SentMessage] | None]:
    """The thread as stored and as the scope shows it (a thread none of whose messages it shows
    is answered as one that does not exist), with its shown messages when they had to be read."""
    patient_id = scope.patient_id
    thread = ports.messages.thread(patient_id, thread_id) if RECORD_ID.fullmatch(thread_id) else None
    shown = message_view(ports, scope).thread(ports.messages, thread) if thread is not None else None
    if thread is None or shown is None:
        audit_denied(ports, caller, origin, patient_id, "not_found", scope)
        raise NotFound(NO_THREAD)
    return thread, *shown


def _patient_view(thread: Thread, messages: list[SentMessage], team: CareTeam | None, caller: Caller) -> dict[str, Any]:
    return {
        **summary(thread, Side.PATIENT),
        "messages": [message_json(thread, m, Side.PATIENT, caller.account_id) for m in messages],
        "urgent_notice": notice_text(thread, team),
        "care_team_phone": (team.phone or None) if team else None,
    }


def patient_threads(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, limit: int, cursor: str, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES)
    page, next_cursor = ports.messages.page(scope.patient_id, limit, cursor)
    view = message_view(ports, scope)
    threads = [shown[0] for shown in (view.thread(ports.messages, t) for t in page) if shown is not None]
    unread = view.unread(ports.messages, scope.patient_id)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "messages.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Communication",
        reason=f"count:{len(threads)}",
    )
    return {
        "threads": [summary(t, Side.PATIENT) for t in threads],
        "next_cursor": next_cursor or None,
        "unread_count": unread,
    }


def patient_thread(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES)
    _, thread, shown = _shown_thread(ports, caller, origin, scope, thread_id)
    messages = shown if shown is not None else ports.messages.messages(thread)
    audit_thread(ports, origin, caller, "messages.read", Action.READ, thread, scope)
    return _patient_view(thread, messages, find_team(ports, thread.organization_id, thread.team_id), caller)


def patient_read(ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str) -> None:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES)
    if scope.standing is Standing.PROXY:
        # The unread count and read mark are the patient's own: someone acting for them reading a
        # thread must not make a message the patient never saw look read to them.
        _shown_thread(ports, caller, origin, scope, thread_id)  # still 404 for a thread not shown
        return

    def mark() -> None:
        thread, shown, _ = _shown_thread(ports, caller, origin, scope, thread_id)
        # Read through what the caller was shown: a proxy under a cutoff never marks read a
        # message their access hides (the patient still sees it unread).
        through = shown.last_message_at
        left = thread.unread_by_patient - shown.unread_by_patient
        if thread.unread_by_patient != left or (thread.patient_read_through or through) < through:
            ports.messages.save(dataclasses.replace(thread, unread_by_patient=left, patient_read_through=through))
        elif thread.patient_read_through is None and not left:
            ports.messages.save(dataclasses.replace(thread, patient_read_through=through))

    retrying(mark)


def patient_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, thread_id: str, attachment_id: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES)
    thread, _, shown = _shown_thread(ports, caller, origin, scope, thread_id)
    return download(ports, caller, origin, thread, attachment_id, scope, shown)
