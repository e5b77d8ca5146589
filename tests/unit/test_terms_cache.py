"""The current Terms of Use are kept a few seconds per container (CachedTerms): a publication through
this container is seen at once, another container's within the cache's time, and a read that races a
publication never puts the old version back. Time is the injected clock; two containers are two
CachedTerms over one store."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

from chalicelib.identity.organization_names import CachedOrganizationNames
from chalicelib.identity.terms import CACHE_SECONDS, CachedTerms, Terms, TermsHistoryEntry

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)
OLD = Terms("2027-01-01", "old terms", "old consent", "first", T0)
NEW = Terms("2027-02-01", "new terms", "new consent", "second", T0)


class Store:
    """The stored versions, shared by every container (as the table is)."""

    def __init__(self, stored: Terms | None = None) -> None:
        self.stored = stored
        self.reads = 0
        # set by a test to run something in the middle of a read (after the table answered)
        self.during_read = lambda: None

    def current(self) -> Terms | None:
        self.reads += 1
        found = self.stored
        self.during_read()
        return found

    def current_now(self) -> Terms | None:
        return self.stored

    def version(self, label: str) -> Terms | None:
        return None

    def history(self) -> list[TermsHistoryEntry]:
        return []

    def publish(self, terms: Terms, replaces: str | None) -> None:
        self.stored = terms


class Clock:
    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds


def test_a_publication_through_this_container_is_current_here_at_once():
    clock, store = Clock(), Store(OLD)
    here = CachedTerms(store, monotonic=clock)
    assert here.current() == OLD

    here.publish(NEW, OLD.version)

    assert here.current() == NEW  # no time has passed: not the cached OLD


def test_another_container_sees_a_publication_within_the_cache_time_and_reads_the_table_once_meanwhile():
    clock, store = Clock(), Store(OLD)
    here, there = CachedTerms(store, monotonic=clock), CachedTerms(store, monotonic=clock)
    assert there.current() == OLD

    here.publish(NEW, OLD.version)
    reads = store.reads
    clock.seconds += CACHE_SECONDS - 1
    assert there.current() == OLD  # still within its cache time
    assert store.reads == reads  # (served from the cache)
    clock.seconds += 1
    assert there.current() == NEW  # CACHE_SECONDS after its own read: the table again


def test_a_read_that_raced_a_publication_does_not_put_the_old_version_back():
    # GIVEN a read in this container got OLD from the table, and before it stores that in the
    # cache, a publication through this container (another request thread) completes
    clock, store = Clock(), Store(OLD)
    here = CachedTerms(store, monotonic=clock)

    def publish_meanwhile() -> None:
        store.during_read = lambda: None
        worker = threading.Thread(target=here.publish, args=(NEW, OLD.version))
        worker.start()
        worker.join()

    store.during_read = publish_meanwhile
    assert here.current() == OLD  # (what the racing read returns: it began before the publication)

    # THEN the next read in this container, at the same moment, sees the new version
    assert here.current() == NEW


def test_a_publication_read_past_the_cache_is_the_tables():
    clock, store = Clock(), Store(OLD)
    here = CachedTerms(store, monotonic=clock)
    assert here.current() == OLD
    store.stored = NEW  # published by another container
    assert here.current() == OLD and here.current_now() == NEW


class Directory:
    def __init__(self) -> None:
        self.names = {"amc": "Albany Medical Center"}
        self.reads: list[str] = []

    def organization(self, organization_id: str):
        from chalicelib.accounts.domain import Organization

        self.reads.append(organization_id)
        name = self.names.get(organization_id)
        return Organization(organization_id, name, T0) if name is not None else None


def test_organization_names_are_read_once_per_minute_and_a_rename_shows_after_it():
    clock, directory = Clock(), Directory()
    names = CachedOrganizationNames(directory, seconds=60, monotonic=clock)

    assert [names.name("amc") for _ in range(5)] == ["Albany Medical Center"] * 5
    assert names.name("gone") is None and names.name("gone") is None
    assert directory.reads == ["amc", "gone"]

    directory.names["amc"] = "Albany Med"
    clock.seconds += 59
    assert names.name("amc") == "Albany Medical Center"
    clock.seconds += 1
    assert names.name("amc") == "Albany Med"
