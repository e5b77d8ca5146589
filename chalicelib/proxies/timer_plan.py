"""Which timers a proxy grant has: pure rules (no storage, clock or network).

A grant in force has up to two dated events: the child's 12th birthday (``visible_until``: the
proxy and the clinic are told that nothing recorded from then on shows) and its end date
(``ends_at``: the grant becomes ended). Reads never wait for either: the access check compares
the dates itself, so a timer that fires late, twice or never changes only when people are told.

A Step Functions execution waits at most a year (timers.service.MAX_DELAY), and a 12th birthday
may be eleven years off, an adult grant's end a year and a day. So a moment further off than a
timer can wait is reached in hops: the timer fires ``hop`` whole waits before the moment, and
its consumer starts the next hop, until hop 0 fires at the moment itself. Each hop's moment is
counted back from the moment (never from "now"), so every hop of a timer has a name known in
advance, and stopping a grant's timers stops them all by name without storing any.

Names: ``proxy-<grant id>-<kind>-<moment, UTC, to the second>-h<hop>``: a renewed end date is a
new moment and so a new name (an execution name is never reused, not even once it stopped).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from chalicelib.proxies.domain import GrantStatus, ProxyGrant
from chalicelib.timers.service import MAX_DELAY

CUTOFF = "cutoff"  # the child's 12th birthday: the grant narrows
END = "end"  # the grant's end date: it ends
KINDS = (CUTOFF, END)

_NAME = re.compile(r"proxy-([0-9a-f]{32})-(cutoff|end)-([0-9]{8}T[0-9]{6}Z)-h([0-9]{1,3})")
_STAMP = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class GrantTimer:
    """One hop of one of a grant's timers."""

    grant_id: str
    patient_id: str
    kind: str  # CUTOFF or END
    moment: datetime  # what the timer is for: the birthday or the end date
    hop: int  # whole waits before the moment it fires (0: at the moment)

    @property
    def name(self) -> str:
        return timer_name(self.grant_id, self.kind, self.moment, self.hop)

    @property
    def fire_at(self) -> datetime:
        return self.moment - self.hop * MAX_DELAY

    def message(self) -> dict[str, object]:
        """What the timer puts on the queue: ids and the moment, nothing about the patient."""
        return {
            "grant_id": self.grant_id,
            "patient_id": self.patient_id,
            "kind": self.kind,
            "moment": stamp(self.moment),
            "hop": self.hop,
        }


def stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(_STAMP)


def unstamp(text: str) -> datetime:
    return datetime.strptime(text, _STAMP).replace(tzinfo=timezone.utc)


def timer_name(grant_id: str, kind: str, moment: datetime, hop: int) -> str:
    return f"proxy-{grant_id}-{kind}-{stamp(moment)}-h{hop}"


def is_timer_name(name: str) -> bool:
    return bool(_NAME.fullmatch(name))


def hops_needed(moment: datetime, now: datetime) -> int:
    """The first hop to start now: the fewest whole waits back from the moment that a timer
    started now can reach (0 when the moment is within one wait, or past)."""
    if moment - now <= MAX_DELAY:
        return 0
    return math.ceil((moment - now) / MAX_DELAY) - 1


def moments_of(grant: ProxyGrant) -> list[tuple[str, datetime]]:
    """The dated events of a grant, whatever its status: (kind, moment)."""
    found: list[tuple[str, datetime]] = []
    if grant.visible_until is not None:
        found.append((CUTOFF, grant.visible_until))
    if grant.ends_at is not None:
        found.append((END, grant.ends_at))
    return found


def timers_to_start(grant: ProxyGrant, now: datetime) -> list[GrantTimer]:
    """The timers an active grant needs now: one per moment still to come (a cutoff already
    passed when the grant starts was told at approval; an end already passed is the access
    check's to refuse, and the timer would only mark it ended, so it is started to do that)."""
    if grant.status is not GrantStatus.ACTIVE:
        return []
    wanted = []
    for kind, moment in moments_of(grant):
        if kind == CUTOFF and moment <= now:
            continue
        if kind == CUTOFF and grant.ends_at is not None and grant.ends_at <= moment:
            continue  # the grant ends first: nothing narrows
        wanted.append(GrantTimer(grant.grant_id, grant.patient_id, kind, moment, hops_needed(moment, now)))
    return wanted


def timers_to_stop(grant: ProxyGrant, now: datetime) -> list[str]:
    """The names of the hops of the grant's timers that may be waiting now: the one whose
    moment falls within the next wait, and the one before it (its consumer may not have run
    yet). Stopping one that never ran, or already stopped, is no error."""
    names = []
    for kind, moment in moments_of(grant):
        if moment <= now:
            continue
        first = hops_needed(moment, now)
        names += [timer_name(grant.grant_id, kind, moment, hop) for hop in (first, first + 1)]
    return names


def read_message(message: object) -> GrantTimer | None:
    """A fired timer's message, or None when it is not one."""
    if not isinstance(message, dict):
        return None
    grant_id, patient_id, kind, moment, hop = (
        message.get(k) for k in ("grant_id", "patient_id", "kind", "moment", "hop")
    )
    if not (
        isinstance(grant_id, str)
        and re.fullmatch(r"[0-9a-f]{32}", grant_id)
        and isinstance(patient_id, str)
        and re.fullmatch(r"[0-9a-f]{32}|[A-Za-z0-9_-]{1,64}", patient_id)
        and kind in KINDS
        and isinstance(moment, str)
        and re.fullmatch(r"[0-9]{8}T[0-9]{6}Z", moment)
        and isinstance(hop, int)
        and not isinstance(hop, bool)
        and 0 <= hop < 1000
    ):
        return None
    return GrantTimer(grant_id, patient_id, str(kind), unstamp(moment), hop)


def still_due(grant: ProxyGrant | None, fired: GrantTimer) -> str:
    """Whether a fired timer still stands for its grant ("" when it does, else why not, a word
    for the log): the grant must still be active and still have that moment."""
    if grant is None:
        return "gone"
    if grant.status is not GrantStatus.ACTIVE:
        return "not_active"
    moment = grant.visible_until if fired.kind == CUTOFF else grant.ends_at
    if moment is None or stamp(moment) != stamp(fired.moment):
        return "moved"
    return ""
