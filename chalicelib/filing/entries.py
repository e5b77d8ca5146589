"""Entries: the rest of the record (allergy, condition, medication, immunization, visit,
appointment), filed as new versions and shown at once: nothing about them waits for a clinician.

Visits are told in parts by ADT messages, so a visit update keeps what a message leaves out and
only moves forward unless the message takes it back on purpose.
"""

from __future__ import annotations

from typing import Any

from chalicelib.filing import entry_ids
from chalicelib.filing.appointments import after_filing
from chalicelib.filing.filers import Delivery, Outcome, filer
from chalicelib.filing.versions import file_version, fits, instant, older
from chalicelib.kernel.keys import timed_key
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import WITHDRAWN, ClinicalEntry, StoredResult, content_hash

_VISIT_STEPS = ("planned", "arrived", "in-progress", "finished")


@filer("entry")
def file_entry(delivery: Delivery, patient: Patient, entry: ClinicalEntry) -> Outcome:
    """An allergy, condition, medication, immunization, visit or appointment: shown at once
    (nothing about them waits for a clinician), versioned as results are, listed by when it
    happened (an appointment moved to another day moves in the list)."""
    source, now, message_key = delivery.source, delivery.now, delivery.message_key
    keys = entry_ids.entry_keys(source, delivery.sender, entry.kind, entry.ids)
    legacy = entry_ids.legacy_key(delivery.sender, entry.source_id)
    rid = entry_ids.record_id(delivery, patient.patient_id, entry.kind, keys, legacy, writing=True)
    digest = content_hash({"content": entry.content, "withdrawn": entry.withdrawn})

    def next_version(current: StoredResult | None) -> StoredResult | None:
        if current is not None and older(entry.as_of, current.content.get("as_of"), delivery.time_zone):
            return None  # an older message (a replay, an A01 after its A03) never undoes a newer one
        content = dict(entry.content)
        if entry.kind == "visit" and current is not None and not current.withdrawn:
            content = _visit_update(current.content, content, entry.reopens)
        if entry.as_of:
            content["as_of"] = entry.as_of
        fits(content)
        # (a visit update without the admission time keeps its place: the merged content has it)
        occurred = instant(str(content.get("started_at") or "")) if entry.kind == "visit" else None
        occurred = occurred or instant(entry.occurred_at)
        return StoredResult(
            patient_id=patient.patient_id,
            result_id=rid,
            version=(current.version + 1) if current else 1,
            # WITHDRAWN is the store's mark for an entry the sender took back (entered in error);
            # a cancelled appointment is not withdrawn: it is shown,
            # with its own status in the content.
            category=entry.kind,
            status=WITHDRAWN if entry.withdrawn else "current",
            content_sha256=digest,
            content=content,
            organization_id=source.organization_id,
            source=message_key,
            filed_at=now,
            release_at=now,
            kind=entry.kind,
            listed_at=(timed_key(occurred, rid) if occurred else current.listed_at if current else timed_key(now, rid)),
        )

    outcome = file_version(delivery.ports, patient.patient_id, rid, entry.kind, digest, message_key, next_version)
    # (whatever the outcome: a resend that only adds the filler id changes nothing shown, and
    # the next message may name the appointment by that id alone)
    if keys:
        # A visit claims its legacy name too: documents name their visit by the bare number.
        entry_ids.remember(delivery, outcome[1], [*keys, legacy] if entry.kind == "visit" else keys)
    after_filing(delivery, patient, entry, outcome)
    return outcome


def _visit_update(before: dict[str, Any], after: dict[str, Any], reopens: bool) -> dict[str, Any]:
    """ADT messages each tell part of a visit (an A03 may leave the admission time out): what a
    message leaves out is kept. A visit only moves forward (an A01 resent after the A03 does not
    undo the discharge) unless the message takes it back on purpose (A11, A12, A13)."""
    merged = {**{k: v for k, v in before.items() if k != "as_of"}, **after}
    if reopens:
        if "ended_at" not in after:
            merged.pop("ended_at", None)
        return merged
    old, new = before.get("status"), after.get("status")
    if old in _VISIT_STEPS and new in _VISIT_STEPS and _VISIT_STEPS.index(new) < _VISIT_STEPS.index(old):
        merged["status"] = old
    return merged
