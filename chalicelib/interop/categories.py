"""What kind of result a report is (lab, pathology, imaging, other), and which of what a sender
calls results are vital signs, decided in one place for HL7 v2 and FHIR alike.

The category decides when a result is shown (an organization may delay pathology), so the
evidence is weighed in this order:

1. pathology, if anything says so: the diagnostic service section (HL7 OBR-24, FHIR category,
   HL7 table 0074: SP, CP, AP, PAT, CY), the order code or any observation code (a pathology
   report LOINC). A pathology report sent without OBR-24 still waits as pathology does: of the
   mistakes a classifier can make, showing a cancer diagnosis early is the one that matters.
2. imaging, the same way (RAD, CT, MR, US ... and radiology report LOINCs).
3. vital signs, when the sender says so: the FHIR category vital-signs, or the order code is a
   vital-signs panel or a vital sign itself (a FHIR Observation of a heart rate).
4. lab, when the section or category says so (LAB, CH, HM, laboratory ...).
5. vital signs, when every line with a value is a vital sign (an ORU of a clinic's vitals under
   a local order code); other, when a FHIR category says it is no test (social-history, survey,
   exam ...).
6. pathology, when the order's own name says so (a local code named "Surgical pathology"): a
   last resort, used only in the direction that makes a result wait, never show earlier.
7. lab, when any line is LOINC coded or numeric; else other.

A report of vital signs is not a result: each reading goes to the health summary's vital signs
section (``split``). A report of anything else keeps its vital-sign lines when the sender named
its section (a blood gas carries the patient's temperature), and gives them up when it did not
(a clinic's feed mixing vitals into a lab order would otherwise bury the labs under them).

The tables are LOINC codes as senders use them; a code is compared with its system, so a local
code that happens to look like a LOINC is never taken for one. Pure: no storage, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from chalicelib.records.domain import (
    CANCELLED,
    Category,
    ClinicalEntry,
    Coding,
    Observation,
    ResultReport,
    ResultStatus,
)

VITAL_SIGNS_CATEGORY = "vital-signs"

# HL7 table 0074 (diagnostic service section), also sent as a FHIR category, and the FHIR
# observation-category codes and the LOINC document-ontology parts US Core uses.
_PATHOLOGY_SECTIONS = frozenset({"SP", "CP", "AP", "PAT", "CY", "LP7839-6"})
_IMAGING_SECTIONS = frozenset(
    {"RAD", "IMG", "CT", "MR", "MRI", "NMR", "NMS", "US", "RUS", "OUS", "VUS", "CUS", "RX", "XRC", "MAM"}
    | {"IMAGING", "LP29684-5"}
)
# (SR serology, TX toxicology and VR virology are lab tests, not pathology nor imaging)
_LAB_SECTIONS = frozenset(
    {"LAB", "BG", "BLB", "CG", "CH", "GE", "HM", "IMM", "MB", "MCB", "MYC", "OSL", "SR", "TX", "URN", "VR"}
    | {"LABORATORY", "LP29693-6"}
)
_VITAL_SECTIONS = frozenset({"VITAL-SIGNS", "VS", "VITALS"})
# FHIR observation categories that are neither tests nor vital signs (a smoking status, a
# questionnaire score, an examination finding).
_OTHER_SECTIONS = frozenset({"SOCIAL-HISTORY", "SURVEY", "EXAM", "THERAPY", "ACTIVITY", "PROCEDURE", "OTH"})

# LOINC codes of pathology reports and their parts.
PATHOLOGY_CODES = frozenset(
    {
        "11526-1",  # Pathology study
        "11529-5",  # Surgical pathology study
        "18743-5",  # Autopsy report
        "22634-0",  # Pathology report.gross observation
        "22635-7",  # Pathology report.microscopic observation
        "22636-5",  # Pathology report.relevant history
        "22637-3",  # Pathology report.final diagnosis
        "22638-1",  # Pathology report.comments
        "22639-9",  # Pathology report.supplemental reports
        "60567-5",  # Comprehensive pathology report panel
        "60568-3",  # Pathology synoptic report
        "66117-3",  # Pathology report
        "10524-7",  # Cervix cytology microscopic observation
        "19762-4",  # Cervical or vaginal smear general categories (cytology)
    }
)
# LOINC codes of imaging reports.
IMAGING_CODES = frozenset(
    {
        "18748-4",  # Diagnostic imaging study
        "18726-0",  # Radiology studies
        "18782-3",  # Radiology study observation
        "19005-8",  # Radiology imaging study impression
        "18747-6",  # CT study
        "18755-9",  # MRI study
        "18760-9",  # Ultrasound study
        "24627-2",  # CT chest
        "36643-5",  # XR chest 2 views
        "30746-2",  # XR chest portable
        "24604-1",  # Mammogram diagnostic
        "24606-6",  # Mammogram screening
    }
)
# Vital-signs panels: an order of these is vital signs, whatever its lines are coded as.
VITAL_SIGN_PANELS = frozenset({"85353-1", "34565-2", "8716-3"})
# The FHIR vital signs profile's codes, US Core's, and common variants of them.
VITAL_SIGN_CODES = frozenset(
    {
        "85354-9",  # Blood pressure panel
        "55284-4",  # Blood pressure systolic and diastolic (the older panel code)
        "8480-6",  # Systolic blood pressure
        "8462-4",  # Diastolic blood pressure
        "8478-0",  # Mean blood pressure
        "8867-4",  # Heart rate
        "8889-8",  # Heart rate by pulse oximetry
        "9279-1",  # Respiratory rate
        "2708-6",  # Oxygen saturation in arterial blood
        "59408-5",  # Oxygen saturation by pulse oximetry
        "3150-0",  # Inhaled oxygen concentration
        "3151-8",  # Inhaled oxygen flow rate
        "8310-5",  # Body temperature
        "8331-1",  # Oral temperature
        "8302-2",  # Body height
        "8306-3",  # Body height, lying
        "8308-9",  # Body height, standing
        "29463-7",  # Body weight
        "3141-9",  # Body weight, measured
        "39156-5",  # Body mass index
        "9843-4",  # Head circumference
        "59576-9",  # BMI percentile (pediatric)
        "8289-1",  # Head circumference percentile (pediatric)
        "77606-2",  # Weight-for-length percentile (pediatric)
    }
    | VITAL_SIGN_PANELS
)
# Words of an order's name that mean pathology: used only when no code or section decided.
_PATHOLOGY_WORDS = ("patholog", "cytolog", "histolog", "biops")


def is_loinc(code: Coding, table: frozenset[str]) -> bool:
    return code.is_loinc and code.code.strip() in table


def is_vital_sign(code: Coding) -> bool:
    return is_loinc(code, VITAL_SIGN_CODES)


def _declared(sections: Iterable[str], table: frozenset[str]) -> bool:
    return any(section.strip().upper() in table for section in sections)


def categorize(sections: Iterable[str], order: Coding, observations: Iterable[Observation]) -> Category | str:
    """The report's Category, or VITAL_SIGNS_CATEGORY for a report of vital signs. ``sections``:
    what the sender declared (OBR-24, every FHIR category code); ``order``: the order or report
    code (OBR-4, DiagnosticReport.code, a lone Observation's code)."""
    sections = tuple(sections)
    lines = tuple(observations)
    codes = (order, *(o.code for o in lines))
    if _declared(sections, _PATHOLOGY_SECTIONS) or any(is_loinc(c, PATHOLOGY_CODES) for c in codes):
        return Category.PATHOLOGY
    if _declared(sections, _IMAGING_SECTIONS) or any(is_loinc(c, IMAGING_CODES) for c in codes):
        return Category.IMAGING
    if _declared(sections, _VITAL_SECTIONS) or is_vital_sign(order):
        return VITAL_SIGNS_CATEGORY
    if _declared(sections, _LAB_SECTIONS):
        return Category.LAB
    valued = [o for o in lines if o.value_type != "none"]
    if valued and all(is_vital_sign(o.code) for o in valued):
        return VITAL_SIGNS_CATEGORY
    if _declared(sections, _OTHER_SECTIONS):
        return Category.OTHER
    name = order.display.lower()
    if any(word in name for word in _PATHOLOGY_WORDS):
        return Category.PATHOLOGY
    if sections or any(c.is_loinc for c in codes) or any(o.value_type in ("numeric", "quantity") for o in lines):
        return Category.LAB
    return Category.OTHER


@dataclass(frozen=True)
class Sorted:
    """A report as filed: the result (None when nothing of it is a result) and its vital signs."""

    report: ResultReport | None
    vital_signs: tuple[ClinicalEntry, ...] = ()


def split(report: ResultReport, sections: Iterable[str], as_of: str = "") -> Sorted:
    """The report with its category decided, and its vital-sign readings lifted out as entries
    of the health summary's vital signs section. ``as_of``: when the sender said so (MSH-7, the
    resource's lastUpdated), so that an older message never replaces a newer reading."""
    sections = tuple(s for s in sections if s.strip())
    category = categorize(sections, report.code, report.observations)
    if category == VITAL_SIGNS_CATEGORY:
        return Sorted(None, vital_sign_entries(report, filter(is_reading, report.observations), as_of))
    assert isinstance(category, Category)
    report = replace(report, category=category)
    if sections or category is not Category.LAB:
        # The sender named the section: its vital-sign lines are part of the test.
        return Sorted(report)
    vitals = [o for o in report.observations if is_vital_sign(o.code) and is_reading(o)]
    if not vitals:
        return Sorted(report)
    kept = tuple(o for o in report.observations if o not in vitals)
    entries = vital_sign_entries(report, vitals, as_of)
    return Sorted(replace(report, observations=kept), entries)


def is_reading(o: Observation) -> bool:
    """A line that is a reading: a value, or a reason there is none ("refused"), or a withdrawal
    of an earlier one. A file is no reading, and neither is a line still waiting for its value."""
    if o.value_type == "document":
        return False
    return o.value_type != "none" or bool(o.text.strip()) or o.status is ResultStatus.CANCELLED


def vital_sign_entries(report: ResultReport, readings: Iterable[Observation], as_of: str) -> tuple[ClinicalEntry, ...]:
    """Each reading as an entry of the vital signs section, named by its report and its code (and
    its place among the report's readings of that code), so that a resent report updates them."""
    entries = []
    seen: dict[str, int] = {}
    for o in readings:
        key = f"{o.code.system}|{o.code.code or o.code.display}"
        seen[key] = seen.get(key, 0) + 1
        when = o.observed_at or report.collected_at or report.reported_at
        entries.append(
            ClinicalEntry(
                kind="vital_sign",
                source_id=f"{report.source_id}#{key}#{seen[key]}"[:400],
                content=reading_content(o, when, report.notes),
                occurred_at=when,
                withdrawn=o.status is ResultStatus.CANCELLED or report.status is ResultStatus.CANCELLED,
                as_of=as_of,
            )
        )
    return tuple(entries)


def reading_content(o: Observation, when: str, report_notes: tuple[str, ...] = ()) -> dict[str, object]:
    """A reading as the patient is shown it: the value as text, and whether it is a plain number
    (a point on a chart: "<35" and "120-130" are not)."""
    value, numeric = o.text, False
    if o.value_type == "numeric":
        value, numeric = o.number, True
    elif o.value_type == "quantity" and o.quantity is not None:
        q = o.quantity
        value = f"{q.comparator}{q.number}{q.separator}{q.second}"
        numeric = not (q.comparator or q.separator) and bool(q.number)
    elif o.value_type == "coded" and o.coded is not None:
        value = o.coded.display or o.coded.code
    elif o.value_type == "pointer":
        value = o.pointer
    content: dict[str, object] = {
        "code": o.code.content(),
        "value": value[:200],
        "numeric": numeric,
        "status": CANCELLED if o.status is ResultStatus.CANCELLED else o.status.value,
    }
    optional = {
        "units": o.units,
        "observed_at": when,
        "reference_range": o.reference_range,
        "flags": list(o.flags),
        "performer": o.performer,
        "notes": [*report_notes, *o.notes],
    }
    content.update({k: v for k, v in optional.items() if v})
    return content
