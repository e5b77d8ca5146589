"""Health apps in DynamoDB (data/models.py: AppClientModel, AppAuthorizationModel, AppTokenModel).

- Apps: the organizations table, "app#<client_id>", and each organization's list of its apps under
  "apps#<organization_id>" (one GetItem lists them, one more per app).
- Authorizations: the records table, "apps#<patient_id>" / "authorization#<id>" (a patient's list
  is one Query), versioned; a pointer under "app-authorizations#<client_id>" lets disabling an
  app end every authorization it holds.
- Requests, codes and tokens: the identity table, "<kind>#<selector>", owned by
  "app-authorization#<id>" once issued (the by-owner index): revoking deletes them in one Query and
  one delete each, so the next call with any of them finds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.apps.domain import (
    AppAuthorization,
    AppClient,
    AppStatus,
    AuthorizationStatus,
    ClientKind,
)
from chalicelib.apps.oauth.tokens import OAuthRecord, RecordKind
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed, conditional_failure, from_keys
from chalicelib.data.models import AppAuthorizationModel, AppClientModel, AppTokenModel
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.kernel.keys import timed_key

_UNAVAILABLE = "The health apps store is unavailable."
CHANGED_MEANWHILE = "This changed a moment ago. Reload and try again."


def _connection() -> Any:
    return AppClientModel._get_connection().connection


def _client_key(client_id: str) -> str:
    return f"app#{client_id}"


def _organization_key(organization_id: str) -> str:
    return f"apps#{organization_id}"


def _patient_key(patient_id: str) -> str:
    return f"apps#{patient_id}"


def _pointer_key(client_id: str) -> str:
    return f"app-authorizations#{client_id}"


def _client_item(client: AppClient) -> AppClientModel:
    item = AppClientModel(
        _client_key(client.client_id),
        owner_organization_id=client.organization_id,
        name=client.name,
        description=client.description or None,
        redirect_uris=list(client.redirect_uris),
        kind=client.kind.value,
        status=client.status.value,
        logo_url=client.logo_url or None,
        privacy_policy_url=client.privacy_policy_url or None,
        secret_hash=client.secret_hash or None,
        created_at=client.created_at,
    )
    if client.version:
        item.version = client.version
    return item


def _client(item: AppClientModel) -> AppClient:
    return AppClient(
        client_id=item.organization_id.partition("#")[2],
        organization_id=item.owner_organization_id or "",
        name=item.name or "",
        redirect_uris=tuple(item.redirect_uris or ()),
        kind=ClientKind(item.kind),
        status=AppStatus(item.status),
        created_at=item.created_at,
        logo_url=item.logo_url or "",
        privacy_policy_url=item.privacy_policy_url or "",
        description=item.description or "",
        secret_hash=item.secret_hash or "",
        version=int(item.version or 0),
    )


def _authorization_item(authorization: AppAuthorization) -> AppAuthorizationModel:
    item = AppAuthorizationModel(
        _patient_key(authorization.patient_id),
        f"authorization#{authorization.authorization_id}",
        subject_patient_id=authorization.patient_id,
        authorization_id=authorization.authorization_id,
        client_id=authorization.client_id,
        organization_id=authorization.organization_id,
        account_id=authorization.account_id,
        resource_types=set(authorization.resource_types) or None,
        scope=authorization.scope,
        status=authorization.status.value,
        created_at=authorization.created_at,
        offline=authorization.offline,
        revoked_at=authorization.revoked_at,
        revoked_by=authorization.revoked_by or None,
        proxy_grant_id=authorization.proxy_grant_id or None,
        last_used_at=authorization.last_used_at,
        app_name=authorization.app_name or None,
    )
    if authorization.version:
        item.version = authorization.version
    return item


def _authorization(item: AppAuthorizationModel) -> AppAuthorization:
    return AppAuthorization(
        authorization_id=item.authorization_id,
        client_id=item.client_id,
        organization_id=item.organization_id or "",
        patient_id=item.subject_patient_id,
        account_id=item.account_id or "",
        resource_types=frozenset(item.resource_types or ()),
        scope=item.scope or "",
        status=AuthorizationStatus(item.status),
        created_at=item.created_at,
        offline=bool(item.offline),
        revoked_at=item.revoked_at,
        revoked_by=item.revoked_by or "",
        proxy_grant_id=item.proxy_grant_id or "",
        last_used_at=item.last_used_at,
        version=int(item.version or 0),
        app_name=item.app_name or "",
    )


def _record_item(record: OAuthRecord) -> AppTokenModel:
    return AppTokenModel(
        f"{record.kind.value}#{record.selector}",
        kind=record.kind.value,
        owner=record.owner or None,
        created_key=timed_key(record.created_at, record.selector) if record.owner else None,
        payload=dict(record.payload),
        created_at=record.created_at,
        expires_at=record.expires_at,
        # Collected a day after expiry, so a just-expired record still explains a refusal.
        expires_ttl=record.expires_at + 86400,
    )


def _record(item: AppTokenModel) -> OAuthRecord:
    kind, _, selector = item.pk.partition("#")
    return OAuthRecord(
        kind=RecordKind(kind),
        selector=selector,
        created_at=item.created_at,
        expires_at=int(item.expires_at),
        payload={str(k): str(v) for k, v in (item.payload or {}).items()},
        owner=item.owner or "",
        marked=item.marked or "",
    )


class DynamoApps:
    """Apps, authorizations, and the authorization server's records."""

    # Apps ------------------------------------------------------------------------------------

    def client(self, client_id: str) -> AppClient | None:
        try:
            return _client(AppClientModel.get(_client_key(client_id), consistent_read=True))
        except AppClientModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def clients_of(self, organization_id: str) -> list[AppClient]:
        try:
            listing = AppClientModel.get(_organization_key(organization_id))
        except AppClientModel.DoesNotExist:
            return []
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        keys = sorted(_client_key(c) for c in listing.client_ids or ())
        try:
            found = [_client(item) for item in AppClientModel.batch_get(keys)] if keys else []
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return sorted(found, key=lambda c: (c.name.lower(), c.client_id))

    def add_client(self, client: AppClient, event: AuditEvent | None = None) -> None:
        """A new app and its place in its organization's list, in one transaction."""
        item = _client_item(client)
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(item, condition=AppClientModel.organization_id.does_not_exist())
                transaction.update(
                    AppClientModel(_organization_key(client.organization_id)),
                    actions=[AppClientModel.client_ids.add({client.client_id})],
                    add_version_condition=False,  # a list only grows: no lost update to guard
                )
                if event is not None:
                    transaction.save(audit_item(event))
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict("That app exists already.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def save_client(self, client: AppClient, event: AuditEvent | None = None) -> AppClient:
        """An app changed, on condition of the version read (Conflict if it changed meanwhile)."""
        item = _client_item(client)
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(item)
                if event is not None:
                    transaction.save(audit_item(event))
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return self.client(client.client_id) or client

    # Authorizations --------------------------------------------------------------------------

    def authorization(self, patient_id: str, authorization_id: str) -> AppAuthorization | None:
        try:
            item = AppAuthorizationModel.get(
                _patient_key(patient_id), f"authorization#{authorization_id}", consistent_read=True
            )
        except AppAuthorizationModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _authorization(item)

    def authorizations_of(self, patient_id: str) -> list[AppAuthorization]:
        """Every authorization given for this patient's record (revoked ones too), newest first."""
        try:
            items = list(
                AppAuthorizationModel.query(
                    _patient_key(patient_id),
                    AppAuthorizationModel.record_key.startswith("authorization#"),
                    consistent_read=True,
                )
            )
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return sorted((_authorization(i) for i in items), key=lambda a: a.created_at, reverse=True)

    def authorizations_of_client(self, client_id: str) -> list[tuple[str, str]]:
        """(patient id, authorization id) of every authorization an app was given."""
        try:
            return [
                (item.subject_patient_id, item.authorization_id)
                for item in AppAuthorizationModel.query(_pointer_key(client_id))
            ]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def add_authorization(self, authorization: AppAuthorization, event: AuditEvent | None = None) -> None:
        item = _authorization_item(authorization)
        pointer = AppAuthorizationModel(
            _pointer_key(authorization.client_id),
            authorization.authorization_id,
            subject_patient_id=authorization.patient_id,
            authorization_id=authorization.authorization_id,
            client_id=authorization.client_id,
            pointer=True,
        )
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(item, condition=AppAuthorizationModel.patient_id.does_not_exist())
                transaction.save(pointer)
                if event is not None:
                    transaction.save(audit_item(event))
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict("That authorization exists already.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def save_authorization(self, authorization: AppAuthorization, event: AuditEvent | None = None) -> bool:
        """An authorization changed (revoked), on condition of the version read: False when it
        changed meanwhile."""
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(_authorization_item(authorization))
                if event is not None:
                    transaction.save(audit_item(event))
        except TransactWriteError as error:
            if any_condition_failed(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def touch_authorization(self, authorization: AppAuthorization, at: datetime) -> None:
        """When the app last used it (no version check, no version bump: a revoke is never lost
        to it, and it never makes a revoke retry)."""
        model = AppAuthorizationModel(
            _patient_key(authorization.patient_id), f"authorization#{authorization.authorization_id}"
        )
        try:
            model.update(
                actions=[AppAuthorizationModel.last_used_at.set(at)],
                condition=AppAuthorizationModel.patient_id.exists(),
                add_version_condition=False,
            )
        except UpdateError as error:
            if conditional_failure(error):
                return
            raise DependencyUnavailable(_UNAVAILABLE) from error

    # Requests, codes and tokens ----------------------------------------------------------------

    def put_record(self, record: OAuthRecord) -> None:
        try:
            _record_item(record).save(condition=AppTokenModel.pk.does_not_exist())
        except PutError as error:
            if conditional_failure(error):
                raise Conflict("That record exists already.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def record(self, kind: RecordKind, selector: str) -> OAuthRecord | None:
        try:
            return _record(AppTokenModel.get(f"{kind.value}#{selector}", consistent_read=True))
        except AppTokenModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def take_record(self, kind: RecordKind, selector: str) -> OAuthRecord | None:
        """Read a record and delete it: None if it was gone, or someone took it meanwhile (so a
        record is used once, at most)."""
        record = self.record(kind, selector)
        if record is None:
            return None
        try:
            AppTokenModel(f"{kind.value}#{selector}").delete(condition=AppTokenModel.pk.exists())
        except DeleteError as error:
            if conditional_failure(error):
                return None
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return record

    def mark_record(self, kind: RecordKind, selector: str, value: str) -> bool:
        """Mark a record once (a code's first use): False if it was marked already, or is gone."""
        model = AppTokenModel(f"{kind.value}#{selector}")
        try:
            model.update(
                actions=[AppTokenModel.marked.set(value)],
                condition=AppTokenModel.pk.exists() & AppTokenModel.marked.does_not_exist(),
            )
        except UpdateError as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def owned(self, owner: str) -> Sequence[OAuthRecord]:
        try:
            keys = AppTokenModel.by_owner.query(owner)
            return [_record(item) for item in from_keys(AppTokenModel, keys, lambda item: item.pk)]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def delete_owned(self, owner: str) -> int:
        """Delete every code and token of an authorization: how many there were."""
        deleted = 0
        for record in self.owned(owner):
            try:
                AppTokenModel(f"{record.kind.value}#{record.selector}").delete()
            except DeleteError as error:
                raise DependencyUnavailable(_UNAVAILABLE) from error
            deleted += 1
        return deleted
