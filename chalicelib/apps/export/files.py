"""The files of a download, in its Bundle: a document's file and a result's files go into their
Attachment's ``data`` (base64), so the download is the record even away from the portal.

The writer names a file by the portal's identifier (``urn:patient-portal:attachment:<item>[:<line>]``,
interop.writer.context); this reads each named file of the record's own items from the store the
portal's file links read (records.links: the feeds' files, or the signed forms' bucket) and adds
its bytes, up to ``BUDGET`` bytes in all per download. A file past the budget keeps only the
identifier (the patient opens it in the portal), and the PDF says so.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

from chalicelib.interop.writer.values import ATTACHMENT_SYSTEM
from chalicelib.records.domain import StoredResult
from chalicelib.records.everything import VisibleRecord
from chalicelib.records.links import SIGNED_FORMS_PREFIX, LinkPorts

BUDGET = 50 * 1024 * 1024  # bytes of files per download: a Bundle a phone can still open
_PREFIX = f"{ATTACHMENT_SYSTEM}:"


def embed_files(
    ports: LinkPorts, record: VisibleRecord, resources: list[dict[str, Any]], budget: int | None = None
) -> bool:
    """Put the bytes of every file the resources name into its Attachment, within ``budget``
    (default ``BUDGET``); False when some file was left out (too large for what remained)."""
    items = {item.result_id: item for item in (*record.results, *record.documents)}
    left, whole = BUDGET if budget is None else budget, True
    for attachment in _attachments(resources):
        item_id, _, line = str(attachment["url"]).removeprefix(_PREFIX).partition(":")
        key = _object_key(items.get(item_id), line)
        if not key:
            continue
        size = attachment.get("size")
        if isinstance(size, int) and size > left:
            whole = False  # (not read at all: the size the feed gave is enough to know)
            continue
        store = ports.signed_documents if key.startswith(SIGNED_FORMS_PREFIX) else ports.documents
        data = store.get(key)
        if len(data) > left:
            whole = False
            continue
        attachment["data"] = base64.b64encode(data).decode("ascii")
        left -= len(data)
    return whole


def _object_key(item: StoredResult | None, line: str) -> str:
    """Where the file is kept: a document's own file, or a result line's (records.links' rules)."""
    if item is None or not item.object_key:
        return ""
    if not line:
        return item.object_key
    lines = item.content.get("observations") or []
    value = (lines[int(line)].get("value") or {}) if line.isdigit() and int(line) < len(lines) else {}
    if value.get("type") != "document" or not value.get("size"):
        return ""
    return f"{item.object_key}{int(line)}"


def _attachments(value: Any) -> Iterator[dict[str, Any]]:
    """Every Attachment in the resources that names a portal file."""
    if isinstance(value, dict):
        if "contentType" in value and str(value.get("url", "")).startswith(_PREFIX):
            yield value
        for inner in value.values():
            yield from _attachments(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _attachments(inner)
