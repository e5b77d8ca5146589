"""A request for proxy access: who asks, for whom, why (the relationship), with which legal
documents, and the signed Proxy Access Request and Authorization Form; then staff's decision.

Its life: ``draft`` (the requester fills it in and uploads documents) -> ``submitted`` (signed:
staff review it) -> ``approved`` (a grant in force), ``awaiting_consent`` (approved, the adult
patient decides), or ``denied`` (with a reason the requester reads); ``withdrawn`` by the requester
while a draft or waiting for review. Pure: the rules and the moves, no storage, clock or network.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from chalicelib.access.domain import Area
from chalicelib.audit.domain import AuditEvent
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.proxies.domain import Access, DocumentKind, ProxyGrant, Relationship, missing_documents
from chalicelib.records.outbox import OutboxEntry

MAX_DOCUMENTS = 10  # a request's files: the legal papers, not an archive


class RequestStatus(enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    AWAITING_CONSENT = "awaiting_consent"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


class DocumentStatus(enum.Enum):
    WAITING = "waiting"  # announced; the file is not uploaded or not checked yet
    READY = "ready"  # checked: a PDF, PNG or JPEG within the size limit
    REFUSED = "refused"  # the check refused it (the problem says why); upload it again


# Staff's two queues: what waits for a decision, and what was decided or withdrawn. A draft is
# on neither (staff never see a request that was not signed).
TO_DO = "to_do"
DONE = "done"
DRAFTS = "draft"


@dataclass(frozen=True)
class ProxyDocument:
    document_id: str
    kind: DocumentKind
    file_name: str
    content_type: str
    size: int
    status: DocumentStatus
    object_key: str  # the server's key in the attachments bucket (never shown)
    created_at: datetime
    problem: str = ""


@dataclass(frozen=True)
class RequestedPatient:
    """The patient as the requester named them; staff match it to a record."""

    given_name: str
    family_name: str
    birth_date: str  # YYYY-MM-DD
    identifier: str = ""  # a record number, if the requester knows it


@dataclass(frozen=True)
class SignedPaper:
    """Where the signed form is kept and what proves it unchanged."""

    object_key: str
    object_version: str
    sha256: str
    size: int
    form_version: str
    typed_name: str
    has_drawn_signature: bool


@dataclass(frozen=True)
class ProxyRequest:
    request_id: str
    requester_account_id: str
    organization_id: str
    organization_name: str
    relationship: Relationship
    patient: RequestedPatient
    requester_name: str
    requester_phone: str
    access: Access
    areas: frozenset[Area] | None  # None: what the relationship allows (grant_areas)
    note: str
    status: RequestStatus
    created_at: datetime
    updated_at: datetime
    documents: tuple[ProxyDocument, ...] = ()
    signed: SignedPaper | None = None
    signed_at: datetime | None = None
    submitted_at: datetime | None = None
    decided_at: datetime | None = None
    decided_by: str = ""
    decision_reason: str = ""
    grant_id: str = ""
    matched_patient_id: str = ""
    version: int = 1

    def document(self, document_id: str) -> ProxyDocument | None:
        return next((d for d in self.documents if d.document_id == document_id), None)

    def missing(self) -> list[str]:
        """The kinds of document still missing (only checked files count), in words."""
        return missing_documents(
            self.relationship, {d.kind for d in self.documents if d.status is DocumentStatus.READY}
        )


def queue_of(request: ProxyRequest) -> str:
    """A request never signed (a draft, or one withdrawn as a draft) is on no staff queue."""
    if request.submitted_at is None:
        return DRAFTS
    return TO_DO if request.status is RequestStatus.SUBMITTED else DONE


class RefusedMove(Exception):
    """A move the request's status does not allow; the message says why, in words."""

    def __init__(self, message: str, issue: str):
        super().__init__(message)
        self.message = message
        self.issue = issue


NOT_A_DRAFT = "This request was sent already: it can no longer be changed."
NOT_WAITING = "This request is not waiting for a decision."
CLOSED = "This request is closed already."


def _moved(request: ProxyRequest, now: datetime, **changes: object) -> ProxyRequest:
    return replace(request, updated_at=now, version=request.version + 1, **changes)  # type: ignore[arg-type]


def with_documents(request: ProxyRequest, documents: tuple[ProxyDocument, ...], now: datetime) -> ProxyRequest:
    if request.status is not RequestStatus.DRAFT:
        raise RefusedMove(NOT_A_DRAFT, "not_draft")
    return _moved(request, now, documents=documents)


def submitted(request: ProxyRequest, signed: SignedPaper, now: datetime) -> ProxyRequest:
    if request.status is not RequestStatus.DRAFT:
        raise RefusedMove(NOT_A_DRAFT, "not_draft")
    return _moved(request, now, status=RequestStatus.SUBMITTED, signed=signed, signed_at=now, submitted_at=now)


def withdrawn(request: ProxyRequest, now: datetime) -> ProxyRequest:
    if request.status not in (RequestStatus.DRAFT, RequestStatus.SUBMITTED):
        raise RefusedMove(CLOSED, "closed")
    return _moved(request, now, status=RequestStatus.WITHDRAWN, decided_at=now)


def matched(request: ProxyRequest, patient_id: str, now: datetime) -> ProxyRequest:
    if request.status is not RequestStatus.SUBMITTED:
        raise RefusedMove(NOT_WAITING, "not_waiting")
    return _moved(request, now, matched_patient_id=patient_id)


def approved(request: ProxyRequest, grant: ProxyGrant, by: str, now: datetime) -> ProxyRequest:
    if request.status is not RequestStatus.SUBMITTED:
        raise RefusedMove(NOT_WAITING, "not_waiting")
    status = RequestStatus.AWAITING_CONSENT if grant.status.value == "awaiting_consent" else RequestStatus.APPROVED
    return _moved(request, now, status=status, grant_id=grant.grant_id, decided_at=now, decided_by=by)


def denied(request: ProxyRequest, reason: str, by: str, now: datetime) -> ProxyRequest:
    if request.status is not RequestStatus.SUBMITTED:
        raise RefusedMove(NOT_WAITING, "not_waiting")
    return _moved(request, now, status=RequestStatus.DENIED, decision_reason=reason, decided_at=now, decided_by=by)


PATIENT_DECLINED = "The patient did not agree to give this access."


def consent_answered(request: ProxyRequest, agree: bool, now: datetime) -> ProxyRequest:
    """The patient's answer to the grant the approval made: approved once they agree; denied, with
    a fixed reason, when they decline (the requester reads it in the portal)."""
    if request.status is not RequestStatus.AWAITING_CONSENT:
        raise RefusedMove(NOT_WAITING, "not_waiting")
    if agree:
        return _moved(request, now, status=RequestStatus.APPROVED)
    return _moved(request, now, status=RequestStatus.DENIED, decision_reason=PATIENT_DECLINED)


def folded(text: str) -> str:
    """Letters and digits only, accents dropped, case folded: how a typed name is compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


def same_name(typed: str, given: str) -> bool:
    return bool(folded(typed)) and folded(typed) == folded(given)


class ProxyRequests(Protocol):
    """Proxy requests, the requester's copy and the organization's queue copy
    (chalicelib.data.proxy_requests). Every change is conditional on the version read and one
    transaction with its audit event, notices, outbound event and (on approval) the grant."""

    def add(self, request: ProxyRequest, audit: AuditEvent) -> None: ...

    def of_requester(self, account_id: str, request_id: str) -> ProxyRequest | None: ...

    def requester_list(self, account_id: str) -> list[ProxyRequest]:
        """Every request of the account, newest first (a person makes a few)."""
        ...

    def of_organization(self, organization_id: str, request_id: str) -> ProxyRequest | None: ...

    def queue_page(
        self, organization_id: str, queue: str, limit: int, after: str = ""
    ) -> tuple[list[ProxyRequest], str]: ...

    def change(
        self,
        changed: ProxyRequest,
        audit: AuditEvent | None,
        notices: tuple[OutboxEntry, ...] = (),
        event: OutboundEvent | None = None,
        grant: ProxyGrant | None = None,
        changed_grant: ProxyGrant | None = None,
    ) -> None:
        """Both copies, on condition that the stored version is ``changed.version - 1`` (else
        Conflict), with what the change sets off, in one transaction: a new ``grant`` (an
        approval), or a kept grant's change (``changed_grant``, on condition it is still at its
        version: the patient's answer, or the grant in force an approval replaces and ends)."""
        ...
