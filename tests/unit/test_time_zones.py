"""Feed times read in the sending organization's time zone (kernel.zones, filing.zones): a time
sent without an offset is the hospital's wall clock; one with an offset keeps it; a date stays a
date; and a change of the clocks moves the offset with it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.filing.versions import older
from chalicelib.filing.zones import in_zone
from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.hl7v2 import iso_time, read_hl7
from chalicelib.kernel.zones import UnknownZone, is_zone_name, values_with_offset, with_offset, zone
from chalicelib.records.domain import (
    Category,
    ClinicalEntry,
    ClinicalMessage,
    Coding,
    Observation,
    PatientFacts,
    ResultReport,
    ResultStatus,
    Unreadable,
)
from tests.conftest import SAMPLES_DIR

NEW_YORK, LOS_ANGELES = "America/New_York", "America/Los_Angeles"


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


@pytest.mark.parametrize(
    ("ts", "zone_name", "read"),
    [
        # An ORU at 20261201083000 from a New York hospital, no offset: 08:30 EST is 13:30 UTC.
        ("20261201083000", NEW_YORK, "2026-12-01T08:30:00-05:00"),
        ("20261201083000", LOS_ANGELES, "2026-12-01T08:30:00-08:00"),
        ("202607010830", NEW_YORK, "2026-07-01T08:30-04:00"),  # summer: EDT, as precise as sent
        ("20261201083000.1234", NEW_YORK, "2026-12-01T08:30:00.1234-05:00"),
        ("20261201", NEW_YORK, "2026-12-01"),  # a date is a day, not a moment
        ("202612", NEW_YORK, "2026-12"),
        ("20261201083000+0100", NEW_YORK, "2026-12-01T08:30:00+01:00"),  # an offset sent is kept
        ("20261201083000-0000", LOS_ANGELES, "2026-12-01T08:30:00-00:00"),
        ("20261201083000", "UTC", "2026-12-01T08:30:00+00:00"),
    ],
)
def test_an_hl7_time_without_an_offset_is_read_in_the_organizations_zone(ts, zone_name, read):
    assert with_offset(iso_time(ts), zone_name) == read


def test_the_new_york_example_is_1330_utc():
    assert moment(with_offset(iso_time("20261201083000"), NEW_YORK)) == datetime(
        2026, 12, 1, 13, 30, tzinfo=timezone.utc
    )


def test_fhir_datetimes_without_an_offset_are_read_in_the_zone_and_others_are_kept():
    assert with_offset("2026-12-01T08:30:00", LOS_ANGELES) == "2026-12-01T08:30:00-08:00"
    assert with_offset("2026-12-01T08:30:00Z", LOS_ANGELES) == "2026-12-01T08:30:00Z"
    assert with_offset("2026-12-01T08:30:00.5+05:30", LOS_ANGELES) == "2026-12-01T08:30:00.5+05:30"
    assert with_offset("1980-02-29", LOS_ANGELES) == "1980-02-29"
    assert with_offset("2026-02-30T08:00", LOS_ANGELES) == "2026-02-30T08:00"  # not a time: as sent
    assert with_offset("about noon", LOS_ANGELES) == "about noon"
    assert with_offset("", LOS_ANGELES) == ""


def test_across_the_spring_change_the_same_wall_clock_gap_is_one_hour_less():
    # GIVEN two New York wall-clock times either side of 8 March 2026, 02:00 (clocks go forward)
    before = moment(with_offset("2026-03-07T12:00", NEW_YORK))
    after = moment(with_offset("2026-03-08T12:00", NEW_YORK))

    # THEN a calendar day on the wall is 23 hours of absolute time
    assert after - before == timedelta(hours=23)
    assert with_offset("2026-03-08T12:00", NEW_YORK).endswith("-04:00")


def test_a_time_the_clocks_skip_or_repeat_takes_the_offset_in_force_before_the_change():
    # 02:30 on 8 March 2026 never happens in New York; 01:30 on 1 November 2026 happens twice.
    assert with_offset("2026-03-08T02:30", NEW_YORK) == "2026-03-08T02:30-05:00"
    assert with_offset("2026-11-01T01:30", NEW_YORK) == "2026-11-01T01:30-04:00"
    assert with_offset("2026-11-01T02:30", NEW_YORK) == "2026-11-01T02:30-05:00"


def test_only_names_of_the_time_zone_database_are_zones():
    assert is_zone_name(NEW_YORK) and is_zone_name("UTC") and is_zone_name("Etc/GMT+5")
    for name in ("Mars/Olympus_Mons", "EST-ish", "../../etc/passwd", "/etc/localtime", "localtime", "", "America/"):
        assert not is_zone_name(name), name
    with pytest.raises(UnknownZone):
        zone("Atlantis/Capital")


def test_times_nested_in_an_entrys_content_are_given_the_offset():
    content = {"period": {"start": "2026-12-01T08:00", "end": "2026-12-01T09:00:00Z"}, "onset": "2026-11-30", "n": 3}
    assert values_with_offset(content, NEW_YORK) == {
        "period": {"start": "2026-12-01T08:00-05:00", "end": "2026-12-01T09:00:00Z"},
        "onset": "2026-11-30",
        "n": 3,
    }


def test_a_whole_message_is_read_in_the_zone_but_dates_stay_dates():
    # GIVEN a message as the readers give it: wall-clock times without offsets, a birth date
    message = ClinicalMessage(
        kind="results",
        patient=PatientFacts(
            identifiers=(), birth_date="1980-03-08", deceased_on="2026-11-30", as_of="2026-12-01T08:31"
        ),
        results=(
            ResultReport(
                source_id="1",
                code=Coding("24331-1"),
                category=Category.LAB,
                status=ResultStatus.FINAL,
                collected_at="2026-12-01T07:00",
                reported_at="2026-12-01T08:30:00",
                discharged_at="2026-11-30T18:00",
                observations=(Observation(Coding("2093-3"), "numeric", number="180", observed_at="2026-12-01T07:05"),),
            ),
        ),
        entries=(
            ClinicalEntry(
                "visit", "V1", {"started_at": "2026-11-29T10:00", "ended_at": "2026-11-30T18:00"}, "2026-11-29T10:00"
            ),
        ),
        admitted_at="2026-11-29T10:00",
        discharged_at="2026-11-30T18:00",
    )

    # WHEN it is read in Los Angeles' zone
    read = in_zone(message, LOS_ANGELES)

    # THEN every time is a moment at Los Angeles' offset, and the dates are as sent
    [report] = read.results
    assert (report.collected_at, report.reported_at, report.discharged_at) == (
        "2026-12-01T07:00-08:00",
        "2026-12-01T08:30:00-08:00",
        "2026-11-30T18:00-08:00",
    )
    assert report.observations[0].observed_at == "2026-12-01T07:05-08:00"
    assert read.entries[0].content == {"started_at": "2026-11-29T10:00-08:00", "ended_at": "2026-11-30T18:00-08:00"}
    assert read.entries[0].occurred_at == "2026-11-29T10:00-08:00"
    assert (read.admitted_at, read.discharged_at) == ("2026-11-29T10:00-08:00", "2026-11-30T18:00-08:00")
    assert (read.patient.birth_date, read.patient.deceased_on) == ("1980-03-08", "2026-11-30")
    assert read.patient.as_of == "2026-12-01T08:31-08:00"


def test_an_hl7_result_read_then_put_in_the_zone():
    text = (
        "MSH|^~\\&|LAB|SPH|PORTAL|SPH|20261201083500||ORU^R01|C1|P|2.5.1\r"
        "PID|1||123^^^SPH-MRN^MR||DOE^JANE||19800308|F\r"
        "OBR|1||F1^LAB|24331-1^Lipid panel^LN|||20261201070000|||||||||||||||20261201083000|||F\r"
        "OBX|1|NM|2093-3^Cholesterol^LN||180|mg/dL|||||F|||20261201070500\r"
    )
    read = in_zone(read_hl7(text), LOS_ANGELES)
    [report] = read.results
    assert moment(report.reported_at) == datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)
    assert moment(report.collected_at) == datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
    assert read.patient.birth_date == "1980-03-08"


def _fhir_bundle(effective: str) -> dict:
    patient = json.loads((SAMPLES_DIR / "fhir" / "uscore_patient-example.json").read_text())
    observation = json.loads((SAMPLES_DIR / "fhir" / "uscore_observation-cbc-hemoglobin.json").read_text())
    observation["effectiveDateTime"] = effective
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "http://example.org/fhir/Patient/example", "resource": patient},
            {"fullUrl": "http://example.org/fhir/Observation/cbc-hemoglobin", "resource": observation},
        ],
    }


def test_a_fhir_datetime_without_an_offset_is_read_in_the_zone_and_a_birth_date_stays_a_date():
    [message] = read_fhir(_fhir_bundle("2026-12-01T08:30:00"))
    read = in_zone(message, LOS_ANGELES)

    assert read.results[0].collected_at == "2026-12-01T08:30:00-08:00"
    assert moment(read.results[0].collected_at) == datetime(2026, 12, 1, 16, 30, tzinfo=timezone.utc)
    assert read.patient.birth_date == "1987-02-20"


def test_a_fhir_datetime_that_is_wrong_otherwise_is_still_refused():
    for wrong in ("2026-12-01T08:30", "2026-13-01T08:30:00", "2026-12-01 08:30:00"):
        with pytest.raises(Unreadable, match="effectiveDateTime has the wrong format"):
            read_fhir(_fhir_bundle(wrong))


def test_a_version_filed_before_times_had_an_offset_is_compared_in_the_organizations_zone():
    # GIVEN a result stored with its report time as New York's wall clock, no offset (13:30 UTC)
    stored = "2026-12-01T08:30:00"

    # THEN an earlier report resent (11:00 UTC, as filing now reads it) is older, and a later one is not
    assert older("2026-12-01T06:00:00-05:00", stored, NEW_YORK)
    assert not older("2026-12-01T09:00:00-05:00", stored, NEW_YORK)
    # (read as UTC, the stored time would be 08:30 UTC, and the earlier report would win)
    assert not older("2026-12-01T06:00:00-05:00", stored)
