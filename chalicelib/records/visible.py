"""The clinical date of each kind of filed item, and the filter of a record's reads by the
caller's scope (proxies.visibility): a proxy sees an item only when it is dated before the
grant's cutoff and is not sensitive care. Staff, the patient and connections see everything, at
no extra cost."""

from __future__ import annotations

from typing import Any

from chalicelib.access.domain import PatientScope
from chalicelib.access.visibility import ScopePorts, Visibility
from chalicelib.records.domain import StoredResult

# A health-summary entry's date: when it was recorded, else when it happened (what is recorded
# from a child's 12th birthday on is the child's, even about something older).
_ENTRY_DATES = {
    "allergy": ("recorded_at", "onset"),
    "condition": ("recorded_at", "onset"),
    "medication": ("authored_on",),
    "immunization": ("occurred_at",),
    "visit": ("started_at",),
    "appointment": ("starts_at",),
    "vital_sign": ("observed_at",),
}


def result_date(result: StoredResult) -> Any:
    """A result's: when the specimen was collected, else when it was reported, else when filed."""
    content = result.content
    return content.get("collected_at") or content.get("reported_at") or result.filed_at


def document_date(document: StoredResult) -> Any:
    """A document's: its date of service (a signed form's is its signing), else when filed."""
    return document.content.get("authored_at") or document.filed_at


def entry_date(entry: StoredResult) -> Any:
    """A health-summary entry's (None when it has none: undated, hidden from a cutoff)."""
    for name in _ENTRY_DATES.get(entry.kind, ()):
        if entry.content.get(name):
            return entry.content[name]
    return None


def clinical_date(item: StoredResult) -> Any:
    if item.kind == "result":
        return result_date(item)
    if item.kind == "document":
        return document_date(item)
    return entry_date(item)


class RecordView(Visibility):
    """A read's filter of filed items."""

    def shows_item(self, item: StoredResult) -> bool:
        return self.shows(clinical_date(item), item, item.organization_id)

    def only_shown(self, items: list[StoredResult]) -> list[StoredResult]:
        return items if self.everything else [item for item in items if self.shows_item(item)]


def record_view(ports: ScopePorts, scope: PatientScope) -> RecordView:
    return RecordView(ports, scope)
