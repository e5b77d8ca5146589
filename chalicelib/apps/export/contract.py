"""What the record export routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from typing import Literal

from chalicelib.kernel.contract import ResponseModel

ExportStatusName = Literal["building", "ready", "failed"]
FileKind = Literal["fhir_bundle", "pdf_summary"]
AreaName = Literal["results", "documents", "health_summary", "medications", "appointments"]


class ExportFileLink(ResponseModel):
    kind: FileKind
    name: str  # what the browser saves it as
    content_type: str
    size: int  # bytes
    url: str  # a link that works for five minutes; asking again gives a new one


class RecordExport(ResponseModel):
    """One download of the record: building, ready (with its files), or failed."""

    export_id: str
    status: ExportStatusName
    requested_at: str
    ready_at: str | None = None
    expires_at: str | None = None  # when ready: the files are deleted then
    areas: list[AreaName]  # the parts of the record it holds (a proxy's: those of their grant)
    # Only on GET of one ready export: each asked-for link is audited.
    files: list[ExportFileLink] = []


class RecordExports(ResponseModel):
    exports: list[RecordExport]  # the caller's own, newest first, the last ten
