"""FakeWorklist: DynamoWorklist in memory. An item is added once per organization and sort key
(``add`` answers False the second time), listed open and oldest first, and closed once (the first
to close it wins; closing again, or an item not there, answers False)."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from chalicelib.worklist.domain import WorklistItem


class FakeWorklist:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], WorklistItem] = {}  # (organization, sort key)

    def add(self, item: WorklistItem) -> bool:
        key = (item.organization_id, item.sort_key)
        if key in self.items:
            return False
        # (what the store keeps of a new item: not who closed it, nor how)
        self.items[key] = dataclasses.replace(item, done_by="", done_at=None, outcome="")
        return True

    def open_items(self, organization_id: str, limit: int = 100) -> list[WorklistItem]:
        return [
            item
            for (organization, _), item in sorted(self.items.items())
            if organization == organization_id and item.status == "open"
        ][:limit]

    def open_item(self, organization_id: str, item_id: str) -> WorklistItem | None:
        return next((i for i in self.open_items(organization_id, limit=10**6) if i.item_id == item_id), None)

    def close(self, organization_id: str, sort_key: str, done_by: str, outcome: str, now: datetime) -> bool:
        item = self.items.get((organization_id, sort_key))
        if item is None or item.status != "open":
            return False
        self.items[(organization_id, sort_key)] = dataclasses.replace(
            item, status="done", done_by=done_by, done_at=now, outcome=outcome
        )
        return True
