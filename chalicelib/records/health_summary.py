"""The health summary: allergies, conditions, medications, immunizations, visits and
appointments, a section at a time, newest first by when it happened, one Query per page. The
patient reads their own; staff read one of their organization's patients to help them on the
phone: the same entries, all shown at once to both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import moment_key
from chalicelib.kernel.origin import Origin
from chalicelib.records.domain import ENTRY_KINDS
from chalicelib.records.stores import RecordReadPorts
from chalicelib.records.summary_contract import HealthSummaryQuery

# The FHIR resource type each section holds, for the audit trail.
_SECTION_RESOURCES = {
    "allergy": "AllergyIntolerance",
    "condition": "Condition",
    "medication": "MedicationRequest",
    "immunization": "Immunization",
    "visit": "Encounter",
    "appointment": "Appointment",
}
_KIND_OF_SECTION = {section: kind for kind, section in ENTRY_KINDS.items()}


def list_entries(
    ports: RecordReadPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    section: str,
    query: HealthSummaryQuery,
    now: datetime,
) -> dict[str, Any]:
    kind = _KIND_OF_SECTION.get(section)
    if kind is None:
        raise NotFound(f"No such section: the sections are {', '.join(ENTRY_KINDS.values())}.")
    if query.when is not None and kind != "appointment":
        raise ValidationFailed("when is upcoming or past, for appointments only.", [{"field": "when"}])
    when = query.when or ("upcoming" if kind == "appointment" else None)
    scope = patient_scope(ports, caller, origin, patient_id)
    # Appointments to come are listed soonest first, those gone by newest first (by start time).
    moment = moment_key(now)
    entries, cursor = ports.records.page(
        scope.patient_id,
        "",
        now,
        query.limit,
        query.cursor,
        prefix=f"{kind}#",
        listed_from=moment if when == "upcoming" else "",
        listed_to=moment if when == "past" else "",
        oldest_first=when == "upcoming",
    )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        f"{section}.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type=_SECTION_RESOURCES[kind],
        reason=f"count:{len(entries)}",
    )
    return {
        section: [
            {
                "id": e.result_id,
                "version": e.version,
                "updated_at": iso(e.filed_at),
                **{k: v for k, v in e.content.items() if k != "as_of"},
            }
            for e in entries
        ],
        "next_cursor": cursor or None,
    }
