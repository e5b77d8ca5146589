"""What the requester's and staff's sides of proxy requests share: the ports, how a request is shown
to each side, the notices, and the emails' templates. One place, so both sides show a request alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

from chalicelib.access.service import AccessPorts
from chalicelib.errors import Conflict, NotFound
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.zones import zone as _zone
from chalicelib.notifications.deliveries import about_account, about_patient
from chalicelib.outbound import producer
from chalicelib.patients import service as patients
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.proxies.domain import ProxyGrant, age_on
from chalicelib.proxies.requests import DocumentStatus, ProxyDocument, ProxyRequest, ProxyRequests, RefusedMove
from chalicelib.proxies.zones import organization_zone
from chalicelib.records.outbox import OutboxEntry
from chalicelib.release import outbox
from chalicelib.release.outbox import notice_entry
from chalicelib.settings import Settings

NO_REQUEST = "No such proxy access request."
NO_DOCUMENT = "No such document."
# The emails (notifications.domain.TEMPLATES): that something changed, never whom or what.
REQUESTER_UPDATE = "proxy_request_update"
PATIENT_ASKED = "proxy_access_asked"


class AttachmentFiles(Protocol):
    """The attachments bucket (adapters.s3.S3Attachments): uploads through a presigned POST, the
    check's ranged read, the copy of a checked file, links."""

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]: ...

    def head_bytes(self, key: str, count: int) -> Any: ...  # messaging.domain.FileHead, or None

    def copy(self, source: Any, source_key: str, target: str, content_type: str, disposition: str) -> None: ...

    def mark_sent(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None: ...

    def delete_quietly(self, key: str) -> None: ...

    def presigned_get(self, key: str, expires_in: int = ..., content_type: str = "", disposition: str = "") -> str: ...


class SignedDocuments(Protocol):
    """The signed-documents bucket (adapters.signed_documents.S3SignedDocuments), under object lock."""

    def put_locked(
        self,
        key: str,
        data: bytes,
        sha256_hex: str,
        retain_until: datetime,
        mode: str,
        metadata: dict[str, str],
        content_type: str = ...,
    ) -> str: ...

    def presigned_version(self, key: str, version_id: str, filename: str) -> str: ...


class RequestPorts(AccessPorts, outbox.OutboxPorts, producer.OutboundPorts, Protocol):
    @property
    def proxy_requests(self) -> ProxyRequests: ...

    @property
    def patients(self) -> Patients: ...

    @property
    def attachment_files(self) -> AttachmentFiles: ...

    @property
    def signed_documents(self) -> SignedDocuments: ...

    @property
    def settings(self) -> Settings: ...


# The one lookup of the organization's zone (proxies/zones.py), under the name this side uses.
zone_of = organization_zone


def moving(move: Callable[[], ProxyRequest]) -> ProxyRequest:
    """A move of a request (requests.py), its refusal as a 409 that says why, for either side."""
    try:
        return move()
    except RefusedMove as refused:
        raise Conflict(refused.message, [{"field": "request", "issue": refused.issue}]) from None


def valid_id(value: Any) -> bool:
    return isinstance(value, str) and bool(RECORD_ID.fullmatch(value))


def _when(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def document_shown(document: ProxyDocument) -> dict[str, Any]:
    return {
        "document_id": document.document_id,
        "kind": document.kind.value,
        "file_name": document.file_name,
        "content_type": document.content_type,
        "size": document.size,
        "status": document.status.value,
        "problem": document.problem or None,
    }


def shown(request: ProxyRequest) -> dict[str, Any]:
    """The request as its requester sees it (no keys, no staff's ids)."""
    return {
        "request_id": request.request_id,
        "status": request.status.value,
        "organization_id": request.organization_id,
        "organization_name": request.organization_name,
        "relationship": request.relationship.value,
        "patient": {
            "given_name": request.patient.given_name,
            "family_name": request.patient.family_name,
            "birth_date": request.patient.birth_date,
            "identifier": request.patient.identifier or None,
        },
        "requester_name": request.requester_name,
        "requester_phone": request.requester_phone or None,
        "access": request.access.value,
        "areas": sorted(a.value for a in request.areas) if request.areas is not None else None,
        "note": request.note or None,
        "documents": [document_shown(d) for d in request.documents],
        "signed_at": _when(request.signed_at),
        "submitted_at": _when(request.submitted_at),
        "decided_at": _when(request.decided_at),
        "decision_reason": request.decision_reason or None,
        "grant_id": request.grant_id or None,
        "created_at": iso(request.created_at),
    }


def staff_path(request: ProxyRequest) -> str:
    return f"/v1/staff/proxy-requests/{request.request_id}"


def staff_shown(ports: RequestPorts, request: ProxyRequest, now: datetime) -> dict[str, Any]:
    """The request as staff review it: the requester's account, the record it was matched to,
    the patient's age today, and where each file's five-minute link is asked for."""
    account = ports.directory.account(request.requester_account_id)
    matched = ports.patients.get(request.matched_patient_id) if request.matched_patient_id else None
    today = now.astimezone(_zone(zone_of(ports, request.organization_id))).date()
    birth_date = (matched.birth_date if matched is not None else "") or request.patient.birth_date
    base = shown(request)
    return {
        **base,
        "documents": [
            {
                **document_shown(d),
                "link_path": f"{staff_path(request)}/documents/{d.document_id}/link"
                if d.status is DocumentStatus.READY
                else None,
            }
            for d in request.documents
        ],
        "requester": {
            "account_id": request.requester_account_id,
            "username": account.username if account is not None else "",
            "email_on_file": bool(account is not None and account.email and account.email_verified),
        },
        "matched_patient": patients.summary(matched) if matched is not None else None,
        "patient_age": _age(birth_date, today),
        "signed_form_link_path": f"{staff_path(request)}/signed-form/link" if request.signed is not None else None,
    }


def _age(birth_date: str, today: date) -> int | None:
    try:
        return age_on(birth_date, today)
    except ValueError:  # a partial date on the record (YYYY-MM)
        return None


def patient_of(ports: RequestPorts, organization_id: str, patient_id: str) -> Patient:
    """A record of the organization; another's, or one merged away, is not found."""
    patient = ports.patients.get(patient_id) if valid_id(patient_id) else None
    if patient is None or patient.organization_id != organization_id or patient.merged_into:
        raise NotFound("No such patient.")
    return patient


def requester_notice(request: ProxyRequest, now: datetime) -> OutboxEntry:
    """To the account that asked: there is an update, nothing of what. One id per version, so
    each update is told once however often the change is retried."""
    entry = {
        "notification_id": f"proxy-request-{request.request_id}-{request.version}",
        "template": REQUESTER_UPDATE,
        "account_id": request.requester_account_id,
    }
    return notice_entry(entry, now, about_account(request.requester_account_id))


def patient_notice(patient: Patient, grant: ProxyGrant, now: datetime) -> OutboxEntry | None:
    """To the adult patient's own account: someone asked for access, and it waits for their
    consent. None when the patient has no portal account (staff ask them some other way)."""
    if not patient.account_id:
        return None
    entry = {
        "notification_id": f"proxy-consent-{grant.grant_id}",
        "template": PATIENT_ASKED,
        "account_id": patient.account_id,
    }
    return notice_entry(entry, now, about_patient(patient.patient_id))
