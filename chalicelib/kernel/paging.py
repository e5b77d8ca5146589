"""Paged lists: opaque cursors (the ``limit`` a caller may ask for is in each route's query model).

A cursor is DynamoDB's LastEvaluatedKey, base64url-encoded JSON of string key attributes; a
repository checks that a cursor continues the listing it came from before using it.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from chalicelib.errors import ValidationFailed


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str:
    if not last_evaluated_key:
        return ""
    return base64.urlsafe_b64encode(json.dumps(last_evaluated_key, sort_keys=True).encode()).decode()


def invalid_cursor(field: str) -> ValidationFailed:
    """The error for a cursor that is none, or does not continue the listing it was handed to."""
    return ValidationFailed("The page cursor is not valid.", [{"field": field}])


def decode_cursor(cursor: str) -> dict[str, Any] | None:
    if not cursor:
        return None
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        decoded = None
    # Only what encode_cursor writes: a non-empty object of string key attributes.
    if not (
        isinstance(decoded, dict)
        and decoded
        and all(isinstance(v, dict) and list(v) == ["S"] and isinstance(v["S"], str) for v in decoded.values())
    ):
        raise invalid_cursor("after")
    return decoded
