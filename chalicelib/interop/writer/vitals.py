"""A vital sign reading (a health-summary entry) as a US Core vital signs Observation.

The reading's LOINC code picks the profile (blood pressure, heart rate, body weight ...; any other
vital sign is us-core-vital-signs). A reading whose value is a plain number is a Quantity in its
units; a blood pressure sent as one text ("120/80") becomes the panel with its systolic and
diastolic components, in mm[Hg]. The vital signs profiles allow no other kind of value, so a
reading that is neither (a "refused", a range) keeps its words as the dataAbsentReason's text:
the reader still sees what the clinic wrote, and no number is made up.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.interop.writer.context import Writing
from chalicelib.interop.writer.observations import interpretation, number, quantity, reference_range
from chalicelib.interop.writer.profiles import LOINC, OBSERVATION_CATEGORY, VITAL_SIGN_PROFILES, VITAL_SIGNS
from chalicelib.interop.writer.results import STATUSES
from chalicelib.interop.writer.values import absent, absent_concept, concept, date_time, notes, profiled
from chalicelib.records.domain import StoredResult

BLOOD_PRESSURE = "85354-9"
_BLOOD_PRESSURE_CODES = frozenset({BLOOD_PRESSURE, "55284-4"})
_SYSTOLIC = {"system": LOINC, "code": "8480-6", "display": "Systolic blood pressure"}
_DIASTOLIC = {"system": LOINC, "code": "8462-4", "display": "Diastolic blood pressure"}
_PRESSURE = re.compile(r"\s*(\d{2,3})\s*/\s*(\d{2,3})\s*")
_LOINC_NAMES = ("LN", "LOINC", "HTTP://LOINC.ORG")


def loinc_code(stored: Any) -> str:
    """The LOINC code among a stored code's codings ("" when none is LOINC)."""
    stored = stored if isinstance(stored, dict) else {}
    for each in stored.get("codings") or [stored]:
        if isinstance(each, dict) and str(each.get("system") or "").strip().upper() in _LOINC_NAMES:
            return str(each.get("code") or "").strip()
    return ""


def vital_sign_resource(entry: StoredResult, writing: Writing) -> dict[str, Any]:
    content = entry.content
    code = loinc_code(content.get("code"))
    profiles = [VITAL_SIGNS]
    if code in VITAL_SIGN_PROFILES:
        profiles.insert(0, VITAL_SIGN_PROFILES[code])
    units = str(content.get("units") or "")
    value = str(content.get("value") or "")
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": entry.result_id,
        **profiled(*profiles),
        "status": STATUSES.get(str(content.get("status") or ""), "final"),
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs", "display": "Vital Signs"}]}],
        "code": concept(content.get("code")) or absent_concept(),
        "subject": writing.patient(),
    }
    observed = date_time(content.get("observed_at"))
    observation.update({"effectiveDateTime": observed} if observed else {"_effectiveDateTime": absent()})
    pressure = _PRESSURE.fullmatch(value) if code in _BLOOD_PRESSURE_CODES else None
    if pressure:
        observation["component"] = [
            {"code": {"coding": [dict(part)]}, "valueQuantity": quantity(int(reading), "mm[Hg]")}
            for part, reading in ((_SYSTOLIC, pressure[1]), (_DIASTOLIC, pressure[2]))
        ]
    elif content.get("numeric") and number(value) is not None:
        observation["valueQuantity"] = quantity(number(value) or 0, units)
    else:
        reason = absent_concept("not-performed" if content.get("status") == "cancelled" else "unknown")
        if value.strip():
            reason["text"] = value.strip()
        observation["dataAbsentReason"] = reason
    for name, written in (
        ("interpretation", interpretation(content.get("flags"))),
        ("note", notes(content.get("notes"))),
        ("referenceRange", reference_range(content.get("reference_range"))),
    ):
        if written:
            observation[name] = written
    return observation
