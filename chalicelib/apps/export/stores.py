"""What the export services need of storage (data/exports.py keeps the exports; the files go to
the exports bucket through adapters/s3.S3ObjectStore)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.apps.export.domain import Export


class Exports(Protocol):
    def start(self, export: Export, now: datetime) -> Export:
        """Keep a new building export, unless the requester has one building for this patient
        already: that one is answered instead (one ask at a time, whatever two requests race)."""
        ...

    def get(self, patient_id: str, export_id: str) -> Export | None: ...

    def recent(self, patient_id: str, requested_by: str, limit: int) -> list[Export]:
        """The account's exports of the patient, newest first."""
        ...

    def finish(self, export: Export) -> Export:
        """Write a building export ready or failed, on condition of its version."""
        ...


class ExportFiles(Protocol):
    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None: ...

    def presigned_get(
        self, key: str, expires_in: int = ..., content_type: str = "", disposition: str = "", version_id: str = ""
    ) -> str: ...
