"""The current Terms of Use are kept a few seconds per container (CachedTerms): another container's
publication is seen within that time, this container's own at once."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.identity.terms import CACHE_SECONDS, CachedTerms, Terms, TermsHistoryEntry

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=timezone.utc)


class CountingStore:
    def __init__(self) -> None:
        self.stored: Terms | None = None
        self.reads = 0

    def current(self) -> Terms | None:
        self.reads += 1
        return self.stored

    def version(self, label: str) -> Terms | None:
        return None

    def history(self) -> list[TermsHistoryEntry]:
        return []

    def publish(self, terms: Terms, replaces: str | None) -> None:
        self.stored = terms


def test_the_current_version_is_read_once_per_interval_and_at_once_after_a_publication_here():
    now = [0.0]
    store = CountingStore()
    cached = CachedTerms(store, monotonic=lambda: now[0])
    assert CACHE_SECONDS <= 60  # a publication reaches every container within a minute

    assert cached.current() is None and cached.current() is None
    assert store.reads == 1

    # another container publishes: this one sees it once the interval is over
    store.stored = Terms("b", "t", "c", "s", T0)
    now[0] = CACHE_SECONDS - 1
    assert cached.current() is None
    now[0] = CACHE_SECONDS + 1
    assert cached.current() == store.stored
    assert store.reads == 2

    # a publication through this container is seen at once
    third = Terms("c", "t", "c", "s", T0)
    cached.publish(third, "b")
    assert cached.current() == third
