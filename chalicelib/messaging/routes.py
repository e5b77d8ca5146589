"""Routes of secure messaging: a patient's conversations with their care teams (with attachments),
and the care teams' inboxes as staff work them. There is no route to edit or delete a message."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.messaging import attachments, conversations, inboxes
from chalicelib.messaging.contract import (
    Assignment,
    Attachment,
    AttachmentLink,
    AttachmentUpload,
    Message,
    NewAttachment,
    NewReply,
    NewThread,
    StaffReply,
    StaffThread,
    StaffThreadPage,
    StaffThreadsQuery,
    StatusChange,
    TeamInboxes,
    Thread,
    ThreadPage,
    ThreadsQuery,
    UrgentFlag,
)

messaging_routes = Blueprint(__name__)

_ID = {"type": "string", "pattern": "^[0-9a-f]{32}$", "minLength": 32, "maxLength": 32}
_THREAD = {"thread_id": _ID}
_ATTACHMENT = {"attachment_id": _ID}
_BOTH = {**_THREAD, **_ATTACHMENT}


def _request():
    return messaging_routes.current_request


def _now():
    return wiring.container().clock.now()


# -- the patient's side -----------------------------------------------------------------------------


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/attachments",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewAttachment,
    responses={201: AttachmentUpload},
    idempotent=True,
)
def start_attachment(patient_id: str, body: NewAttachment):
    """Get a form to upload a file to attach to a message (PDF, JPEG or PNG, at most 10 MB).

    The browser POSTs a multipart form to `upload.url`: every `fields` entry, then `file`. The form
    works for 15 minutes and takes only a file of the declared type and at most 10 MB; then call
    .../check. A size over 10 MB is 400 naming `size_bytes`.
    """
    ports = wiring.container()
    started = attachments.start_attachment(ports, *signed_in(_request()), patient_id, body, _now())
    return Response(body=started, status_code=201)


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/attachments/{attachment_id}/check",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: Attachment},
    errors=(409,),
    path_params=_ATTACHMENT,
)
def check_attachment(patient_id: str, attachment_id: str):
    """Check an uploaded file: its type is read from its first bytes, never its name.

    Ready: it may go with one message. 409 when it has not been uploaded yet; 400 when it is larger
    than 10 MB or not a PDF, JPEG or PNG of the declared type (the file is deleted and the
    attachment cannot be used). Checking a ready attachment again answers it again.
    """
    return attachments.check_attachment(wiring.container(), *signed_in(_request()), patient_id, attachment_id, _now())


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/messages",
    access=Access.PATIENT,
    query=ThreadsQuery,
    responses={200: ThreadPage},
)
def patient_threads(patient_id: str, query: ThreadsQuery):
    """The patient's conversations with their care teams, newest activity first, with unread counts."""
    return conversations.patient_threads(
        wiring.container(), *signed_in(_request()), patient_id, query.limit, query.cursor, _now()
    )


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/messages",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewThread,
    responses={201: Thread},
    idempotent=True,
)
def start_thread(patient_id: str, body: NewThread):
    """Write to a care team: a new conversation.

    The team's members are emailed that a message is waiting (never what it says). 404 for a team
    the patient may not write to; 400 naming `attachment_ids.N` for an attachment not ready or
    already sent. Send an Idempotency-Key: a retry returns the first conversation.
    """
    ports = wiring.container()
    started = conversations.start_thread(ports, *signed_in(_request()), patient_id, body, _now())
    return Response(body=started, status_code=201)


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/messages/{thread_id}",
    access=Access.PATIENT,
    responses={200: Thread},
    path_params=_THREAD,
)
def patient_thread(patient_id: str, thread_id: str):
    """One conversation, oldest message first. Audited."""
    return conversations.patient_thread(wiring.container(), *signed_in(_request()), patient_id, thread_id, _now())


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/messages/{thread_id}/read",
    access=Access.PATIENT,
    methods=("POST",),
    responses={204: None},
    errors=(409,),
    path_params=_THREAD,
)
def patient_read_thread(patient_id: str, thread_id: str):
    """Mark every care-team message of the conversation read by the patient."""
    conversations.patient_read(wiring.container(), *signed_in(_request()), patient_id, thread_id)
    return Response(body="", status_code=204)


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/messages/{thread_id}/replies",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewReply,
    responses={201: Message},
    errors=(409,),
    path_params=_THREAD,
    idempotent=True,
)
def patient_reply(patient_id: str, thread_id: str, body: NewReply):
    """Reply in a conversation. 409 when it is closed (start a new message instead).

    A conversation that waited on the patient is open again.
    """
    ports = wiring.container()
    sent = conversations.patient_reply(ports, *signed_in(_request()), patient_id, thread_id, body, _now())
    return Response(body=sent, status_code=201)


@route(
    messaging_routes,
    "/v1/patients/{patient_id}/messages/{thread_id}/attachments/{attachment_id}",
    access=Access.PATIENT,
    responses={200: AttachmentLink},
    path_params=_BOTH,
)
def patient_attachment(patient_id: str, thread_id: str, attachment_id: str):
    """A link that downloads an attachment of the conversation (5 minutes). Audited."""
    return conversations.patient_attachment(
        wiring.container(), *signed_in(_request()), patient_id, thread_id, attachment_id
    )


# -- the care teams' side ---------------------------------------------------------------------------


@route(messaging_routes, "/v1/staff/messages/teams", access=Access.STAFF, responses={200: TeamInboxes})
def staff_teams():
    """The caller's care-team inboxes with their open, unread and overdue counts (an admin: every team)."""
    return inboxes.team_inboxes(wiring.container(), *signed_in(_request()), _now())


@route(
    messaging_routes,
    "/v1/staff/messages",
    access=Access.STAFF,
    query=StaffThreadsQuery,
    responses={200: StaffThreadPage},
    errors=(404,),
)
def staff_threads(query: StaffThreadsQuery):
    """Conversations of the caller's teams: open ones most overdue first, others newest first. Audited."""
    return inboxes.staff_threads(wiring.container(), *signed_in(_request()), query, _now())


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}",
    access=Access.STAFF,
    responses={200: StaffThread},
    path_params=_THREAD,
)
def staff_thread(thread_id: str):
    """One conversation of the caller's teams, with its patient and reply clock. Audited."""
    return inboxes.staff_thread(wiring.container(), *signed_in(_request()), thread_id, _now())


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}/read",
    access=Access.STAFF,
    methods=("POST",),
    responses={204: None},
    errors=(409,),
    path_params=_THREAD,
)
def staff_read_thread(thread_id: str):
    """Mark every patient message of the conversation read by the team."""
    inboxes.staff_read(wiring.container(), *signed_in(_request()), thread_id)
    return Response(body="", status_code=204)


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}/replies",
    access=Access.STAFF,
    methods=("POST",),
    body=StaffReply,
    responses={201: Message},
    errors=(409,),
    path_params=_THREAD,
    idempotent=True,
)
def staff_reply(thread_id: str, body: StaffReply):
    """Reply to the patient; the reply clock stops. 409 when the conversation is closed.

    The patient is emailed that a message is waiting (never what it says), if they want message emails.
    """
    ports = wiring.container()
    sent = inboxes.staff_reply(ports, *signed_in(_request()), thread_id, body, _now())
    return Response(body=sent, status_code=201)


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}/assignment",
    access=Access.STAFF,
    methods=("PUT",),
    body=Assignment,
    responses={200: StaffThread},
    errors=(409,),
    path_params=_THREAD,
)
def assign_thread(thread_id: str, body: Assignment):
    """Assign the conversation to a member of its team or an admin (null: nobody); else 400 naming `account_id`."""
    return inboxes.assign(wiring.container(), *signed_in(_request()), thread_id, body.account_id, _now())


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}/status",
    access=Access.STAFF,
    methods=("PUT",),
    body=StatusChange,
    responses={200: StaffThread},
    errors=(409,),
    path_params=_THREAD,
)
def set_thread_status(thread_id: str, body: StatusChange):
    """Set the conversation's status: open, waiting_on_patient or closed."""
    return inboxes.change_status(wiring.container(), *signed_in(_request()), thread_id, body.status, _now())


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}/urgent",
    access=Access.STAFF,
    methods=("PUT",),
    body=UrgentFlag,
    responses={200: StaffThread},
    errors=(409,),
    path_params=_THREAD,
)
def set_thread_urgent(thread_id: str, body: UrgentFlag):
    """Mark the conversation as holding a possibly urgent symptom: the patient is told to call now (a fixed text)."""
    return inboxes.mark_urgent(wiring.container(), *signed_in(_request()), thread_id, body.urgent, _now())


@route(
    messaging_routes,
    "/v1/staff/messages/{thread_id}/attachments/{attachment_id}",
    access=Access.STAFF,
    responses={200: AttachmentLink},
    path_params=_BOTH,
)
def staff_attachment(thread_id: str, attachment_id: str):
    """A link that downloads an attachment of the conversation (5 minutes). Audited."""
    return inboxes.staff_attachment(wiring.container(), *signed_in(_request()), thread_id, attachment_id)
