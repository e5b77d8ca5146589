"""Staff act on a patient's results: see all of them (released or not), hold one back with a
recorded exception reason, or release one early (issue 4, items 5 and 9); admins set the
organization's release policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.audit.domain import Action
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.identity.domain import Caller
from chalicelib.identity.ports import Origin, caller_actor, iso, only_fields, record
from chalicelib.patients import service as patients
from chalicelib.records import filing
from chalicelib.records.release import HELD_UNTIL, HOLD_REASONS, ReleasePolicy
from chalicelib.records.service import _ID, summary




def _staff_summary(result) -> dict[str, Any]:
    held = result.release_at >= HELD_UNTIL
    return {**summary(result), "released_at": None if held else iso(result.release_at),
            "held": held, "held_reason": result.held_reason or None}


def list_results(ports, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    patient = patients.find(ports, caller, origin, patient_id=patient_id)
    results, _ = ports.records.page(patient.patient_id, "", HELD_UNTIL, 50)
    record(ports, origin, caller_actor(caller), "results.list", action=Action.READ, patient_id=patient.patient_id,
           resource_type="DiagnosticReport", reason=f"count:{len(results)}")
    return {"results": [_staff_summary(r) for r in results]}


def _result(ports, caller: Caller, origin: Origin, patient_id: str, result_id: str):
    patient = patients.find(ports, caller, origin, patient_id=patient_id)
    current = ports.records.current(patient.patient_id, result_id) if _ID.fullmatch(result_id or "") else None
    if current is None or current.organization_id != caller.organization_id or current.status == "cancelled":
        raise NotFound("No such result.")
    return patient, current


def hold(ports, caller: Caller, origin: Origin, patient_id: str, result_id: str, body: Any,
         now: datetime) -> dict[str, Any]:
    body = only_fields(body, ("reason",), ("reason",))
    if body["reason"] not in HOLD_REASONS:
        raise ValidationFailed(f"reason is one of {', '.join(HOLD_REASONS)}.", [{"field": "reason"}])
    patient, current = _result(ports, caller, origin, patient_id, result_id)
    if current.release_at <= now:
        raise Conflict("This result is released already; it cannot be held back.")
    # Held first, then the announcement stopped: a failure in between leaves a held result whose
    # timer still sends an email (harmless: the email says nothing), never a silent release.
    ports.records.set_release(current, HELD_UNTIL, body["reason"], "")
    _stop_timer(ports, current.release_timer)
    record(ports, origin, caller_actor(caller), "result.held", action=Action.UPDATE, patient_id=patient.patient_id,
           resource_type="DiagnosticReport", resource_id=result_id, reason=body["reason"])
    return {"result_id": result_id, "held": True, "held_reason": body["reason"]}


def release(ports, caller: Caller, origin: Origin, patient_id: str, result_id: str, now: datetime) -> dict[str, Any]:
    patient, current = _result(ports, caller, origin, patient_id, result_id)
    if current.release_at <= now:
        raise Conflict("This result is released already.")
    ports.records.set_release(current, now, "", "")
    _stop_timer(ports, current.release_timer)
    filing.tell(ports, patient, now)
    record(ports, origin, caller_actor(caller), "result.released", action=Action.UPDATE, patient_id=patient.patient_id,
           resource_type="DiagnosticReport", resource_id=result_id, reason="early")
    return {"result_id": result_id, "released_at": iso(now)}


def _stop_timer(ports, handle: str) -> None:
    if handle:
        from chalicelib.timers import service as timers

        timers.cancel(ports.timers, handle)


def release_policy(ports, caller: Caller) -> dict[str, Any]:
    organization = ports.directory.organization(caller.organization_id)
    return ReleasePolicy.from_json(organization.release_policy if organization else None).as_json()


def set_release_policy(ports, caller: Caller, origin: Origin, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):  # (from_json reads "no policy stored" as immediate: a PUT must say so)
        raise ValidationFailed('The body is {"delays": {...}}; {"delays": {}} releases everything at once.',
                               [{"field": "delays"}])
    policy = ReleasePolicy.from_json(body)
    ports.directory.set_release_policy(caller.organization_id, policy.as_json())
    record(ports, origin, caller_actor(caller), "release_policy.changed", action=Action.UPDATE,
           resource_type="Organization", resource_id=caller.organization_id)
    return policy.as_json()


def upcoming(ports, caller: Caller, origin: Origin, patient_id: str, now: datetime) -> dict[str, Any]:
    """What is on its way and when, without values (issue 4, item 8)."""
    from chalicelib.records.service import readable_patient

    patient_id = readable_patient(ports, caller, origin, patient_id)
    waiting = ports.records.upcoming(patient_id, now)
    record(ports, origin, caller_actor(caller), "results.upcoming", action=Action.READ, patient_id=patient_id,
           resource_type="DiagnosticReport", reason=f"count:{len(waiting)}")
    return {"upcoming": [{"result_id": r.result_id, "category": r.category,
                          "name": (r.content.get("code") or {}).get("display") or None,
                          "release_at": None if r.release_at >= HELD_UNTIL else iso(r.release_at),
                          "waiting_for_review": r.release_at >= HELD_UNTIL} for r in waiting]}


CALL_OUTCOMES = ("reached", "left_message", "no_answer", "other")


def worklist(ports, caller: Caller, origin: Origin) -> dict[str, Any]:
    """Open items, oldest first, with who to call (issue 4, item 6)."""
    items = ports.worklist.open_items(caller.organization_id)
    shown = []
    for item in items:
        patient = ports.patients.get(item.patient_id)
        shown.append({"item_id": item.item_id, "task": item.task, "created_at": iso(item.created_at),
                      "patient": patients.summary(patient) if patient else None, "result_id": item.result_id,
                      "result_version": item.result_version})
    record(ports, origin, caller_actor(caller), "worklist.read", action=Action.READ, resource_type="Task",
           reason=f"count:{len(items)}")
    return {"items": shown}


def close_worklist_item(ports, caller: Caller, origin: Origin, item_id: str, body: Any, now: datetime) -> dict:
    body = only_fields(body, ("outcome",), ("outcome",))
    if body["outcome"] not in CALL_OUTCOMES:
        raise ValidationFailed(f"outcome is one of {', '.join(CALL_OUTCOMES)}.", [{"field": "outcome"}])
    item = next((i for i in ports.worklist.open_items(caller.organization_id) if i.item_id == item_id), None)
    if item is None or not ports.worklist.close(caller.organization_id, item.sort_key, caller.account_id,
                                                body["outcome"], now):
        raise NotFound("No such open item.")
    record(ports, origin, caller_actor(caller), "worklist.item_done", action=Action.UPDATE, patient_id=item.patient_id,
           resource_type="Task", resource_id=item_id, reason=body["outcome"])
    return {"item_id": item_id, "status": "done", "outcome": body["outcome"]}
