"""Proxy grants in DynamoDB (data/models.py: ProxyGrantModel in the records table).

Each grant is kept under the patient ("proxy-grants#<patient>", every field) and, once an account
holds it, under that account ("proxy-of#<account>", the same fields): the one check
(access/service.py) reads the caller's grants with one strongly consistent Query of its own
partition on every call, and the patient's list is one Query of theirs. Both items are written in
one transaction with the audit event and whatever the change sets off (``also``: a notice in the
outbox, a worklist item), so a grant never exists without its trail nor one copy without the other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import PynamoDBException, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.access.domain import Area
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed
from chalicelib.data.models import AuditEventModel, ProxyGrantModel
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.proxies.domain import MERGED, Access, GrantStatus, ProxyGrant, Relationship

_UNAVAILABLE = "The proxy access store is unavailable."
CHANGED_MEANWHILE = "This access changed a moment ago. Reload and try again."


def patient_partition(patient_id: str) -> str:
    return f"proxy-grants#{patient_id}"


def proxy_partition(account_id: str) -> str:
    return f"proxy-of#{account_id}"


def _item(partition: str, grant: ProxyGrant, version: int) -> ProxyGrantModel:
    return ProxyGrantModel(
        partition,
        grant.grant_id,
        version=version,
        subject_patient_id=grant.patient_id,
        organization_id=grant.organization_id,
        proxy_account_id=grant.proxy_account_id or None,
        relationship=grant.relationship.value,
        access=grant.access.value,
        areas={a.value for a in grant.areas} or None,
        status=grant.status.value,
        starts_at=grant.starts_at,
        ends_at=grant.ends_at,
        visible_until=grant.visible_until,
        created_at=grant.created_at,
        request_id=grant.request_id or None,
        proxy_name=grant.proxy_name or None,
        patient_name=grant.patient_name or None,
        consented_at=grant.consented_at,
        ended_at=grant.ended_at,
        ended_by=grant.ended_by or None,
        end_reason=grant.end_reason or None,
    )


def _items(grant: ProxyGrant, version: int) -> list[ProxyGrantModel]:
    items = [_item(patient_partition(grant.patient_id), grant, version)]
    if grant.proxy_account_id:
        items.append(_item(proxy_partition(grant.proxy_account_id), grant, version))
    return items


def grant_items(grant: ProxyGrant) -> list[Model]:
    """The item(s) to put for a new grant, for a transaction another store writes (a request's
    approval keeps the grant with the request's decision). Version 1 unless the grant has one."""
    return list(_items(grant, grant.version or 1))


def changed_grant_items(grant: ProxyGrant) -> tuple[list[Model], Any]:
    """The items of a change of a kept grant, for a transaction another store writes (the
    patient's answer keeps the request's change with the grant's; an approval ends the grant it
    replaces), and the condition the first (the patient's copy) carries: still at the version read."""
    if grant.version is None:
        raise Conflict(CHANGED_MEANWHILE)  # never read from the store: nothing to compare with
    return list(_items(grant, grant.version + 1)), ProxyGrantModel.version == grant.version


def _areas(values: Any) -> frozenset[Area]:
    known = {a.value for a in Area}
    # An area this code no longer knows is dropped rather than failing every read of the grant.
    return frozenset(Area(v) for v in values or () if v in known)


def _grant(item: ProxyGrantModel) -> ProxyGrant:
    return ProxyGrant(
        grant_id=item.record_key,
        patient_id=item.subject_patient_id,
        organization_id=item.organization_id,
        proxy_account_id=item.proxy_account_id or "",
        relationship=Relationship(item.relationship),
        access=Access(item.access),
        areas=_areas(item.areas),
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        visible_until=item.visible_until,
        status=GrantStatus(item.status),
        created_at=item.created_at,
        request_id=item.request_id or "",
        proxy_name=item.proxy_name or "",
        patient_name=item.patient_name or "",
        consented_at=item.consented_at,
        ended_at=item.ended_at,
        ended_by=item.ended_by or "",
        end_reason=item.end_reason or "",
        version=int(item.version),
    )


def _connection() -> Any:
    return ProxyGrantModel._get_connection().connection


def _newest_first(grants: list[ProxyGrant]) -> list[ProxyGrant]:
    return sorted(grants, key=lambda g: (g.created_at, g.grant_id), reverse=True)


class DynamoProxyGrants:
    def _query(self, partition: str) -> list[ProxyGrant]:
        try:
            return [_grant(item) for item in ProxyGrantModel.query(partition, consistent_read=True)]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def of_proxy(self, account_id: str) -> list[ProxyGrant]:
        if not account_id:
            return []
        return _newest_first(self._query(proxy_partition(account_id)))

    def of_patient(self, patient_id: str) -> list[ProxyGrant]:
        if not patient_id:
            return []
        return _newest_first(self._query(patient_partition(patient_id)))

    def get(self, patient_id: str, grant_id: str) -> ProxyGrant | None:
        if not patient_id or not grant_id:
            return None
        try:
            return _grant(ProxyGrantModel.get(patient_partition(patient_id), grant_id, consistent_read=True))
        except ProxyGrantModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def _write(
        self, items: list[ProxyGrantModel], first_condition: Any, audit: AuditEvent, also: Sequence[Any]
    ) -> None:
        mine, *pointer = items
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(mine, condition=first_condition)
                for item in pointer:
                    transaction.save(item)
                for extra in also:
                    transaction.save(extra)
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def add(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> None:
        self._write(_items(grant, grant.version or 1), ProxyGrantModel.record_key.does_not_exist(), audit, also)

    def change(self, grant: ProxyGrant, audit: AuditEvent, also: Sequence[Any] = ()) -> ProxyGrant:
        if grant.version is None:
            raise Conflict(CHANGED_MEANWHILE)  # never read from the store: nothing to compare with
        version = grant.version + 1
        # The patient's copy carries the condition; the pointer follows it (and is new when an
        # account has just come to hold the grant, so it has no version to compare).
        self._write(_items(grant, version), ProxyGrantModel.version == grant.version, audit, also)
        return dataclasses.replace(grant, version=version)

    def move(self, from_patient: str, to_patient: str, now: datetime) -> int:
        """A merge: each grant of the merged patient is copied under the survivor, its proxy's
        pointer rewritten to name the survivor, and the copy left under the merged patient marked
        over (status ended, end reason merged, so it can be neither revoked nor renewed nor
        answered), in one transaction per grant. Each part is conditional: the survivor has no copy
        yet; the merged copy and the pointer are still at the version read, the pointer still
        naming the merged patient. So a redelivered merge changes nothing, and a grant changed a
        moment ago (revoked, renewed) is never put back as it was: the next delivery moves it as
        it is then. The items stay (no function deletes from the records table but the outboxes);
        the one check never opens a merged-away record. Returns how many were moved."""
        if not from_patient or not to_patient or from_patient == to_patient:
            return 0
        moved = 0
        for grant in self._query(patient_partition(from_patient)):
            if grant.status is GrantStatus.ENDED and grant.end_reason == MERGED:
                continue  # moved already
            version = grant.version or 1
            survivor = dataclasses.replace(grant, patient_id=to_patient)
            left = dataclasses.replace(
                grant, status=GrantStatus.ENDED, ended_at=now, ended_by="system", end_reason=MERGED
            )
            as_read = ProxyGrantModel.version == version
            try:
                with TransactWrite(connection=_connection()) as transaction:
                    mine, *pointer = _items(survivor, version)
                    transaction.save(mine, condition=ProxyGrantModel.record_key.does_not_exist())
                    transaction.save(_item(patient_partition(from_patient), left, version + 1), condition=as_read)
                    for item in pointer:
                        transaction.save(item, condition=as_read & (ProxyGrantModel.subject_patient_id == from_patient))
            except TransactWriteError as error:
                if any_condition_failed(error):
                    continue  # moved already, or changed meanwhile (the next delivery looks again)
                raise DependencyUnavailable(_UNAVAILABLE) from error
            except PynamoDBException as error:
                raise DependencyUnavailable(_UNAVAILABLE) from error
            moved += 1
        return moved
