"""Small readers of FHIR JSON values, at the bottom of the FHIR package.

A resource is read from its validated JSON, where any element may still be absent, null or (in a
part the portal does not validate) of another shape than expected. Each helper here turns what it
is given into the one type its caller wants, empty when the value is not of that shape, so the
readers above never test types themselves. Text is stripped; numbers are kept as sent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from chalicelib.access.sensitivity import SENSITIVITY_LABELS, most_restricted
from chalicelib.records.domain import Coding

# A concept's codings kept at most: a sender's dozen names for one thing, not an unbounded list.
_MAX_CODINGS = 20


def as_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def as_object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def first_of(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def decimal_text(value: Any) -> str:
    """A FHIR decimal as text: as sent when the JSON was parsed with parse_float=Decimal."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else ""
    if isinstance(value, str):
        return value.strip()
    return ""


def coding_of(concept: Any) -> Coding:
    """A CodeableConcept as one Coding: the LOINC coding when there is one, else the first; shown
    by the concept's text (the sender's own name for it), else the coding's display. Its other
    codings with a code are kept as alternates: each says what the item is."""
    concept = as_object(concept)
    codings = [
        c for c in map(as_object, as_list(concept.get("coding"))) if as_text(c.get("code")) or as_text(c.get("display"))
    ]
    chosen = next((c for c in codings if as_text(c.get("system")) == "http://loinc.org"), codings[0] if codings else {})
    return Coding(
        code=as_text(chosen.get("code"))[:100],
        display=(as_text(concept.get("text")) or as_text(chosen.get("display")))[:500],
        system=as_text(chosen.get("system"))[:200],
        alternates=tuple(
            Coding(
                code=as_text(c.get("code"))[:100],
                display=as_text(c.get("display"))[:500],
                system=as_text(c.get("system"))[:200],
            )
            for c in codings[:_MAX_CODINGS]
            if c is not chosen and as_text(c.get("code"))
        ),
    )


def security_of(*resources: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """What the senders' security labels say of these resources together (a report and its
    Observations): the tightest v3-Confidentiality code (R or V, else "") and the sensitivity
    codes (v3-ActCode HIV, PSY, ETH ...). Read from ``meta.security`` and, where a resource has
    one, ``securityLabel`` (DocumentReference)."""
    confidentiality: list[str] = []
    labels: list[str] = []
    for resource in resources:
        codings = list(map(as_object, as_list(as_object(resource.get("meta")).get("security"))))
        for concept in map(as_object, as_list(resource.get("securityLabel"))):
            codings.extend(map(as_object, as_list(concept.get("coding"))))
        for coding in codings:
            code = as_text(coding.get("code")).upper()
            if as_text(coding.get("system")).endswith("Confidentiality"):
                confidentiality.append(code)
            elif code in SENSITIVITY_LABELS:
                labels.append(code)
    return most_restricted(*confidentiality), tuple(dict.fromkeys(labels))
