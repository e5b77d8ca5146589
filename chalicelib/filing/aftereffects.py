"""After-effects: what filing a result or document sets off beyond the record itself.

A critical value puts a "call the patient" item on the staff worklist at once; a withdrawn one
comes off everywhere it shows. Telling the patient that something is waiting (now, or later by a
guarded timer) is release's (release.notices).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.kernel.keys import timed_key
from chalicelib.patients.domain import Patient
from chalicelib.records.domain import StoredResult
from chalicelib.records.stores import Records
from chalicelib.worklist.domain import WorklistItem
from chalicelib.worklist.stores import Worklist


class AftereffectsPorts(Protocol):
    """The staff worklist (a call about a critical value), and the records a withdrawal takes
    off (the copies an A40 made)."""

    @property
    def records(self) -> Records: ...

    @property
    def worklist(self) -> Worklist: ...


def call_the_patient(ports: AftereffectsPorts, patient: Patient, stored: StoredResult, now: datetime) -> None:
    """A critical value (HH, LL, AA ...): at once a staff worklist item to call the patient,
    whatever the release policy says; the patient's own notification follows the release."""
    item_id = f"{stored.result_id}-v{stored.version}"
    ports.worklist.add(
        WorklistItem(
            item_id=item_id,
            organization_id=stored.organization_id,
            task="call_patient",
            patient_id=patient.patient_id,
            result_id=stored.result_id,
            result_version=stored.version,
            status="open",
            created_at=stored.filed_at,
            sort_key=timed_key(stored.filed_at, item_id),
        )
    )


def withdraw_everywhere(ports: AftereffectsPorts, stored: StoredResult) -> None:
    """A result or document the sender withdrew: also off the lists of the records an A40 merged
    away (their accounts may still read their copies), and no "call the patient" about it."""
    for patient_id, kind in ports.records.locate(stored.result_id):
        if patient_id != stored.patient_id and kind == stored.kind:
            ports.records.withdraw(patient_id, kind, stored.result_id)
    for item in ports.worklist.open_items(stored.organization_id):
        if item.result_id == stored.result_id:
            ports.worklist.close(stored.organization_id, item.sort_key, "system", "result_withdrawn", stored.filed_at)
