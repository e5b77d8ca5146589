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
from chalicelib.records.links import RecordFilesPorts, file_link


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
) -> str:
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
    return file_link(ports, f"{current.object_key}{int(index)}", str(value.get("content_type") or ""))


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
