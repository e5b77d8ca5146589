"""Messages as the caller's scope shows them (access.visibility): a message is dated by when it
was sent; a thread shows when any of its messages does, with only those messages, and its
counts (messages, unread) count only them. The patient, a connection and staff see every
thread as stored, at no extra cost; a scope with a cutoff reads a thread's messages only when
the thread went on past the cutoff."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from chalicelib.access.domain import PatientScope
from chalicelib.access.visibility import ScopePorts, Visibility
from chalicelib.messaging.domain import SentMessage, Side, Thread
from chalicelib.messaging.stores import Messages

# A proxy's unread count looks through at most this many threads (a page at a time).
UNREAD_PAGE = 50
UNREAD_MAX_THREADS = 500


def message_date(message: SentMessage) -> datetime:
    return message.sent_at


class MessageView(Visibility):
    def shows_message(self, message: SentMessage) -> bool:
        return self.shows(message_date(message))

    def thread(self, messages: Messages, thread: Thread) -> tuple[Thread, list[SentMessage] | None] | None:
        """The thread as shown, with its shown messages when they had to be read (None: all of
        them show, unread), or None when none of its messages shows."""
        if self.everything or self.shows(thread.last_message_at):
            return thread, None
        if not self.shows(thread.created_at):
            return None  # its first message is past the cutoff: so is every other
        shown = [m for m in messages.messages(thread) if self.shows_message(m)]
        if not shown:
            return None
        last = shown[-1]
        unread = sum(1 for m in shown if not thread.read_by(Side.PATIENT, m))
        return (
            dataclasses.replace(
                thread,
                message_count=len(shown),
                last_message_at=last.sent_at,
                last_message_from=last.side,
                last_message_id=last.message_id,
                unread_by_patient=unread,
            ),
            shown,
        )

    def unread(self, messages: Messages, patient_id: str) -> int:
        """The patient's unread care-team messages that this scope shows."""
        if self.everything:
            return messages.unread_for_patients([patient_id])
        total, cursor, seen = 0, "", 0
        while seen < UNREAD_MAX_THREADS:
            page, cursor = messages.page(patient_id, UNREAD_PAGE, cursor)
            for thread in page:
                if thread.unread_by_patient:
                    found = self.thread(messages, thread)
                    total += found[0].unread_by_patient if found else 0
            seen += len(page)
            if not cursor:
                break
        return total


def message_view(ports: ScopePorts, scope: PatientScope) -> MessageView:
    return MessageView(ports, scope)
