"""Support requests and support desks in DynamoDB (data/models.py: SupportRequestModel in the
records table, one partition per organization's queue; SupportDeskModel in the organizations
table)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PynamoDBException
from pynamodb.transactions import TransactWrite

from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import by_time_page, conditional_failure
from chalicelib.data.models import AuditEventModel, SupportDeskModel, SupportRequestModel
from chalicelib.data.outbox import outbox_item
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import timed_key
from chalicelib.records.outbox import OutboxEntry
from chalicelib.support.domain import Answer, Status, SupportRequest, Topic

_UNAVAILABLE = "The support requests store is unavailable."
_DESKS = "support-desks"


def _partition(organization_id: str) -> str:
    return f"support#{organization_id}"


def _request(item: SupportRequestModel) -> SupportRequest:
    return SupportRequest(
        request_id=item.request_id,
        organization_id=item.patient_id.partition("#")[2],
        topic=Topic(item.topic),
        description=item.description,
        contact_name=item.contact_name or "",
        contact_email=item.contact_email or "",
        contact_phone=item.contact_phone or "",
        account_id=item.account_id or "",
        status=Status(item.status),
        received_at=item.received_at,
        updated_at=item.updated_at,
        answers=tuple(
            Answer(a["answered_by"], datetime.fromisoformat(a["answered_at"]), a["text"]) for a in item.answers or []
        ),
        version=item.version,
    )


class DynamoSupport:
    """Each organization's support queue and desk."""

    # -- desks ---------------------------------------------------------------------------------
    def desks(self) -> dict[str, str]:
        try:
            desks = SupportDeskModel.get(_DESKS).desks
            return {str(k): str(v) for k, v in (desks.as_dict() if desks else {}).items()}
        except SupportDeskModel.DoesNotExist:
            return {}
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def desk_email(self, organization_id: str) -> str:
        try:
            return SupportDeskModel.get(f"support-desk#{organization_id}").email or ""
        except SupportDeskModel.DoesNotExist:
            return ""
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def set_desk(self, organization_id: str, name: str, email: str) -> None:
        try:
            SupportDeskModel(f"support-desk#{organization_id}", email=email or None).save()
            listing = SupportDeskModel(_DESKS)
            if email:
                listing.update(actions=[SupportDeskModel.desks[organization_id].set(name)])
            else:
                listing.update(actions=[SupportDeskModel.desks[organization_id].remove()])
        except PynamoDBException as error:
            if "document path" in str(error).lower():  # the list does not exist yet: create it
                self._first_desk(organization_id, name, email)
                return
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def _first_desk(self, organization_id: str, name: str, email: str) -> None:
        try:
            SupportDeskModel(_DESKS, desks={organization_id: name} if email else {}).save(
                condition=SupportDeskModel.organization_id.does_not_exist()
            )
        except PynamoDBException as error:
            if conditional_failure(error):  # another admin created it meanwhile
                raise Conflict("The organization changed at the same time; try again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    # -- requests ------------------------------------------------------------------------------
    def add(self, request: SupportRequest, outbox: list[OutboxEntry], audit: AuditEvent | None = None) -> None:
        """One transaction: a request is never kept without the emails that announce it (nor its
        audit event), nor an email queued for a request that was not kept."""
        item = SupportRequestModel(
            _partition(request.organization_id),
            f"request#{request.request_id}",
            listed_at=timed_key(request.received_at, request.request_id),
            request_id=request.request_id,
            reference=request.reference,
            topic=request.topic.value,
            description=request.description,
            contact_name=request.contact_name or None,
            contact_email=request.contact_email or None,
            contact_phone=request.contact_phone or None,
            account_id=request.account_id or None,
            status=request.status.value,
            received_at=request.received_at,
            updated_at=request.updated_at,
        )
        try:
            with TransactWrite(connection=SupportRequestModel._get_connection().connection) as transaction:
                transaction.save(item)
                for entry in outbox:
                    transaction.save(outbox_item(entry))
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def get(self, organization_id: str, request_id: str) -> SupportRequest | None:
        try:
            return _request(SupportRequestModel.get(_partition(organization_id), f"request#{request_id}"))
        except SupportRequestModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def page(
        self, organization_id: str, status: Status | None, limit: int, after: str = ""
    ) -> tuple[list[SupportRequest], str]:
        """Newest first, one Query of the by-time index (a status filters it). The cursor holds a
        position only: the partition always comes from the caller's organization."""
        items, cursor = by_time_page(
            SupportRequestModel.by_time,
            _partition(organization_id),
            limit,
            after,
            _UNAVAILABLE,
            filter_condition=(SupportRequestModel.status == status.value) if status else None,
        )
        return [_request(item) for item in items], cursor

    def update(
        self, request: SupportRequest, status: Status, now: datetime, answer: Answer | None = None
    ) -> SupportRequest:
        answers = [*request.answers, *([answer] if answer else [])]
        item = SupportRequestModel(
            _partition(request.organization_id), f"request#{request.request_id}", version=request.version
        )
        actions: list[Any] = [SupportRequestModel.status.set(status.value), SupportRequestModel.updated_at.set(now)]
        if answer is not None:
            actions.append(
                SupportRequestModel.answers.set(
                    [
                        {"answered_by": a.answered_by, "answered_at": a.answered_at.isoformat(), "text": a.text}
                        for a in answers
                    ]
                )
            )
        try:
            item.update(actions=actions)
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict(
                    "Someone else changed this request at the same time; reload it and try again."
                ) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return dataclasses.replace(
            request, status=status, updated_at=now, answers=tuple(answers), version=(request.version or 0) + 1
        )
