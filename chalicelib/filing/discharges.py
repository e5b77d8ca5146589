"""A discharge summary filed before its discharge is known (the MDM came before the ADT^A03)
waits the policy's delay from its filing. When the A03 comes, its delay counts from the
discharge instead, as it would have had the A03 come first, and its release timer moves with it.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from chalicelib.filing.versions import instant
from chalicelib.kernel.zones import with_offset
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import StoredResult
from chalicelib.release.notices import NoticePorts, announce_later, waiting_notice
from chalicelib.release.policy import HELD_UNTIL, policy_exception
from chalicelib.timers import service as timers


def retime_summaries(
    ports: NoticePorts, patient: Patient, visit: StoredResult, time_zone: str, now: datetime, also: str = ""
) -> int:
    """The patient's waiting discharge summaries of this visit that were filed before it ended,
    re-timed to the policy's delay from the discharge (``time_zone``: the organization's, for an
    end sent without an offset). Only a policy's delay moves: a staff hold stays held. Returns
    how many moved. ``also``: another id the summaries may wait on it by (a visit number's
    legacy name, filing/entry_ids.awaited_visit)."""
    ended = instant(with_offset(str(visit.content.get("ended_at") or ""), time_zone))
    if ended is None or visit.withdrawn:
        return 0
    # (a discharge in the future is a mistake: the delay then counts from now, as at filing)
    anchor = min(ended, now)
    moved = 0
    for waiting in ports.records.upcoming(patient.patient_id, now):
        awaits = waiting.content.get("awaits_discharge")
        if (
            waiting.kind != "document"
            or not isinstance(awaits, dict)
            or awaits.get("visit") not in (visit.result_id, also or visit.result_id)
        ):
            continue
        if waiting.release_at >= HELD_UNTIL or policy_exception(waiting.held_reason) is None:
            continue
        release_at = anchor + timedelta(seconds=int(awaits.get("delay_seconds") or 0))
        if release_at == waiting.release_at:
            continue  # an A03 resent: nothing moves
        _move(ports, patient, waiting, release_at, now)
        moved += 1
    return moved


def _move(ports: NoticePorts, patient: Patient, waiting: StoredResult, release_at: datetime, now: datetime) -> None:
    """The new moment and a new timer named on the record first (the old timer, if it fires
    meanwhile, finds itself no longer named and announces nothing), then the old timer stopped.
    A moment already past is released now: its timer fires at once. The timer's name carries the
    moment, since a name is never reused with another message."""
    timer_id = f"release-{waiting.result_id}-v{waiting.version}-at{int(release_at.timestamp())}"
    named = timer_id if waiting_notice(patient, release_at) is not None else ""
    ports.records.set_release(waiting, release_at, waiting.held_reason, named)
    if waiting.release_timer:
        timers.cancel(ports.timers, waiting.release_timer)
    if named:
        moved = dataclasses.replace(waiting, release_at=release_at, release_timer=named)
        announce_later(ports, patient, moved, now, name=named)
