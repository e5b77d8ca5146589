"""The requester's side of a proxy request: make it, upload the legal documents, read and sign the
form, follow it, withdraw it.

Any patient-role account may ask, with or without a record of its own: the request is the
requester's (kept under their account), not the patient's, until staff match it to a record. So
nothing here reads a patient's record, and a requester reads their own requests only (another's
id is not found).

Documents go straight from the browser to the attachments bucket through a short-lived upload
form (the key is the server's); a check then tells the file's type from its first bytes, copies
an accepted file out of the uploads area and deletes a refused one. Signing renders the form, the
request's answers and the signature into a PDF kept under object lock in the signed-documents
bucket (its SHA-256 on the request); only then does the request go to staff.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from chalicelib.access.domain import Area
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import new_id
from chalicelib.kernel.origin import Origin
from chalicelib.proxies import request_form
from chalicelib.proxies import requests as moves
from chalicelib.proxies.domain import (
    FOR_MINORS,
    Access,
    DocumentKind,
    Relationship,
    grant_areas,
    refusal_for_age,
)
from chalicelib.proxies.request_contract import NewProxyDocument, NewProxyRequest, SignProxyRequest
from chalicelib.proxies.request_parts import (
    NO_DOCUMENT,
    NO_REQUEST,
    RequestPorts,
    document_shown,
    moving,
    shown,
    valid_id,
    zone_of,
)
from chalicelib.proxies.requests import (
    MAX_DOCUMENTS,
    DocumentStatus,
    ProxyDocument,
    ProxyRequest,
    RequestedPatient,
    RequestStatus,
    SignedPaper,
    same_name,
)

# The files a request may carry: as a message's attachments (a scan or a phone photo).
MAX_BYTES = 10 * 1024 * 1024
CONTENT_TYPES = ("application/pdf", "image/jpeg", "image/png")
UPLOAD_SECONDS = 15 * 60
# The first bytes read to tell a file's type (the signatures of PDF, JPEG and PNG sit in the first few).
SNIFF_BYTES = 8192
TOO_BIG = "The file is over 10 MB"
NOT_ALLOWED_TYPE = "The file is not a PDF, JPEG or PNG image, or not the type it was announced as"
NOT_UPLOADED = "The file has not been uploaded yet."
# Where a request carries no source address (a test client): the PDF's footer says so.
UNKNOWN_IP = "0.0.0.0"
NOT_THE_NAME = "Type your full name exactly as you gave it in this request."
TRUSTED_BY_INVITATION = (
    "A trusted person is invited by the patient from their own account: ask the patient to invite you."
)
STALE_FORM = "The form changed; read it again before signing."

_RELATIONSHIP_WORDS = {
    Relationship.PARENT: "Parent of a child under 12",
    Relationship.GUARDIAN_OF_MINOR: "Legal guardian of a child under 12",
    Relationship.GUARDIAN_OF_ADULT: "Court-ordered guardian of an adult",
    Relationship.HEALTH_CARE_AGENT: "Health-care agent (health-care proxy or power of attorney)",
    Relationship.TRUSTED_PERSON: "Someone the patient trusts",
}
_ACCESS_WORDS = {Access.FULL: "Full: read and act for the patient", Access.READ_ONLY: "Read only"}


def form() -> dict[str, str]:
    return request_form.shown()


def create(ports: RequestPorts, caller: Caller, origin: Origin, body: NewProxyRequest, now: datetime) -> dict[str, Any]:
    organization = ports.directory.organization(body.organization_id)
    if organization is None:
        raise ValidationFailed(
            "There is no such organization.", [{"field": "organization_id", "issue": "no such organization"}]
        )
    relationship = Relationship(body.relationship)
    if relationship is Relationship.TRUSTED_PERSON:
        raise ValidationFailed(TRUSTED_BY_INVITATION, [{"field": "relationship", "issue": TRUSTED_BY_INVITATION}])
    zone_name = zone_of(ports, organization.organization_id)
    if body.patient.birth_date > now.date():
        raise ValidationFailed(
            "The date of birth is in the future.", [{"field": "patient.birth_date", "issue": "in the future"}]
        )
    refusal = refusal_for_age(relationship, body.patient.birth_date.isoformat(), zone_name, now)
    if refusal:
        raise ValidationFailed(refusal, [{"field": "relationship", "issue": refusal}])
    if body.areas is not None and not body.areas:
        raise ValidationFailed("Choose at least one area.", [{"field": "areas", "issue": "choose at least one"}])
    # A child's grant covers every area a proxy may have; an adult's may cover fewer.
    areas = None
    if body.areas is not None and relationship not in FOR_MINORS:
        areas = grant_areas(relationship, frozenset(Area(a) for a in body.areas))
    request = ProxyRequest(
        request_id=new_id(),
        requester_account_id=caller.account_id,
        organization_id=organization.organization_id,
        organization_name=organization.name,
        relationship=relationship,
        patient=RequestedPatient(
            body.patient.given_name,
            body.patient.family_name,
            body.patient.birth_date.isoformat(),
            body.patient.identifier,
        ),
        requester_name=body.requester_name,
        requester_phone=body.requester_phone,
        access=Access(body.access),
        areas=areas,
        note=body.note,
        status=RequestStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    ports.proxy_requests.add(request, _audit(ports, caller, origin, "proxy_request.created", request, Action.CREATE))
    return shown(request)


def requests_of(ports: RequestPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    found = ports.proxy_requests.requester_list(caller.account_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "proxy_requests.list",
        action=Action.READ,
        resource_type="QuestionnaireResponse",
        reason=f"count:{len(found)}",
    )
    return {"requests": [shown(r) for r in found]}


def one(ports: RequestPorts, caller: Caller, origin: Origin, request_id: str) -> dict[str, Any]:
    request = own(ports, caller, request_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "proxy_request.read",
        action=Action.READ,
        resource_type="QuestionnaireResponse",
        resource_id=request.request_id,
    )
    return shown(request)


def withdraw(ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, now: datetime) -> dict[str, Any]:
    request = own(ports, caller, request_id)
    changed = moving(lambda: moves.withdrawn(request, now))
    ports.proxy_requests.change(changed, _audit(ports, caller, origin, "proxy_request.withdrawn", changed))
    return shown(changed)


# -- documents ------------------------------------------------------------------------------------


def start_document(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, body: NewProxyDocument, now: datetime
) -> dict[str, Any]:
    request = own(ports, caller, request_id)
    if body.size > MAX_BYTES:
        raise ValidationFailed(TOO_BIG + ".", [{"field": "size", "issue": TOO_BIG}])
    kept = [d for d in request.documents if d.status is not DocumentStatus.REFUSED]
    if len(kept) >= MAX_DOCUMENTS:
        raise ValidationFailed(
            f"A request carries at most {MAX_DOCUMENTS} files: remove one first.",
            [{"field": "documents", "issue": f"at most {MAX_DOCUMENTS}"}],
        )
    document_id = new_id()
    # The key is the server's: never the file's name, which is the requester's words.
    key = f"uploads/proxy-requests/{request.request_id}/{document_id}"
    document = ProxyDocument(
        document_id=document_id,
        kind=DocumentKind(body.kind),
        file_name=body.file_name,
        content_type=body.content_type,
        size=body.size,
        status=DocumentStatus.WAITING,
        object_key=key,
        created_at=now,
    )
    changed = moving(lambda: moves.with_documents(request, (*request.documents, document), now))
    upload = ports.attachment_files.presigned_post(key, body.content_type, MAX_BYTES, UPLOAD_SECONDS)
    audit = _audit(ports, caller, origin, "proxy_request.document_started", changed, Action.UPDATE, document_id)
    ports.proxy_requests.change(changed, audit)
    return {
        "document": document_shown(document),
        "upload": {"url": str(upload["url"]), "fields": {str(k): str(v) for k, v in dict(upload["fields"]).items()}},
        "expires_at": iso(now + timedelta(seconds=UPLOAD_SECONDS)),
        "max_bytes": MAX_BYTES,
    }


def check_document(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, document_id: str, now: datetime
) -> dict[str, Any]:
    """Tell the uploaded file's type from its first bytes. A file too big, not a PDF, JPEG or PNG,
    or not the type announced is deleted and the document refused (it says why: upload another)."""
    request = own(ports, caller, request_id)
    document = _document(request, document_id)
    if document.status is not DocumentStatus.WAITING:
        return document_shown(document)
    if request.status is not RequestStatus.DRAFT:
        raise Conflict(moves.NOT_A_DRAFT, [{"field": "request", "issue": "not_draft"}])
    head = ports.attachment_files.head_bytes(document.object_key, SNIFF_BYTES)
    if head is None:
        raise Conflict(NOT_UPLOADED, [{"field": "file", "issue": "not uploaded"}])
    problem = ""
    if head.size > MAX_BYTES:
        problem = TOO_BIG
    elif _sniffed(head.first) != document.content_type:
        problem = NOT_ALLOWED_TYPE
    if problem:
        ports.attachment_files.delete(document.object_key)
        refused = dataclasses.replace(document, status=DocumentStatus.REFUSED, problem=problem + ".")
        changed = _replacing(request, refused, now)
        why = "too_big" if problem == TOO_BIG else "type"
        audit = _audit(
            ports, caller, origin, "proxy_request.document_refused", changed, Action.UPDATE, document_id, why
        )
        ports.proxy_requests.change(changed, audit)
        return document_shown(refused)
    # Copied out of uploads/ (which the bucket's lifecycle rule empties) before the request says
    # ready: the copy is of the version just read, so a file posted to the same key since is never
    # kept. The stored object carries its type and name, so a link to it names neither.
    kept_key = f"attachments/proxy-requests/{request.request_id}/{document_id}"
    ports.attachment_files.copy(
        head, document.object_key, kept_key, document.content_type, _disposition(document.file_name)
    )
    ready = dataclasses.replace(document, status=DocumentStatus.READY, object_key=kept_key, size=head.size)
    changed = _replacing(request, ready, now)
    audit = _audit(ports, caller, origin, "proxy_request.document_checked", changed, Action.UPDATE, document_id)
    ports.proxy_requests.change(changed, audit)
    ports.attachment_files.delete_quietly(document.object_key)
    return document_shown(ready)


def remove_document(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, document_id: str, now: datetime
) -> None:
    request = own(ports, caller, request_id)
    document = _document(request, document_id)
    left = tuple(d for d in request.documents if d.document_id != document_id)
    changed = moving(lambda: moves.with_documents(request, left, now))
    audit = _audit(ports, caller, origin, "proxy_request.document_removed", changed, Action.DELETE, document_id)
    ports.proxy_requests.change(changed, audit)
    # A draft's checked file is still tagged unsent: if the delete is refused, the bucket's
    # lifecycle rule takes it within a week (signing is what marks the files to keep).
    ports.attachment_files.delete_quietly(document.object_key)


def _replacing(request: ProxyRequest, document: ProxyDocument, now: datetime) -> ProxyRequest:
    documents = tuple(document if d.document_id == document.document_id else d for d in request.documents)
    return moving(lambda: moves.with_documents(request, documents, now))


def _sniffed(first: bytes) -> str:
    """The type the bytes say, of those accepted; "" for anything else."""
    import filetype

    kind = filetype.guess(first) if first else None
    mime = kind.mime if kind else ""
    return mime if mime in CONTENT_TYPES else ""


def _disposition(file_name: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in file_name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"


# -- signing --------------------------------------------------------------------------------------


class Unprintable(ValueError):
    """What was signed cannot be rendered: ``field`` names the part that is wrong."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


# Renders the signed PDF from the fields of chalicelib.checkin.signed_form.SignedForm: its bytes
# and their SHA-256 (raises Unprintable). Handed in by the route, so that this package does not
# depend on check-in's (which reaches back to proxies through the account's profile).
Renderer = Callable[[dict[str, Any]], tuple[bytes, str]]


def sign(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    request_id: str,
    body: SignProxyRequest,
    now: datetime,
    render: Renderer,
) -> dict[str, Any]:
    """Check everything, keep the signed PDF under lock, then send the request to staff (one
    transaction). A PDF whose record failed stays as a locked orphan: the safe side."""
    request = own(ports, caller, request_id)
    if request.status is not RequestStatus.DRAFT:
        raise Conflict(moves.NOT_A_DRAFT, [{"field": "request", "issue": "not_draft"}])
    if body.form_version != request_form.FORM_VERSION:
        raise Conflict(STALE_FORM, [{"field": "form_version", "issue": "stale"}])
    zone_name = zone_of(ports, request.organization_id)
    problems = Problems()
    if body.agreed is not True:
        problems.add("agreed", "must be true", "Tick the box to agree to the form before signing.")
    if not same_name(body.typed_name, request.requester_name):
        problems.add("typed_name", NOT_THE_NAME, NOT_THE_NAME)
    for missing in request.missing():
        problems.add("documents", f"missing: {missing}", f"Upload a {missing}.")
    for index, document in enumerate(request.documents):
        if document.status is DocumentStatus.READY and not ports.attachment_files.exists(document.object_key):
            problems.add(f"documents.{index}", "gone: upload it again", "A file is no longer stored: upload it again.")
    refusal = refusal_for_age(request.relationship, request.patient.birth_date, zone_name, now)
    if refusal:
        problems.add("relationship", refusal, refusal)
    drawn = _png(body.signature_png)
    if problems:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "proxy_request.sign_refused",
            Outcome.DENIED,
            action=Action.UPDATE,
            resource_type="QuestionnaireResponse",
            resource_id=request.request_id,
        )
    problems.raise_if_any("The request cannot be signed yet.")
    try:
        pdf, pdf_sha256 = render(
            {
                "document_id": request.request_id,
                "form_title": request_form.FORM_TITLE,
                "form_version": request_form.FORM_VERSION,
                "form_text": request_form.FORM_TEXT,
                "form_sha256": request_form.form_sha256(),
                "answers": answers_of(request),
                "typed_name": body.typed_name,
                "signed_at": now,
                "time_zone": zone_name,
                "client_ip": origin.source_ip or UNKNOWN_IP,
                "patient_name": f"{request.patient.given_name} {request.patient.family_name}",
                "patient_birth_date": date.fromisoformat(request.patient.birth_date),
                "signature_png": drawn,
            }
        )
    except Unprintable as wrong:
        field = wrong.field if wrong.field in ("signature_png", "typed_name") else "request"
        raise ValidationFailed(
            "The signed form cannot be made from this: " + wrong.problem + ".",
            [{"field": field, "issue": wrong.problem}],
        ) from None
    key = f"signed-forms/proxy-requests/{request.request_id}.pdf"
    version_id = ports.signed_documents.put_locked(
        key,
        pdf,
        pdf_sha256,
        now + timedelta(days=ports.settings.signed_form_lock_days),
        ports.settings.signed_form_lock_mode,
        # Ids only: object metadata is readable by whoever may list the bucket.
        {"request-id": request.request_id, "signed-at": now.isoformat()},
    )
    signed = SignedPaper(
        object_key=key,
        object_version=version_id,
        sha256=pdf_sha256,
        size=len(pdf),
        form_version=request_form.FORM_VERSION,
        typed_name=body.typed_name,
        has_drawn_signature=drawn is not None,
    )
    changed = moving(lambda: moves.submitted(request, signed, now))
    # The files now belong to a request staff review: kept as long as it (not swept as unsent).
    for document in changed.documents:
        if document.status is DocumentStatus.READY:
            ports.attachment_files.mark_sent(document.object_key)
    ports.proxy_requests.change(changed, _audit(ports, caller, origin, "proxy_request.submitted", changed))
    return shown(changed)


def answers_of(request: ProxyRequest) -> tuple[tuple[str, str], ...]:
    """The request as the signed PDF prints it beside the form: what was asked, for whom, by whom."""
    areas = (
        "Everything a proxy may see"
        if request.areas is None
        else ", ".join(sorted(a.value.replace("_", " ") for a in request.areas))
    )
    documents = [
        f"{d.kind.value.replace('_', ' ')}: {d.file_name}"
        for d in request.documents
        if d.status is DocumentStatus.READY
    ]
    return (
        ("Organization", request.organization_name or request.organization_id),
        ("Relationship to the patient", _RELATIONSHIP_WORDS[request.relationship]),
        ("Patient's date of birth", request.patient.birth_date),
        ("Patient's record number", request.patient.identifier or "(not given)"),
        ("Requester", request.requester_name),
        ("Requester's phone", request.requester_phone or "(not given)"),
        ("Access asked for", _ACCESS_WORDS[request.access]),
        ("Areas of the record", areas),
        ("Documents", "\n".join(documents) or "(none)"),
        ("Note", request.note or "(none)"),
    )


def _png(encoded: str | None) -> bytes | None:
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "The drawn signature is not a picture we can read.", [{"field": "signature_png", "issue": "not base64"}]
        ) from None


# -- helpers --------------------------------------------------------------------------------------


def own(ports: RequestPorts, caller: Caller, request_id: str) -> ProxyRequest:
    """One of the caller's own requests; anyone else's is not found."""
    found = ports.proxy_requests.of_requester(caller.account_id, request_id) if valid_id(request_id) else None
    if found is None:
        raise NotFound(NO_REQUEST)
    return found


def _document(request: ProxyRequest, document_id: str) -> ProxyDocument:
    found = request.document(document_id) if valid_id(document_id) else None
    if found is None:
        raise NotFound(NO_DOCUMENT)
    return found


def _audit(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    event_type: str,
    request: ProxyRequest,
    action: Action = Action.UPDATE,
    document_id: str = "",
    why: str = "",
) -> Any:
    """On the requester's own trail: the request is theirs until staff match it to a record."""
    return audit_event(
        ports,
        origin,
        caller_actor(caller),
        event_type,
        action=action,
        resource_type="QuestionnaireResponse",
        resource_id=request.request_id,
        reason=" ".join(part for part in (f"document:{document_id}" if document_id else "", why) if part),
    )
