"""A patient's results through the API: the list, one result with its earlier versions, and the
files a result carries. Only what the caller's scope covers and what is shown to the patient
(released, not withdrawn); every read audited."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.records.contract import ResultsQuery
from chalicelib.records.domain import ResultStatus, StoredResult
from chalicelib.records.links import FileLink, RecordFilesPorts, file_link
from chalicelib.records.visible import record_view


def list_results(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, query: ResultsQuery, now: datetime
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    # (from the results' small summaries: what the list shows and what its rules read, not the reports)
    results, cursor = ports.records.result_summaries(
        scope.patient_id, query.category or "", now, query.limit, query.cursor
    )
    results = record_view(ports, scope).only_shown(results)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
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
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    current, kept = (
        ports.records.with_versions(scope.patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else (None, [])
    )
    view = record_view(ports, scope)
    if current is None or not current.shown_to_patient(now) or not view.shows_item(current):
        raise NotFound("No such result.")
    earlier = [v for v in kept if v.version < current.version and view.shows_item(v)]
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "result.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="DiagnosticReport",
        resource_id=result_id,
    )
    return {
        **summary(current),
        "report": _with_file_links(current, scope.patient_id),
        "has_numeric_values": has_numeric_values(current),
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
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    current = ports.records.current(scope.patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else None
    if (
        current is None
        or not current.shown_to_patient(now)
        or not current.object_key
        or not record_view(ports, scope).shows_item(current)
    ):
        raise NotFound("No such file.")
    observations = current.content.get("observations") or []
    value = (observations[int(index)].get("value") or {}) if index.isdigit() and int(index) < len(observations) else {}
    if value.get("type") != "document" or not value.get("size"):
        raise NotFound("No such file.")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
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

# An observation with one of these statuses has no value to chart. The readers file FHIR's
# entered-in-error and HL7 v2's X, D and W as cancelled, so this one status covers them all.
_NOT_A_VALUE = frozenset({ResultStatus.CANCELLED.value})

TestKey = tuple[str, str]  # the coding system (aliases made one) and the code
SeriesKey = tuple[str, str, str]  # ... and the units, compared ignoring case and spaces


def _test_key(code: dict[str, Any] | None) -> TestKey | None:
    code = code or {}
    if not code.get("code"):
        return None
    system = str(code.get("system") or "").strip()
    return _SYSTEM_ALIASES.get(system.lower(), system), str(code["code"])


def _units_key(units: Any) -> str:
    """Units as compared: "mg/dL", "mg/dl" and "mg / dL" are one unit. Values in different units
    (mg/dL and mmol/L) are never drawn on one line: the same number means different things."""
    return "".join(str(units or "").split()).lower()


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


def _charted(observation: dict[str, Any]) -> tuple[SeriesKey, str] | None:
    """The series an observation's value belongs to and the value, if it is a point on a line."""
    test = _test_key(observation.get("code"))
    number = _number(observation.get("value"))
    if test is None or number is None or observation.get("status") in _NOT_A_VALUE:
        return None
    return (*test, _units_key(observation.get("units"))), number


def has_numeric_values(result: StoredResult) -> bool:
    """Whether the result's trends have anything to draw (a page asks for them only then)."""
    return any(_charted(o) is not None for o in result.content.get("observations") or [])


def result_trends(
    ports: RecordFilesPorts, caller: Caller, origin: Origin, patient_id: str, result_id: str, now: datetime
) -> dict[str, Any]:
    """For each test of this result with a numeric value, that test's numeric values in the same
    units across the patient's shown results of the same category, oldest first: what a chart of
    it draws; the test's values in other units beside it, listed but never on that line."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    current = ports.records.current(scope.patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else None
    view = record_view(ports, scope)
    if current is None or not current.shown_to_patient(now) or not view.shows_item(current):
        raise NotFound("No such result.")
    wanted: dict[SeriesKey, dict[str, Any]] = {}
    by_test: dict[TestKey, list[dict[str, Any]]] = {}
    for observation in current.content.get("observations") or []:
        charted = _charted(observation)
        if charted is not None and charted[0] not in wanted:
            trend = {"code": observation["code"], "units": observation.get("units"), "points": [], "other_units": []}
            wanted[charted[0]] = trend
            by_test.setdefault(charted[0][:2], []).append(trend)

    def add(result: StoredResult, outside_window: bool) -> None:
        content = result.content
        for observation in content.get("observations") or []:
            charted = _charted(observation)
            if charted is None or charted[0][:2] not in by_test:
                continue
            series, number = charted
            point = {
                "result_id": result.result_id,
                "at": observation.get("observed_at") or content.get("collected_at") or content.get("reported_at"),
                "value": number,
                "units": observation.get("units"),
                "reference_range": observation.get("reference_range"),
                "flags": observation.get("flags") or [],
                "critical": bool(observation.get("critical")),
                "outside_window": outside_window,
            }
            for trend in by_test[series[:2]]:
                (trend["points"] if wanted.get(series) is trend else trend["other_units"]).append(point)

    seen, cursor, complete, met = 0, "", True, False
    while wanted:
        page, cursor = ports.records.page(scope.patient_id, current.category, now, TREND_PAGE, cursor)
        for result in view.only_shown(page):
            # the viewed result as read now, not as the list's index last saw it
            met = met or result.result_id == current.result_id
            add(current if result.result_id == current.result_id else result, False)
        seen += len(page)
        if not cursor:
            break
        if seen >= TREND_MAX_RESULTS:
            complete = False
            break
    if wanted and not met:
        # Older than the results read (or filed too recently for the list's index to have it
        # yet): its own values are on its chart all the same. Past the window, the values between
        # it and the rest were not read, so a chart must not join it to them.
        add(current, outside_window=not complete)
    for trend in wanted.values():
        # Read newest first by filing; a chart reads oldest first by when it was observed.
        for points in (trend["points"], trend["other_units"]):
            points.reverse()
            points.sort(key=lambda point: point["at"] or "")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "result_trends.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Observation",
        resource_id=result_id,
        reason=f"count:{sum(len(t['points']) + len(t['other_units']) for t in wanted.values())}",
    )
    return {"trends": list(wanted.values()), "complete": complete}
