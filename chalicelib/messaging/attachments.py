"""Attachments of messages: announced by the patient (a short-lived upload form, the key the
server's), checked once uploaded (the type told from the file's own first bytes, anything else
deleted and refused for good), taken by one message only, and downloaded by either side of the
thread through a short-lived link. Apart from the conversations because a file lives in the
bucket on its own clock: it is uploaded and checked before any message carries it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from chalicelib.access.domain import Area, PatientScope
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, scope_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.messaging.common import MessagingPorts, attachment_json, audit_thread
from chalicelib.messaging.contract import NewAttachment
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
    StoredAttachment,
    Thread,
)

# The first bytes read to tell a file's type: the signatures of PDF, JPEG and PNG (and of what
# pretends to be one) sit in the first few; filetype looks at most this far.
SNIFF_BYTES = 8192

NO_ATTACHMENT = "No such attachment."


def start_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, request: NewAttachment, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES, acts=True)
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
        scope_actor(caller, scope),
        "messages.attachment_started",
        action=Action.CREATE,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=attachment_id,
    )
    ports.messages.add_attachment(attachment, started)
    return {
        **attachment_json(attachment),
        "upload": {"url": str(form["url"]), "fields": {str(k): str(v) for k, v in dict(form["fields"]).items()}},
        "expires_at": iso(now + timedelta(seconds=UPLOAD_SECONDS)),
        "max_bytes": MAX_BYTES,
    }


def check_attachment(
    ports: MessagingPorts, caller: Caller, origin: Origin, patient_id: str, attachment_id: str, now: datetime
) -> dict[str, Any]:
    """Tell the uploaded file's type from its first bytes; a file that is too big, not a PDF, JPEG
    or PNG, or not the type declared is deleted and the attachment refused for good."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES, acts=True)
    attachment = (
        ports.messages.attachment(scope.patient_id, attachment_id) if RECORD_ID.fullmatch(attachment_id) else None
    )
    if attachment is None:
        raise NotFound(NO_ATTACHMENT)
    if attachment.state is AttachmentState.READY:
        return attachment_json(attachment)
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
            scope_actor(caller, scope),
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
        scope_actor(caller, scope),
        "messages.attachment_checked",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=attachment_id,
    )
    return attachment_json(
        dataclasses.replace(attachment, state=AttachmentState.READY, object_key=kept, size_bytes=head.size)
    )


def _sniffed(first: bytes) -> str:
    """The type the bytes say, of those accepted; "" for anything else (an executable, a text)."""
    import filetype

    kind = filetype.guess(first) if first else None
    mime = kind.mime if kind else ""
    return mime if mime in CONTENT_TYPES else ""


def free_attachments(
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


def download(
    ports: MessagingPorts,
    caller: Caller,
    origin: Origin,
    thread: Thread,
    attachment_id: str,
    scope: PatientScope | None = None,
    shown: list[SentMessage] | None = None,
) -> dict[str, Any]:
    """A link to one attachment of the thread's messages (of ``shown`` ones, when the caller's
    scope shows only some)."""
    messages = shown if shown is not None else ports.messages.messages(thread)
    found = next((a for m in messages for a in m.attachments if a.attachment_id == attachment_id), None)
    if found is None:
        raise NotFound(NO_ATTACHMENT)
    # A bare link: the stored object carries its type and download name (copy() in the check),
    # so the file's name is in no URL, access log or browser history.
    url = ports.attachment_files.presigned_get(found.object_key, DOWNLOAD_SECONDS)
    audit_thread(
        ports,
        origin,
        caller,
        "messages.attachment_read",
        Action.READ,
        thread,
        scope,
        reason=f"attachment:{attachment_id}",
    )
    return {"url": url, "file_name": found.file_name, "content_type": found.content_type}


def _disposition(file_name: str) -> str:
    """Saved under its name: RFC 6266's encoded form for any character, a plain ASCII fallback."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
