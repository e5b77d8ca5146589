"""The audit trail in DynamoDB (AuditEventModel): append-only, read back one patient's events or
one actor's, newest first. ``audit_item`` is also how other repositories write an audit event
inside their own transaction (a change and its record together, or neither).

The actors everyone shares (anonymous, the system's jobs, the operator) write under a shard of
their keys (kernel/shards.py), so a burst of unknown users' sign-ins or a lab's backlog of feed
messages never lands on one partition; their readers ask every shard and merge.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from functools import partial
from typing import Any

from pynamodb.exceptions import PutError, PynamoDBException

from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.data.dynamo import Backfill, backfill, from_keys
from chalicelib.data.models import AuditEventModel
from chalicelib.data.sharded import merged_page
from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.keys import moment_key, timed_key
from chalicelib.kernel.shards import every_shard, sharded

_UNAVAILABLE = "The audit trail is unavailable."


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
        # The cursor holds only positions (sort keys: a time and an event id), never the
        # patient: the partition always comes from the caller's request, so a cursor cannot lead
        # into another patient's events. A shared actor's own events ("account#anonymous") are
        # spread over shards: every shard is read and merged.
        def query(subject: str, start: dict[str, Any] | None, count: int) -> list[AuditEventModel]:
            start = {"subject_id": {"S": subject}, **start} if start else None
            found = AuditEventModel.query(
                subject, scan_index_forward=False, limit=count, page_size=count, last_evaluated_key=start
            )
            return list(found)

        return self._merged(query, subject_keys(patient_id), limit, after, frozenset({"sort_key"}))

    def by_actor(self, account_id: str, limit: int, after: str = "") -> tuple[list[AuditEvent], str]:
        """An actor's events, newest first: the index gives a page's keys (every shard's, for a
        shared actor), and one BatchGetItem the events."""

        def query(actor_key: str, start: dict[str, Any] | None, count: int) -> list[AuditEventModel]:
            start = {"actor_key": {"S": actor_key}, **start} if start else None
            found = AuditEventModel.by_actor.query(
                actor_key, scan_index_forward=False, limit=count, page_size=count, last_evaluated_key=start
            )
            return list(found)

        keys, cursor = merged_page(
            query,
            actor_keys(account_id),
            limit,
            after,
            position=lambda item: {"subject_id": item.subject_id, "sort_key": item.sort_key},
            names=frozenset({"subject_id", "sort_key"}),
            order=lambda item: item.sort_key,
            unavailable=_UNAVAILABLE,
        )
        try:
            events = from_keys(AuditEventModel, keys, lambda item: (item.subject_id, item.sort_key))
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return [_audit_event(item) for item in events], cursor

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
    def _merged(query, keys: list[str], limit: int, after: str, names: frozenset[str]) -> tuple[list[AuditEvent], str]:
        items, cursor = merged_page(
            query,
            keys,
            limit,
            after,
            position=lambda item: {"sort_key": item.sort_key},
            names=names,
            order=lambda item: item.sort_key,
            unavailable=_UNAVAILABLE,
        )
        return [_audit_event(item) for item in items], cursor

    def backfill_actor_keys(self, *, write: bool = True) -> Backfill:
        """Give the events written before the by-actor-key index existed their ``actor_key`` (the
        one attribute added; nothing an event says changes). A Scan and conditional writes, run
        with the operator's credentials after an upgrade (the API's role may not update this
        table); a second run finds nothing to do."""

        def writes() -> Iterator[Callable[[], object]]:
            found = AuditEventModel.scan(
                AuditEventModel.actor_key.does_not_exist(),
                attributes_to_get=["subject_id", "sort_key", "actor_id", "event_id"],
            )
            for item in found:
                key = sharded(item.actor_id, item.event_id) if is_shared(item.actor_id) else item.actor_id
                yield partial(
                    AuditEventModel(subject_id=item.subject_id, sort_key=item.sort_key).update,
                    actions=[AuditEventModel.actor_key.set(key)],
                    condition=AuditEventModel.subject_id.exists() & AuditEventModel.actor_key.does_not_exist(),
                )

        return backfill(writes(), write=write, unavailable=_UNAVAILABLE)

    def ping(self) -> None:
        try:
            AuditEventModel.describe_table()
        except PynamoDBException as error:
            raise DependencyUnavailable("The audit trail is unavailable.") from error


def is_shared(account_id: str) -> bool:
    """An actor everyone shares rather than one account: the anonymous caller (every unknown
    user's failed sign-in), the system's jobs (every feed message's intake), the operator's CLI.
    Their events are spread over shards; an account's stay under one key (its own history is
    read often, and one person cannot make a hot key of it)."""
    return account_id == "anonymous" or account_id.startswith(("system", "operator:"))


def subject_keys(subject: str) -> list[str]:
    """The partitions a subject's events are under: its own; for a shared actor every shard, and
    the unsharded key too, where the events written before the shards stay (the audit trail is
    never rewritten)."""
    account = subject.removeprefix("account#")
    return [*every_shard(subject), subject] if account != subject and is_shared(account) else [subject]


def actor_keys(account_id: str) -> list[str]:
    """The by-actor-key keys an actor's events are under."""
    return every_shard(account_id) if is_shared(account_id) else [account_id]


def audit_item(event: AuditEvent) -> AuditEventModel:
    actor = event.actor.account_id
    # A shared actor's event goes to a shard chosen by its id (random): spread evenly, and the
    # same event always to the same shard.
    shared = is_shared(actor)
    subject = event.patient_id or f"account#{actor}"
    return AuditEventModel(
        subject_id=sharded(subject, event.event_id) if shared and not event.patient_id else subject,
        actor_key=sharded(actor, event.event_id) if shared else actor,
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
