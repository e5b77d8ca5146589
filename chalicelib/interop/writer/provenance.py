"""One US Core Provenance per source: the feed message (or the portal's own form) each written
item came from, targeting every resource made of those items. The agent is the organization, as
author: the portal passes on what its clinical systems recorded, it authors nothing itself. The
Provenance is recorded when the portal filed the newest of them. The message's key is never
written (it may name a sender's folder): the id is its digest."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.ids import provenance_id
from chalicelib.interop.writer.profiles import PROFILES, PROVENANCE_AGENT_TYPE
from chalicelib.interop.writer.values import instant, profiled, reference


def provenance_resources(
    sources: Iterable[tuple[str, datetime, list[dict[str, Any]]]], writing: Writing
) -> list[dict[str, Any]]:
    """``sources``: (source key, when filed, resources written from it), one per item."""
    grouped: dict[str, tuple[datetime, list[dict[str, Any]]]] = {}
    for source, filed_at, resources in sources:
        latest, targets = grouped.get(source, (filed_at, []))
        grouped[source] = (max(latest, filed_at), targets + resources)
    written = []
    for source, (recorded, targets) in grouped.items():
        if not targets:
            continue
        written.append(
            {
                "resourceType": "Provenance",
                "id": provenance_id(writing.organization_id, source),
                **profiled(PROFILES["Provenance"]),
                "target": [reference(r["resourceType"], r["id"]) for r in targets],
                "recorded": instant(recorded),
                "agent": [
                    {
                        "type": {"coding": [{"system": PROVENANCE_AGENT_TYPE, "code": "author", "display": "Author"}]},
                        "who": writing.organization(),
                    }
                ],
            }
        )
    return written
