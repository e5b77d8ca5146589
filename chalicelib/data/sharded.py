"""One page read from several keys at once: how a sharded key (kernel/shards.py) is listed.

Each key is asked for one item more than the page holds, from where its part of the last page
ended; the answers are merged in order and the page cut from the merge. Items of one key keep the
order its Query gave them, ties on the sort key included (DynamoDB orders equal sort keys its own
way: a batch of messages received at one moment), so each key's part of a page is the start of
its answer and its position is where DynamoDB itself would go on. The cursor holds one
position per key (where that key's part of the page ended, or that it has no more), so the next
page starts every key where it stopped, and the merge never shows an item twice or skips one.
A position holds sort-key attributes only: the keys themselves always come from the caller's
request, so a cursor cannot lead into another listing.
"""

from __future__ import annotations

import base64
import heapq
import itertools
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pynamodb.exceptions import PynamoDBException

from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.paging import invalid_cursor

_Item = TypeVar("_Item")
_DONE = "done"  # a key with nothing left to list

# (key, where to start: DynamoDB's ExclusiveStartKey without the key itself, how many) -> items
KeyQuery = Callable[[str, dict[str, Any] | None, int], list[_Item]]


def merged_page(
    query: KeyQuery[_Item],
    keys: Sequence[str],
    limit: int,
    after: str,
    *,
    position: Callable[[_Item], dict[str, str]],
    names: frozenset[str],
    order: Callable[[_Item], Any],
    unavailable: str,
    newest_first: bool = True,
    field: str = "after",
) -> tuple[list[_Item], str]:
    """A page of at most ``limit`` items from every key in ``keys`` (one Query each), in
    ``order`` (newest first unless told: the sort key the Queries order by), and the cursor to the
    next page ("" when none). ``position`` gives an item's key attributes (``names``, and no
    others) for the cursor: DynamoDB's ExclusiveStartKey, which goes on after that very item."""
    starts = _decode(after, len(keys), names, field)
    fetched: dict[int, list[_Item]] = {}
    try:
        for shard, key in enumerate(keys):
            start = starts[shard]
            if start != _DONE:
                fetched[shard] = query(key, _start_key(start), limit + 1)
    except PynamoDBException as error:
        raise DependencyUnavailable(unavailable) from error
    # A merge, never a sort: it takes each key's items in the order its Query gave them, and
    # ties between keys in the order of the keys.
    merged = heapq.merge(
        *([(item, shard) for item in items] for shard, items in fetched.items()),
        key=lambda pair: order(pair[0]),
        reverse=newest_first,
    )
    shown = list(itertools.islice(merged, limit))
    ends: list[Any] = list(starts)
    for shard, items in fetched.items():
        mine = [item for item, from_shard in shown if from_shard == shard]
        if len(mine) == len(items):
            ends[shard] = _DONE  # all it had fitted (it returned fewer than it was asked for)
        elif mine:
            ends[shard] = position(mine[-1])
    cursor = "" if all(end == _DONE for end in ends) else _encode(ends)
    return [item for item, _shard in shown], cursor


def _start_key(start: dict[str, str] | None) -> dict[str, Any] | None:
    return {name: {"S": value} for name, value in start.items()} if start else None


def _encode(ends: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps({"at": ends}, sort_keys=True).encode()).decode()


def _decode(cursor: str, count: int, names: frozenset[str], field: str) -> list[Any]:
    if not cursor:
        return [None] * count
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        raise invalid_cursor(field) from None
    ends = decoded.get("at") if isinstance(decoded, dict) else None
    # Only what _encode writes, for as many keys as this listing has.
    if not (
        isinstance(ends, list)
        and len(ends) == count
        and all(
            end is None
            or end == _DONE
            or (isinstance(end, dict) and set(end) == names and all(isinstance(v, str) for v in end.values()))
            for end in ends
        )
    ):
        raise invalid_cursor(field)
    return ends
