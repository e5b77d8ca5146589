"""A result's list summary keeps what the list shows and what its rules read: the list shows the
same for it as for the whole report, and sensitive care is found in it as in the report."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.access.sensitivity import DEFAULT_LISTS, flagged, is_sensitive, item_codes
from chalicelib.data.record_summaries import list_content
from chalicelib.records.domain import StoredResult
from chalicelib.records.results import summary
from chalicelib.records.visible import clinical_date

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def observation(code: dict, flags: list[str], value: str = "5.0") -> dict:
    return {
        "code": code,
        "value": {"type": "numeric", "number": value},
        "units": "mg/dL",
        "reference_range": "1.0-50.0",
        "flags": flags,
        "critical": False,
        "status": "final",
        "observed_at": "2026-11-25T07:00:00Z",
        "performer": None,
        "notes": ["A long note about the method used, which the list never shows."],
    }


REPORT = {
    "code": {"code": "24323-8", "display": "Comprehensive metabolic panel", "system": "LN"},
    "category": "lab",
    "status": "final",
    "collected_at": "2026-11-25T07:00:00Z",
    "reported_at": "2026-11-25T08:00:00Z",
    "performing_lab": "Main lab",
    "ordering_provider": "Gail Doctor",
    "notes": ["Specimen received at the main laboratory."],
    "observations": [
        observation({"code": "2345-7", "display": "Glucose", "system": "LN"}, ["N"]),
        observation({"code": "718-7", "display": "Hemoglobin", "system": "LN"}, ["L"]),
        # an HIV test under the lab's own code, its LOINC code among its codings
        observation(
            {"code": "HIV1", "display": "HIV 1 Ab", "system": "L", "codings": [{"code": "7918-6", "system": "LN"}]},
            [],
        ),
    ],
    "confidentiality": "R",
}


def stored(content: dict) -> StoredResult:
    return StoredResult(
        patient_id="p" * 32,
        result_id="r" * 32,
        version=1,
        category="lab",
        status="final",
        content_sha256="x",
        content=content,
        organization_id="amc",
        source="LAB|1",
        filed_at=NOW,
        release_at=NOW,
    )


def test_the_list_shows_the_same_for_the_summary_as_for_the_report():
    assert summary(stored(list_content(REPORT))) == summary(stored(REPORT))
    assert summary(stored(REPORT))["abnormal"] is True and summary(stored(REPORT))["observation_count"] == 3
    assert clinical_date(stored(list_content(REPORT))) == clinical_date(stored(REPORT))


def test_sensitive_care_is_found_in_the_summary_as_in_the_report():
    kept = list_content(REPORT)
    assert set(item_codes(kept)) == set(item_codes(REPORT))
    assert flagged(kept) is flagged(REPORT) is True
    unflagged = {name: value for name, value in REPORT.items() if name != "confidentiality"}
    assert is_sensitive(list_content(unflagged), DEFAULT_LISTS) is is_sensitive(unflagged, DEFAULT_LISTS) is True


def test_the_summary_leaves_out_values_and_notes():
    kept = list_content(REPORT)
    assert "notes" not in kept
    assert all(set(o) <= {"code", "flags"} for o in kept["observations"])
    assert kept["observations"][1] == {"code": {"code": "718-7", "system": "LN"}, "flags": ["L"]}
