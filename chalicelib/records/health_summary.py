"""The health summary: allergies, conditions, medications, immunizations, visits, appointments
and vital signs, a section at a time, newest first by when it happened, one Query per page; and
the vital signs' history, by measurement, for a chart. The patient reads their own; staff read
one of their organization's patients to help them on the phone: the same entries, all shown at
once to both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import moment_key
from chalicelib.kernel.origin import Origin
from chalicelib.records.domain import CRITICAL_FLAGS, ENTRY_KINDS
from chalicelib.records.stores import RecordReadPorts
from chalicelib.records.summary_contract import HealthSummaryQuery
from chalicelib.records.visible import record_view

# The FHIR resource type each section holds, for the audit trail.
_SECTION_RESOURCES = {
    "allergy": "AllergyIntolerance",
    "condition": "Condition",
    "medication": "MedicationRequest",
    "immunization": "Immunization",
    "visit": "Encounter",
    "appointment": "Appointment",
    "vital_sign": "Observation",
}
# The history reads at most this many readings (newest first), a page at a time.
HISTORY_PAGE = 200
HISTORY_MAX_READINGS = 2000
_KIND_OF_SECTION = {section: kind for kind, section in ENTRY_KINDS.items()}
# The part of the record each section is, as a proxy's grant names it: a medication is the
# medications area's (as /medications and refill requests are) and a visit or appointment the
# appointments area's, so a grant without those areas never reads them here either.
_SECTION_AREAS = {
    "allergy": Area.HEALTH_SUMMARY,
    "condition": Area.HEALTH_SUMMARY,
    "medication": Area.MEDICATIONS,
    "immunization": Area.HEALTH_SUMMARY,
    "visit": Area.APPOINTMENTS,
    "appointment": Area.APPOINTMENTS,
    "vital_sign": Area.HEALTH_SUMMARY,
}
# Kept in an entry's content but never listed: a video visit's join link is handed out only
# inside its window, audited (appointments/video.py), so a list that showed it would hand it out
# at any time, unaudited.
_NOT_LISTED = frozenset({"as_of", "video_link"})


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
    scope = patient_scope(ports, caller, origin, patient_id, area=_SECTION_AREAS[kind])
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
    entries = record_view(ports, scope).only_shown(entries)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
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
                **{k: v for k, v in e.content.items() if k not in _NOT_LISTED},
            }
            for e in entries
        ],
        "next_cursor": cursor or None,
    }


def vital_signs_history(
    ports: RecordReadPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime
) -> dict[str, Any]:
    """Each measurement with its numeric readings, oldest first, in the units of its latest
    reading (readings in other units beside them, never on that line): what a chart draws."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.HEALTH_SUMMARY)
    trends: dict[tuple[str, str], dict[str, Any]] = {}
    cursor, seen, complete = "", 0, True
    view = record_view(ports, scope)
    while True:
        page, cursor = ports.records.page(scope.patient_id, "", now, HISTORY_PAGE, cursor, prefix="vital_sign#")
        for reading in view.only_shown(page):  # newest first: the first of a measurement sets its units
            content = reading.content
            code = content.get("code") or {}
            if not content.get("numeric") or not code.get("code"):
                continue
            units = str(content.get("units") or "")
            trend = trends.setdefault(
                _measurement(code),
                {"code": code, "units": units or None, "points": [], "other_units": []},
            )
            same = "".join(units.split()).lower() == "".join(str(trend["units"] or "").split()).lower()
            (trend["points"] if same else trend["other_units"]).append(
                {
                    "result_id": reading.result_id,
                    "at": content.get("observed_at") or None,
                    "value": str(content.get("value")),
                    "units": units or None,
                    "reference_range": content.get("reference_range") or None,
                    "flags": content.get("flags") or [],
                    "critical": any(str(flag).upper() in CRITICAL_FLAGS for flag in content.get("flags") or []),
                    "outside_window": False,
                }
            )
        seen += len(page)
        if not cursor:
            break
        if seen >= HISTORY_MAX_READINGS:
            complete = False
            break
    for trend in trends.values():
        for points in (trend["points"], trend["other_units"]):
            points.sort(key=lambda point: point["at"] or "")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "vital_signs_history.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Observation",
        reason=f"count:{sum(len(t['points']) + len(t['other_units']) for t in trends.values())}",
    )
    return {"trends": list(trends.values()), "complete": complete}


def _measurement(code: dict[str, Any]) -> tuple[str, str]:
    """A measurement is its code in its system; "LN" and "http://loinc.org" are one system."""
    system = str(code.get("system") or "").strip()
    return ("loinc" if system.upper() in ("LN", "LOINC", "HTTP://LOINC.ORG") else system), str(code["code"])
