"""Feed times read in the sending organization's time zone, through the real feed handler and API.

Two organizations share the deployment: Albany (America/New_York, the demo organization) and a
Pacific one (America/Los_Angeles). The same wall-clock time sent without an offset files at a
different instant for each, in the styles of several senders (an EHR's HL7, another vendor's with
fractional seconds and an explicit offset, a reference lab's to the minute, FHIR). A discharge
summary waits 24 hours of absolute time from an ADT^A03 discharge sent without an offset, across
the night the clocks go back, and from a FHIR Encounter's end across the night they go forward.
An admin sets the organization's zone; a name the time zone
database does not know is refused.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from chalicelib import wiring
from chalicelib.accounts import service as accounts
from chalicelib.feeds.domain import FeedSource
from tests.conftest import SAMPLES_DIR
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, all_records, deliver, feed_records, find, rid, segment
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

PACIFIC = "pacific-medical"
UTC = timezone.utc


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture
def senders(seeded, container):
    """Albany (New York, as seeded) and a Pacific organization, each with its senders."""
    accounts.ensure_organization(
        container.directory,
        PACIFIC,
        "Pacific Medical",
        "PMC-MRN",
        now=datetime.now(UTC),
        time_zone="America/Los_Angeles",
    )
    for sender in ("EPIC|AMC", "CERNER|AMC", "REFLAB|AMC"):
        container.records.add_feed_source(FeedSource(sender, ORG, "AMC-MRN"))
    for sender in ("EPIC|PMC", "CERNER|PMC", "REFLAB|PMC"):
        container.records.add_feed_source(FeedSource(sender, PACIFIC, "PMC-MRN"))
    container.records.add_feed_source(FeedSource("pmc-fhir", PACIFIC))
    return seeded


def oru(app: str, facility: str, control: str, collected: str, reported: str, observed: str) -> str:
    authority = "AMC-MRN" if facility == "AMC" else "PMC-MRN"
    return "\r".join(
        [
            f"MSH|^~\\&|{app}|{facility}|PORTAL|{facility}|20261201090000||ORU^R01^ORU_R01|{control}|P|2.5.1",
            segment("PID", {1: "1", 3: f"TZ-1^^^{authority}^MR", 5: "Rivera^Sam", 7: "19800308", 8: "M"}),
            segment(
                "OBR",
                {1: "1", 3: f"{control}^{app}", 4: "2345-7^Glucose^LN", 7: collected, 22: reported, 24: "CH", 25: "F"},
            ),
            segment("OBX", {1: "1", 2: "NM", 3: "2345-7^Glucose^LN", 5: "92", 6: "mg/dL", 11: "F", 14: observed}),
        ]
    )


def stored(org: str, authority: str, sender: str, control: str, app: str):
    patient = find(org, authority, "TZ-1")
    assert patient is not None and patient.birth_date == "1980-03-08"  # a date stays a date
    return wiring.container().records.current(patient.patient_id, rid(sender, f"{control}^{app}", org))


@pytest.mark.parametrize(
    ("app", "collected", "reported", "observed", "reported_instant"),
    [
        # An EHR's lab: times to the second, no offset.
        ("EPIC", "20261201083000", "20261201090000", "20261201083000", None),
        # Another vendor: fractional seconds, and a report time that carries its own offset (kept).
        ("CERNER", "20261201083000.0000", "20261201090000-0500", "20261201083000.0000", "2026-12-01T14:00:00Z"),
        # A reference lab: times to the minute.
        ("REFLAB", "202612010830", "202612010900", "202612010830", None),
    ],
)
def test_the_same_wall_clock_time_files_at_each_organizations_instant(
    senders, app, collected, reported, observed, reported_instant
):
    # WHEN a New York hospital and a Los Angeles one each send a result collected at 08:30, no offset
    for facility, control in (("AMC", "NY-1"), ("PMC", "LA-1")):
        assert deliver(senders, oru(app, facility, control, collected, reported, observed), group_id=app) == {
            "batchItemFailures": []
        }

    # THEN New York's was collected at 13:30 UTC and Los Angeles' at 16:30 UTC
    new_york = stored(ORG, "AMC-MRN", f"{app}|AMC", "NY-1", app).content
    los_angeles = stored(PACIFIC, "PMC-MRN", f"{app}|PMC", "LA-1", app).content
    assert utc(new_york["collected_at"]) == datetime(2026, 12, 1, 13, 30, tzinfo=UTC)
    assert utc(los_angeles["collected_at"]) == datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    assert new_york["collected_at"].endswith("-05:00") and los_angeles["collected_at"].endswith("-08:00")
    assert utc(los_angeles["observations"][0]["observed_at"]) == datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    # a time sent with its own offset means that instant, whoever sent it
    if reported_instant:
        assert utc(new_york["reported_at"]) == utc(los_angeles["reported_at"]) == utc(reported_instant)
    else:
        assert utc(los_angeles["reported_at"]) - utc(new_york["reported_at"]) == utc("2026-12-01T17:00:00Z") - utc(
            "2026-12-01T14:00:00Z"
        )


def test_a_fhir_time_without_an_offset_is_the_senders_organizations_wall_clock(senders, container):
    patient = json.loads((SAMPLES_DIR / "fhir" / "uscore_patient-example.json").read_text())
    observation = json.loads((SAMPLES_DIR / "fhir" / "uscore_observation-cbc-hemoglobin.json").read_text())
    observation["effectiveDateTime"] = "2026-12-01T08:30:00"  # no offset: FHIR wants one, senders forget
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "http://example.org/fhir/Patient/example", "resource": patient},
            {"fullUrl": "http://example.org/fhir/Observation/cbc-hemoglobin", "resource": observation},
        ],
    }

    assert deliver(senders, json.dumps(bundle), group_id="FHIR", attributes={"sender": "pmc-fhir"}) == {
        "batchItemFailures": []
    }

    [record] = feed_records().values()
    assert record.status == "filed", record.reason
    filed = find(PACIFIC, "http://example.org/patient/identifiers", "1032702")
    assert filed.birth_date == "1987-02-20"
    result = container.records.current(filed.patient_id, rid("pmc-fhir", "Observation/cbc-hemoglobin", PACIFIC))
    assert result.content["collected_at"] == "2026-12-01T08:30:00-08:00"


def test_a_discharge_summary_waits_24_hours_from_a_zone_less_discharge_across_the_change_of_clocks(ana, feed, seeded):
    patient_id, token = ana
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    policy = {"document:discharge-summary": 86400, "category:pathology": 4 * 86400}
    body = {"delays": {key: {"seconds": seconds, "exception": "preventing_harm"} for key, seconds in policy.items()}}
    assert call(seeded, "PUT", "/v1/admin/release-policy", body, admin).status_code == 200
    pid = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"
    # GIVEN an ADT^A03: discharged at 00:30 on 1 November 2026 in Albany, sent without an offset.
    # That is 04:30 UTC (EDT); the clocks go back at 02:00 that night.
    a03 = "\r".join(
        [
            "MSH|^~\\&|LAB|AMC|||20261101003500||ADT^A03^ADT_A03|dst-1|P|2.5.1",
            "EVN|A03|20261101003500",
            pid,
            segment(
                "PV1", {1: "1", 2: "I", 3: "4W^401^A^AMC", 19: "V-DST", 44: "20261029120000", 45: "20261101003000"}
            ),
        ]
    )
    summary = "\r".join(
        [
            "MSH|^~\\&|LAB|AMC|||20261101070000||MDM^T02|dst-2|P|2.5.1",
            "EVN|T02|20261101070000",
            pid,
            segment("PV1", {1: "1", 2: "I", 19: "V-DST"}),
            "TXA|1|DS^Discharge summary|TX|20261101070000|||||^Okoro^Grace|||DOC-DST^EHR|||||AU",
            "OBX|1|TX|DS^Discharge summary||Home today.||||||F",
        ]
    )
    pathology = "\r".join(
        [
            "MSH|^~\\&|LAB|AMC|||20261031080000||ORU^R01|dst-3|P|2.5.1",
            pid,
            segment(
                "OBR",
                {1: "1", 3: "PATH-1^LAB", 4: "22637-3^Pathology report^LN", 7: "20261030090000", 22: "20261031080000"}
                | {24: "SP", 25: "F"},
            ),
            "OBX|1|TX|22637-3^Pathology report^LN||Benign.||||||F",
        ]
    )

    # WHEN the discharge and its summary are filed the next morning, and a pathology report the day before
    deliver(seeded, a03, at=datetime(2026, 11, 1, 11, 0, tzinfo=UTC))
    deliver(seeded, summary, at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC))
    deliver(seeded, pathology, at=datetime(2026, 10, 31, 12, 0, tzinfo=UTC))

    # THEN the summary is shown 24 hours after the discharge instant: 04:30 UTC on 2 November
    # (23:30 in Albany, EST: a wall-clock "same time tomorrow" would be an hour late, and reading
    # the discharge as UTC four hours early)
    current = {r.category: r for r in all_records() if r.patient_id == patient_id and "#v" not in r.record_key}
    assert current["document:discharge-summary"].release_at == datetime(2026, 11, 2, 4, 30, tzinfo=UTC)
    # AND the pathology report 96 hours after it was filed, whatever the clocks did meanwhile
    assert current["pathology"].release_at == datetime(2026, 11, 4, 12, 0, tzinfo=UTC)
    # AND the patient's visit ends at the instant the hospital meant
    [visit] = call(seeded, "GET", f"/v1/patients/{patient_id}/health-summary/visits", token=token).json_body["visits"]
    assert visit["ended_at"] == "2026-11-01T00:30:00-04:00"


def test_an_admin_sets_the_time_zone_and_the_feed_reads_in_it_from_then_on(ana, feed, seeded, staff_token):
    patient_id, token = ana
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    first = call(seeded, "GET", "/v1/admin/organization", token=admin)
    assert first.status_code == 200, first.json_body
    assert first.json_body == {
        "organization_id": ORG,
        "name": "Albany Medical Center",
        "time_zone": "America/New_York",
        "support_email": "support@albany-medical-center.example",
    }

    # a name the time zone database does not know is refused, next to the field, without echoing it
    for bad in ("Mars/Olympus_Mons", "../../etc/passwd", "EST-ish", ""):
        refused = call(seeded, "PUT", "/v1/admin/organization", {"time_zone": bad}, admin)
        assert refused.status_code == 400, bad
        assert [d["field"] for d in refused.json_body["error"]["details"]] == ["time_zone"]
        assert not bad or bad.encode() not in refused.body
    assert call(seeded, "PUT", "/v1/admin/organization", {"time_zone": "UTC", "name": "x"}, admin).status_code == 400
    # staff and patients may not
    assert call(seeded, "PUT", "/v1/admin/organization", {"time_zone": "UTC"}, staff_token).status_code == 403
    assert call(seeded, "GET", "/v1/admin/organization", token=token).status_code == 403

    changed = call(seeded, "PUT", "/v1/admin/organization", {"time_zone": "America/Los_Angeles"}, admin)

    assert changed.status_code == 200, changed.json_body
    assert changed.json_body["time_zone"] == "America/Los_Angeles"
    assert call(seeded, "GET", "/v1/admin/organization", token=admin).json_body["time_zone"] == "America/Los_Angeles"
    account = wiring.container().directory.account_by_username(ADMIN_USER)
    events, _ = wiring.container().audit_log.by_actor(account.account_id, 10)
    [event] = [e for e in events if e.event_type == "organization.time_zone_changed"]
    assert (event.resource_type, event.resource_id, event.action.name) == ("Organization", ORG, "UPDATE")
    # WHEN a result comes in with times without an offset (07:00 on 25 November)
    from tests.integration.test_patient_results import oru as lab_result

    feed(lab_result("tz-1", "ORD-TZ", "85"))

    # THEN the patient gets it with Los Angeles' offset: her browser shows it in her own zone
    [result] = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    assert result["collected_at"] == "2026-11-25T07:00:00-08:00"


def test_a_fhir_discharge_summary_waits_24_hours_from_a_zone_less_encounter_end_in_los_angeles(senders, container):
    def resource(name: str) -> dict:
        found = json.loads((SAMPLES_DIR / "fhir" / name).read_text())
        found.get("meta", {}).pop("tag", None)  # (the specification's examples are tagged test data)
        return found

    # GIVEN the Pacific organization's EHR: an Encounter that ended at 21:00 on 7 March 2027, its
    # clock's time without an offset (PST, 05:00 UTC on the 8th; the clocks go forward that night)
    encounter = resource("uscore_encounter-1036.json")
    encounter.update(
        id="visit-1", status="finished", period={"start": "2027-03-05T09:00:00", "end": "2027-03-07T21:00:00"}
    )
    summary = resource("uscore_documentreference-discharge-summary.json")
    summary["context"]["encounter"] = [{"reference": "Encounter/visit-1"}]
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "urn:uuid:patient", "resource": resource("uscore_patient-example.json") | {"id": "example"}},
            {"fullUrl": "urn:uuid:encounter", "resource": encounter},
            {"fullUrl": "urn:uuid:summary", "resource": summary},
        ],
    }
    container.directory.set_release_policy(PACIFIC, {"delays": {"document:discharge-summary": 86400}})

    # WHEN it is filed the next morning
    assert deliver(
        senders,
        json.dumps(bundle),
        group_id="FHIR",
        attributes={"sender": "pmc-fhir"},
        at=datetime(2027, 3, 8, 16, 0, tzinfo=UTC),
    ) == {"batchItemFailures": []}

    # THEN the summary waits until 24 hours after the end of the visit: 05:00 UTC on 9 March
    [record] = feed_records().values()
    assert record.status == "filed", record.reason
    patient = find(PACIFIC, "http://example.org/patient/identifiers", "1032702")
    [document] = [
        r
        for r in all_records()
        if r.patient_id == patient.patient_id and r.kind == "document" and "#v" not in r.record_key
    ]
    assert document.release_at == datetime(2027, 3, 9, 5, 0, tzinfo=UTC)
