"""SMART Health Links in the records table (HealthLinkModel): the link under its patient, and a
pointer from its manifest id. A change of the link is written on condition of the version read,
with its audit event in the same transaction, so a use is never kept without its event (nor the
reverse), and two viewers trying passcodes at once cannot both count as one wrong try."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.apps.health_links.domain import HealthLink, LinkUse
from chalicelib.audit.domain import AuditEvent
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed
from chalicelib.data.models import AuditEventModel, HealthLinkModel
from chalicelib.errors import Conflict, DependencyUnavailable

_UNAVAILABLE = "The health records store is unavailable."
POINTER = "link"


def _partition(patient_id: str) -> str:
    return f"health-links#{patient_id}"


def _pointer_partition(manifest_id: str) -> str:
    return f"health-link#{manifest_id}"


def _item(link: HealthLink, version: int) -> HealthLinkModel:
    return HealthLinkModel(
        patient_id=_partition(link.patient_id),
        record_key=f"link#{link.link_id}",
        link_id=link.link_id,
        subject_patient_id=link.patient_id,
        version=version,
        organization_id=link.organization_id,
        manifest_id=link.manifest_id,
        label=link.label or None,
        created_at=link.created_at,
        expires_at=link.expires_at,
        created_by=link.created_by,
        proxy_grant_id=link.proxy_grant_id or None,
        key_ciphertext=link.key_ciphertext,
        object_key=link.object_key,
        object_version=link.object_version or None,
        size=link.size,
        passcode_hash=link.passcode_hash or None,
        wrong_passcodes=link.wrong_passcodes,
        locked_at=link.locked_at,
        revoked_at=link.revoked_at,
        uses=[use.as_json() for use in link.uses],
        use_count=link.use_count,
    )


def _link(item: HealthLinkModel) -> HealthLink:
    return HealthLink(
        link_id=item.link_id,
        patient_id=item.subject_patient_id,
        organization_id=item.organization_id or "",
        manifest_id=item.manifest_id or "",
        label=item.label or "",
        created_at=item.created_at,
        expires_at=item.expires_at,
        created_by=item.created_by or "",
        key_ciphertext=bytes(item.key_ciphertext or b""),
        object_key=item.object_key or "",
        object_version=item.object_version or "",
        passcode_hash=item.passcode_hash or "",
        proxy_grant_id=item.proxy_grant_id or "",
        wrong_passcodes=int(item.wrong_passcodes or 0),
        locked_at=item.locked_at,
        revoked_at=item.revoked_at,
        uses=tuple(LinkUse.from_json(use) for use in item.uses or []),
        use_count=int(item.use_count or 0),
        version=int(item.version),
        size=int(item.size or 0),
    )


def _connection() -> Any:
    return HealthLinkModel._get_connection().connection


class DynamoHealthLinks:
    def create(self, link: HealthLink, audit: AuditEvent) -> None:
        """The link, its pointer and the audit event of its creation, together."""
        pointer = HealthLinkModel(
            patient_id=_pointer_partition(link.manifest_id),
            record_key=POINTER,
            link_id=link.link_id,
            subject_patient_id=link.patient_id,
            version=1,
        )
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(_item(link, 1), condition=HealthLinkModel.patient_id.does_not_exist())
                transaction.save(pointer, condition=HealthLinkModel.patient_id.does_not_exist())
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def save(self, link: HealthLink, audit: AuditEvent) -> None:
        """A change of a kept link (a use, a wrong passcode, a revoke) on condition that it is
        still the version read, with its audit event. Conflict when it changed meanwhile."""
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(_item(link, link.version + 1), condition=HealthLinkModel.version == link.version)
                transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict("The link changed at the same time; try again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def of_patient(self, patient_id: str) -> list[HealthLink]:
        try:
            items = HealthLinkModel.query(
                _partition(patient_id), HealthLinkModel.record_key.startswith("link#"), consistent_read=True
            )
            links = [_link(item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return sorted(links, key=lambda link: (link.created_at, link.link_id), reverse=True)

    def get(self, patient_id: str, link_id: str) -> HealthLink | None:
        try:
            return _link(HealthLinkModel.get(_partition(patient_id), f"link#{link_id}", consistent_read=True))
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def by_manifest(self, manifest_id: str) -> HealthLink | None:
        try:
            pointer = HealthLinkModel.get(_pointer_partition(manifest_id), POINTER, consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return self.get(pointer.subject_patient_id, pointer.link_id)
