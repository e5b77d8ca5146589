"""Versions: every filed item (result, document, entry) is kept as numbered versions, and a new
one is written only when its content changed and the message is not older than what is stored.

The compare-and-write loop the filers share, the checks on what a version may hold (its size,
the media type of its files), and the reading of the sender's moments that decide "older".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, Protocol, cast

from chalicelib.errors import Conflict
from chalicelib.kernel.zones import with_offset
from chalicelib.records.domain import StoredResult, Unreadable
from chalicelib.records.stores import Records


class VersionPorts(Protocol):
    """Where the versions are kept: read the current one, write the next on condition."""

    @property
    def records(self) -> Records: ...


MAX_CONTENT_BYTES = 180_000  # stored twice per version (current and kept) in items of 400 KB at most


def file_version(
    ports: VersionPorts,
    patient_id: str,
    rid: str,
    kind: str,
    digest: str,
    message_key: str,
    next_version: Callable[[StoredResult | None], StoredResult | None],
) -> tuple[str, StoredResult]:
    """Compare with what is stored and write the next version, on condition nobody wrote one
    meanwhile (then compare again). Outcomes: "new", "changed"; "unchanged" (a resend);
    "refiled" (this very message again: a redelivery after a failure further on, so what
    follows may not have happened yet); "stale" (``next_version`` answers None: older than what
    is stored)."""
    for _ in range(3):
        current = ports.records.current(patient_id, rid, kind=kind)
        if current is not None and current.content_sha256 == digest:
            return ("refiled" if current.source == message_key else "unchanged"), current
        stored = next_version(current)
        if stored is None:
            # (only given a stored version: a filer answers None for a message older than it)
            return "stale", cast(StoredResult, current)
        try:
            ports.records.put_version(stored)
        except Conflict:
            continue  # another delivery filed a version meanwhile: compare again
        return ("changed" if current else "new"), stored
    raise Conflict(f"The {kind} kept changing while it was filed.")


def fits(content: dict[str, Any]) -> None:
    if len(json.dumps(content, separators=(",", ":")).encode()) > MAX_CONTENT_BYTES:
        raise Unreadable(
            f"The report is too large to file ({MAX_CONTENT_BYTES // 1000} KB of content at most): "
            "send long text as a document (MDM)."
        )


def media_type(content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,63}", media):
        return "application/octet-stream"  # whatever the sender wrote, S3 gets a clean one
    return media


def older(reported_at: str, current_reported_at: Any, time_zone: str = "UTC") -> bool:
    """The message's time is before the stored version's. ``time_zone``: the organization's, for
    a stored time without an offset (filed before times were read in it, filing/zones.py)."""
    incoming, current = instant(reported_at), instant(with_offset(str(current_reported_at or ""), time_zone))
    return incoming is not None and current is not None and incoming < current


def instant(text: str) -> datetime | None:
    """An ISO 8601 date or time as sent (any precision, with or without a zone) as a UTC moment;
    None when it is not one. A time without a zone is taken as UTC (filing gives the feeds' times
    their organization's offset first: filing/zones.py)."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text + {4: "-01-01", 7: "-01"}.get(len(text), ""))
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
