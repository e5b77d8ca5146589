"""What every repository needs from DynamoDB's refusals: telling a failed condition (an answer:
the item exists, changed, or is gone) from a fault (throttling, a dead endpoint) that is
``DependencyUnavailable``. (A page cursor that is not one is kernel.paging.invalid_cursor.) The
bottom of the package: it imports no other module of chalicelib.data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pynamodb.exceptions import PynamoDBException, TransactWriteError

from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.paging import decode_cursor, encode_cursor, invalid_cursor

CONDITION_FAILED = "ConditionalCheckFailedException"
_Item = TypeVar("_Item")


def conditional_failure(error: PynamoDBException) -> bool:
    """A single write refused because its condition (or the item's version) did not hold."""
    return getattr(error, "cause_response_code", "") == CONDITION_FAILED


def first_item_exists(error: TransactWriteError) -> bool:
    """A transaction cancelled because its first item's condition (item is new) failed; any other
    cancellation (a conflicting transaction, throttling) is a fault to retry, not an answer."""
    if error.cause_response_code != "TransactionCanceledException" or not error.cancellation_reasons:
        return False
    first = error.cancellation_reasons[0]
    return first is not None and first.code == "ConditionalCheckFailed"


def any_condition_failed(error: TransactWriteError) -> bool:
    """A transaction cancelled because the condition of one of its items failed."""
    reasons = error.cancellation_reasons or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


def contended(error: TransactWriteError) -> bool:
    """Cancelled because an item changed (a condition or version failed) or another transaction
    held it (TransactionConflict, which real DynamoDB raises and moto does not): both mean "read
    again and retry", not "the store is down"."""
    reasons = error.cancellation_reasons or []
    return any(r is not None and r.code in ("ConditionalCheckFailed", "TransactionConflict") for r in reasons)


def one_page(items: list[_Item], limit: int, position: Callable[[_Item], dict[str, str]]) -> tuple[list[_Item], str]:
    """A page cut from a query that asked for one item more than ``limit``: the items, and a cursor
    (the last item's key position) only when that extra item shows another page exists, since
    DynamoDB's own LastEvaluatedKey may lead to an empty page."""
    if len(items) <= limit:
        return items, ""
    shown = items[:limit]
    return shown, encode_cursor({name: {"S": value} for name, value in position(shown[-1]).items()})


def by_time_page(
    index: Any,
    partition: str,
    limit: int,
    after: str,
    unavailable: str,
    *,
    newest_first: bool = True,
    prefix: str = "",
    filter_condition: Any = None,
    consistent_read: bool = False,
) -> tuple[list[Any], str]:
    """A page of one partition of a by-time index (hash key ``patient_id``, sort key
    ``listed_at``): one Query asking for one item more than ``limit``, newest first unless told.
    ``prefix`` keeps the page to sort keys that start with it. The cursor holds a position only
    (``listed_at``, ``record_key``): the partition always comes from the caller, so a cursor can
    never lead into another patient's, account's or organization's items."""
    start = decode_cursor(after)
    if start is not None:
        if set(start) != {"listed_at", "record_key"} or not start["listed_at"]["S"].startswith(prefix):
            raise invalid_cursor("cursor")
        start = {"patient_id": {"S": partition}, **start}
    # The bound comes from the index's class: on an index instance, an attribute is a value.
    bound = type(index).listed_at.startswith(prefix) if prefix else None
    try:
        items = list(
            index.query(
                partition,
                bound,
                scan_index_forward=not newest_first,
                filter_condition=filter_condition,
                consistent_read=consistent_read,
                limit=limit + 1,
                page_size=limit + 1,
                last_evaluated_key=start,
            )
        )
    except PynamoDBException as error:
        raise DependencyUnavailable(unavailable) from error
    return one_page(items, limit, lambda last: {"listed_at": last.listed_at, "record_key": last.record_key})


def from_keys(model: Any, keys: Iterable[Any], key: Callable[[Any], Any]) -> list[Any]:
    """The items a keys-only index named, read from the table in one BatchGetItem (PynamoDB asks
    100 keys a call), in the index's order. One gone since the index was read (deleted, or
    collected by TTL) is left out, as a read a moment later would not have found it."""
    wanted = [key(item) for item in keys]
    if not wanted:
        return []
    found = {key(item): item for item in model.batch_get(list(dict.fromkeys(wanted)))}
    return [found[k] for k in wanted if k in found]


@dataclasses.dataclass(frozen=True)
class Backfill:
    """What an operator's backfill of an index's keys did: the items found missing from the
    index, those it added, and those left alone (saved meanwhile, or no longer qualifying)."""

    missing: int
    added: int
    left: int


def backfill(writes: Iterable[Callable[[], object]], *, write: bool, unavailable: str) -> Backfill:
    """Run an operator's backfill: ``writes`` yields one conditional write per item missing from an
    index (its Scan runs as it is consumed). A dry run (``write`` false) only counts them; a write
    whose condition fails (the item was saved meanwhile, or no longer qualifies) is left, not an
    error; a fault of the table is ``DependencyUnavailable`` with ``unavailable``'s words."""
    missing = added = 0
    try:
        for apply in writes:
            missing += 1
            if not write:
                continue
            try:
                apply()
                added += 1
            except PynamoDBException as error:
                # (a transaction's write, as the results list's, is left when one of its conditions failed)
                failed = any_condition_failed(error) if isinstance(error, TransactWriteError) else False
                if not (conditional_failure(error) or failed):
                    raise
    except PynamoDBException as error:
        raise DependencyUnavailable(unavailable) from error
    return Backfill(missing=missing, added=added, left=missing - added if write else 0)
