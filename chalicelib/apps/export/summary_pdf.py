"""The readable PDF summary of a record export, laid out from the FHIR resources of its Bundle.

Built from the Bundle's resources (interop/writer) rather than from the records domain, so the two
files of one export say the same: whatever the Bundle holds, the PDF lists, and nothing else.
Sections, each in its own heading and said to be empty when it is: the patient; allergies;
problems; medications; immunizations; vital signs; results (each report with its values, units,
reference ranges and flags; values outside a report listed on their own); documents (listed: the
files themselves are in the Bundle and the portal); visits and appointments (a visit of no known type is
a "Visit"; times in UTC, named so, as the footer's are). Every page's footer
says when the summary was made, for whom, and "Page N of M".

Set as check-in's signed forms are (checkin/signed_form.py): US Letter, DejaVu Sans embedded as a
subset. Clinical text comes from feeds and may hold characters the font has no glyph for, or
right-to-left text it cannot shape: those print as "?" (the Bundle keeps the text as sent), rather
than one unusual character failing a whole export. Pure: no storage, clock or network; the same
resources and moment give the same bytes.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timezone
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from chalicelib.checkin import printable
from chalicelib.interop.writer.profiles import DATA_ABSENT_REASON

FONT = "DejaVu"
_MARGIN = 18.0
_FOOTER_HEIGHT = 14.0

# fpdf2's warnings quote the document's text: a patient's, so never logged.
logging.getLogger("fpdf").setLevel(logging.ERROR)


FILES_LEFT_OUT = (
    "Some files were too large to fit in this download: open them from the Documents and Results pages of the portal."
)


def render(resources: list[dict[str, Any]], *, made_at: datetime, made_for: str, files_left_out: bool = False) -> bytes:
    """The PDF of these resources (a Bundle's entries' resources, Patient first), made at
    ``made_at`` (aware) for the person named ``made_for``; ``files_left_out``: the Bundle holds
    only some of the record's files (the rest are in the portal), which the Documents section says."""
    document = _Summary(made_at, _printable(made_for))
    document.lay_out(_Sorted(resources), files_left_out)
    return bytes(document.output())


def patient_name(resources: Iterable[dict[str, Any]]) -> str:
    """The patient's name as the Bundle's Patient gives it ("" when it has none)."""
    for resource in resources:
        if resource.get("resourceType") == "Patient":
            return _human_name(resource.get("name") or [])
    return ""


class _Sorted:
    """The resources by type, and by id for references (``Observation/<id>``)."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.by_type: dict[str, list[dict[str, Any]]] = {}
        self.by_reference: dict[str, dict[str, Any]] = {}
        for resource in resources:
            kind = resource.get("resourceType", "")
            self.by_type.setdefault(kind, []).append(resource)
            self.by_reference[f"{kind}/{resource.get('id', '')}"] = resource

    def of(self, kind: str) -> list[dict[str, Any]]:
        return self.by_type.get(kind, [])


class _Summary(FPDF):
    def __init__(self, made_at: datetime, made_for: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="letter")
        self.made_at = made_at.astimezone(timezone.utc)
        self.made_for = made_for
        self.add_font(FONT, "", str(printable.FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(printable.FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(True, margin=_MARGIN + _FOOTER_HEIGHT)
        self.set_creation_date(self.made_at)
        self.set_creator("Patient portal")
        self.set_title("Health record summary")
        self.set_lang("en")
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-(_MARGIN + _FOOTER_HEIGHT - 4))
        self.set_draw_color(150, 150, 150)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(60, 60, 60)
        made = f"{self.made_at:%Y-%m-%d %H:%M} UTC"
        line = f"Made {made} for {self.made_for or 'the patient'} · Page {self.page_no()} of {{nb}}"
        self.cell(0, 4, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="C")
        self.set_text_color(0, 0, 0)

    # -- the blocks ------------------------------------------------------------------------------
    def _heading(self, text: str, size: float = 13) -> None:
        if self.get_y() + 20 > self.page_break_trigger:
            self.add_page()  # a heading never ends a page alone
        self.ln(3)
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")
        self.ln(1.5)

    def _line(self, text: str, size: float = 10, style: str = "", indent: float = 0) -> None:
        self.set_font(FONT, style, size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(0, size * 0.5, _printable(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L")

    def _items(self, title: str, lines: list[tuple[str, str]], empty: str) -> None:
        """A section of items, each a bold first line and a plain detail line."""
        self._heading(title)
        if not lines:
            self._line(empty, 10)
            return
        for first, detail in lines:
            self._line(first, 10, "B")
            if detail:
                self._line(detail, 9, indent=4)
            self.ln(1)

    def lay_out(self, record: _Sorted, files_left_out: bool = False) -> None:
        self.add_page()
        self._heading("Health record summary", 17)
        self._patient(record.of("Patient"), record)
        self._items("Allergies", [_allergy(r) for r in record.of("AllergyIntolerance")], "No allergies recorded.")
        self._items("Problems", [_condition(r) for r in record.of("Condition")], "No problems recorded.")
        self._items("Medications", [_medication(r) for r in record.of("MedicationRequest")], "No medications recorded.")
        self._items(
            "Immunizations", [_immunization(r) for r in record.of("Immunization")], "No immunizations recorded."
        )
        observations = record.of("Observation")
        vitals = [o for o in observations if _category(o) == "vital-signs"]
        self._items("Vital signs", [_observation(o) for o in vitals], "No vital signs recorded.")
        self._results(record, [o for o in observations if _category(o) != "vital-signs"])
        self._items("Documents", [_document(r) for r in record.of("DocumentReference")], "No documents.")
        if files_left_out:
            self._line(FILES_LEFT_OUT, 9, "B")
        visits = [_encounter(r) for r in record.of("Encounter")] + [_appointment(r) for r in record.of("Appointment")]
        self._items("Visits and appointments", visits, "No visits recorded.")

    def _patient(self, patients: list[dict[str, Any]], record: _Sorted) -> None:
        self._heading("Patient")
        if not patients:
            self._line("Not included.")
            return
        patient = patients[0]
        self._line(_human_name(patient.get("name") or []) or "Name not recorded", 12, "B")
        details = []
        if patient.get("birthDate"):
            details.append(f"Born {patient['birthDate']}")
        if patient.get("gender"):
            details.append(f"Sex {patient['gender']}")
        if details:
            self._line(" · ".join(details))
        # The record's organization (the labs a result names are Organizations too)
        managing = (patient.get("managingOrganization") or {}).get("reference", "")
        organizations = record.of("Organization")
        keeper = record.by_reference.get(managing) or (organizations[0] if organizations else {})
        if keeper.get("name"):
            self._line(f"From {keeper['name']}", 9)

    def _results(self, record: _Sorted, observations: list[dict[str, Any]]) -> None:
        self._heading("Results")
        reports = [r for r in record.of("DiagnosticReport") if _category(r) != "document"]
        in_reports: set[str] = set()
        for report in reports:
            title, when = _concept(report.get("code")), _when(report, "effectiveDateTime", "issued")
            self._line(" · ".join(p for p in (title or "Result", when, report.get("status", "")) if p), 10, "B")
            for reference in report.get("result") or []:
                found = record.by_reference.get(reference.get("reference", ""))
                if found is not None:
                    in_reports.add(reference["reference"])
                    self._line(_value_line(found), 9, indent=4)
            for text in (report.get("conclusion"),):
                if text:
                    self._line(text, 9, indent=4)
            self.ln(1)
        alone = [o for o in observations if f"Observation/{o.get('id', '')}" not in in_reports]
        for observation in alone:
            first, detail = _observation(observation)
            self._line(first, 10, "B")
            if detail:
                self._line(detail, 9, indent=4)
            self.ln(1)
        if not reports and not alone:
            self._line("No results.")


# -- reading FHIR ----------------------------------------------------------------------------------


def _printable(text: str) -> str:
    glyphs = printable.covered()
    return "".join(
        c
        if c in "\n\t" or (c.isprintable() and ord(c) in glyphs and unicodedata.bidirectional(c) not in ("R", "AL"))
        else "?"
        for c in text
    )


def _human_name(names: list[dict[str, Any]]) -> str:
    for name in names:
        if name.get("text"):
            return str(name["text"])
        parts = [*name.get("given", []), name.get("family", "")]
        if any(parts):
            return " ".join(p for p in parts if p)
    return ""


def _concept(concept: Any) -> str:
    if not isinstance(concept, dict):
        return ""
    if concept.get("text"):
        return str(concept["text"])
    for coding in concept.get("coding") or []:
        if coding.get("system") == DATA_ABSENT_REASON:
            continue  # "Unknown" says nothing a reader can use: the caller's fallback words say more
        if coding.get("display") or coding.get("code"):
            return str(coding.get("display") or coding.get("code"))
    return ""


def _category(resource: dict[str, Any]) -> str:
    for concept in resource.get("category") or []:
        for coding in concept.get("coding") or []:
            if coding.get("code"):
                return str(coding["code"])
    return ""


def _when(resource: dict[str, Any], *fields: str) -> str:
    for name in fields:
        value = resource.get(name)
        if isinstance(value, dict):
            value = value.get("start")
        if isinstance(value, str) and value:
            return _moment(value)
    return ""


def _moment(value: str) -> str:
    """A FHIR date as written; a FHIR dateTime in UTC, saying so (as the footer does), since the
    offsets feeds send differ and a bare clock time would read as the reader's own."""
    if "T" not in value:
        return value
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value[:16].replace("T", " ")
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"


def _status(resource: dict[str, Any], field: str) -> str:
    value = resource.get(field)
    return _concept(value) if isinstance(value, dict) else str(value or "")


def _joined(*parts: str) -> str:
    return " · ".join(p for p in parts if p)


def _allergy(resource: dict[str, Any]) -> tuple[str, str]:
    reactions = [
        _concept(m) for reaction in resource.get("reaction") or [] for m in reaction.get("manifestation") or []
    ]
    return _concept(resource.get("code")) or "Allergy", _joined(
        ("Reaction: " + ", ".join(r for r in reactions if r)) if any(reactions) else "",
        resource.get("criticality", "") and f"Criticality {resource['criticality']}",
        _status(resource, "clinicalStatus"),
        _when(resource, "onsetDateTime", "recordedDate"),
    )


def _condition(resource: dict[str, Any]) -> tuple[str, str]:
    return _concept(resource.get("code")) or "Problem", _joined(
        _status(resource, "clinicalStatus"),
        _when(resource, "onsetDateTime", "recordedDate")
        and "Since " + _when(resource, "onsetDateTime", "recordedDate"),
    )


def _medication(resource: dict[str, Any]) -> tuple[str, str]:
    name = _concept(resource.get("medicationCodeableConcept")) or str(
        (resource.get("medicationReference") or {}).get("display", "")
    )
    dosage = "; ".join(d.get("text", "") for d in resource.get("dosageInstruction") or [] if d.get("text"))
    return name or "Medication", _joined(dosage, resource.get("status", ""), _when(resource, "authoredOn"))


def _immunization(resource: dict[str, Any]) -> tuple[str, str]:
    return _concept(resource.get("vaccineCode")) or "Immunization", _joined(
        _when(resource, "occurrenceDateTime", "recorded"), resource.get("status", "")
    )


def _quantity(quantity: dict[str, Any]) -> str:
    value = quantity.get("value")
    text = f"{quantity.get('comparator', '')}{'' if value is None else value}"
    unit = quantity.get("unit") or quantity.get("code") or ""
    return f"{text} {unit}".strip()


def _value(observation: dict[str, Any]) -> str:
    if "valueQuantity" in observation:
        return _quantity(observation["valueQuantity"])
    if "valueCodeableConcept" in observation:
        return _concept(observation["valueCodeableConcept"])
    for name in ("valueString", "valueInteger", "valueBoolean", "valueDateTime", "valueTime"):
        if name in observation:
            return str(observation[name])
    if "valueRange" in observation:
        low, high = observation["valueRange"].get("low") or {}, observation["valueRange"].get("high") or {}
        return f"{_quantity(low)} - {_quantity(high)}"
    if "valueRatio" in observation:
        ratio = observation["valueRatio"]
        return f"{_quantity(ratio.get('numerator') or {})} / {_quantity(ratio.get('denominator') or {})}"
    components = [f"{_concept(c.get('code'))} {_value(c)}".strip() for c in observation.get("component") or []]
    return ", ".join(c for c in components if c)


def _range(observation: dict[str, Any]) -> str:
    ranges = []
    for entry in observation.get("referenceRange") or []:
        if entry.get("text"):
            ranges.append(str(entry["text"]))
        elif entry.get("low") or entry.get("high"):
            ranges.append(f"{_quantity(entry.get('low') or {})} - {_quantity(entry.get('high') or {})}".strip(" -"))
    return ", ".join(ranges)


def _flags(observation: dict[str, Any]) -> str:
    return ", ".join(_concept(c) for c in observation.get("interpretation") or [] if _concept(c))


def _value_line(observation: dict[str, Any]) -> str:
    name = _concept(observation.get("code")) or "Value"
    value = _value(observation) or "no value"
    reference = _range(observation)
    return _joined(
        f"{name}: {value}",
        reference and f"range {reference}",
        _flags(observation) and f"flag {_flags(observation)}",
        _status(observation, "status") if observation.get("status") not in (None, "final") else "",
    )


def _observation(observation: dict[str, Any]) -> tuple[str, str]:
    return _value_line(observation), _when(observation, "effectiveDateTime", "effectivePeriod", "issued")


def _document(resource: dict[str, Any]) -> tuple[str, str]:
    title = resource.get("description") or _concept(resource.get("type"))
    for content in resource.get("content") or []:
        title = title or (content.get("attachment") or {}).get("title", "")
    return str(title or "Document"), _when(resource, "date")


def _encounter(resource: dict[str, Any]) -> tuple[str, str]:
    kinds = [_concept(t) for t in resource.get("type") or []]
    visit_class = resource.get("class") or {}
    said_class = "" if visit_class.get("system") == DATA_ABSENT_REASON else str(visit_class.get("display", ""))
    kind = ", ".join(k for k in kinds if k) or said_class or "Visit"
    places = [str((loc.get("location") or {}).get("display", "")) for loc in resource.get("location") or []]
    return kind, _joined(_when(resource, "period"), ", ".join(p for p in places if p), resource.get("status", ""))


def _appointment(resource: dict[str, Any]) -> tuple[str, str]:
    kinds = [_concept(t) for t in resource.get("serviceType") or []]
    title = resource.get("description") or ", ".join(k for k in kinds if k) or "Appointment"
    return str(title), _joined(_when(resource, "start"), resource.get("status", ""))
