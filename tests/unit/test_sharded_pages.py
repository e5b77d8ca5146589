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


@pytest.mark.parametrize(
    "order",
    [lambda item: item["received_at"], lambda item: (item["received_at"], item["message_key"])],
    ids=["sort key", "sort key and a tie-breaker of its own"],
)
def test_ties_on_the_sort_key_are_paged_as_each_key_orders_them_none_skipped_none_repeated(order):
    # GIVEN a batch of messages received at one moment, spread over 3 keys; each key gives its
    # ties in DynamoDB's own order (not by name), and goes on after a start key in that order
    import hashlib

    def own_order(name: str) -> str:
        return hashlib.sha256(name.encode()).hexdigest()

    batch = [f"m{n:02d}" for n in range(11)]
    shards = {f"k#{n:02d}": sorted(batch[n::3], key=own_order) for n in range(3)}

    def query(key, start, count):
        listed = shards[key]
        after = listed.index(start["message_key"]["S"]) + 1 if start else 0
        return [{"received_at": "2026-12-05T09:00:00", "message_key": m} for m in listed[after : after + count]]

    def read(after):
        return merged_page(
            query,
            list(shards),
            2,
            after,
            position=lambda item: dict(item),
            names=frozenset({"received_at", "message_key"}),
            order=order,
            unavailable="down",
        )

    # WHEN they are paged by 2
    seen, cursor = read("")
    while cursor:
        more, cursor = read(cursor)
        assert more, "a cursor leads to more items"
        seen += more

    # THEN every message is shown once
    assert sorted(item["message_key"] for item in seen) == batch and len(seen) == len(batch)
