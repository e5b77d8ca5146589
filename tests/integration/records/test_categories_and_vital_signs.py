"""Categories and vital signs through the real feed handler and the real API: a pathology report
sent without OBR-24 waits as pathology does, vital signs (HL7 OBX and FHIR Observations) land in
the health summary's vital signs section with their history and not among the results, and a
blank result line is not shown. Messages in the styles of several senders: an EHR's ORU that
leaves OBR-24 empty, a hospital EHR's vitals ORU under a local order code, a reference lab's ORU
with an empty OBX, and a FHIR Bundle."""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, deliver, feed_records
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

PID = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"


def epic_pathology(control: str = "E-1") -> str:
    """An EHR's pathology result: a local order code, OBR-24 left empty, LOINC-coded lines."""
    return "\r".join(
        [
            f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|20261125080000||ORU^R01^ORU_R01|{control}|P|2.5.1",
            PID,
            "ORC|RE|PL-7|SP-26-1001^EPIC",
            "OBR|1|PL-7|SP-26-1001^EPIC|LAB3100^SURGICAL SPECIMEN^EAP|||20261124090000||||||||"
            "|^Doctor^Gail||||||20261125075500|||F",
            "OBX|1|TX|22634-0^Gross description^LN|1|Received in formalin, a 0.4 cm skin biopsy.||||||F",
            "OBX|2|TX|22637-3^Final diagnosis^LN|1|Seborrheic keratosis. No malignancy.||||||F",
        ]
    )


def cerner_vitals(control: str = "C-1", pulse: str = "72", at: str = "20261125083000") -> str:
    """A hospital EHR's vital signs: one order under a local code, each vital a LOINC-coded OBX."""
    return "\r".join(
        [
            f"MSH|^~\\&|CERNER|AMC|PORTAL|AMC|{at}||ORU^R01|{control}|P|2.3",
            PID,
            f"OBR|1||VS-{at}^CERNER|VITALS^Vital Signs^CERNER|||{at}",
            f"OBX|1|NM|8867-4^Heart rate^LN||{pulse}|/min^beats per minute|60-100|N|||F|||{at}",
            f"OBX|2|NM|8480-6^Systolic blood pressure^LN||128|mm[Hg]^mmHg|||||F|||{at}",
            f"OBX|3|NM|8462-4^Diastolic blood pressure^LN||84|mm[Hg]^mmHg|||||F|||{at}",
            f"OBX|4|NM|8310-5^Body temperature^LN||37.1|Cel^degrees C|||||F|||{at}",
            f"OBX|5|NM|29463-7^Body weight^LN|||kg|||||F|||{at}",  # not weighed: a blank line
        ]
    )


def lab_with_an_empty_line() -> str:
    """A reference lab's panel: one line came back empty."""
    return "\r".join(
        [
            "MSH|^~\\&|REFLAB|REFLAB|PORTAL|AMC|20261125090000||ORU^R01|L-1|P|2.5.1",
            PID,
            "OBR|1|PL-9|RL-55^REFLAB|24321-2^Basic metabolic panel^LN|||20261125070000||||||||"
            "|^Doctor^Gail||||||20261125085500||CH|F",
            "OBX|1|NM|2345-7^Glucose^LN||92|mg/dL|70-99|N|||F|||20261125070000",
            "OBX|2|NM|2951-2^Sodium^LN|||mmol/L|136-145||||F|||20261125070000",
            "OBX|3|NM|2823-3^Potassium^LN||4.1|mmol/L|3.5-5.1|N|||F|||20261125070000",
        ]
    )


@pytest.fixture(autouse=True)
def senders(container) -> None:
    """The EHR, the hospital EHR and the reference lab file for the demo organization; their bare
    identifiers are its medical record numbers."""
    for sender in ("EPIC|AMC", "CERNER|AMC", "REFLAB|REFLAB"):
        container.records.add_feed_source(FeedSource(sender, ORG, "AMC-MRN"))


def set_policy(api, delays: dict) -> None:
    admin = sign_in(api, ADMIN_USER, ADMIN_PASSWORD)
    # (each wait names the information-blocking exception it rests on)
    body = {"delays": {key: {"seconds": seconds, "exception": "preventing_harm"} for key, seconds in delays.items()}}
    assert call(api, "PUT", "/v1/admin/release-policy", body, admin).status_code == 200


def results(api, patient_id: str, token: str) -> list[dict]:
    return call(api, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]


def vital_signs(api, patient_id: str, token: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/health-summary/vital_signs", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["vital_signs"]


def test_a_pathology_report_without_obr_24_waits_as_pathology(feed, ana, seeded):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": 3600})

    feed(epic_pathology())

    assert results(seeded, patient_id, token) == []  # not shown at once, as a lab result would be
    [waiting] = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert waiting["category"] == "pathology"


def test_vital_signs_go_to_the_health_summary_not_the_results(feed, ana, seeded, staff_token):
    patient_id, token = ana

    feed(cerner_vitals("C-1", "72", "20261125083000"), cerner_vitals("C-2", "88", "20261126083000"))

    assert results(seeded, patient_id, token) == []  # nothing buries the labs
    readings = vital_signs(seeded, patient_id, token)
    # newest first; the blank weight line is no reading
    assert {(r["code"]["code"], r["value"], r["observed_at"]) for r in readings[:4]} == {
        ("8867-4", "88", "2026-11-26T08:30:00-05:00"),
        ("8480-6", "128", "2026-11-26T08:30:00-05:00"),
        ("8462-4", "84", "2026-11-26T08:30:00-05:00"),
        ("8310-5", "37.1", "2026-11-26T08:30:00-05:00"),
    }
    assert len(readings) == 8 and {r["observed_at"] for r in readings[4:]} == {"2026-11-25T08:30:00-05:00"}
    assert "29463-7" not in {r["code"]["code"] for r in readings}
    pulse = next(r for r in readings if r["code"]["code"] == "8867-4")
    assert (pulse["units"], pulse["numeric"], pulse["reference_range"], pulse["flags"]) == (
        "beats per minute",
        True,
        "60-100",
        ["N"],
    )

    history = call(seeded, "GET", f"/v1/patients/{patient_id}/health-summary/vital_signs/history", token=token)

    assert history.status_code == 200, history.json_body
    trends = {t["code"]["code"]: t for t in history.json_body["trends"]}
    assert set(trends) == {"8867-4", "8480-6", "8462-4", "8310-5"}
    assert [(p["value"], p["at"]) for p in trends["8867-4"]["points"]] == [
        ("72", "2026-11-25T08:30:00-05:00"),
        ("88", "2026-11-26T08:30:00-05:00"),
    ]  # oldest first: the line a chart draws
    assert trends["8867-4"]["units"] == "beats per minute" and history.json_body["complete"] is True
    # staff see what the patient sees, to help on the phone; both reads audited
    staff = call(
        seeded, "GET", f"/v1/staff/patients/{patient_id}/health-summary/vital_signs/history", token=staff_token
    )
    assert staff.json_body == history.json_body
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    assert {"vital_signs.list", "vital_signs_history.read"} <= {e.event_type for e in events}


def test_a_resent_vitals_message_changes_nothing_and_a_correction_updates_the_reading(feed, ana, seeded):
    patient_id, token = ana
    feed(cerner_vitals("C-1", "72"))
    feed(cerner_vitals("C-1b", "72"))
    assert len(vital_signs(seeded, patient_id, token)) == 4

    feed(cerner_vitals("C-1c", "74").replace("20261125083000||ORU", "20261125093000||ORU"))

    readings = vital_signs(seeded, patient_id, token)
    pulse = next(r for r in readings if r["code"]["code"] == "8867-4")
    assert (len(readings), pulse["value"], pulse["version"]) == (4, "74", 2)


def test_vital_signs_in_an_admission_are_readings_and_its_updates_do_not_repeat_them(feed, ana, seeded):
    patient_id, token = ana

    def admission(event: str, control: str, at: str) -> str:
        return "\r".join(
            [
                f"MSH|^~\\&|CERNER|AMC|PORTAL|AMC|{at}||ADT^{event}|{control}|P|2.3",
                PID,
                "PV1|1|I|4W^401^A||||||||||||||||V-7001|||||||||||||||||||||||||20261125060000",
                "OBX|1|NM|29463-7^Body weight^LN||61.2|kg|||||F",
                "OBX|2|NM|8302-2^Body height^LN||165|cm|||||F",
                "OBX|3|ST|ADM-REASON^Reason for admission^CERNER||Observation||||||F",
            ]
        )

    feed(admission("A01", "A-1", "20261125061000"), admission("A08", "A-2", "20261125120000"))

    readings = vital_signs(seeded, patient_id, token)
    assert sorted((r["code"]["code"], r["value"], r["observed_at"]) for r in readings) == [
        ("29463-7", "61.2", "2026-11-25T06:00:00-05:00"),  # measured at admission (PV1-44)
        ("8302-2", "165", "2026-11-25T06:00:00-05:00"),
    ]
    assert results(seeded, patient_id, token) == []


def test_an_empty_result_line_is_not_shown(feed, ana, seeded):
    patient_id, token = ana

    feed(lab_with_an_empty_line())

    [shown] = results(seeded, patient_id, token)
    result = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{shown['result_id']}", token=token).json_body
    assert [o["code"]["code"] for o in result["report"]["observations"]] == ["2345-7", "2823-3"]
    assert shown["category"] == "lab"


# -- FHIR --------------------------------------------------------------------------------------------

FHIR_SENDER = "ehr-fhir"


def observation(oid: str, code: str, category: str, value: float | None, unit: str, at: str) -> dict:
    resource = {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": category}]}
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": code}], "text": code},
        "subject": {"reference": "Patient/ana"},
        "effectiveDateTime": at,
    }
    if value is not None:
        resource["valueQuantity"] = {"value": value, "unit": unit}
    return resource


def fhir_bundle() -> str:
    patient = {
        "resourceType": "Patient",
        "id": "ana",
        "identifier": [{"system": "AMC-MRN", "value": "MRN-1001"}],
        "name": [{"family": "Núñez", "given": ["Ana"]}],
        "birthDate": "1984-03-09",
        "gender": "female",
    }
    blood_pressure = observation("bp-1", "85354-9", "vital-signs", None, "", "2026-11-20T10:00:00Z")
    blood_pressure["component"] = [
        {
            "code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]},
            "valueQuantity": {"value": 118, "unit": "mmHg"},
        },
        {
            "code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]},
            "valueQuantity": {"value": 76, "unit": "mmHg"},
        },
    ]
    resources = [
        patient,
        observation("hr-1", "8867-4", "vital-signs", 64, "/min", "2026-11-20T10:00:00Z"),
        observation("hr-2", "8867-4", "vital-signs", 70, "/min", "2026-11-21T10:00:00Z"),
        observation("wt-1", "29463-7", "vital-signs", 61.5, "kg", "2026-11-21T10:00:00Z"),
        blood_pressure,
        observation("glu-1", "2345-7", "laboratory", 91, "mg/dL", "2026-11-21T07:00:00Z"),
        observation("empty-1", "2951-2", "laboratory", None, "", "2026-11-21T07:00:00Z"),
    ]
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in resources]})


@pytest.fixture
def fhir_feed(ana, seeded, container):
    # (its system "AMC-MRN" is a local name: declared as the organization's record numbers)
    container.records.add_feed_source(FeedSource(FHIR_SENDER, ORG, authorities=(("AMC-MRN", "AMC-MRN"),)))

    def send(body: str) -> None:
        assert deliver(seeded, body, group_id=FHIR_SENDER, attributes={"sender": FHIR_SENDER}) == {
            "batchItemFailures": []
        }
        statuses = [(r.status, r.reason) for r in feed_records().values()]
        assert all(status == "filed" for status, _ in statuses), statuses

    return send


def test_fhir_vital_signs_observations_are_readings_and_the_labs_stay_results(fhir_feed, ana, seeded):
    patient_id, token = ana

    fhir_feed(fhir_bundle())

    shown = results(seeded, patient_id, token)
    # the lab result alone; the Observation with nothing in it is not a blank result
    assert [r["name"] for r in shown] == ["2345-7"] and shown[0]["category"] == "lab"
    readings = vital_signs(seeded, patient_id, token)
    assert sorted((r["code"]["code"], r["value"]) for r in readings) == [
        ("29463-7", "61.5"),
        ("8462-4", "76"),
        ("8480-6", "118"),
        ("8867-4", "64"),
        ("8867-4", "70"),
    ]
    assert [r["observed_at"][:10] for r in readings] == sorted((r["observed_at"][:10] for r in readings), reverse=True)
    history = call(
        seeded, "GET", f"/v1/patients/{patient_id}/health-summary/vital_signs/history", token=token
    ).json_body
    pulse = next(t for t in history["trends"] if t["code"]["code"] == "8867-4")
    assert [p["value"] for p in pulse["points"]] == ["64", "70"]


def test_another_patients_vital_signs_are_not_found(fhir_feed, ana, seeded, staff_token):
    patient_id, _ = ana
    fhir_feed(fhir_bundle())
    other = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {"mrn": "MRN-2002", "family_name": "Roe", "given_names": ["Rita"], "birth_date": "1970-01-01", "sex": "female"},
        staff_token,
    )
    assert other.status_code == 201
    _, token = ana

    answer = call(
        seeded, "GET", f"/v1/patients/{other.json_body['patient_id']}/health-summary/vital_signs/history", token=token
    )

    assert answer.status_code in (403, 404)
    assert patient_id != other.json_body["patient_id"]
