"""A filed result as a DiagnosticReport and an Observation per line.

- A lab or pathology result is a US Core lab report (category LAB) whose lines are lab
  Observations (category laboratory); an imaging result, and any other, a US Core note report
  whose lines are clinical results (imaging) or simple observations (other).
- The report's effective time is when the specimen was collected (else when it was reported);
  issued is when it was reported, else when the portal filed it. A time the result lacks is
  marked with a data-absent-reason where US Core requires it.
- A line that is a file (a lab's PDF rendering) is no Observation: it is the report's
  presentedForm, reached through ``Writing.attachment``. The line numbers of Observations are
  the lines' places in the result, so they stay the same whichever lines are files.
- The performing lab is an Organization the report and its lines name as performer. The
  ordering provider has no place in a DiagnosticReport without a ServiceRequest (which the portal
  does not have): it is left out.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.ids import observation_id
from chalicelib.interop.writer.observations import interpretation, reference_range, value_of
from chalicelib.interop.writer.profiles import (
    DIAGNOSTIC_SECTION,
    LOINC,
    OBSERVATION_CATEGORY,
    us_core,
)
from chalicelib.interop.writer.values import (
    absent,
    absent_concept,
    concept,
    date_time,
    instant,
    instant_of,
    notes,
    profiled,
    reference,
)
from chalicelib.records.domain import StoredResult

# The portal's result status -> FHIR's (DiagnosticReport and Observation share these codes).
STATUSES = {
    "preliminary": "preliminary",
    "final": "final",
    "corrected": "corrected",
    "cancelled": "cancelled",
    "pending": "registered",
}
# category -> (report profile, report category codings, line profile, line category code)
_KINDS: dict[str, tuple[str, list[dict[str, str]], str, str]] = {
    "lab": (
        "us-core-diagnosticreport-lab",
        [{"system": DIAGNOSTIC_SECTION, "code": "LAB", "display": "Laboratory"}],
        "us-core-observation-lab",
        "laboratory",
    ),
    "pathology": (
        "us-core-diagnosticreport-lab",
        [
            {"system": DIAGNOSTIC_SECTION, "code": "LAB", "display": "Laboratory"},
            {"system": LOINC, "code": "LP7839-6", "display": "Pathology"},
        ],
        "us-core-observation-lab",
        "laboratory",
    ),
    "imaging": (
        "us-core-diagnosticreport-note",
        [
            {"system": LOINC, "code": "LP29684-5", "display": "Radiology"},
            {"system": DIAGNOSTIC_SECTION, "code": "RAD", "display": "Radiology"},
        ],
        "us-core-observation-clinical-result",
        "imaging",
    ),
    "other": (
        "us-core-diagnosticreport-note",
        [{"system": DIAGNOSTIC_SECTION, "code": "OTH", "display": "Other"}],
        "us-core-simple-observation",
        "exam",
    ),
}


def category_of(result: StoredResult) -> str:
    category = str(result.content.get("category") or result.category or "other")
    return category if category in _KINDS else "other"


def line_category(result: StoredResult) -> str:
    """The observation-category code of the result's lines (``laboratory``, ``imaging``, ``exam``)."""
    return _KINDS[category_of(result)][3]


def result_resources(result: StoredResult, writing: Writing) -> list[dict[str, Any]]:
    """The report first, then its lines' Observations."""
    content = result.content
    report_profile, report_codings, line_profile, line_code = _KINDS[category_of(result)]
    status = STATUSES.get(str(content.get("status") or result.status), "unknown")
    effective = date_time(content.get("collected_at")) or date_time(content.get("reported_at"))
    issued = instant_of(content.get("reported_at")) or instant(result.filed_at)
    lab = writing.lab(str(content["performing_lab"])) if str(content.get("performing_lab") or "").strip() else None
    observations: list[dict[str, Any]] = []
    presented: list[dict[str, Any]] = []
    for line, kept in enumerate(content.get("observations") or []):
        value = kept.get("value") or {}
        if value.get("type") == "document":
            if value.get("size"):
                presented.append(_file(result, line, value, writing))
            continue
        observation: dict[str, Any] = {
            "resourceType": "Observation",
            "id": observation_id(result.result_id, line),
            **profiled(us_core(line_profile)),
            "status": STATUSES.get(str(kept.get("status") or ""), status),
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": line_category(result)}]}],
            "code": concept(kept.get("code")) or absent_concept(),
            "subject": writing.patient(),
        }
        observed = date_time(kept.get("observed_at")) or effective
        observation.update({"effectiveDateTime": observed} if observed else {"_effectiveDateTime": absent()})
        observation["issued"] = issued
        if lab is not None:
            observation["performer"] = [lab]
        observation.update(value_of(value, str(kept.get("units") or ""), str(kept.get("status") or "")))
        for name, written in (
            ("interpretation", interpretation(kept.get("flags"))),
            ("note", notes(kept.get("notes"))),
            ("referenceRange", reference_range(kept.get("reference_range"))),
        ):
            if written:
                observation[name] = written
        observation["category"][0]["coding"][0]["display"] = line_code.replace("-", " ").title()
        observations.append(observation)
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport",
        "id": result.result_id,
        **profiled(us_core(report_profile)),
        "status": status,
        "category": [{"coding": [dict(c) for c in report_codings]}],
        "code": concept(content.get("code")) or absent_concept(),
        "subject": writing.patient(),
    }
    report.update({"effectiveDateTime": effective} if effective else {"_effectiveDateTime": absent()})
    report["issued"] = issued
    report["performer"] = [lab] if lab is not None else [writing.organization()]
    if observations:
        report["result"] = [reference("Observation", o["id"]) for o in observations]
    conclusion = "\n".join(str(n) for n in content.get("notes") or [] if str(n).strip())
    if conclusion:
        report["conclusion"] = conclusion
    if presented:
        report["presentedForm"] = presented
    return [report, *observations]


def _file(result: StoredResult, line: int, value: dict[str, Any], writing: Writing) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "contentType": str(value.get("content_type") or "application/octet-stream"),
        "url": writing.attachment(result.result_id, str(line)),
    }
    if isinstance(value.get("size"), int):
        attachment["size"] = value["size"]
    return attachment
