"""An Observation's value, interpretation and reference range, from a result's line or a vital
sign's reading as the portal keeps them.

A value is kept as sent, as text ("0.70" stays "0.70" on the portal's pages); FHIR writes a
number as a JSON number, so the digits are kept but a trailing zero is not. A structured value
("<5", "2-8", "1:128") becomes a comparator Quantity, a Range or a Ratio; a coded value a
CodeableConcept; text (and a pointer to a document elsewhere, never fetched) a string. Units are
written as sent; their UCUM code only when the units are a UCUM unit the table below knows.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.interop.writer.profiles import INTERPRETATION, UCUM
from chalicelib.interop.writer.values import absent_concept, concept

# Units as senders write them -> UCUM. Only those a patient's record commonly holds.
_UCUM = {
    "mmhg": "mm[Hg]",
    "mm[hg]": "mm[Hg]",
    "bpm": "/min",
    "/min": "/min",
    "beats/min": "/min",
    "breaths/min": "/min",
    "%": "%",
    "kg": "kg",
    "g": "g",
    "lb": "[lb_av]",
    "lbs": "[lb_av]",
    "[lb_av]": "[lb_av]",
    "cm": "cm",
    "m": "m",
    "in": "[in_i]",
    "[in_i]": "[in_i]",
    "cel": "Cel",
    "c": "Cel",
    "degc": "Cel",
    "°c": "Cel",
    "f": "[degF]",
    "degf": "[degF]",
    "°f": "[degF]",
    "[degf]": "[degF]",
    "kg/m2": "kg/m2",
    "kg/m^2": "kg/m2",
    "l/min": "L/min",
    "mg/dl": "mg/dL",
    "mmol/l": "mmol/L",
    "g/dl": "g/dL",
    "meq/l": "meq/L",
    "u/l": "U/L",
    "ng/ml": "ng/mL",
    "10*3/ul": "10*3/uL",
    "10*6/ul": "10*6/uL",
    "fl": "fL",
    "pg": "pg",
}
# HL7 v2 table 0078 / FHIR's observation interpretation codes the portal passes on as codes.
_INTERPRETATIONS = {
    "H": "High",
    "L": "Low",
    "HH": "Critical high",
    "LL": "Critical low",
    "A": "Abnormal",
    "AA": "Critical abnormal",
    "N": "Normal",
    "POS": "Positive",
    "NEG": "Negative",
    "R": "Resistant",
    "S": "Susceptible",
    "I": "Intermediate",
    "HU": "Significantly high",
    "LU": "Significantly low",
}
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_COMPARATORS = ("<", "<=", ">", ">=")


def number(text: Any) -> int | float | None:
    """A number as sent, as JSON writes one (None when it is not a plain number)."""
    text = str(text or "").strip()
    if not _NUMBER.fullmatch(text):
        return None
    return float(text) if "." in text else int(text)


def quantity(value: int | float, units: str) -> dict[str, Any]:
    written: dict[str, Any] = {"value": value}
    units = units.strip()
    if units:
        written["unit"] = units
        code = _UCUM.get(units.lower().replace(" ", ""))
        if code:
            written.update({"system": UCUM, "code": code})
    return written


def value_of(value: Any, units: str, status: str) -> dict[str, Any]:
    """A result line's stored value (``{"type": ...}``) as value[x], or a dataAbsentReason."""
    value = value if isinstance(value, dict) else {}
    kind = value.get("type")
    if kind == "numeric" and number(value.get("number")) is not None:
        return {"valueQuantity": quantity(number(value.get("number")) or 0, units)}
    if kind == "quantity":
        structured = _structured(value, units)
        if structured:
            return structured
    if kind == "coded":
        coded = concept(value)
        if coded:
            return {"valueCodeableConcept": coded}
    if kind == "text" and str(value.get("text") or "").strip():
        return {"valueString": str(value["text"])}
    if kind == "pointer" and str(value.get("reference") or "").strip():
        return {"valueString": str(value["reference"])}
    return {"dataAbsentReason": absent_concept("not-performed" if status == "cancelled" else "unknown")}


def _structured(value: dict[str, Any], units: str) -> dict[str, Any]:
    first, second = number(value.get("number")), number(value.get("second"))
    comparator, separator = str(value.get("comparator") or ""), str(value.get("separator") or "")
    if first is None:
        return {}
    if separator == "-" and second is not None:
        return {"valueRange": {"low": quantity(first, units), "high": quantity(second, units)}}
    if separator in (":", "/") and second is not None:
        return {"valueRatio": {"numerator": {"value": first}, "denominator": {"value": second}}}
    if separator:
        return {}
    written = quantity(first, units)
    if comparator in _COMPARATORS:
        written = {"value": first, "comparator": comparator, **{k: v for k, v in written.items() if k != "value"}}
    elif comparator:
        return {}
    return {"valueQuantity": written}


def interpretation(flags: Any) -> list[dict[str, Any]]:
    """Abnormal flags as interpretations: a known code with FHIR's system, else its text."""
    found: list[dict[str, Any]] = []
    for flag in flags or []:
        code = str(flag).strip().upper()
        if code in _INTERPRETATIONS:
            found.append({"coding": [{"system": INTERPRETATION, "code": code, "display": _INTERPRETATIONS[code]}]})
        elif code:
            found.append({"text": str(flag).strip()})
    return found


def reference_range(text: Any) -> list[dict[str, Any]]:
    return [{"text": str(text).strip()}] if str(text or "").strip() else []
