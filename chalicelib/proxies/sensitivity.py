"""What care is never shown to someone acting for a patient: the rule lives beside the one access
check (access/sensitivity.py), which every package's reads already use without depending on the
proxies package; these are its names as the proxies package speaks of them."""

from __future__ import annotations

from chalicelib.access.sensitivity import (
    CATEGORIES,
    DEFAULT_LISTS,
    SensitiveLists,
    flagged,
    is_sensitive,
    lists_of,
)

__all__ = ["CATEGORIES", "DEFAULT_LISTS", "SensitiveLists", "flagged", "is_sensitive", "lists_of"]
