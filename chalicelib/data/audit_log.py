"""The audit trail in DynamoDB (AuditEventModel): append-only, read back one patient's events or
one actor's, newest first. ``audit_item`` is also how other repositories write an audit event
inside their own transaction (a change and its record together, or neither).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException

from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.data.dynamo import one_page
from chalicelib.data.models import AuditEventModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.keys import moment_key, timed_key
from chalicelib.kernel.paging import decode_cursor, invalid_cursor


class DynamoAuditLog:
    """Append-only audit store. There is deliberately no update or delete method."""

    def append(self, event: AuditEvent) -> None:
        item = audit_item(event)
        try:
            item.save(condition=AuditEventModel.subject_id.does_not_exist())
        except PutError as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error

    def for_patient(self, patient_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        # One item more than asked tells whether another page exists, so a cursor is only handed
        # out when it leads somewhere (DynamoDB's own LastEvaluatedKey may lead to an empty page).
        # The cursor holds only the position (a sort key: a time and an event id), never the
        # patient: the partition always comes from the caller's request, so a cursor cannot lead
        # into another patient's events.
        start = decode_cursor(after)
        if start is not None:
            if set(start) != {"sort_key"}:
                raise invalid_cursor("after")
            start = {"subject_id": {"S": patient_id}, **start}
        results = AuditEventModel.query(patient_id, scan_index_forward=False, limit=limit + 1, last_evaluated_key=start)
        return self._page(results, limit, ("sort_key",))

    def by_actor(self, account_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        results = AuditEventModel.by_actor.query(
            account_id,
            scan_index_forward=False,
            limit=limit + 1,
            last_evaluated_key=_cursor_within(after, "actor_id", account_id),
        )
        return self._page(results, limit, ("subject_id", "sort_key", "actor_id"))

    def app_reads(
        self, patient_id: str, authorization_ids: list[str], since: datetime, limit: int = 2000
    ) -> list[AuditEvent]:
        """A patient's events made by health apps under these authorizations since ``since`` (the
        oldest authorization's start), newest first, at most ``limit`` events looked at: one Query
        of the patient's partition from that moment on, filtered to the apps' events."""
        if not authorization_ids:
            return []
        try:
            items = list(
                AuditEventModel.query(
                    patient_id,
                    AuditEventModel.sort_key >= moment_key(since),
                    filter_condition=AuditEventModel.app_authorization_id.is_in(*authorization_ids),
                    scan_index_forward=False,
                    limit=limit,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error
        return [_audit_event(item) for item in items]

    @staticmethod
    def _page(results, limit: int, key_names: tuple[str, ...]) -> tuple[list[AuditEvent], str]:
        try:
            items = list(results)
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error
        shown, cursor = one_page(items, limit, lambda last: {name: getattr(last, name) for name in key_names})
        return [_audit_event(item) for item in shown], cursor

    def ping(self) -> None:
        try:
            AuditEventModel.describe_table()
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error


def audit_item(event: AuditEvent) -> AuditEventModel:
    return AuditEventModel(
        subject_id=event.patient_id or f"account#{event.actor.account_id}",
        sort_key=timed_key(event.recorded_at, event.event_id),
        event_id=event.event_id,
        recorded_at=event.recorded_at,
        actor_id=event.actor.account_id,
        actor_role=event.actor.role,
        proxy_grant_id=event.actor.proxy_grant_id or None,
        app_authorization_id=event.actor.app_authorization_id or None,
        action=event.action.value,
        event_type=event.event_type,
        outcome=event.outcome.value,
        patient_id=event.patient_id or None,
        resource_type=event.resource_type or None,
        resource_id=event.resource_id or None,
        correlation_id=event.correlation_id or None,
        source_ip=event.source_ip or None,
        reason=event.reason or None,
    )


def _cursor_within(cursor: str, key_name: str, expected: str) -> dict[str, Any] | None:
    """A cursor only continues the listing it came from: one for another patient is refused."""
    decoded = decode_cursor(cursor)
    if decoded is not None and (
        decoded.get(key_name) != {"S": expected} or set(decoded) != {"subject_id", "sort_key", "actor_id"}
    ):
        raise invalid_cursor("after")
    return decoded


def _audit_event(item: AuditEventModel) -> AuditEvent:
    return AuditEvent(
        event_id=item.event_id,
        recorded_at=item.recorded_at,
        actor=Actor(
            account_id=item.actor_id,
            role=item.actor_role,
            proxy_grant_id=item.proxy_grant_id or "",
            app_authorization_id=item.app_authorization_id or "",
        ),
        action=Action(item.action),
        event_type=item.event_type,
        outcome=Outcome(item.outcome),
        patient_id=item.patient_id or "",
        resource_type=item.resource_type or "",
        resource_id=item.resource_id or "",
        correlation_id=item.correlation_id or "",
        source_ip=item.source_ip or "",
        reason=item.reason or "",
    )
