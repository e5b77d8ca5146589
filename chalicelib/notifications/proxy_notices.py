"""Telling the people acting for a patient that something new is in the record, as their access
shows it: a proxy whose grant is in force, covers the item's area and whose scope shows the item
(dated before the cutoff, not sensitive care) gets a "something new" notice in their inbox, and an
email by their preference. Never about what their access hides; never whose record or what.

One step beside each notice a patient gets (filing's release, a care team's message, a visit the
scheduler booked). Ids only: the notice names the proxy's account."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area, PatientScope
from chalicelib.access.service import GrantLookup
from chalicelib.access.visibility import ScopePorts, Visibility
from chalicelib.kernel.clock import iso

TEMPLATE = "proxy_new_item"


class _Grant(Protocol):
    """A proxy grant, as far as telling its holder needs it (proxies.domain.ProxyGrant is one)."""

    @property
    def grant_id(self) -> str: ...

    @property
    def proxy_account_id(self) -> str: ...

    @property
    def areas(self) -> Collection[Area]: ...

    def in_force(self, now: datetime) -> bool: ...

    def scope(self, now: datetime) -> PatientScope: ...


class ProxyNoticePorts(ScopePorts, Protocol):
    @property
    def proxy_grants(self) -> GrantLookup: ...


@dataclass(frozen=True)
class NewItem:
    """Something new in a record: its clinical date, and what says whether it is sensitive care
    (a filed item or its content, checked against the organization's lists; or ``sensitive``)."""

    dated: Any
    item: Any = None
    organization_id: str = ""
    sensitive: bool = False


def proxy_notices(
    ports: ProxyNoticePorts, patient_id: str, area: Area, items: Sequence[NewItem], now: datetime
) -> list[dict[str, str]]:
    """The notices to queue (account-addressed, folded like the patient's), one per proxy told."""
    if not items:
        return []
    notices = []
    for grant in ports.proxy_grants.of_patient(patient_id):
        told: _Grant = grant
        if not told.proxy_account_id or not told.in_force(now) or area not in told.areas:
            continue
        view = Visibility(ports, told.scope(now))
        if not any(view.shows(i.dated, i.item, i.organization_id, i.sensitive) for i in items):
            continue
        # The id names the grant by a digest and the moment: a redelivery is the same notice.
        digest = hashlib.sha256(told.grant_id.encode()).hexdigest()[:20]
        notices.append(
            {
                "notification_id": f"proxy-new-{digest}-{int(now.timestamp())}",
                "template": TEMPLATE,
                "account_id": told.proxy_account_id,
                "released_at": iso(now),
            }
        )
    return notices
