"""Paging over several keys at once (data/sharded.py): the merge shows every item once, newest
first, whatever the page size; a cursor is only handed out when it leads somewhere; a cursor that
is not one, or is another listing's, is refused."""

from __future__ import annotations

import pytest

from chalicelib.data.sharded import merged_page
from chalicelib.errors import ValidationFailed

NAMES = frozenset({"sort_key"})


def store(keys: int, items: int) -> dict[str, list[str]]:
    """Items "t0000" ... spread round-robin over the keys, each key's newest first."""
    shards: dict[str, list[str]] = {f"k#{n:02d}": [] for n in range(keys)}
    for n in range(items):
        shards[f"k#{n % keys:02d}"].append(f"t{n:04d}")
    return {key: sorted(values, reverse=True) for key, values in shards.items()}


def reader(shards: dict[str, list[str]], calls: list[str]):
    def query(key, start, count):
        calls.append(key)
        after = start["sort_key"]["S"] if start else None
        return [v for v in shards[key] if after is None or v < after][:count]

    return query


def page(shards, limit, after="", calls=None):
    return merged_page(
        reader(shards, [] if calls is None else calls),
        list(shards),
        limit,
        after,
        position=lambda item: {"sort_key": item},
        names=NAMES,
        order=lambda item: item,
        unavailable="down",
    )


@pytest.mark.parametrize(("keys", "items", "limit"), [(16, 50, 7), (16, 5, 3), (1, 9, 3), (4, 40, 40), (16, 0, 5)])
def test_the_pages_show_every_item_once_newest_first(keys, items, limit):
    shards = store(keys, items)
    seen, cursor = page(shards, limit)
    pages = 1
    while cursor:
        more, cursor = page(shards, limit, cursor)
        assert more, "a cursor leads to more items"
        seen += more
        pages += 1

    assert seen == [f"t{n:04d}" for n in range(items - 1, -1, -1)]
    assert pages == max(1, -(-items // limit))


def test_a_page_asks_each_key_once_and_a_finished_key_no_more():
    shards = store(16, 20)  # keys 00-03 hold two items, the others one
    calls: list[str] = []
    first, cursor = page(shards, 10, calls=calls)
    assert sorted(calls) == sorted(shards)

    calls.clear()
    page(shards, 10, cursor, calls=calls)
    # the keys whose every item was shown are not asked again
    assert len(calls) < 16 and len(first) == 10


@pytest.mark.parametrize("cursor", ["not-a-cursor", "eyJhdCI6IFtdfQ==", "eyJzb3J0X2tleSI6IHsiUyI6ICJ4In19"])
def test_a_cursor_that_is_not_this_listings_is_refused(cursor):
    with pytest.raises(ValidationFailed):
        page(store(16, 5), 3, cursor)
