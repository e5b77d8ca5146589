"""Observation values as shown: value[x] of an Observation and its components, and attachments.

Each FHIR value type becomes the domain's Observation: a number kept as sent, a quantity with its
comparator, a range or ratio, a code shown by its text, a date or period as text, and no value
(dataAbsentReason says why); one with neither a value nor a reason is dropped. A report's attachment is the file itself (Base64 data) or a URL kept
as text, never fetched. FHIR result statuses map onto the portal's, "unknown" never shown as final.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from chalicelib.interop.fhir.bundle import Entry
from chalicelib.interop.fhir.values import as_list, as_object, as_text, coding_of, decimal_text, first_of
from chalicelib.records.domain import Coding, EmbeddedDocument, Observation, Quantity, ResultStatus, Unreadable

STATUS = {
    "registered": ResultStatus.PENDING,
    "partial": ResultStatus.PRELIMINARY,  # DiagnosticReport only
    "preliminary": ResultStatus.PRELIMINARY,
    "final": ResultStatus.FINAL,
    "amended": ResultStatus.CORRECTED,
    "corrected": ResultStatus.CORRECTED,
    "appended": ResultStatus.CORRECTED,  # DiagnosticReport only: a subtype of amended
    ResultStatus.CANCELLED.value: ResultStatus.CANCELLED,
    "entered-in-error": ResultStatus.CANCELLED,
    "unknown": ResultStatus.PRELIMINARY,  # the sender does not know: never presented as final
}


def result_status(resource: dict[str, Any], label: str) -> ResultStatus:
    status = STATUS.get(as_text(resource.get("status")))
    if status is None:
        raise Unreadable(f"{label} status is missing or not a FHIR result status.")
    return status


def effective_at(resource: dict[str, Any]) -> str:
    return (
        as_text(resource.get("effectiveDateTime"))
        or as_text(resource.get("effectiveInstant"))
        or as_text(as_object(resource.get("effectivePeriod")).get("start"))
    )


def performer_of(resource: dict[str, Any]) -> str:
    return next(
        (d for d in (as_text(as_object(p).get("display")) for p in as_list(resource.get("performer"))) if d), ""
    )


def read_observations(entry: Entry) -> list[Observation]:
    """An Observation as shown: its own value, then one per component (blood pressure ...)."""
    resource = entry.resource
    common = dict(
        status=result_status(resource, entry.label),
        observed_at=effective_at(resource),
        performer=performer_of(resource),
        notes=tuple(
            text for text in (as_text(as_object(n).get("text")) for n in as_list(resource.get("note"))) if text
        ),
    )
    components = [as_object(c) for c in as_list(resource.get("component"))]
    found = []
    if _has_value(resource) or not (components or as_list(resource.get("hasMember"))):
        found.append(_value(resource, coding_of(resource.get("code")), common))
    found.extend(_value(component, coding_of(component.get("code")), common) for component in components)
    # An Observation (or component) with no value[x], no dataAbsentReason and no note says
    # nothing: it is not shown as an empty row (a pending or cancelled one still says something).
    return [observation for observation in found if not observation.blank]


def _has_value(element: dict[str, Any]) -> bool:
    return "dataAbsentReason" in element or any(key.startswith("value") for key in element)


def _value(element: dict[str, Any], code: Coding, common: dict[str, Any]) -> Observation:
    """value[x] of an Observation or one of its components, with its flags and range."""
    shown = dict(
        code=code,
        flags=_flags(element.get("interpretation")),
        reference_range=_range(first_of(element.get("referenceRange"))),
        **common,
    )
    if "valueQuantity" in element or "valueInteger" in element:
        value = as_object(element.get("valueQuantity"))
        number = decimal_text(value.get("value") if value else element.get("valueInteger"))
        units = as_text(value.get("unit")) or as_text(value.get("code"))
        comparator = as_text(value.get("comparator"))
        if not number:
            return Observation(value_type="none", units=units, **shown)
        if comparator:
            return Observation(
                value_type="quantity",
                number=number,
                units=units,
                quantity=Quantity(comparator=comparator, number=number),
                **shown,
            )
        return Observation(value_type="numeric", number=number, units=units, **shown)
    if "valueCodeableConcept" in element:
        coded = coding_of(element["valueCodeableConcept"])
        return Observation(value_type="coded", coded=coded, text=coded.display, **shown)
    if "valueString" in element:
        return Observation(value_type="text", text=as_text(element["valueString"]), **shown)
    if "valueBoolean" in element:
        return Observation(value_type="text", text="yes" if element["valueBoolean"] is True else "no", **shown)
    if "valueRange" in element:
        value = as_object(element["valueRange"])
        low, high = as_object(value.get("low")), as_object(value.get("high"))
        units = (
            as_text(low.get("unit"))
            or as_text(high.get("unit"))
            or as_text(low.get("code"))
            or as_text(high.get("code"))
        )
        low_n, high_n = decimal_text(low.get("value")), decimal_text(high.get("value"))
        if low_n and high_n:
            quantity = Quantity(number=low_n, separator="-", second=high_n)
        else:
            quantity = Quantity(comparator=">=" if low_n else "<=", number=low_n or high_n)
        return Observation(
            value_type="quantity" if low_n or high_n else "none", quantity=quantity, units=units, **shown
        )
    if "valueRatio" in element:
        value = as_object(element["valueRatio"])
        numerator, denominator = as_object(value.get("numerator")), as_object(value.get("denominator"))
        units = "/".join(u for u in (as_text(numerator.get("unit")), as_text(denominator.get("unit"))) if u)
        quantity = Quantity(
            comparator=as_text(numerator.get("comparator")),
            number=decimal_text(numerator.get("value")),
            separator=":",
            second=decimal_text(denominator.get("value")),
        )
        return Observation(value_type="quantity", quantity=quantity, units=units, **shown)
    if "valueDateTime" in element or "valueTime" in element:
        return Observation(
            value_type="text", text=as_text(element.get("valueDateTime") or element.get("valueTime")), **shown
        )
    if "valuePeriod" in element:
        period = as_object(element["valuePeriod"])
        text = " - ".join(t for t in (as_text(period.get("start")), as_text(period.get("end"))) if t)
        return Observation(value_type="text", text=text, **shown)
    # No value (dataAbsentReason says why, shown as the text), or one the portal does not show
    # (valueSampledData: a waveform).
    reason = coding_of(element.get("dataAbsentReason"))
    return Observation(value_type="none", text=reason.display or reason.code, **shown)


def attachment_observation(
    attachment: dict[str, Any], code: Coding, status: ResultStatus, where: str
) -> Observation | None:
    """DiagnosticReport.presentedForm: the report as the lab formatted it, carried inline or
    pointed at (a URL kept as text, never fetched)."""
    title = as_text(attachment.get("title"))
    data = attachment.get("data")
    if isinstance(data, str) and data.strip():
        try:
            content = base64.b64decode(re.sub(r"\s+", "", data), validate=True)
        except (binascii.Error, ValueError):
            raise Unreadable(f"{where} holds data that is not Base64.") from None
        document = EmbeddedDocument(
            content_type=as_text(attachment.get("contentType")) or "application/octet-stream", data=content, title=title
        )
        return Observation(code=code, value_type="document", document=document, text=title, status=status)
    url = as_text(attachment.get("url"))
    if url:
        return Observation(code=code, value_type="pointer", pointer=url[:2000], text=title, status=status)
    return None


def _flags(interpretations: Any) -> tuple[str, ...]:
    flags: list[str] = []
    for concept in map(as_object, as_list(interpretations)):
        for coding in map(as_object, as_list(concept.get("coding"))):
            code = as_text(coding.get("code"))
            if code and code not in flags:
                flags.append(code[:20])
    return tuple(flags)


def _range(reference_range: Any) -> str:
    reference_range = as_object(reference_range)
    low = decimal_text(as_object(reference_range.get("low")).get("value"))
    high = decimal_text(as_object(reference_range.get("high")).get("value"))
    if low and high:
        return f"{low}-{high}"
    if low or high:
        return f">={low}" if low else f"<={high}"
    return as_text(reference_range.get("text"))
