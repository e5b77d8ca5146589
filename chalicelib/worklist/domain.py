"""A worklist item and the outcomes that close it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CALL_OUTCOMES = ("reached", "left_message", "no_answer", "done", "other")


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
