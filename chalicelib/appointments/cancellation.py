"""Whether the patient may cancel a visit online now, and if not why (pure: unit-tested with any
clock). A patient cancels a booked visit until the organization's cutoff before its start; past
it they call the office, whose number the portal gives."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.appointments.policy import AppointmentPolicy

# The statuses of a visit that is booked (FHIR's "booked", and the SIU events that keep it so);
# "pending" and "proposed" wait for the scheduler, "arrived" and later mean it started.
CANCELLABLE_STATUSES = frozenset({"booked"})
STARTED_STATUSES = frozenset({"arrived", "checked-in", "fulfilled", "noshow"})
CANCELLED_STATUSES = frozenset({"cancelled", "entered-in-error"})

EXPLANATIONS = {
    "started": "This visit has started or is over: it cannot be cancelled.",
    "cancelled": "This visit is cancelled already.",
    "not_booked": "Only a booked visit can be cancelled online.",
}


@dataclass(frozen=True)
class CancelVerdict:
    can_cancel: bool
    reason: str | None  # past_cutoff, started, not_booked, cancelled
    cutoff_at: datetime | None


def verdict(
    status: str, starts_at: datetime | None, now: datetime, policy: AppointmentPolicy, cancelled_by_patient: bool
) -> CancelVerdict:
    """In the order a patient would want to hear: cancelled already, over, not booked, too late."""
    cutoff = starts_at - timedelta(hours=policy.cancel_cutoff_hours) if starts_at is not None else None
    if cancelled_by_patient or status in CANCELLED_STATUSES:
        return CancelVerdict(False, "cancelled", cutoff)
    if status in STARTED_STATUSES or starts_at is None or starts_at <= now:
        return CancelVerdict(False, "started", cutoff)
    if status not in CANCELLABLE_STATUSES:
        return CancelVerdict(False, "not_booked", cutoff)
    assert cutoff is not None
    if now >= cutoff:
        return CancelVerdict(False, "past_cutoff", cutoff)
    return CancelVerdict(True, None, cutoff)


def too_late(policy: AppointmentPolicy) -> str:
    """The refusal past the cutoff, with the office's number when the organization gave one."""
    if policy.office_phone:
        return f"It is too late to cancel online. Please call the office at {policy.office_phone}."
    return "It is too late to cancel online. Please call the office."


def call_the_office(policy: AppointmentPolicy) -> str:
    """The refusal when the portal cannot tell the scheduling system who cancels (the record has
    no medical record number under the organization's authority)."""
    phone = f" at {policy.office_phone}" if policy.office_phone else ""
    return f"This visit cannot be cancelled online. Please call the office{phone}."
