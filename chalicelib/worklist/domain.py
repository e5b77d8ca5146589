"""A worklist item: a call staff must make about a result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.kernel.keys import timed_key


@dataclass(frozen=True)
class WorklistItem:
    item_id: str  # the result and version it is about: one call per critical version
    organization_id: str
    task: str
    patient_id: str
    result_id: str
    result_version: int
    status: str
    created_at: datetime
    done_by: str = ""
    done_at: datetime | None = None
    outcome: str = ""
    sort_key: str = ""  # "<created ISO>#<item id>"


def move_account_item_key(merged_patient_id: str, merged_created_at: datetime) -> tuple[str, str]:
    """The id and sort key of the "move_portal_account" item an A40 merge opens for the merged
    record: one per merged record (not per delivery), so a redelivery opens none, and the staff
    action that moves the account closes exactly it."""
    item_id = f"merge-{merged_patient_id}"
    return item_id, timed_key(merged_created_at, item_id)
