"""Record exports in the records table (data/models.py: RecordExportModel), under
"exports#<patient_id>": each export as "export#<export_id>" (its id starts with the moment it was
asked, so one Query lists the newest first), and beside it, while one builds, the requester's
marker "building#<account_id>". The marker is written with the export in one transaction on
condition that none is there (or that the one there is past its build deadline), so two asks
racing start one build; finishing the export deletes it in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.access.domain import Area
from chalicelib.apps.export.domain import BUILD_DEADLINE, Export, ExportFile, ExportStatus
from chalicelib.data.dynamo import any_condition_failed
from chalicelib.data.models import RecordExportModel
from chalicelib.errors import Conflict, DependencyUnavailable

_UNAVAILABLE = "The record exports store is unavailable."
CHANGED_MEANWHILE = "This download changed a moment ago. Reload and try again."


def partition(patient_id: str) -> str:
    return f"exports#{patient_id}"


def _export_key(export_id: str) -> str:
    return f"export#{export_id}"


def _marker_key(account_id: str) -> str:
    return f"building#{account_id}"


def _connection() -> Any:
    return RecordExportModel._get_connection().connection


def _item(export: Export) -> RecordExportModel:
    item = RecordExportModel(
        partition(export.patient_id),
        _export_key(export.export_id),
        export_id=export.export_id,
        subject_patient_id=export.patient_id,
        requested_by=export.requested_by,
        requested_at=export.requested_at,
        requester_role=export.requester_role,
        requester_organization_id=export.requester_organization_id or None,
        requester_patient_id=export.requester_patient_id or None,
        grant_id=export.grant_id or None,
        areas={a.value for a in export.areas} or None,
        status=export.status.value,
        ready_at=export.ready_at,
        failed_at=export.failed_at,
        failure=export.failure or None,
        files=[{"kind": f.kind, "object_key": f.object_key, "size": f.size} for f in export.files] or None,
    )
    if export.version is not None:  # a new export has none: PynamoDB then writes it on condition it is new
        item.version = export.version
    return item


def _marker(export: Export) -> RecordExportModel:
    return RecordExportModel(
        partition(export.patient_id),
        _marker_key(export.requested_by),
        export_id=export.export_id,
        subject_patient_id=export.patient_id,
        requested_by=export.requested_by,
        requested_at=export.requested_at,
        stale_after=export.requested_at + BUILD_DEADLINE,
    )


def _export(item: RecordExportModel) -> Export:
    return Export(
        export_id=item.export_id,
        patient_id=item.subject_patient_id,
        requested_by=item.requested_by,
        requested_at=item.requested_at,
        areas=frozenset(Area(a) for a in (item.areas or ())),
        requester_role=item.requester_role or "patient",
        requester_organization_id=item.requester_organization_id or "",
        requester_patient_id=item.requester_patient_id or "",
        grant_id=item.grant_id or "",
        status=ExportStatus(item.status or ExportStatus.BUILDING.value),
        ready_at=item.ready_at,
        failed_at=item.failed_at,
        failure=item.failure or "",
        files=tuple(ExportFile(f["kind"], f["object_key"], int(f["size"])) for f in (item.files or [])),
        version=item.version,
    )


class DynamoExports:
    def start(self, export: Export, now: datetime) -> Export:
        marker = _marker(export)
        try:
            there = RecordExportModel.get(marker.patient_id, marker.record_key, consistent_read=True)
        except DoesNotExist:
            there = None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        if there is not None:
            building = self.get(export.patient_id, there.export_id)
            if building is not None and building.shown_status(now) is ExportStatus.BUILDING:
                return building
            # A marker past its deadline (or of an export gone): replaced, on condition of its
            # version, so that of two asks racing one wins.
            marker.version = there.version
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(marker)
                transaction.save(_item(export), condition=RecordExportModel.record_key.does_not_exist())
        except TransactWriteError as error:
            if not any_condition_failed(error):
                raise DependencyUnavailable(_UNAVAILABLE) from error
            building = self._building(export.patient_id, export.requested_by)
            if building is None:
                raise Conflict(CHANGED_MEANWHILE) from error
            return building
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return self.get(export.patient_id, export.export_id) or export

    def _building(self, patient_id: str, account_id: str) -> Export | None:
        try:
            marker = RecordExportModel.get(partition(patient_id), _marker_key(account_id), consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return self.get(patient_id, marker.export_id)

    def get(self, patient_id: str, export_id: str) -> Export | None:
        try:
            item = RecordExportModel.get(partition(patient_id), _export_key(export_id), consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _export(item)

    def recent(self, patient_id: str, requested_by: str, limit: int) -> list[Export]:
        # The partition holds every requester's exports (the patient's and their proxies'): read
        # a few pages' worth and keep the account's own. A record has a handful, not thousands.
        try:
            items = RecordExportModel.query(
                partition(patient_id),
                RecordExportModel.record_key.startswith("export#"),
                filter_condition=RecordExportModel.requested_by == requested_by,
                scan_index_forward=False,
                limit=limit,
                page_size=100,
            )
            return [_export(item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def finish(self, export: Export) -> Export:
        try:
            marker = RecordExportModel.get(
                partition(export.patient_id), _marker_key(export.requested_by), consistent_read=True
            )
        except DoesNotExist:
            marker = None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        try:
            with TransactWrite(connection=_connection()) as transaction:
                transaction.save(_item(export))  # on condition of the version read
                # The marker goes with it, unless it is another export's already (this one ran
                # past its deadline and a new ask took the marker): on condition of its version.
                if marker is not None and marker.export_id == export.export_id:
                    transaction.delete(marker)
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict(CHANGED_MEANWHILE) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return self.get(export.patient_id, export.export_id) or export
