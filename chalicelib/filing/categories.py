"""A sender's own category mapping, applied to a message once it is read.

The readers decide a report's category from what the message says (interop/categories.py): its
section, LOINC codes, the order's name. A sender whose orders carry only local codes ("99LAB|
SURGPATH", no OBR-24, no LOINC) says nothing the classifier can read, so its feed source may
declare what its codes are (FeedSource.category_codes, "<system>|<code>" as the sender writes
them). What the organization declared is weighed above the classifier's guess:

- a report whose order code or any line's code is mapped takes that category; pathology wins
  if any of them maps to pathology (a result that should wait is never shown early), else the
  order's own mapping, else the lines' (imaging before lab before other);
- lines mapped to vital signs are readings, not results: they move to the health summary's
  vital signs section, as the classifier moves LOINC vital signs; a report whose order is mapped
  to vital signs, or left with no line that has a value, is vital signs as a whole.

Only results: a document's category comes from its document type. What the readers already
lifted out as vital signs stays there. Pure: no storage, no clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from chalicelib.interop.categories import is_reading, vital_sign_entries
from chalicelib.records.domain import Category, ClinicalEntry, ClinicalMessage, Coding, ResultReport

VITAL_SIGNS = "vital_signs"  # one of feeds.domain.CODE_CATEGORIES; the others are Category values
# Among lines mapped differently (and no order mapping): the one that makes a result wait longest first.
_PRECEDENCE = (Category.PATHOLOGY, Category.IMAGING, Category.LAB, Category.OTHER)


def code_key(code: Coding) -> str:
    """A code as a mapping names it: "<system>|<code>", both as the sender writes them."""
    return f"{code.system.strip()}|{code.code.strip()}"


def mapped(message: ClinicalMessage, category_codes: Mapping[str, str]) -> ClinicalMessage:
    """The message with the sender's mapping applied to each of its results (unchanged without one)."""
    if not category_codes or not message.results:
        return message
    results: list[ResultReport] = []
    vital_signs: list[ClinicalEntry] = []
    for report in message.results:
        kept, readings = _mapped(report, category_codes, report.as_of or message.patient.as_of)
        if kept is not None:
            results.append(kept)
        vital_signs.extend(readings)
    return replace(message, results=tuple(results), entries=(*message.entries, *vital_signs))


def _mapped(
    report: ResultReport, category_codes: Mapping[str, str], as_of: str
) -> tuple[ResultReport | None, tuple[ClinicalEntry, ...]]:
    if report.is_document:
        return report, ()
    order = category_codes.get(code_key(report.code), "")
    lines = [category_codes.get(code_key(o.code), "") for o in report.observations]
    if not order and not any(lines):
        return report, ()
    if order == VITAL_SIGNS and Category.PATHOLOGY.value not in lines:
        return None, vital_sign_entries(report, filter(is_reading, report.observations), as_of)
    moved = [o for o, line in zip(report.observations, lines, strict=True) if line == VITAL_SIGNS and is_reading(o)]
    kept = tuple(o for o in report.observations if o not in moved)
    readings = vital_sign_entries(report, moved, as_of) if moved else ()
    if moved and not order and not any(o.value_type != "none" for o in kept):
        # Every line with a value was a vital sign: a report of vital signs, as the classifier decides.
        return None, vital_sign_entries(report, filter(is_reading, report.observations), as_of)
    named = {Category(c) for c in (order, *lines) if c and c != VITAL_SIGNS}
    if Category.PATHOLOGY in named:
        category = Category.PATHOLOGY
    elif order and order != VITAL_SIGNS:
        category = Category(order)
    else:
        category = next((c for c in _PRECEDENCE if c in named), report.category)
    return replace(report, category=category, observations=kept), readings
