"""Proxy requests in DynamoDB (the records table), kept twice as appointment requests are: under
"proxy-requests#<account>" (the requester's list, listed_at "<created ISO>#<id>") and under
"proxy-queue#<organization>" (staff's queues, listed_at "<queue>#<updated ISO>#<id>": each queue
a contiguous run of the by-time index). Both copies change together, in one transaction, on
condition of the version read, with what the change sets off: its audit event, the notices, the
outbound QuestionnaireResponse, and on approval the grant's items (data.proxy_grants.grant_items),
so a request is never approved without its grant, nor a grant made for a request not approved."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.access.domain import Area
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed, by_time_page
from chalicelib.data.models import AuditEventModel, ProxyGrantModel, RecordsByTimeIndex
from chalicelib.data.outbound import outbound_item
from chalicelib.data.outbox import outbox_item
from chalicelib.data.proxy_grants import changed_grant_items, grant_items
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import moment_key, timed_key
from chalicelib.outbound.domain import OutboundEvent
from chalicelib.proxies.domain import Access, DocumentKind, ProxyGrant, Relationship
from chalicelib.proxies.requests import (
    DocumentStatus,
    ProxyDocument,
    ProxyRequest,
    RequestedPatient,
    RequestStatus,
    SignedPaper,
    queue_of,
)
from chalicelib.records.outbox import OutboxEntry

_UNAVAILABLE = "The proxy requests store is unavailable."
CHANGED_MEANWHILE = "This request changed a moment ago. Reload it and try again."


class ProxyRequestModel(Model):
    """One copy of a proxy request (see the module's docstring for the two partitions)."""

    class Meta:
        table_name = "records"

    patient_id = UnicodeAttribute(hash_key=True)  # "proxy-requests#<account>" or "proxy-queue#<organization>"
    record_key = UnicodeAttribute(range_key=True)  # "request#<request_id>"
    listed_at = UnicodeAttribute(null=False)
    by_time = RecordsByTimeIndex()
    status = UnicodeAttribute(null=False)
    version = NumberAttribute(null=False)
    request = JSONAttribute(null=False)  # the request's fields (_json)


def requester_partition(account_id: str) -> str:
    return f"proxy-requests#{account_id}"


def queue_partition(organization_id: str) -> str:
    return f"proxy-queue#{organization_id}"


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _read_moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _json(request: ProxyRequest) -> dict[str, Any]:
    signed = request.signed
    return {
        "request_id": request.request_id,
        "requester_account_id": request.requester_account_id,
        "organization_id": request.organization_id,
        "organization_name": request.organization_name,
        "relationship": request.relationship.value,
        "patient": {
            "given_name": request.patient.given_name,
            "family_name": request.patient.family_name,
            "birth_date": request.patient.birth_date,
            "identifier": request.patient.identifier,
        },
        "requester_name": request.requester_name,
        "requester_phone": request.requester_phone,
        "access": request.access.value,
        "areas": sorted(a.value for a in request.areas) if request.areas is not None else None,
        "note": request.note,
        "created_at": request.created_at.isoformat(),
        "updated_at": request.updated_at.isoformat(),
        "documents": [
            {
                "document_id": d.document_id,
                "kind": d.kind.value,
                "file_name": d.file_name,
                "content_type": d.content_type,
                "size": d.size,
                "status": d.status.value,
                "object_key": d.object_key,
                "created_at": d.created_at.isoformat(),
                "problem": d.problem,
            }
            for d in request.documents
        ],
        "signed": None
        if signed is None
        else {
            "object_key": signed.object_key,
            "object_version": signed.object_version,
            "sha256": signed.sha256,
            "size": signed.size,
            "form_version": signed.form_version,
            "typed_name": signed.typed_name,
            "has_drawn_signature": signed.has_drawn_signature,
        },
        "signed_at": _moment(request.signed_at),
        "submitted_at": _moment(request.submitted_at),
        "decided_at": _moment(request.decided_at),
        "decided_by": request.decided_by,
        "decision_reason": request.decision_reason,
        "grant_id": request.grant_id,
        "matched_patient_id": request.matched_patient_id,
    }


def _request(item: ProxyRequestModel) -> ProxyRequest:
    value = dict(item.request)
    patient = value["patient"]
    signed = value.get("signed")
    areas = value.get("areas")
    return ProxyRequest(
        request_id=value["request_id"],
        requester_account_id=value["requester_account_id"],
        organization_id=value["organization_id"],
        organization_name=value.get("organization_name") or "",
        relationship=Relationship(value["relationship"]),
        patient=RequestedPatient(
            patient["given_name"], patient["family_name"], patient["birth_date"], patient.get("identifier") or ""
        ),
        requester_name=value["requester_name"],
        requester_phone=value.get("requester_phone") or "",
        access=Access(value["access"]),
        areas=frozenset(Area(a) for a in areas) if areas is not None else None,
        note=value.get("note") or "",
        status=RequestStatus(item.status),
        created_at=datetime.fromisoformat(value["created_at"]),
        updated_at=datetime.fromisoformat(value["updated_at"]),
        documents=tuple(
            ProxyDocument(
                document_id=d["document_id"],
                kind=DocumentKind(d["kind"]),
                file_name=d["file_name"],
                content_type=d["content_type"],
                size=int(d["size"]),
                status=DocumentStatus(d["status"]),
                object_key=d["object_key"],
                created_at=datetime.fromisoformat(d["created_at"]),
                problem=d.get("problem") or "",
            )
            for d in value.get("documents") or ()
        ),
        signed=None
        if not signed
        else SignedPaper(
            object_key=signed["object_key"],
            object_version=signed.get("object_version") or "",
            sha256=signed["sha256"],
            size=int(signed["size"]),
            form_version=signed["form_version"],
            typed_name=signed["typed_name"],
            has_drawn_signature=bool(signed.get("has_drawn_signature")),
        ),
        signed_at=_read_moment(value.get("signed_at")),
        submitted_at=_read_moment(value.get("submitted_at")),
        decided_at=_read_moment(value.get("decided_at")),
        decided_by=value.get("decided_by") or "",
        decision_reason=value.get("decision_reason") or "",
        grant_id=value.get("grant_id") or "",
        matched_patient_id=value.get("matched_patient_id") or "",
        version=int(item.version),
    )


def _items(request: ProxyRequest) -> tuple[ProxyRequestModel, ProxyRequestModel]:
    def item(partition: str, listed_at: str) -> ProxyRequestModel:
        return ProxyRequestModel(
            partition,
            f"request#{request.request_id}",
            listed_at=listed_at,
            status=request.status.value,
            version=request.version,
            request=_json(request),
        )

    queued_at = f"{queue_of(request)}#{moment_key(request.updated_at)}#{request.request_id}"
    return (
        item(requester_partition(request.requester_account_id), timed_key(request.created_at, request.request_id)),
        item(queue_partition(request.organization_id), queued_at),
    )


def _connection() -> Any:
    return ProxyRequestModel._get_connection().connection


class DynamoProxyRequests:
    def add(self, request: ProxyRequest, audit: AuditEvent) -> None:
        mine, queued = _items(request)
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(mine, condition=ProxyRequestModel.record_key.does_not_exist())
                transaction.save(queued, condition=ProxyRequestModel.record_key.does_not_exist())
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):  # a fresh id met an existing one: never, but not silently
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def _get(self, partition: str, request_id: str) -> ProxyRequest | None:
        try:
            return _request(ProxyRequestModel.get(partition, f"request#{request_id}", consistent_read=True))
        except ProxyRequestModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def of_requester(self, account_id: str, request_id: str) -> ProxyRequest | None:
        return self._get(requester_partition(account_id), request_id)

    def of_organization(self, organization_id: str, request_id: str) -> ProxyRequest | None:
        return self._get(queue_partition(organization_id), request_id)

    def requester_list(self, account_id: str) -> list[ProxyRequest]:
        try:
            items = ProxyRequestModel.by_time.query(
                requester_partition(account_id), scan_index_forward=False, consistent_read=True
            )
            return [_request(item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def queue_page(
        self, organization_id: str, queue: str, limit: int, after: str = ""
    ) -> tuple[list[ProxyRequest], str]:
        items, cursor = by_time_page(
            ProxyRequestModel.by_time,
            queue_partition(organization_id),
            limit,
            after,
            _UNAVAILABLE,
            # What waits longest first; what was decided, the latest first.
            newest_first=queue != "to_do",
            prefix=f"{queue}#",
            consistent_read=True,
        )
        return [_request(item) for item in items], cursor

    def change(
        self,
        changed: ProxyRequest,
        audit: AuditEvent | None,
        notices: tuple[OutboxEntry, ...] = (),
        event: OutboundEvent | None = None,
        grant: ProxyGrant | None = None,
        replaced: ProxyGrant | None = None,
    ) -> None:
        if replaced is not None and replaced.version is None:
            raise Conflict(CHANGED_MEANWHILE)  # never read from the store: nothing to compare with
        mine, queued = _items(changed)
        as_read = ProxyRequestModel.version == changed.version - 1
        extra = grant_items(grant) if grant is not None else []
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(queued, condition=as_read)
                transaction.save(mine, condition=as_read)
                for item in extra:  # a fresh grant id: never there already
                    transaction.save(item, condition=ProxyGrantModel.record_key.does_not_exist())
                if replaced is not None:
                    ended, *pointer = changed_grant_items(replaced)
                    transaction.save(ended, condition=ProxyGrantModel.version == replaced.version)
                    for item in pointer:
                        transaction.save(item)
                if event is not None:
                    transaction.save(outbound_item(event))
                for notice in notices:
                    transaction.save(outbox_item(notice))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
