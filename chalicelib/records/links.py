"""Short-lived links to the files of a patient's records (the API never streams PHI files itself)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.kernel.ports import ObjectStore
from chalicelib.records.stores import RecordReadPorts

LINK_SECONDS = 300  # a download link is a bearer token to PHI: five minutes at most

# Files a browser may show in the page; anything else (HTML, SVG, what a sender calls a PDF...) is
# downloaded as bytes, never rendered with the portal's origin trust.
_SHOWN_INLINE = {
    "application/pdf": "application/pdf",
    "image/png": "image/png",
    "image/jpeg": "image/jpeg",
    "text/plain": "text/plain; charset=utf-8",
}


class LinkPorts(Protocol):
    """Where the files of a patient's records are kept."""

    @property
    def documents(self) -> ObjectStore: ...


class RecordFilesPorts(RecordReadPorts, LinkPorts, Protocol):
    """A patient's records read through the caller's scope, with links to the files they carry."""


def file_link(ports: LinkPorts, key: str, content_type: str) -> str:
    """A five-minute link to one stored file, answered with a type the browser may show inline
    only when it is one of the few safe ones."""
    shown = _SHOWN_INLINE.get(content_type.split(";")[0].strip().lower())
    return ports.documents.presigned_get(
        key,
        LINK_SECONDS,
        content_type=shown or "application/octet-stream",
        disposition="inline" if shown else "attachment",
    )
