"""Short-lived links to the files of a patient's records (the API never streams PHI files itself)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.kernel.clock import iso
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
    """Where the files of a patient's records are kept: the feeds' files in ``documents``, the
    forms a patient signed at check-in in ``signed_documents`` (under object lock)."""

    @property
    def documents(self) -> ObjectStore: ...

    @property
    def signed_documents(self) -> ObjectStore: ...


# The keys of the signed-documents bucket (checkin/signatures.object_key_of).
SIGNED_FORMS_PREFIX = "signed-forms/"


class RecordFilesPorts(RecordReadPorts, LinkPorts, Protocol):
    """A patient's records read through the caller's scope, with links to the files they carry."""


@dataclass(frozen=True)
class FileLink:
    """A short-lived link to one file and how the browser will treat what it answers."""

    url: str
    expires_at: datetime
    media_type: str  # the type the link answers with (not necessarily the one the sender claimed)
    disposition: str  # "inline" (the browser shows it) or "attachment" (it downloads it)

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "expires_at": iso(self.expires_at),
            "media_type": self.media_type,
            "disposition": self.disposition,
        }


def inline_type(content_type: str) -> str:
    """The type a link may answer ``content_type`` with for the browser to show it in the page, or
    "" when it must be downloaded instead."""
    return _SHOWN_INLINE.get(content_type.split(";")[0].strip().lower(), "")


def file_link(ports: LinkPorts, key: str, content_type: str, now: datetime, version_id: str = "") -> FileLink:
    """A five-minute link to one stored file (to ``version_id`` of it, when given), answered with
    a type the browser may show inline only when it is one of the few safe ones."""
    shown = inline_type(content_type)
    media_type = shown or "application/octet-stream"
    disposition = "inline" if shown else "attachment"
    store = ports.signed_documents if key.startswith(SIGNED_FORMS_PREFIX) else ports.documents
    url = store.presigned_get(
        key, LINK_SECONDS, content_type=media_type, disposition=disposition, version_id=version_id
    )
    return FileLink(url, now + timedelta(seconds=LINK_SECONDS), media_type, disposition)
