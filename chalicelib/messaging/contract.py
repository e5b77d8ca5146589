"""What the secure-messaging routes take and give (see kernel/contract.py).

Times are ISO 8601 with their zone; ids are the portal's record ids. Request models refuse
unknown fields and bound every string and list: a message is what a person types, not a file.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from chalicelib.access.acting_contract import ActingPerson
from chalicelib.kernel.contract import QueryModel, RecordId, RequestModel, ResponseModel, WholeNumber
from chalicelib.messaging.domain import (
    MAX_ATTACHMENTS,
    MAX_BODY,
    MAX_BYTES,
    MAX_FILE_NAME,
    MAX_SUBJECT,
)

ContentType = Literal["application/pdf", "image/jpeg", "image/png"]  # domain.CONTENT_TYPES
StatusName = Literal["open", "waiting_on_patient", "closed"]
Side = Literal["patient", "care_team"]
AttachmentStatus = Literal["waiting_for_upload", "ready", "refused"]


# Characters that reorder how the text around them is shown (bidi embeddings, overrides and
# isolates): they could make a message read differently from what was written. The other format
# characters stay: the zero-width joiner builds common emoji, and the direction marks (U+200E,
# U+200F, U+061C) are how Hebrew and Arabic text is typed.
_REORDERING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _no_hidden_characters(value: str) -> str:
    """Text another person reads: no control characters (line breaks and tabs as typed), no lone
    surrogates, and nothing that reorders the text as shown."""
    for character in value:
        if character in _REORDERING:
            raise ValueError("must not contain characters that reorder the text")
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cs"):
            raise ValueError("must not contain control characters")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line")
    return value


def _file_name(value: str) -> str:
    """A name only: the server makes the storage key, so a path in it would mean nothing, and a
    name shown back to the care team must not pretend to be one."""
    if "/" in value or "\\" in value or value in (".", ".."):
        raise ValueError("must be a file name without a folder")
    return value


Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SUBJECT),
    AfterValidator(_no_hidden_characters),
    AfterValidator(_one_line),
    Field(description=f"One line, 1 to {MAX_SUBJECT} characters."),
]
Body = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_BODY),
    AfterValidator(_no_hidden_characters),
    AfterValidator(_not_blank),
    Field(description=f"The message, 1 to {MAX_BODY} characters (line breaks kept)."),
]
FileName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_FILE_NAME),
    AfterValidator(_no_hidden_characters),
    AfterValidator(_one_line),
    AfterValidator(_file_name),
    Field(description="The file's name as the person chose it (a name, no folder); shown, never used as a key."),
]
AttachmentIds = Annotated[
    list[RecordId],
    Field(
        max_length=MAX_ATTACHMENTS,
        description=f"Ready attachments of this patient (POST .../attachments then .../check), at most "
        f"{MAX_ATTACHMENTS}; each may go with one message only.",
    ),
]


# -- attachments ------------------------------------------------------------------------------------


class NewAttachment(RequestModel):
    """A file the patient is about to upload. Its type is checked again from its bytes once uploaded."""

    file_name: FileName
    content_type: ContentType
    # No upper bound here: a file too big is refused with its own words (A file can be at most 10 MB).
    size_bytes: Annotated[int, Field(ge=1, description=f"The file's size in bytes, at most {MAX_BYTES}.")]


class UploadForm(ResponseModel):
    url: str = Field(description="Where the browser POSTs the multipart form.")
    fields: dict[str, str] = Field(description="Every one goes into the form, in this order, before `file`.")


class AttachmentUpload(ResponseModel):
    attachment_id: str
    file_name: str
    content_type: ContentType
    size_bytes: int
    status: Literal["waiting_for_upload"]
    upload: UploadForm
    expires_at: str = Field(description="The upload form works until then (15 minutes).")
    max_bytes: int = Field(description="The largest file the form takes.")


class Attachment(ResponseModel):
    attachment_id: str
    file_name: str
    content_type: ContentType
    size_bytes: int = Field(description="Once checked, the size of the file as stored (not as declared).")
    status: AttachmentStatus


class AttachmentLink(ResponseModel):
    url: str = Field(description="A link that downloads the file; it works for 5 minutes.")
    file_name: str
    content_type: ContentType


# -- threads and messages -------------------------------------------------------------------------


class CareTeamRef(ResponseModel):
    team_id: str
    name: str


class ThreadSummary(ResponseModel):
    thread_id: str
    subject: str
    care_team: CareTeamRef
    status: StatusName
    urgent: bool = Field(description="The care team marked the conversation as possibly urgent.")
    last_message_at: str
    last_message_from: Side
    message_count: int
    unread_count: int = Field(description="Messages of the other side this side has not read.")


class ThreadPage(ResponseModel):
    threads: list[ThreadSummary] = Field(description="Newest activity first.")
    next_cursor: str | None = Field(description="null on the last page.")
    unread_count: int = Field(
        description="Care-team messages the patient has not read, across all the threads of this record."
    )


class Message(ResponseModel):
    message_id: str
    from_: Side = Field(alias="from")
    author: str = Field(
        description=(
            "The patient's name, or for a message someone acting for the patient sent, theirs: \"Luis Rivera"
            " (parent) for Emma Rivera\"; a care-team message: the team's name for the patient, the staff"
            " member's user name and the team's name for staff."
        )
    )
    sent_by: ActingPerson | None = Field(
        description="Who sent a patient-side message acting for the patient under a proxy grant; null when the"
        " patient (or staff) wrote it."
    )
    yours: bool = Field(description="Whether the reading account wrote it (a proxy sees their own messages as theirs).")
    body: str
    sent_at: str
    attachments: list[Attachment]
    read: bool = Field(
        description="Whether the reader's side has read it (the patient: a care-team message; staff: a "
        "patient's message). A side's own messages are read."
    )


class Thread(ThreadSummary):
    messages: list[Message] = Field(description="Oldest first.")
    urgent_notice: str | None = Field(description="What to do now, when the care team marked the thread urgent.")
    care_team_phone: str | None = Field(description="The team's phone number, when it shows one.")


class ThreadsQuery(QueryModel):
    limit: Annotated[WholeNumber, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, StringConstraints(max_length=2048)] = ""


class NewThread(RequestModel):
    team_id: RecordId = Field(description="One of GET /v1/patients/{patient_id}/care-teams.")
    subject: Subject
    body: Body
    attachment_ids: AttachmentIds = []


class NewReply(RequestModel):
    body: Body
    attachment_ids: AttachmentIds = []


# -- staff ----------------------------------------------------------------------------------------


class TeamInbox(ResponseModel):
    team_id: str
    name: str
    open_count: int = Field(description="Open conversations.")
    unread_count: int = Field(description="Patient messages nobody of the team has read.")
    overdue_count: int = Field(description="Open conversations past their reply-by time.")


class TeamInboxes(ResponseModel):
    teams: list[TeamInbox] = Field(description="The caller's teams (an admin: every team of the organization).")


class PatientRef(ResponseModel):
    patient_id: str
    name: str
    birth_date: str | None


class AccountRef(ResponseModel):
    account_id: str
    name: str


class StaffThreadSummary(ThreadSummary):
    patient: PatientRef
    assigned_to: AccountRef | None
    waiting_since: str | None = Field(description="The oldest patient message the team has not answered.")
    reply_due_by: str | None = Field(description="Three business days after waiting_since.")
    overdue: bool


class StaffThreadPage(ResponseModel):
    threads: list[StaffThreadSummary] = Field(
        description="Open: most overdue first (reply_due_by ascending); others: newest activity first."
    )
    next_cursor: str | None = Field(description="null on the last page.")


class StaffThread(StaffThreadSummary):
    messages: list[Message] = Field(description="Oldest first.")
    urgent_notice: str | None = Field(description="What the patient is shown when the thread is marked urgent.")
    urgent_marked_by: str | None = Field(description="Who marked it urgent (a name).")
    urgent_marked_at: str | None


class StaffThreadsQuery(QueryModel):
    team_id: RecordId | None = Field(None, description="One of the caller's teams; all of them when omitted.")
    status: StatusName = "open"
    assigned: Literal["me", "unassigned", "anyone"] = "anyone"
    limit: Annotated[WholeNumber, Field(ge=1, le=50)] = 20
    cursor: Annotated[str, StringConstraints(max_length=2048)] = ""


class StaffReply(RequestModel):
    body: Body
    status_after: StatusName = Field(
        "waiting_on_patient", description="The conversation's status once the reply is sent."
    )


class Assignment(RequestModel):
    account_id: RecordId | None = Field(description="A member of the thread's team or an admin; null: unassigned.")


class StatusChange(RequestModel):
    status: StatusName


class UrgentFlag(RequestModel):
    urgent: bool = Field(description="True: the patient is told to call the care team now (a fixed text).")
