"""A patient's results through the API: the list, one result with its earlier versions, and the
files a result carries. Only what the caller's scope covers and what is shown to the patient
(released, not withdrawn); every read audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.records.contract import ResultsQuery
from chalicelib.records.domain import StoredResult
from chalicelib.records.links import FileLink, RecordFilesPorts, file_link


def list_results(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, query: ResultsQuery, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    results, cursor = ports.records.page(scope.patient_id, query.category or "", now, query.limit, query.cursor)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "results.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DiagnosticReport",
        reason=f"count:{len(results)}",
    )
    return {"results": [summary(r) for r in results], "next_cursor": cursor or None}


def get_result(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, result_id: str, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    current, kept = (
        ports.records.with_versions(scope.patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else (None, [])
    )
    if current is None or not current.shown_to_patient(now):
        raise NotFound("No such result.")
    earlier = [v for v in kept if v.version < current.version]
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "result.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DiagnosticReport",
        resource_id=result_id,
    )
    return {
        **summary(current),
        "report": _with_file_links(current, scope.patient_id),
        "earlier_versions": [
            {"version": v.version, "status": v.status, "filed_at": iso(v.filed_at), "report": v.content}
            for v in earlier
        ],
    }


def _with_file_links(result: StoredResult, patient_id: str) -> dict[str, Any]:
    """The report, each embedded file with the API path that hands out its short-lived link."""
    if not result.object_key:
        return result.content
    observations = []
    for index, observation in enumerate(result.content.get("observations") or []):
        if (observation.get("value") or {}).get("type") == "document" and (observation["value"].get("size") or 0) > 0:
            observation = {
                **observation,
                "value": {
                    **observation["value"],
                    "href": f"/v1/patients/{patient_id}/results/{result.result_id}/files/{index}",
                },
            }
        observations.append(observation)
    return {**result.content, "observations": observations}


def result_file_link(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, result_id: str, index: str, now: datetime
) -> FileLink:
    """A five-minute link to a file a result carries (a lab's PDF rendering ...): only while the
    result itself is shown."""
    scope = patient_scope(ports, caller, origin, patient_id)
    current = ports.records.current(scope.patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else None
    if current is None or not current.shown_to_patient(now) or not current.object_key:
        raise NotFound("No such file.")
    observations = current.content.get("observations") or []
    value = (observations[int(index)].get("value") or {}) if index.isdigit() and int(index) < len(observations) else {}
    if value.get("type") != "document" or not value.get("size"):
        raise NotFound("No such file.")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "result_file.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Binary",
        resource_id=result_id,
        reason=f"file:{int(index)}",
    )
    return file_link(ports, f"{current.object_key}{int(index)}", str(value.get("content_type") or ""), now)


def summary(result: StoredResult) -> dict[str, Any]:
    """A result as a list shows it: its name and dates, whether any value is abnormal or critical."""
    content = result.content
    observations = content.get("observations") or []
    return {
        "result_id": result.result_id,
        "version": result.version,
        "status": result.status,
        "category": result.category,
        "name": (content.get("code") or {}).get("display") or (content.get("code") or {}).get("code") or None,
        "code": content.get("code"),
        "collected_at": content.get("collected_at"),
        "reported_at": content.get("reported_at"),
        "released_at": iso(result.release_at),
        "abnormal": any(o.get("flags") and o.get("flags") != ["N"] for o in observations),
        "critical": result.critical,
        "observation_count": len(observations),
    }


# A trend looks through at most this many of the patient's results of the same category (newest
# first, a few Queries of a page each): enough for years of a monthly test, bounded per request.
TREND_PAGE = 50
TREND_MAX_RESULTS = 200

# Code systems sent under two names: HL7 v2 says "LN", FHIR says the URI.
_SYSTEM_ALIASES = {"ln": "http://loinc.org", "http://loinc.org": "http://loinc.org"}


def _test_key(code: dict[str, Any] | None) -> tuple[str, str] | None:
    code = code or {}
    if not code.get("code"):
        return None
    system = str(code.get("system") or "").strip()
    return _SYSTEM_ALIASES.get(system.lower(), system), str(code["code"])


def _number(value: dict[str, Any] | None) -> str | None:
    """The value as a plain number, if it is one ("<5", "2-8" and "1:128" are not points on a line)."""
    value = value or {}
    text = ""
    if value.get("type") == "numeric":
        text = str(value.get("number") or "")
    elif value.get("type") == "quantity" and not value.get("comparator") and not value.get("separator"):
        text = str(value.get("number") or "")
    try:
        float(text)
    except ValueError:
        return None
    return text


def result_trends(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, result_id: str, now: datetime
) -> dict[str, Any]:
    """For each test of this result with a numeric value, that test's numeric values across the
    patient's shown results of the same category, oldest first: what a chart of it draws."""
    scope = patient_scope(ports, caller, origin, patient_id)
    current = ports.records.current(scope.patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else None
    if current is None or not current.shown_to_patient(now):
        raise NotFound("No such result.")
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for observation in current.content.get("observations") or []:
        key = _test_key(observation.get("code"))
        if key is not None and key not in wanted and _number(observation.get("value")) is not None:
            wanted[key] = {"code": observation["code"], "points": []}
    seen, cursor, complete = 0, "", True
    while wanted:
        page, cursor = ports.records.page(scope.patient_id, current.category, now, TREND_PAGE, cursor)
        for result in page:
            content = result.content
            for observation in content.get("observations") or []:
                trend = wanted.get(_test_key(observation.get("code")) or ("", ""))
                number = _number(observation.get("value"))
                if trend is None or number is None:
                    continue
                trend["points"].append(
                    {
                        "result_id": result.result_id,
                        "at": observation.get("observed_at")
                        or content.get("collected_at")
                        or content.get("reported_at"),
                        "value": number,
                        "units": observation.get("units"),
                        "reference_range": observation.get("reference_range"),
                        "flags": observation.get("flags") or [],
                        "critical": bool(observation.get("critical")),
                    }
                )
        seen += len(page)
        if not cursor:
            break
        if seen >= TREND_MAX_RESULTS:
            complete = False
            break
    for trend in wanted.values():
        # The list came newest first by filing; a chart reads oldest first by when it was observed.
        trend["points"].reverse()
        trend["points"].sort(key=lambda point: point["at"] or "")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "result_trends.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Observation",
        resource_id=result_id,
        reason=f"count:{sum(len(t['points']) for t in wanted.values())}",
    )
    return {"trends": list(wanted.values()), "complete": complete}
