"""The staff worklist in DynamoDB (WorklistItemModel, in the records table under
"worklist#<organization>"): to-dos such as calling a patient about a critical result or moving a
merged record's portal account, added once per item id, listed open and oldest first, and closed
once (the first to close one wins).
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import PutError, PynamoDBException

from chalicelib.data.dynamo import conditional_failure
from chalicelib.data.models import WorklistItemModel
from chalicelib.errors import DependencyUnavailable
from chalicelib.worklist.domain import WorklistItem

# It shares the records table, and so the records store's message when that table cannot be reached.
_UNAVAILABLE = "The health records store is unavailable."


def _worklist_item(item: WorklistItemModel) -> WorklistItem:
    return WorklistItem(
        item_id=item.item_id,
        organization_id=item.patient_id.partition("#")[2],
        task=item.task,
        patient_id=item.subject_patient_id,
        result_id=item.result_id,
        result_version=int(item.result_version),
        status=item.status,
        created_at=item.created_at,
        done_by=item.done_by or "",
        done_at=item.done_at,
        outcome=item.outcome or "",
        sort_key=item.record_key,
    )


class DynamoWorklist:
    """Each organization's worklist, one partition per organization."""

    def add(self, item: WorklistItem) -> bool:
        """Once per item id (a redelivered critical result does not make a second call)."""
        model = WorklistItemModel(
            patient_id=f"worklist#{item.organization_id}",
            record_key=item.sort_key,
            item_id=item.item_id,
            task=item.task,
            subject_patient_id=item.patient_id,
            result_id=item.result_id,
            result_version=item.result_version,
            status=item.status,
            created_at=item.created_at,
        )
        try:
            model.save(condition=WorklistItemModel.record_key.does_not_exist())
        except PutError as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True

    def open_items(self, organization_id: str, limit: int = 100) -> list[WorklistItem]:
        """Open items, oldest first: one Query."""
        try:
            return [
                _worklist_item(item)
                for item in WorklistItemModel.query(
                    f"worklist#{organization_id}",
                    filter_condition=WorklistItemModel.status == "open",
                    limit=limit,
                    page_size=limit,
                )
            ]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def close(self, organization_id: str, sort_key: str, done_by: str, outcome: str, now: datetime) -> bool:
        """Mark an open item done; False if it was done already (or is not there)."""
        model = WorklistItemModel(patient_id=f"worklist#{organization_id}", record_key=sort_key)
        try:
            model.update(
                actions=[
                    WorklistItemModel.status.set("done"),
                    WorklistItemModel.done_by.set(done_by),
                    WorklistItemModel.done_at.set(now),
                    WorklistItemModel.outcome.set(outcome),
                ],
                condition=WorklistItemModel.status == "open",
            )
        except PynamoDBException as error:
            if conditional_failure(error):
                return False
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return True
