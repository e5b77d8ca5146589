"""Folding a patient's "something is waiting" notices into one email: a notice joins the open fold
of its account and template when it comes within a window of the fold's last notice (ten minutes),
so a run of results released minutes apart is one email however it falls on the clock, and a quiet
moment ends the run. A fold lasts at most ``FOLD_LONGEST`` from its first notice, so a steady
trickle of results still emails now and then instead of never again.

The first notice of a fold is emailed and kept in the inbox at once; a notice that joins it sends
no email and makes the fold's inbox notice unread again if the patient read it already. Pure rule
here; the store keeps each account's open fold (chalicelib.data.inbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FOLD_WINDOW = timedelta(minutes=10)
FOLD_LONGEST = timedelta(minutes=30)


@dataclass(frozen=True)
class Fold:
    """An account's open fold of one template: its notice (the first one's id) and when the first
    and the last notice of it came."""

    notification_id: str
    first_at: datetime
    last_at: datetime


def joins(fold: Fold | None, at: datetime, window: timedelta = FOLD_WINDOW, longest: timedelta = FOLD_LONGEST) -> bool:
    """Whether a notice released ``at`` joins the fold (else it starts a new one): within the window
    of the fold's last notice, and before the fold's longest run is over. A notice released before
    the last one (a late delivery) joins when the fold is still within its run."""
    if fold is None:
        return False
    return at - fold.last_at <= window and at - fold.first_at < longest
