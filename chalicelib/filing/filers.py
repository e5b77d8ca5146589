"""Filers: the registry of what files one item of each kind (a result, a document, an entry).

A filer turns one item of a message into the next version of its stored record and answers how
that went: the outcome ("new", "changed", "unchanged", "refiled" or "stale": see
versions.file_version) and the version now stored. It registers itself under its kind:

    @filer("result")
    def file_result(delivery: Delivery, patient: Patient, report: ResultReport) -> Outcome: ...

and service.file_message looks each item's kind up in FILERS: "entry" for a message's entries
(every ClinicalEntry kind: allergy, visit, appointment ...), "document" or "result" for its
reports. A new kind of item is a new module with one registered filer, imported by service.py
(the import fills the registry); a new kind of entry that files like the others needs none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.versions import VersionPorts
from chalicelib.kernel.ports import ObjectStore
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import StoredResult, result_id
from chalicelib.release.policy import ReleasePolicy


class FilingPorts(VersionPorts, Protocol):
    """What a filer writes to: the records store (versions.file_version) and the documents bucket
    (a document's file, the files a result carries); and the key its items' ids are derived with."""

    @property
    def documents(self) -> ObjectStore: ...

    @property
    def record_id_key(self) -> bytes:
        """The secret that keys records.domain.result_id: the same for every container of the
        stack, so an item resent later (to another container) gets the id it had."""
        ...


Outcome = tuple[str, StoredResult]  # how it went (versions.file_version), and the version stored


@dataclass(frozen=True)
class Delivery:
    """The message being filed: who sent it, for which organization, under which release policy,
    and the organization's time zone (what a stored time without an offset was sent in)."""

    ports: FilingPorts
    source: FeedSource
    sender: str
    message_key: str
    now: datetime
    policy: ReleasePolicy
    time_zone: str = DEFAULT_TIME_ZONE

    def record_id(self, sender: str, source_id: str) -> str:
        """The id of the item ``source_id`` of ``sender`` in this delivery's organization."""
        return result_id(self.ports.record_id_key, self.source.organization_id, sender, source_id)


class Filer(Protocol):
    def __call__(self, delivery: Delivery, patient: Patient, item: Any, /) -> Outcome: ...


FILERS: dict[str, Filer] = {}


def filer(kind: str) -> Callable[[Filer], Filer]:
    """Registers the decorated function as the filer of items of this kind (once per kind)."""

    def register(function: Filer) -> Filer:
        if kind in FILERS:
            raise ValueError(f"Two filers for {kind!r} items.")
        FILERS[kind] = function
        return function

    return register
