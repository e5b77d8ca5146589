"""Page cursors as the DynamoDB repositories hand them out: kernel.paging's encoding of a key
position, checked to continue the listing it is handed to."""

from __future__ import annotations

from chalicelib.kernel.paging import decode_cursor, encode_cursor, invalid_cursor


def position(after: str, names: set[str]) -> dict[str, str] | None:
    """The key position a cursor names (None for the first page); ValidationFailed when it is no
    cursor, or one of another listing (other key attributes)."""
    start = decode_cursor(after)
    if start is None:
        return None
    if set(start) != names:
        raise invalid_cursor("cursor")
    return {name: value["S"] for name, value in start.items()}


def cursor(**key: str) -> str:
    return encode_cursor({name: {"S": value} for name, value in key.items()})
