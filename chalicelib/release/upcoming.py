"""What is on its way to the patient and when, without values: results and documents filed but
not yet released (delayed by policy, held by staff, or waiting for a review the patient chose)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin
from chalicelib.records.domain import StoredResult
from chalicelib.records.stores import Records
from chalicelib.records.visible import record_view
from chalicelib.release.policy import HELD_UNTIL, REVIEW_WAIT, SHOW_NOTHING, ReleasePolicy


class UpcomingPorts(AccessPorts, Protocol):
    """What is on its way to the patient, read through the caller's scope and audited; the
    organizations' release policies say whether a legal or harm hold is mentioned at all."""

    @property
    def records(self) -> Records: ...

    @property
    def directory(self) -> Directory: ...


def upcoming(ports: UpcomingPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    waiting = _unhidden(ports, record_view(ports, scope).only_shown(ports.records.upcoming(scope.patient_id, now)))
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "results.upcoming",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DiagnosticReport",
        reason=f"count:{len(waiting)}",
    )
    return {"upcoming": [_waiting(r) for r in waiting]}


# Holds whose reason is itself sensitive (a legal hold, a harm exception): what is held must not
# reach the patient by its name, type or category, only that something is being reviewed.
UNNAMED_HOLDS = ("legal_hold", "harm_exception")


def unnamed(r: StoredResult) -> bool:
    return r.release_at >= HELD_UNTIL and r.held_reason in UNNAMED_HOLDS


def _unhidden(ports: UpcomingPorts, waiting: list[StoredResult]) -> list[StoredResult]:
    """Without the legal and harm holds of organizations whose policy shows nothing of them (the
    list and its count then look as if nothing were held). The policy is read only when such a
    hold is there, once per organization (a patient's records are usually of one)."""
    hidden: dict[str, bool] = {}
    for organization_id in {r.organization_id for r in waiting if unnamed(r)}:
        organization = ports.directory.organization(organization_id)
        policy = ReleasePolicy.from_json(organization.release_policy if organization else None)
        hidden[organization_id] = policy.held_items == SHOW_NOTHING
    return [r for r in waiting if not (unnamed(r) and hidden[r.organization_id])]


def _waiting(r: StoredResult) -> dict[str, Any]:
    if unnamed(r):
        return {
            "result_id": r.result_id,
            "kind": r.kind,
            "type": None,
            "category": None,
            "name": None,
            "release_at": None,
            "waiting_for_review": True,
            "being_reviewed": True,
        }
    document = r.kind == "document"
    name = r.content.get("title") if document else (r.content.get("code") or {}).get("display")
    return {
        "result_id": r.result_id,
        "kind": r.kind,
        "type": r.content.get("type") if document else None,
        "category": r.category,
        "name": name or None,
        "release_at": None if r.release_at >= HELD_UNTIL else iso(r.release_at),
        # held by staff, or waiting for a review the patient chose to wait for (with its latest moment)
        "waiting_for_review": r.release_at >= HELD_UNTIL or r.held_reason == REVIEW_WAIT,
        "being_reviewed": False,
    }
