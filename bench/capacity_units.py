"""DynamoDB's read and write units of a call, computed from the items it touched, as DynamoDB
bills them on demand. moto answers ReturnConsumedCapacity with fixed numbers (0.5 or 1 whatever
the item), so route_costs sizes the items itself and hands them here.

The rules (DynamoDB developer guide, "Read/write capacity mode" and "Item sizes"):
- an item's size is the sum of its attribute names' and values' lengths (a number: about one
  byte per two digits plus one; a list or map: 3 bytes plus one per element and its elements);
- a read unit is a strongly consistent read of up to 4 KB (half a unit eventually consistent);
  a Query adds up the sizes of every item it examined (those a filter drops too) before rounding
  up; a GetItem of nothing still costs one unit (half eventually consistent);
- a write unit is a write of up to 1 KB of the larger of the item before and after; every
  global secondary index whose copy changes costs its own write (a delete and a put when the
  index key moves); a transaction costs twice its items' units.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024


def value_size(value: Mapping[str, Any]) -> int:
    """The size of one attribute value in DynamoDB's wire shape ({"S": "..."}, {"N": "12"}, ...)."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner) if isinstance(inner, bytes | bytearray) else len(str(inner).encode())
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode()) for v in inner)
    if kind == "NS":
        return sum(value_size({"N": v}) for v in inner)
    if kind == "BS":
        return sum(len(v) for v in inner)
    if kind == "L":
        return 3 + sum(1 + value_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(v) for k, v in inner.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: Mapping[str, Mapping[str, Any]] | None) -> int:
    if not item:
        return 0
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def read_units(sizes: Sequence[int], consistent: bool) -> float:
    """A Query's (or one GetItem's) units: the examined items' sizes added up, then rounded up."""
    units = max(1, math.ceil(sum(sizes) / READ_UNIT))
    return units if consistent else units / 2


def write_units(before: int, after: int) -> int:
    """One item written (put, updated or deleted): the larger of its sizes, by the kilobyte."""
    return max(1, math.ceil(max(before, after) / WRITE_UNIT))


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it copies (ALL, KEYS_ONLY or INCLUDE)."""

    name: str
    keys: tuple[str, ...]
    projection: str
    included: tuple[str, ...] = ()

    def copy(self, item: Mapping[str, Any] | None, table_keys: Sequence[str]) -> dict[str, Any] | None:
        """The index's copy of an item (None: the item is not in this sparse index)."""
        if not item or any(key not in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return dict(item)
        names = {*self.keys, *table_keys, *(self.included if self.projection == "INCLUDE" else ())}
        return {name: value for name, value in item.items() if name in names}


def index_write_units(
    indexes: Sequence[Index],
    table_keys: Sequence[str],
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> int:
    """The writes a change of one item makes in the table's indexes: none where its copy is the
    same, one where it is put or removed, two where its index key moves (a delete and a put)."""
    units = 0
    for index in indexes:
        old, new = index.copy(before, table_keys), index.copy(after, table_keys)
        if old == new:
            continue
        moved = old is not None and new is not None and any(old[k] != new[k] for k in index.keys)
        if moved:
            units += write_units(item_size(old), 0) + write_units(0, item_size(new))
        else:
            units += write_units(item_size(old), item_size(new))
    return units
