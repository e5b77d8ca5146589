"""Read units as DynamoDB charges them, computed from the items a read returned: moto answers
ReturnConsumedCapacity with a constant, so the benchmarks and tests count sizes themselves.

An item's size is the sum of its attribute names and values (DynamoDB's "Item sizes and formats"):
a string its UTF-8 bytes, a number about one byte per two significant digits plus one, binary its
bytes, a boolean or null one byte, a list or map 3 bytes plus one per element plus its elements
(and a map's keys), a set its elements. A Query is charged for the items it reads, summed and
rounded up to the next 4 KB: one read unit per 4 KB strongly consistent, half that eventually
consistent (a list's read).
"""

from __future__ import annotations

import math
from typing import Any

READ_UNIT_BYTES = 4096


def value_size(value: dict[str, Any]) -> int:
    (kind, inner), *_ = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").strip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in inner.items())
    if kind == "SS":
        return sum(len(element.encode()) for element in inner)
    if kind == "NS":
        return sum(value_size({"N": element}) for element in inner)
    if kind == "BS":
        return sum(len(element) for element in inner)
    raise ValueError(f"not a DynamoDB value: {kind}")


def item_size(item: dict[str, dict[str, Any]]) -> int:
    """An item's size in bytes, as DynamoDB counts it (low-level attribute values)."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def query_read_units(items: list[dict[str, dict[str, Any]]], consistent: bool = False) -> float:
    """What one Query page reading these items costs."""
    units = math.ceil(sum(item_size(item) for item in items) / READ_UNIT_BYTES)
    return units if consistent else units / 2
