"""Conversations, their messages and the patient's attachments in the records table
(data/models.py: MessageThreadModel, MessageModel, MessageAttachmentModel, all under
"messages#<patient_id>").

The care teams' inboxes read the records table's "waiting" index under
"messages-inbox#<team>#<status>": an open thread sorts by when its reply is due (the most overdue
first; one with no reply owed after them), any other by its last activity. A thread is written
whole on its version, so two staff members acting at once cannot undo each other.

Running counts (MessageCountsModel) are changed in the same transactions as the threads: a
patient's unread care-team messages, a team's open threads and unread patient messages. A write
adds the difference between the thread as it was read (Thread.counted) and as it is written."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.access.acting import stored
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import by_time_page, conditional_failure, contended, one_page
from chalicelib.data.models import (
    AuditEventModel,
    MessageAttachmentModel,
    MessageCountsModel,
    MessageModel,
    MessageThreadModel,
)
from chalicelib.data.outbound import outbound_item
from chalicelib.data.outbox import outbox_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import moment_key
from chalicelib.kernel.paging import decode_cursor, invalid_cursor
from chalicelib.messaging.domain import (
    AttachmentState,
    Counted,
    SentMessage,
    Side,
    Status,
    StoredAttachment,
    Thread,
)
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.records.outbox import OutboxEntry

_UNAVAILABLE = "The messages store is unavailable."
_CHANGED = "Someone changed this conversation at the same time; look again."
# Sorts after every moment: an open thread that owes no reply (staff answered, the thread stays
# open) comes after those that do.
_NO_DUE = "~"


def partition(patient_id: str) -> str:
    return f"messages#{patient_id}"


def inbox_partition(team_id: str, status: Status) -> str:
    """A team's inbox of one status: a page of it is one Query (team ids are unique across
    organizations)."""
    return f"messages-inbox#{team_id}#{status.value}"


def team_partition(team_id: str) -> str:
    return f"messages#team#{team_id}"


_COUNTS = "counts"


def _count_changes(thread: Thread) -> list[tuple[str, Any]]:
    """What the thread's write adds to the running counts: (partition, actions) for each count
    that changes. A patient's unread count holds every thread; a team's, its open threads and
    the unread patient messages of those not closed."""
    before = thread.counted or Counted(0, 0, None)
    after = thread.counts()

    def team(counted: Counted) -> tuple[int, int]:
        if counted.status is None:
            return 0, 0
        return int(counted.status is Status.OPEN), 0 if counted.status is Status.CLOSED else counted.unread_by_team

    changes: list[tuple[str, Any]] = []
    if after.unread_by_patient != before.unread_by_patient:
        change = after.unread_by_patient - before.unread_by_patient
        changes.append((partition(thread.patient_id), [MessageCountsModel.unread.add(change)]))
    (open_before, unread_before), (open_after, unread_after) = team(before), team(after)
    actions = []
    if open_after != open_before:
        actions.append(MessageCountsModel.open.add(open_after - open_before))
    if unread_after != unread_before:
        actions.append(MessageCountsModel.unread.add(unread_after - unread_before))
    if actions:
        changes.append((team_partition(thread.team_id), actions))
    return changes


def _inbox_order(thread: Thread) -> str:
    if thread.status is Status.OPEN:
        due = moment_key(thread.reply_due_by) if thread.reply_due_by else _NO_DUE
        return f"{due}#{moment_key(thread.last_message_at)}#{thread.thread_id}"
    return f"{moment_key(thread.last_message_at)}#{thread.thread_id}"


def _attachment(item: MessageAttachmentModel, patient_id: str) -> StoredAttachment:
    return StoredAttachment(
        attachment_id=item.attachment_id,
        patient_id=patient_id,
        file_name=item.file_name,
        content_type=item.content_type,
        size_bytes=int(item.size_bytes),
        state=AttachmentState(item.state),
        object_key=item.object_key,
        created_at=item.created_at,
        message_id=item.message_id or "",
    )


def _thread(item: MessageThreadModel) -> Thread:
    return Thread(
        thread_id=item.thread_id,
        patient_id=item.subject_patient_id,
        organization_id=item.organization_id,
        team_id=item.team_id,
        team_name=item.team_name,
        subject=item.subject,
        status=Status(item.status),
        created_at=item.created_at,
        last_message_at=item.last_message_at,
        last_message_from=Side(item.last_message_from),
        message_count=int(item.message_count),
        last_message_id=item.last_message_id,
        unread_by_patient=int(item.unread_by_patient),
        unread_by_team=int(item.unread_by_team),
        patient_read_through=item.patient_read_through,
        team_read_through=item.team_read_through,
        waiting_since=item.waiting_since,
        reply_due_by=item.reply_due_by,
        urgent=bool(item.urgent),
        urgent_marked_by=item.urgent_marked_by or "",
        urgent_marked_at=item.urgent_marked_at,
        assigned_to=item.assigned_to or "",
        assigned_name=item.assigned_name or "",
        version=item.version,
        counted=Counted(int(item.unread_by_patient), int(item.unread_by_team), Status(item.status)),
    )


def _message(item: MessageModel, thread_id: str, patient_id: str) -> SentMessage:
    return SentMessage(
        message_id=item.message_id,
        thread_id=thread_id,
        side=Side(item.side),
        author_id=item.author_id,
        author=item.author,
        body=item.body,
        sent_at=item.sent_at,
        acted_by=stored(item.proxy_name, item.proxy_relationship, item.grant_id),
        attachments=tuple(
            StoredAttachment(
                attachment_id=a["attachment_id"],
                patient_id=patient_id,
                file_name=a["file_name"],
                content_type=a["content_type"],
                size_bytes=int(a["size_bytes"]),
                state=AttachmentState.READY,
                object_key=a["object_key"],
                created_at=item.sent_at,
                message_id=item.message_id,
            )
            for a in item.attachments or []
        ),
    )


def _thread_item(thread: Thread) -> MessageThreadModel:
    item = MessageThreadModel(
        partition(thread.patient_id),
        f"thread#{thread.thread_id}",
        listed_at=f"{moment_key(thread.last_message_at)}#{thread.thread_id}",
        current_record_id=thread.thread_id,
        waiting_pk=inbox_partition(thread.team_id, thread.status),
        waiting_sk=_inbox_order(thread),
        thread_id=thread.thread_id,
        subject_patient_id=thread.patient_id,
        organization_id=thread.organization_id,
        team_id=thread.team_id,
        team_name=thread.team_name,
        subject=thread.subject,
        status=thread.status.value,
        created_at=thread.created_at,
        last_message_at=thread.last_message_at,
        last_message_from=thread.last_message_from.value,
        message_count=thread.message_count,
        last_message_id=thread.last_message_id,
        unread_by_patient=thread.unread_by_patient,
        unread_by_team=thread.unread_by_team,
        patient_read_through=thread.patient_read_through,
        team_read_through=thread.team_read_through,
        waiting_since=thread.waiting_since,
        reply_due_by=thread.reply_due_by,
        urgent=thread.urgent,
        urgent_marked_by=thread.urgent_marked_by or None,
        urgent_marked_at=thread.urgent_marked_at,
        assigned_to=thread.assigned_to or None,
        assigned_name=thread.assigned_name or None,
    )
    if thread.version is not None:  # saved on condition nobody wrote it since it was read
        item.version = thread.version
    return item


def _message_item(patient_id: str, message: SentMessage) -> MessageModel:
    return MessageModel(
        partition(patient_id),
        f"thread#{message.thread_id}#message#{moment_key(message.sent_at)}#{message.message_id}",
        message_id=message.message_id,
        side=message.side.value,
        author_id=message.author_id,
        author=message.author,
        body=message.body,
        sent_at=message.sent_at,
        proxy_name=message.acted_by.name if message.acted_by else None,
        proxy_relationship=message.acted_by.relationship if message.acted_by else None,
        grant_id=message.acted_by.grant_id if message.acted_by else None,
        attachments=[
            {
                "attachment_id": a.attachment_id,
                "file_name": a.file_name,
                "content_type": a.content_type,
                "size_bytes": a.size_bytes,
                "object_key": a.object_key,
            }
            for a in message.attachments
        ],
    )


class DynamoMessages:
    # -- attachments ---------------------------------------------------------------------------
    def add_attachment(self, attachment: StoredAttachment, audit: AuditEvent | None = None) -> None:
        """A new attachment, with its audit event in the same write (nothing after it can fail the
        request and release its Idempotency-Key for a retry that would make a second one)."""
        item = MessageAttachmentModel(
            partition(attachment.patient_id),
            f"attachment#{attachment.attachment_id}",
            attachment_id=attachment.attachment_id,
            file_name=attachment.file_name,
            content_type=attachment.content_type,
            size_bytes=attachment.size_bytes,
            state=attachment.state.value,
            object_key=attachment.object_key,
            created_at=attachment.created_at,
        )
        try:
            with TransactWrite(connection=MessageAttachmentModel._get_connection().connection) as transaction:
                transaction.save(item, condition=MessageAttachmentModel.record_key.does_not_exist())
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if contended(error):
                raise Conflict("This attachment exists already.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def attachment(self, patient_id: str, attachment_id: str) -> StoredAttachment | None:
        try:
            item = MessageAttachmentModel.get(
                partition(patient_id), f"attachment#{attachment_id}", consistent_read=True
            )
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _attachment(item, patient_id)

    def set_attachment(
        self, attachment: StoredAttachment, state: AttachmentState, object_key: str, size_bytes: int | None = None
    ) -> None:
        """Its check's outcome (and the size the check found, not the one the browser declared),
        on condition it still waited for it (a second check at the same time loses with Conflict)."""
        item = MessageAttachmentModel(partition(attachment.patient_id), f"attachment#{attachment.attachment_id}")
        actions: list[Action] = [
            MessageAttachmentModel.state.set(state.value),
            MessageAttachmentModel.object_key.set(object_key),
        ]
        if size_bytes is not None:
            actions.append(MessageAttachmentModel.size_bytes.set(size_bytes))
        try:
            item.update(
                actions=actions,
                condition=MessageAttachmentModel.state == AttachmentState.WAITING_FOR_UPLOAD.value,
            )
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("This attachment was checked at the same time; look again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    # -- threads -------------------------------------------------------------------------------
    def thread(self, patient_id: str, thread_id: str) -> Thread | None:
        try:
            item = MessageThreadModel.get(partition(patient_id), f"thread#{thread_id}", consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _thread(item)

    def thread_by_id(self, thread_id: str) -> Thread | None:
        """A thread found by its id alone (the staff routes), through the by-record-id index."""
        try:
            keys = list(MessageThreadModel.by_record_id.query(thread_id, limit=2))
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        for key in keys:
            if key.patient_id.startswith("messages#") and key.record_key == f"thread#{thread_id}":
                return self.thread(key.patient_id.partition("#")[2], thread_id)
        return None

    def messages(self, thread: Thread) -> list[SentMessage]:
        """The thread's messages, oldest first."""
        try:
            items = list(
                MessageModel.query(
                    partition(thread.patient_id),
                    MessageModel.record_key.startswith(f"thread#{thread.thread_id}#message#"),
                    consistent_read=True,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return [_message(item, thread.thread_id, thread.patient_id) for item in items]

    def page(self, patient_id: str, limit: int, after: str = "") -> tuple[list[Thread], str]:
        """The patient's threads, newest activity first; the cursor holds a position only."""
        items, cursor = by_time_page(MessageThreadModel.by_time, partition(patient_id), limit, after, _UNAVAILABLE)
        return [_thread(item) for item in items], cursor

    def unread_for_patients(self, patient_ids: list[str]) -> int:
        """Care-team messages the patient has not read, across their threads and the records of
        each organization they are connected to: their running counts, in one consistent read."""
        if not patient_ids:
            return 0
        try:
            items = MessageCountsModel.batch_get(
                [(partition(p), _COUNTS) for p in dict.fromkeys(patient_ids)],
                consistent_read=True,
                attributes_to_get=["patient_id", "record_key", "unread"],
            )
            return sum(max(0, int(item.unread or 0)) for item in items)
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def team_counts(self, team_ids: list[str]) -> dict[str, tuple[int, int]]:
        """Each team's open threads and unread patient messages, in one consistent read."""
        if not team_ids:
            return {}
        try:
            items = MessageCountsModel.batch_get(
                [(team_partition(t), _COUNTS) for t in dict.fromkeys(team_ids)], consistent_read=True
            )
            found = {
                item.patient_id.removeprefix("messages#team#"): (
                    max(0, int(item.open or 0)),
                    max(0, int(item.unread or 0)),
                )
                for item in items
            }
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return {t: found.get(t, (0, 0)) for t in team_ids}

    def inbox(
        self,
        team_ids: list[str],
        status: Status,
        assigned_to: str | None,
        limit: int,
        after: str = "",
    ) -> tuple[list[Thread], str]:
        """The threads of one status of these teams: open ones most overdue first, others newest
        first; ``assigned_to`` "" unassigned, None anyone. One Query per team (a team's inbox page
        is one Query), merged in the inbox's order; the cursor is the last thread's place in that
        order, which continues every team's partition at once."""
        start = decode_cursor(after)
        if start is not None and set(start) != {"waiting_sk"}:
            raise invalid_cursor("cursor")
        place = start["waiting_sk"]["S"] if start is not None else None
        forward = status is Status.OPEN
        condition: Any = None
        if assigned_to is not None:
            condition = (
                MessageThreadModel.assigned_to == assigned_to
                if assigned_to
                else MessageThreadModel.assigned_to.does_not_exist()
            )
        beyond: Any = None
        if place is not None:
            beyond = MessageThreadModel.waiting_sk > place if forward else MessageThreadModel.waiting_sk < place
        items: list[MessageThreadModel] = []
        try:
            for team_id in dict.fromkeys(team_ids):
                items += MessageThreadModel.inbox.query(
                    inbox_partition(team_id, status),
                    range_key_condition=beyond,
                    scan_index_forward=forward,
                    filter_condition=condition,
                    limit=limit + 1,
                )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        items.sort(key=lambda item: item.waiting_sk, reverse=not forward)
        shown, cursor = one_page(items[: limit + 1], limit, lambda last: {"waiting_sk": last.waiting_sk})
        return [_thread(item) for item in shown], cursor

    def overdue(self, team_id: str, now: datetime) -> int:
        """A team's open threads whose reply was due before ``now``: one COUNT Query of its open
        inbox (sorted by when the reply is due)."""
        try:
            return MessageThreadModel.inbox.count(
                inbox_partition(team_id, Status.OPEN),
                # (due at this very moment counts: "<due>#..." sorts before "<now>#~")
                range_key_condition=MessageThreadModel.waiting_sk < f"{moment_key(now)}#~",
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    # -- writes --------------------------------------------------------------------------------
    def send(
        self,
        thread: Thread,
        message: SentMessage,
        outbox: list[OutboxEntry],
        outbound: OutboundEvent | None,
        audit: AuditEvent | None = None,
    ) -> None:
        """One transaction: the thread as the message leaves it (new, or on its version), the
        message, its attachments taken (each on condition it was ready and free), the emails it
        sets off, its FHIR event (None only for the local stack's demo history, which the
        clinical systems never saw) and its audit event. Nothing of it is kept unless all of it
        is: once it is, nothing left to do can fail the request (and release its Idempotency-Key
        for a retry that would send the message twice)."""
        try:
            with TransactWrite(connection=MessageThreadModel._get_connection().connection) as transaction:
                item = _thread_item(thread)
                if thread.version is None:
                    transaction.save(item, condition=MessageThreadModel.record_key.does_not_exist())
                else:
                    transaction.save(item)
                transaction.save(
                    _message_item(thread.patient_id, message), condition=MessageModel.record_key.does_not_exist()
                )
                for attachment in message.attachments:
                    transaction.update(
                        MessageAttachmentModel(partition(thread.patient_id), f"attachment#{attachment.attachment_id}"),
                        actions=[MessageAttachmentModel.message_id.set(message.message_id)],
                        condition=(MessageAttachmentModel.state == AttachmentState.READY.value)
                        & MessageAttachmentModel.message_id.does_not_exist(),
                    )
                for entry in outbox:
                    transaction.save(outbox_item(entry))
                if outbound is not None:
                    transaction.save(outbound_item(outbound))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
                for key, actions in _count_changes(thread):
                    transaction.update(MessageCountsModel(key, _COUNTS), actions=actions)
        except TransactWriteError as error:
            if contended(error):
                raise Conflict(_CHANGED) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def record(self, events: list[AuditEvent]) -> None:
        """Audit events of one read, in one write (each appended on condition it is new: the
        trail is append-only). A list shows at most 50 threads, so at most 50 events."""
        if not events:
            return
        try:
            with TransactWrite(connection=AuditEventModel._get_connection().connection) as transaction:
                for event in events:
                    transaction.save(audit_item(event), condition=AuditEventModel.subject_id.does_not_exist())
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error

    def save(self, thread: Thread, outbox: list[OutboxEntry] | None = None) -> Thread:
        """The thread changed (read, assigned, status, urgent), on its version: Conflict if it
        changed since it was read; with the counts it changes and the notices it sets off, all
        in one write. Answers it with its new version."""
        changes = _count_changes(thread)
        try:
            if not changes and not outbox:
                _thread_item(thread).save()
            else:
                with TransactWrite(connection=MessageThreadModel._get_connection().connection) as transaction:
                    transaction.save(_thread_item(thread))
                    for key, actions in changes:
                        transaction.update(MessageCountsModel(key, _COUNTS), actions=actions)
                    for entry in outbox or []:
                        transaction.save(outbox_item(entry))
        except TransactWriteError as error:
            if contended(error):
                raise Conflict(_CHANGED) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict(_CHANGED) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return replace(thread, version=(thread.version or 0) + 1, counted=thread.counts())
