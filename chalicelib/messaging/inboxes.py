"""The care teams' side of secure messaging: the inboxes of the teams a staff member works (an
admin, every team's), their open, unread and overdue counts, the threads listed and read (each
patient shown audited), and the work on a thread: replying, assigning, opening and closing,
and marking it urgent. A thread of another team or organization is answered as unknown.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, caller_actor
from chalicelib.careteams.domain import CareTeam
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.attachments import download
from chalicelib.messaging.common import (
    CLOSED,
    NO_TEAM,
    NO_THREAD,
    MessagingPorts,
    audit_denied,
    audit_thread,
    message_json,
    notice_text,
    patient_and_zone,
    patient_name,
    retrying,
    summary,
)
from chalicelib.messaging.contract import StaffReply, StaffThreadsQuery
from chalicelib.messaging.domain import (
    SentMessage,
    Side,
    Status,
    Thread,
    after_message,
    is_overdue,
    reply_due_by,
    sending_moment,
)
from chalicelib.messaging.sending import (
    hand_over,
    patient_notice,
    proxy_message_notices,
    send,
    sent_event,
    urgent_marked_notice,
)
from chalicelib.patients.domain import Patient
from chalicelib.records.outbox import OutboxEntry


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
        audit_denied(ports, caller, origin, "", "not_found_or_other_organization")
        raise NotFound(NO_THREAD)
    try:
        scope = patient_scope(ports, caller, origin, thread.patient_id, area=Area.MESSAGES)
    except NotFound:
        raise NotFound(NO_THREAD) from None
    team = next((t for t in _caller_teams(ports, caller) if t.team_id == thread.team_id), None)
    if team is None:
        audit_denied(ports, caller, origin, "", "not_a_team_of_the_caller")
        raise NotFound(NO_THREAD)
    patient = scope.record if isinstance(scope.record, Patient) else ports.patients.get(thread.patient_id)
    return thread, team, patient


def _staff_summary(thread: Thread, patient: Patient | None, now: datetime) -> dict[str, Any]:
    return {
        **summary(thread, Side.CARE_TEAM),
        "patient": {
            "patient_id": thread.patient_id,
            "name": patient_name(patient),
            "birth_date": (patient.birth_date or None) if patient else None,
        },
        "assigned_to": {"account_id": thread.assigned_to, "name": thread.assigned_name} if thread.assigned_to else None,
        "waiting_since": iso(thread.waiting_since) if thread.waiting_since else None,
        "reply_due_by": iso(thread.reply_due_by) if thread.reply_due_by else None,
        "overdue": thread.status is Status.OPEN and is_overdue(thread.reply_due_by, now),
    }


def _staff_view(
    ports: MessagingPorts,
    thread: Thread,
    team: CareTeam | None,
    patient: Patient | None,
    now: datetime,
    reader_id: str = "",
) -> dict[str, Any]:
    messages = ports.messages.messages(thread)
    return {
        **_staff_summary(thread, patient, now),
        "messages": [message_json(thread, m, Side.CARE_TEAM, reader_id) for m in messages],
        "urgent_notice": notice_text(thread, team),
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
    audit_thread(ports, origin, caller, "messages.read", Action.READ, thread)
    return _staff_view(ports, thread, team, patient, now, caller.account_id)


def staff_read(ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str) -> None:
    def mark() -> None:
        thread, _, _ = _staff_thread(ports, caller, origin, thread_id)
        if thread.unread_by_team or thread.team_read_through != thread.last_message_at:
            ports.messages.save(dataclasses.replace(thread, unread_by_team=0, team_read_through=thread.last_message_at))

    retrying(mark)


def staff_reply(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, request: StaffReply, now: datetime
) -> dict[str, Any]:
    thread, team, patient = _staff_thread(ports, caller, origin, thread_id)
    if thread.status is Status.CLOSED:
        raise Conflict(CLOSED)
    patient, zone = patient_and_zone(ports, thread.patient_id, patient)
    account = ports.directory.account(caller.account_id)
    author = f"{_staff_name(account)}, {thread.team_name}"
    at = sending_moment(thread, now)
    message = SentMessage(new_id(), thread.thread_id, Side.CARE_TEAM, caller.account_id, author, request.body, at)
    after = dataclasses.replace(
        after_message(thread, Side.CARE_TEAM, at, zone, Status(request.status_after)),
        last_message_id=message.message_id,
    )
    audited = sent_event(ports, origin, caller, thread, f"status:{request.status_after}")
    notices = patient_notice(patient, thread, now) + proxy_message_notices(ports, patient, at, now)
    send(ports, patient, thread, after, message, notices, now, audited)
    return message_json(after, message, Side.CARE_TEAM, caller.account_id)


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
        audit_thread(
            ports,
            origin,
            caller,
            "messages.assigned",
            Action.UPDATE,
            saved,
            reason="assigned" if account_id else "unassigned",
        )
        return _staff_view(ports, saved, team, patient, now, caller.account_id)

    return retrying(change)


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
            _, zone = patient_and_zone(ports, thread.patient_id, patient)
            changed = dataclasses.replace(
                changed,
                waiting_since=now if waiting else None,
                reply_due_by=reply_due_by(now, zone) if waiting else None,
            )
        saved = ports.messages.save(changed)
        audit_thread(ports, origin, caller, "messages.status_changed", Action.UPDATE, saved, reason=status)
        return _staff_view(ports, saved, team, patient, now, caller.account_id)

    return retrying(change)


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
        notices = urgent_marked_notice(patient, thread, now) if newly else []
        saved = ports.messages.save(marked, notices)
        event = "messages.urgent_marked" if urgent else "messages.urgent_cleared"
        audit_thread(ports, origin, caller, event, Action.UPDATE, saved)
        return saved, team, patient, notices

    saved, team, patient, notices = retrying(change)
    hand_over(ports, notices, None, now)
    return _staff_view(ports, saved, team, patient, now, caller.account_id)


def staff_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, thread_id: str, attachment_id: str
) -> dict[str, Any]:
    thread, _, _ = _staff_thread(ports, caller, origin, thread_id)
    return download(ports, caller, origin, thread, attachment_id)
