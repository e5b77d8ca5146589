"""Staff work through the worklist: the open items of their organization, oldest first, with
who to call; an item is closed with its outcome."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.patients import service as patients
from chalicelib.patients.stores import Patients
from chalicelib.worklist.contract import CloseItem
from chalicelib.worklist.stores import Worklist


class WorklistPorts(AuditPorts, Protocol):
    """The organization's worklist, and the patients its items name (who to call)."""

    @property
    def worklist(self) -> Worklist: ...

    @property
    def patients(self) -> Patients: ...


def open_items(ports: WorklistPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    """Open items, oldest first, with who to call."""
    items = ports.worklist.open_items(caller.organization_id)
    # Who to call, as the chart says now (a renamed patient shows renamed): one batch read of
    # the page's patients, not one read per item.
    named = ports.patients.many([item.patient_id for item in items])
    shown = []
    for item in items:
        patient = named.get(item.patient_id)
        shown.append(
            {
                "item_id": item.item_id,
                "task": item.task,
                "created_at": iso(item.created_at),
                "patient": patients.summary(patient) if patient else None,
                "result_id": item.result_id,
                "result_version": item.result_version,
            }
        )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "worklist.read",
        action=Action.READ,
        resource_type="Task",
        reason=f"count:{len(items)}",
    )
    return {"items": shown}


def close_item(
    ports: WorklistPorts, caller: Caller, origin: Origin, item_id: str, request: CloseItem, now: datetime
) -> dict[str, Any]:
    item = ports.worklist.open_item(caller.organization_id, item_id)
    if item is None or not ports.worklist.close(
        caller.organization_id, item.sort_key, caller.account_id, request.outcome, now
    ):
        raise NotFound("No such open item.")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "worklist.item_done",
        action=Action.UPDATE,
        patient_id=item.patient_id,
        resource_type="Task",
        resource_id=item_id,
        reason=request.outcome,
    )
    return {"item_id": item_id, "status": "done", "outcome": request.outcome}
