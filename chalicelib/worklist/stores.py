"""The staff worklist store, as services use it (chalicelib.data.worklist implements it over
DynamoDB)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.worklist.domain import WorklistItem


class Worklist(Protocol):
    def add(self, item: WorklistItem) -> bool:
        """Once per item id; False when it is there already."""
        ...

    def open_items(self, organization_id: str, limit: int = 100) -> list[WorklistItem]:
        """Open items, oldest first."""
        ...

    def open_item(self, organization_id: str, item_id: str) -> WorklistItem | None:
        """The organization's open item of this id, else None."""
        ...

    def close(self, organization_id: str, sort_key: str, done_by: str, outcome: str, now: datetime) -> bool:
        """Mark an open item done; False if it was done already (or is not there)."""
        ...
