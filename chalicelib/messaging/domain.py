"""Conversations between a patient and a care team, and their rules (standard library only).

A message is never edited or deleted once sent: what a care team was told, and when, is part of
the record of care. A thread's read state is one watermark per side (the moment of the newest
message that side has read), so marking a thread read is one write however long it is.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from chalicelib.access.acting import ActedBy

MAX_SUBJECT = 150
MAX_BODY = 10_000
MAX_ATTACHMENTS = 5  # per message
MAX_FILE_NAME = 200
MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a scan or a phone photo, not a video
CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
UPLOAD_SECONDS = 15 * 60  # how long an upload form works
DOWNLOAD_SECONDS = 5 * 60  # how long a download link works
# A checked file not sent with a message is deleted by the bucket's lifecycle rule after
# UNSENT_DAYS (infra/template.yaml); one is sent up to a day before, so it is never gone by then.
UNSENT_DAYS = 7
SEND_WITHIN = timedelta(days=UNSENT_DAYS - 1)
REPLY_BUSINESS_DAYS = 3  # what the organization promises patients

TOO_BIG = "A file can be at most 10 MB"
NOT_ALLOWED_TYPE = "The file is not a PDF, JPEG or PNG image"

# The one wording of the urgent notice: shown to the patient when staff mark a thread as holding
# a possibly urgent symptom. Fixed, so that no staff member has to find words in a hurry and the
# patient always reads the same clear instruction.
URGENT_NOTICE_WITH_PHONE = (
    "Your care team flagged this conversation as possibly urgent. Please call them now at {phone}, "
    "or call 911 in an emergency."
)
URGENT_NOTICE = (
    "Your care team flagged this conversation as possibly urgent. Please call your care team's office now, "
    "or call 911 in an emergency."
)


def urgent_notice(phone: str) -> str:
    return URGENT_NOTICE_WITH_PHONE.format(phone=phone) if phone else URGENT_NOTICE


class Status(enum.Enum):
    OPEN = "open"
    WAITING_ON_PATIENT = "waiting_on_patient"
    CLOSED = "closed"


class Side(enum.Enum):
    PATIENT = "patient"
    CARE_TEAM = "care_team"

    @property
    def other(self) -> Side:
        return Side.CARE_TEAM if self is Side.PATIENT else Side.PATIENT


class AttachmentState(enum.Enum):
    WAITING_FOR_UPLOAD = "waiting_for_upload"
    READY = "ready"
    REFUSED = "refused"


def reply_due_by(waiting_since: datetime, zone: str) -> datetime:
    """When a care team owes its answer to a patient message received at ``waiting_since``:
    three business days later, business days being Monday to Friday in the organization's zone.
    Received on a weekday, it is due at the same wall-clock time three weekdays later (Friday
    15:00 -> Wednesday 15:00); received on a weekend, the clock starts on Monday at midnight.
    Public holidays are not known to the portal and count as business days."""
    tz = ZoneInfo(zone)
    local = waiting_since.astimezone(tz)
    if local.weekday() >= 5:
        local = (local + timedelta(days=7 - local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    left = REPLY_BUSINESS_DAYS
    due = local
    while left:
        due = due + timedelta(days=1)  # wall-clock days: the zone's offset follows daylight saving
        if due.weekday() < 5:
            left -= 1
    # Re-read the wall-clock time in the zone (an offset kept from before a daylight-saving change
    # would be an hour off).
    return due.replace(tzinfo=None).replace(tzinfo=tz)


def is_overdue(due: datetime | None, now: datetime) -> bool:
    return due is not None and now >= due


class FileHead(NamedTuple):
    """What an attachment's check read of an uploaded file: its first bytes, its whole size, and
    which stored version of it that was (the bucket's version id, and its ETag)."""

    first: bytes
    size: int
    version_id: str = ""
    etag: str = ""


class Counted(NamedTuple):
    """What of a thread the running counts hold, as it was stored: a write adds the difference."""

    unread_by_patient: int
    unread_by_team: int
    status: Status | None


@dataclass(frozen=True)
class StoredAttachment:
    attachment_id: str
    patient_id: str
    file_name: str
    content_type: str
    size_bytes: int
    state: AttachmentState
    object_key: str  # made by the server, never from the file name
    created_at: datetime
    message_id: str = ""  # the message it went with: "" while free to attach

    @property
    def usable(self) -> bool:
        return self.state is AttachmentState.READY and not self.message_id


@dataclass(frozen=True)
class SentMessage:
    message_id: str
    thread_id: str
    side: Side
    author_id: str  # the patient's or the staff member's account
    author: (
        str  # as shown: the patient's name, "<proxy> (<relationship>) for <patient>", or "<staff name>, <team name>"
    )
    body: str
    sent_at: datetime
    attachments: tuple[StoredAttachment, ...] = ()
    acted_by: ActedBy | None = None  # sent by someone acting for the patient (author_id is then theirs)


@dataclass(frozen=True)
class Thread:
    thread_id: str
    patient_id: str
    organization_id: str
    team_id: str
    team_name: str
    subject: str
    status: Status
    created_at: datetime
    last_message_at: datetime
    last_message_from: Side
    message_count: int
    last_message_id: str = ""  # the message the next one answers (FHIR Communication.inResponseTo)
    # Messages of the other side each side has not read, and the moment of the newest it has.
    unread_by_patient: int = 0
    unread_by_team: int = 0
    patient_read_through: datetime | None = None
    team_read_through: datetime | None = None
    # The oldest patient message the care team has not answered (the reply clock runs from it).
    waiting_since: datetime | None = None
    reply_due_by: datetime | None = None  # reply_due_by(waiting_since) in the organization's zone
    urgent: bool = False
    urgent_marked_by: str = ""  # the staff member's name
    urgent_marked_at: datetime | None = None
    assigned_to: str = ""  # account id
    assigned_name: str = ""
    version: int | None = None
    messages: tuple[SentMessage, ...] = field(default_factory=tuple)
    counted: Counted | None = None  # as read from the store (None: not stored yet)

    def counts(self) -> Counted:
        return Counted(self.unread_by_patient, self.unread_by_team, self.status)

    def unread_for(self, side: Side) -> int:
        return self.unread_by_patient if side is Side.PATIENT else self.unread_by_team

    def read_by(self, reader: Side, message: SentMessage) -> bool:
        """Whether ``reader`` has read ``message`` (its own messages are read)."""
        if message.side is reader:
            return True
        through = self.patient_read_through if reader is Side.PATIENT else self.team_read_through
        return through is not None and message.sent_at <= through


def sending_moment(thread: Thread, now: datetime) -> datetime:
    """When a message added to ``thread`` is sent: now, but always after the thread's last message.
    Servers' clocks differ by a little: a reply stamped before (or at) the message it answers
    would list before it and count as read by a side that never saw it."""
    return max(now, thread.last_message_at + timedelta(microseconds=1))


def after_message(thread: Thread, side: Side, at: datetime, zone: str, status_after: Status | None = None) -> Thread:
    """The thread once ``side`` sent a message at ``at``. A patient's message makes a thread that
    waited on them open again and starts the reply clock if it was not running (in the
    organization's ``zone``); a care-team message stops the clock and takes the status it was
    sent with."""
    if side is Side.PATIENT:
        status = Status.OPEN if thread.status is Status.WAITING_ON_PATIENT else thread.status
        since = thread.waiting_since or at
        return replace(
            thread,
            status=status,
            last_message_at=at,
            last_message_from=side,
            message_count=thread.message_count + 1,
            unread_by_team=thread.unread_by_team + 1,
            waiting_since=since,
            reply_due_by=reply_due_by(since, zone),
            # a side has read everything up to its own message
            patient_read_through=at,
            unread_by_patient=0,
        )
    return replace(
        thread,
        status=status_after or Status.WAITING_ON_PATIENT,
        last_message_at=at,
        last_message_from=side,
        message_count=thread.message_count + 1,
        unread_by_patient=thread.unread_by_patient + 1,
        waiting_since=None,
        reply_due_by=None,
        team_read_through=at,
        unread_by_team=0,
    )
