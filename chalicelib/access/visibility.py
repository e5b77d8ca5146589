"""What one caller's scope shows of a patient's items: the one filter every read applies after
``patient_scope``.

A scope with no cutoff that shows sensitive care (the patient, a connection, staff) shows
everything, and costs nothing more. A proxy's scope shows an item only when it is dated before
the cutoff (a parent's: the child's 12th birthday) and is not sensitive care; the organization's
sensitive code lists are read only then, once per read. Each package names the clinical date of
its own kinds of item (records/visible.py, messaging, appointments, refills) and asks ``shows``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timezone, tzinfo
from typing import Any, Protocol

from chalicelib.access.domain import PatientScope
from chalicelib.access.sensitivity import DEFAULT_LISTS, SensitiveLists, flagged, is_sensitive, lists_of


class _Organizations(Protocol):
    def organization(self, organization_id: str) -> Any: ...


class ScopePorts(Protocol):
    """Where the organization's lists are kept (accounts.stores.Directory is one)."""

    @property
    def directory(self) -> _Organizations: ...


def moment(value: Any, zone: tzinfo | None = None) -> datetime | None:
    """A clinical date as a moment: a datetime as it is; ISO text of any precision (a day is its
    first moment in ``zone``, the organization's: a day is not a UTC midnight); None when it is
    none (an undated item, hidden from a scope with a cutoff)."""
    if isinstance(value, datetime):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        if len(text) in (4, 7, 10):  # a year, a month, a day: from its first moment
            day = date.fromisoformat(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))
            return datetime.combine(day, time(0, 0), tzinfo=zone or timezone.utc)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone or timezone.utc)


class Visibility:
    """One read's filter: ``shows(dated, item)`` for each item the read found.

    ``item`` (a filed record or its content) is checked for sensitive care only when the scope
    hides it; ``sensitive`` says so directly for items that carry no codes (a message thread)."""

    def __init__(self, ports: ScopePorts, scope: PatientScope):
        self.scope = scope
        self._ports = ports
        self._lists: dict[str, SensitiveLists] = {}

    @property
    def everything(self) -> bool:
        """Whether the scope shows every item (no cutoff, sensitive care shown): no check needed."""
        return self.scope.visible_until is None and not self.scope.hide_sensitive

    @property
    def zone(self) -> tzinfo | None:
        """The organization's zone, as the cutoff carries it: a day-only date is read in it."""
        return self.scope.visible_until.tzinfo if self.scope.visible_until is not None else None

    def shows(self, dated: Any, item: Any = None, organization_id: str = "", sensitive: bool = False) -> bool:
        if self.everything:
            return True
        if self.scope.hide_sensitive and not sensitive and item is not None:
            sensitive = self.sensitive(item, organization_id)
        return self.scope.shows(moment(dated, self.zone), sensitive)

    def sensitive(self, item: Any, organization_id: str = "") -> bool:
        """Whether an item is sensitive care by its sender's flags or its organization's lists."""
        content: Mapping[str, Any] = getattr(item, "content", item)
        if not isinstance(content, Mapping):
            return False
        if flagged(content):
            return True
        return is_sensitive(content, self.lists(organization_id or str(getattr(item, "organization_id", "") or "")))

    def lists(self, organization_id: str = "") -> SensitiveLists:
        """The organization's lists (the patient's, else the one named), read once per filter."""
        organization_id = str(getattr(self.scope.record, "organization_id", "") or organization_id)
        if organization_id not in self._lists:
            organization = self._ports.directory.organization(organization_id) if organization_id else None
            self._lists[organization_id] = lists_of(organization) if organization is not None else DEFAULT_LISTS
        return self._lists[organization_id]
