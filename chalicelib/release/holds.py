"""Staff act on one patient's results and documents before the patient sees them: list all of
them (released or not), hold one back with a recorded exception reason, or release it early
(the patient is told at once). A hold or release after an A40 merge covers the merged record's
copy too, so its account, until moved, never sees what staff held."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import caller_actor, scope_actor, write_audit
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_patient
from chalicelib.observability import logger
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.documents import document_summary
from chalicelib.records.domain import StoredResult
from chalicelib.records.results import summary
from chalicelib.records.stores import Records
from chalicelib.release.contract import HoldRequest
from chalicelib.release.notices import tell_proxies, waiting_notice
from chalicelib.release.outbox import OutboxPorts, notice_entry, send_now
from chalicelib.release.policy import HELD_UNTIL, policy_exception
from chalicelib.timers import service as timers
from chalicelib.timers.service import Timers


class HoldsPorts(AccessPorts, OutboxPorts, Protocol):
    """Staff read a patient's results and documents, hold or release them (telling the patient,
    stopping the release timers), audited."""

    @property
    def records(self) -> Records: ...

    @property
    def timers(self) -> Timers: ...

    @property
    def patients(self) -> Patients: ...


# What the audit trail calls each kind of record (FHIR resource types).
RESOURCE_TYPES = {"result": "DiagnosticReport", "document": "DocumentReference"}


def _staff_summary(item: StoredResult) -> dict[str, Any]:
    """What the patient would see of a result or document, and when it is or was released."""
    held = item.release_at >= HELD_UNTIL
    shown = document_summary(item) if item.kind == "document" else summary(item)
    exception = policy_exception(item.held_reason)
    return {
        **shown,
        "released_at": None if held else iso(item.release_at),
        "held": held,
        # a staff hold's reason, or the patient's own wait; a policy delay's ground is said apart
        "held_reason": None if exception is not None else item.held_reason or None,
        "delayed_by_policy": exception is not None,
        "delay_exception": exception or None,
    }


def list_for_staff(ports: HoldsPorts, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    results, _ = ports.records.page(scope.patient_id, "", HELD_UNTIL, 50)
    # Documents too, released or not: staff hold and release them by the same routes.
    documents, _ = ports.records.page(scope.patient_id, "", HELD_UNTIL, 50, prefix="document:")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "results.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DiagnosticReport",
        reason=f"count:{len(results) + len(documents)}",
    )
    return {"results": [_staff_summary(r) for r in results], "documents": [_staff_summary(d) for d in documents]}


def _located(
    ports: HoldsPorts, caller: Caller, origin: Origin, result_id: str, event_type: str
) -> tuple[Patient, StoredResult, list[StoredResult]]:
    """The current result or document with this id, of the caller's organization and not
    withdrawn, and its patient. Anything else is 404, as an unknown id is, and audited."""
    found: list[tuple[Patient, StoredResult]] = []
    for patient_id, kind in ports.records.locate(result_id) if RECORD_ID.fullmatch(result_id or "") else ():
        # (the index may lag: the record itself decides; only results and documents are held)
        current = ports.records.current(patient_id, result_id, kind=kind) if kind in RESOURCE_TYPES else None
        if current is not None and current.organization_id == caller.organization_id and not current.withdrawn:
            patient = ports.patients.get(patient_id)
            if patient is not None and patient.organization_id == caller.organization_id:
                found.append((patient, current))
    # A40 copies a merged patient's records under the survivor: the survivor's copy is the one
    # staff see; the merged record's copies (which its own portal account may still read) follow it.
    shown = [(p, c) for p, c in found if not p.merged_into] or found
    if len(shown) > 1:  # filed under two patients, or a result and a document from one sender id
        raise Conflict("This id names more than one record; ask support to resolve it.")
    if not shown:
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            event_type,
            Outcome.DENIED,
            action=Action.UPDATE,
            resource_type="DiagnosticReport",
            reason="not_found_or_other_organization",
        )
        raise NotFound("No such result.")
    patient, current = shown[0]
    return (
        patient,
        current,
        [c for p, c in found if p.merged_into and c.kind == current.kind and p.patient_id != patient.patient_id],
    )


def _set_release(
    ports: HoldsPorts, records: list[StoredResult], release_at: datetime, reason: str, now: datetime
) -> list[StoredResult]:
    """Hold or release every copy still waiting (the timers are stopped after: a timer that
    fires in between finds its record no longer names it, and announces nothing)."""
    waiting = [r for r in records if r.waiting(now)]
    for copy in waiting:
        ports.records.set_release(copy, release_at, reason, "")
    return waiting


def _stop_timers(ports: HoldsPorts, records: list[StoredResult]) -> None:
    for copy in records:
        _stop_timer(ports, copy.release_timer)


def hold(
    ports: HoldsPorts, caller: Caller, origin: Origin, result_id: str, request: HoldRequest, now: datetime
) -> dict[str, Any]:
    patient, current, copies = _located(ports, caller, origin, result_id, "result.held")
    if current.released(now):
        raise Conflict(f"This {current.kind} is released already; it cannot be held back.")
    _stop_timers(ports, _set_release(ports, [current, *copies], HELD_UNTIL, request.reason, now))
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        f"{current.kind}.held",
        action=Action.UPDATE,
        patient_id=patient.patient_id,
        resource_type=RESOURCE_TYPES[current.kind],
        resource_id=result_id,
        reason=request.reason,
    )
    return {"result_id": result_id, "kind": current.kind, "held": True, "held_reason": request.reason}


def release(ports: HoldsPorts, caller: Caller, origin: Origin, result_id: str, now: datetime) -> dict[str, Any]:
    """Show it now and tell the patient. The release and its notice are one write (the notice
    waits in the outbox): queueing the notice is tried at once, and if the queue refuses, the
    drain sends it, so staff never need to release again for the patient to be told. Releasing
    what is shown already (a retry whose answer was lost) answers the same, changing nothing."""
    patient, current, copies = _located(ports, caller, origin, result_id, "result.released")
    if current.released(now):
        return {"result_id": result_id, "kind": current.kind, "released_at": iso(current.release_at)}
    released = [r for r in [current, *copies] if r.waiting(now)]
    notice = waiting_notice(patient, now, current.critical)
    entry = notice_entry(notice, now, about_patient(patient.patient_id)) if notice is not None else None
    ports.records.release_now(released, now, entry)
    if entry is not None and not send_now(ports, entry, now):
        logger.warning("release notice not queued; left in the outbox", extra={"result_id": result_id})
    tell_proxies(ports, patient, [current], now)
    try:
        _stop_timers(ports, released)
    except DependencyUnavailable:
        # Harmless: a timer left running finds the record no longer names it, and announces nothing.
        logger.warning("release timer not stopped", extra={"result_id": result_id})
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        f"{current.kind}.released",
        action=Action.UPDATE,
        patient_id=patient.patient_id,
        resource_type=RESOURCE_TYPES[current.kind],
        resource_id=result_id,
        reason="early",
    )
    return {"result_id": result_id, "kind": current.kind, "released_at": iso(now)}


def _stop_timer(ports: HoldsPorts, handle: str) -> None:
    if handle:
        timers.cancel(ports.timers, handle)
