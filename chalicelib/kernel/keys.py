"""Ids and the formats of the sort keys built from them.

A listing sorted by time uses ``<moment>#<id>`` keys: the moment to microseconds in UTC, so that
string order is time order, and the id so that two items of one microsecond never collide.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone

# Ids the portal hands out (patients, results, documents, accounts ...): 32 hex digits. A path
# parameter that is not one is answered like an unknown id, without a read.
RECORD_ID = re.compile(r"[0-9a-f]{32}")


def new_id() -> str:
    return uuid.uuid4().hex


def moment_key(moment: datetime) -> str:
    """A moment as it sorts in a key: ``2026-12-04T17:15:29.123456Z``."""
    return f"{moment.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%S.%fZ}"


def timed_key(moment: datetime, item_id: str) -> str:
    """``<moment>#<id>``: the sort key of an item listed by time."""
    return f"{moment_key(moment)}#{item_id}"
