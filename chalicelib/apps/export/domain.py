"""One export of a record: who asked, for which parts of the record, and how far it got. Pure."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chalicelib.access.domain import Area

# The parts of a record an export holds: all a proxy may be granted (never the access log nor the
# list of proxies, which are about the record rather than in it, nor messages, which are
# conversations rather than the chart). A proxy's export holds those of them their grant covers.
EXPORT_AREAS: tuple[Area, ...] = (
    Area.RESULTS,
    Area.DOCUMENTS,
    Area.HEALTH_SUMMARY,
    Area.MEDICATIONS,
    Area.APPOINTMENTS,
)
# How long the files are kept (the bucket's lifecycle rule deletes them; the API stops handing out
# links at the same moment).
KEPT_FOR = timedelta(days=7)
# A build that has not finished by then never will (its queue gave up on it, or lost it): it shows
# as failed, and a new ask may start.
BUILD_DEADLINE = timedelta(minutes=30)
LISTED = 10  # the recent exports a page lists

BUNDLE = "fhir_bundle"
PDF = "pdf_summary"


class ExportStatus(enum.StrEnum):
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


@dataclass(frozen=True)
class ExportFile:
    kind: str  # BUNDLE or PDF
    object_key: str  # never shown: the API hands out a short-lived link instead
    size: int


@dataclass(frozen=True)
class Export:
    export_id: str
    patient_id: str
    requested_by: str  # the account that asked (and is emailed)
    requested_at: datetime
    areas: frozenset[Area]
    # Who asked, as the job must act again: the requester's role, organization and own record.
    requester_role: str = "patient"
    requester_organization_id: str = ""
    requester_patient_id: str = ""
    grant_id: str = ""  # the proxy grant it was asked under ("" for the patient's own)
    status: ExportStatus = ExportStatus.BUILDING
    ready_at: datetime | None = None
    failed_at: datetime | None = None
    failure: str = ""  # a code: "no_longer_allowed", "failed"
    files: tuple[ExportFile, ...] = field(default=())
    version: int | None = None

    def shown_status(self, now: datetime) -> ExportStatus:
        """Building past its deadline is failed: the page must not wait for it for ever."""
        if self.status is ExportStatus.BUILDING and now >= self.requested_at + BUILD_DEADLINE:
            return ExportStatus.FAILED
        return self.status

    def expires_at(self) -> datetime:
        return (self.ready_at or self.requested_at) + KEPT_FOR

    def downloadable(self, now: datetime) -> bool:
        return self.status is ExportStatus.READY and now < self.expires_at()

    def made_ready(self, files: tuple[ExportFile, ...], now: datetime) -> Export:
        return replace(self, status=ExportStatus.READY, files=files, ready_at=now)

    def made_failed(self, failure: str, now: datetime) -> Export:
        return replace(self, status=ExportStatus.FAILED, failure=failure, failed_at=now)


def new_export_id(now: datetime) -> str:
    """32 hex digits whose first 12 are the moment in milliseconds: the ids sort by time, so the
    store lists the newest first with one Query."""
    return f"{int(now.timestamp() * 1000):012x}{secrets.token_hex(10)}"


def object_key(export: Export, kind: str) -> str:
    """Server-made keys, by patient and export: nothing a person typed."""
    name = "record.json" if kind == BUNDLE else "summary.pdf"
    return f"exports/{export.patient_id}/{export.export_id}/{name}"


def file_name(kind: str, made_at: datetime) -> str:
    """What the browser saves the file as."""
    day = f"{made_at:%Y-%m-%d}"
    return f"health-record-{day}.json" if kind == BUNDLE else f"health-summary-{day}.pdf"
