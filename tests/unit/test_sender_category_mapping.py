"""A feed source's own category mapping (filing/categories.py): what the organization declared its
sender's local codes to be decides a report's category above the classifier's guess."""

from __future__ import annotations

from chalicelib.filing.categories import mapped
from chalicelib.records.domain import (
    Category,
    ClinicalMessage,
    Coding,
    Observation,
    PatientFacts,
    ResultReport,
    ResultStatus,
)


def line(code: str, value: str = "1", system: str = "99LAB", value_type: str = "numeric") -> Observation:
    return Observation(
        code=Coding(code, code, system), value_type=value_type, number=value, observed_at="2026-11-25T08:30:00+00:00"
    )


def message(*reports: ResultReport) -> ClinicalMessage:
    return ClinicalMessage("results", PatientFacts((), as_of="2026-11-25T09:00:00+00:00"), results=reports)


def report(order: str, *lines: Observation, category: Category = Category.LAB, system: str = "99LAB") -> ResultReport:
    return ResultReport("R-1", Coding(order, order, system), category, ResultStatus.FINAL, observations=lines)


def test_a_local_order_code_mapped_to_pathology_makes_the_report_pathology():
    filed = mapped(message(report("SURGPATH", line("DX", value_type="text"))), {"99LAB|SURGPATH": "pathology"})

    assert [r.category for r in filed.results] == [Category.PATHOLOGY]


def test_without_a_matching_code_the_classifiers_category_stands():
    sent = message(report("CBC", line("HGB")))

    assert mapped(sent, {"99LAB|SURGPATH": "pathology"}) == sent
    assert mapped(sent, {}) == sent


def test_a_code_matches_only_under_its_own_system():
    sent = message(report("SURGPATH", line("DX"), system="L"))

    assert mapped(sent, {"99LAB|SURGPATH": "pathology"}).results[0].category is Category.LAB


def test_the_mapping_wins_over_the_classifier_and_a_pathology_line_wins_over_the_order():
    imaging = mapped(message(report("XR1", line("IMP"), category=Category.LAB)), {"99LAB|XR1": "imaging"})
    assert imaging.results[0].category is Category.IMAGING

    mixed = report("PANEL", line("HGB"), line("CYTO", value_type="text"))
    filed = mapped(message(mixed), {"99LAB|PANEL": "lab", "99LAB|CYTO": "pathology"})
    assert filed.results[0].category is Category.PATHOLOGY


def test_lines_mapped_to_vital_signs_move_to_the_vital_signs_section():
    sent = message(report("CHEM", line("GLU", "92"), line("PULSE", "72")))

    filed = mapped(sent, {"99LAB|PULSE": "vital_signs"})

    assert [o.code.code for o in filed.results[0].observations] == ["GLU"]
    assert filed.results[0].category is Category.LAB
    [reading] = filed.entries
    assert (reading.kind, reading.content["value"], reading.occurred_at) == (
        "vital_sign",
        "72",
        "2026-11-25T08:30:00+00:00",
    )
    assert reading.as_of == "2026-11-25T09:00:00+00:00"  # an older message never replaces a newer reading


def test_an_order_mapped_to_vital_signs_is_no_result_but_readings():
    filed = mapped(message(report("VITALS", line("PULSE", "72"), line("RESP", "14"))), {"99LAB|VITALS": "vital_signs"})

    assert filed.results == ()
    assert [e.content["value"] for e in filed.entries] == ["72", "14"]


def test_a_report_left_with_no_value_once_its_vital_signs_moved_is_vital_signs_as_a_whole():
    filed = mapped(message(report("CLINIC", line("PULSE", "72"))), {"99LAB|PULSE": "vital_signs"})

    assert filed.results == ()
    assert len(filed.entries) == 1


def test_a_document_keeps_its_category():
    document = ResultReport(
        "D-1", Coding("SURGPATH", "", "99LAB"), Category.OTHER, ResultStatus.FINAL, is_document=True
    )

    assert mapped(message(document), {"99LAB|SURGPATH": "pathology"}).results == (document,)
