"""A patient reads their results: filed from the feed, released, newest first, with earlier
versions; nobody else's; every read audited."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from chalicelib.records.domain import result_id
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import call, enrolled, register_and_invite, seeded, sign_in, staff_token  # noqa: F401  (fixtures)

QUEUE = "patient-portal-clinical-inbound.fifo"
SENDER = "LAB|AMC"


def oru(
    control_id: str,
    order: str,
    value: str,
    status: str = "F",
    mrn: str = "MRN-1001",
    section: str = "CH",
    test: str = "2345-7^Glucose^LN",
    flags: str = "N",
) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125080000||ORU^R01|{control_id}|P|2.5.1",
            f"PID|1||{mrn}^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
            f"OBR|1||{order}^LAB|{test}|||20261125070000|||||||||^Doctor^Gail||||||20261125075500||{section}|{status}",
            f"OBX|1|NM|{test}||{value}|mg/dL|70-99|{flags}|||{status}|||20261125070000",
        ]
    )


@pytest.fixture
def feed(seeded, container):
    container.records.add_feed_source(FeedSource(SENDER, "albany-medical-center", "AMC-MRN"))

    def send(*bodies: str) -> None:
        result = seeded.lambda_.invoke(
            "on_clinical_feed_message", sqs_event(seeded, list(bodies), QUEUE, group_id="LAB")
        )
        assert result.payload == {"batchItemFailures": []}

    return send


@pytest.fixture
def ana(enrolled, seeded):
    return enrolled.patient_id, sign_in(seeded, "ana.nunez", "correct horse battery")


def test_a_patient_sees_her_released_results_newest_first(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    feed(oru("c-2", "ORD-2", "7.1", section="HM", test="718-7^Hemoglobin^LN", flags="L"))

    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token)

    assert answer.status_code == 200, answer.json_body
    assert answer.headers["Cache-Control"] == "no-store"
    names = [r["name"] for r in answer.json_body["results"]]
    assert names == ["Hemoglobin", "Glucose"]
    assert answer.json_body["results"][0]["abnormal"] is True and answer.json_body["results"][1]["abnormal"] is False


def test_a_result_shows_its_values_and_a_correction_keeps_the_earlier_version(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    feed(oru("c-2", "ORD-1", "58", status="C", flags="L"))
    [listed] = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]

    detail = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{listed['result_id']}", token=token).json_body

    assert (detail["version"], detail["status"]) == (2, "corrected")
    [glucose] = detail["report"]["observations"]
    assert (glucose["value"], glucose["units"], glucose["reference_range"], glucose["flags"]) == (
        {"type": "numeric", "number": "58"},
        "mg/dL",
        "70-99",
        ["L"],
    )
    assert [(v["version"], v["report"]["observations"][0]["value"]["number"]) for v in detail["earlier_versions"]] == [
        (1, "85")
    ]


def test_pages_by_cursor_and_by_category(feed, ana, seeded):
    patient_id, token = ana
    feed(*[oru(f"c-{n}", f"ORD-{n}", str(80 + n)) for n in range(3)])
    feed(oru("c-9", "ORD-9", "7.1", section="SP", test="22637-3^Pathology report^LN"))

    first = call(seeded, "GET", f"/v1/patients/{patient_id}/results?limit=2", token=token).json_body
    second = call(
        seeded, "GET", f"/v1/patients/{patient_id}/results?limit=2&cursor={first['next_cursor']}", token=token
    ).json_body
    pathology = call(seeded, "GET", f"/v1/patients/{patient_id}/results?category=pathology", token=token).json_body

    assert len(first["results"]) == 2 and len(second["results"]) == 2 and second["next_cursor"] is None
    assert {r["result_id"] for r in first["results"]}.isdisjoint(r["result_id"] for r in second["results"])
    assert [r["name"] for r in pathology["results"]] == ["Pathology report"]
    bad = call(seeded, "GET", f"/v1/patients/{patient_id}/results?category=astrology", token=token)
    assert bad.status_code == 400
    assert [d["field"] for d in bad.json_body["error"]["details"]] == ["category"] and b"astrology" not in bad.body
    # an emptied filter lists everything, as leaving it out does; a parameter the list has not is refused
    unfiltered = call(seeded, "GET", f"/v1/patients/{patient_id}/results?category=", token=token).json_body
    assert len(unfiltered["results"]) == 4
    unknown = call(seeded, "GET", f"/v1/patients/{patient_id}/results?order=oldest", token=token)
    assert unknown.status_code == 400
    assert unknown.json_body["error"]["details"] == [{"field": "order", "issue": "not accepted"}]


def test_nothing_is_shown_before_its_release_time_nor_once_withdrawn(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"), oru("c-2", "ORD-2", "90"))
    records = wiring.container().records
    held = records.current(
        patient_id, result_id(wiring.container().record_id_key, "albany-medical-center", SENDER, "ORD-1^LAB")
    )
    # (a result waiting for its release time, as the release policy will store it)
    later = datetime.now(timezone.utc) + timedelta(hours=24)
    records.put_version(dataclasses.replace(held, version=held.version + 1, release_at=later, content_sha256="held"))
    feed(oru("c-3", "ORD-2", "90", status="X"))  # the other one is cancelled

    shown = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]

    assert shown == []
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results/{held.result_id}", token=token).status_code == 404


def test_another_patients_results_are_not_found_and_the_attempt_is_audited(feed, ana, seeded, staff_token):
    patient_id, token = ana
    other = register_and_invite(
        seeded,
        staff_token,
        {"mrn": "MRN-2002", "family_name": "Okafor", "birth_date": "1975-06-30"},
        email="chidi@example.org",
    )
    feed(oru("c-1", "ORD-1", "85", mrn="MRN-2002"))

    for path in (
        f"/v1/patients/{other.patient_id}/results",
        f"/v1/patients/{other.patient_id}/results/{'0' * 32}",
        "/v1/patients/not-an-id/results",
    ):
        assert call(seeded, "GET", path, token=token).status_code == 404, path
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=staff_token).status_code == 403
    account = wiring.container().directory.account_by_username("ana.nunez")
    events, _ = wiring.container().audit_log.by_actor(account.account_id, 20)
    assert sum(e.event_type == "records.read" and e.outcome.value == "denied" for e in events) == 3


def test_each_read_is_in_the_patients_access_log(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    [listed] = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    call(seeded, "GET", f"/v1/patients/{patient_id}/results/{listed['result_id']}", token=token)

    events, _ = wiring.container().audit_log.for_patient(patient_id, 20)

    reads = [(e.event_type, e.resource_id) for e in events if e.event_type in ("results.list", "result.read")]
    assert reads == [("result.read", listed["result_id"]), ("results.list", "")]


def test_the_patient_sees_who_looked_at_her_record(feed, ana, seeded, staff_token):
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    call(seeded, "GET", f"/v1/staff/patients/{patient_id}", token=staff_token)  # the office looks
    call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token)

    log = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]

    assert [(e["who"], e["what"]) for e in log][:2] == [
        ("you", "results.list"),
        ("staff", "patient.portal_status.read"),
    ]
    # (``proxy_name`` names a proxy who acted; null for everyone else: never a staff member's name)
    assert all(set(e) == {"at", "who", "what", "outcome", "resource_type", "proxy_name", "app_name"} for e in log)
    assert {e["proxy_name"] for e in log} == {None}
    assert {e["app_name"] for e in log} == {None}  # (a connected health app's reads name the app)


def test_a_result_gives_each_numeric_test_with_its_values_across_her_results(feed, ana, seeded, staff_token):
    patient_id, token = ana
    # GIVEN three glucose results over three days (one corrected), a hemoglobin and a text value
    for day, control, order, value in (
        ("23", "c-1", "ORD-1", "85"),
        ("24", "c-2", "ORD-2", "99"),
        ("25", "c-3", "ORD-3", "130"),
    ):
        feed(
            oru(control, order, value, flags="H" if value == "130" else "N").replace(
                "20261125070000", f"202611{day}070000"
            )
        )
    feed(oru("c-4", "ORD-2", "101", status="C").replace("20261125070000", "20261124070000"))
    feed(oru("c-5", "ORD-4", "7.1", section="HM", test="718-7^Hemoglobin^LN"))
    feed(oru("c-6", "ORD-5", "Positive", test="5195-3^HBsAg^LN").replace("|NM|", "|ST|"))
    newest = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    glucose = next(r for r in newest if r["name"] == "Glucose" and r["collected_at"].startswith("2026-11-25"))
    text = next(r for r in newest if r["name"] == "HBsAg")

    # WHEN she asks for the trends of the newest glucose result
    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{glucose['result_id']}/trends", token=token)

    # THEN glucose comes with its three values, oldest first, each as sent (the correction's), with its range
    assert answer.status_code == 200, answer.json_body
    [trend] = answer.json_body["trends"]
    assert trend["code"]["code"] == "2345-7" and answer.json_body["complete"] is True
    assert [p["value"] for p in trend["points"]] == ["85", "101", "130"]
    assert [p["at"][:10] for p in trend["points"]] == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert trend["points"][-1]["flags"] == ["H"] and trend["points"][0]["reference_range"] == "70-99"
    assert trend["points"][-1]["result_id"] == glucose["result_id"]
    # a result with no number has nothing to draw; the read is audited; nobody else gets it
    empty = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{text['result_id']}/trends", token=token)
    assert empty.json_body == {"trends": [], "complete": True}
    events, _ = wiring.container().audit_log.for_patient(patient_id, 5)
    assert [e.event_type for e in events[:2]] == ["result_trends.read", "result_trends.read"]
    path = f"/v1/patients/{patient_id}/results/{glucose['result_id']}/trends"
    assert call(seeded, "GET", path, token=staff_token).status_code == 403
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results/{'0' * 32}/trends", token=token).status_code == 404


def test_a_trend_never_draws_values_of_other_units_or_cancelled_ones_on_its_line(feed, ana, seeded):
    patient_id, token = ana

    def glucose(control: str, order: str, day: str, value: str, units: str = "mg/dL", status: str = "F") -> str:
        message = oru(control, order, value).replace("20261125070000", f"202611{day}070000")
        return message.replace("|mg/dL|70-99|N|||F|", f"|{units}|70-99|N|||{status}|")

    # GIVEN glucose in mg/dL, once in mmol/L, once written "mg / dl", once cancelled by the lab
    # (OBX status X, within a final report), and a report whose only glucose was cancelled
    feed(
        glucose("c-1", "ORD-1", "21", "90"),
        glucose("c-2", "ORD-2", "22", "5.5", units="mmol/L"),
        glucose("c-3", "ORD-3", "23", "100", units="mg / dl"),
        glucose("c-4", "ORD-4", "24", "400", status="X"),
        glucose("c-5", "ORD-5", "25", "130"),
        glucose("c-6", "ORD-6", "26", "999", status="X"),
    )
    listed = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    newest, cancelled = (next(r for r in listed if r["collected_at"][:10] == f"2026-11-{day}") for day in ("25", "26"))

    # WHEN she opens the glucose of the 25th, and asks for its trends
    detail = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{newest['result_id']}", token=token)
    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{newest['result_id']}/trends", token=token)

    # THEN the line holds the mg/dL values only (the spelling of the unit aside), and the mmol/L
    # one is beside it, never on it; the cancelled values are nowhere
    assert detail.json_body["has_numeric_values"] is True
    [trend] = answer.json_body["trends"]
    assert trend["units"] == "mg/dL"
    assert [(p["value"], p["units"]) for p in trend["points"]] == [
        ("90", "mg/dL"),
        ("100", "mg / dl"),
        ("130", "mg/dL"),
    ]
    assert [(p["value"], p["units"]) for p in trend["other_units"]] == [("5.5", "mmol/L")]
    assert not any(p["outside_window"] for p in trend["points"] + trend["other_units"])
    # AND a result whose only value was cancelled has nothing to chart, and says so beforehand
    path = f"/v1/patients/{patient_id}/results/{cancelled['result_id']}"
    assert call(seeded, "GET", path, token=token).json_body["has_numeric_values"] is False
    assert call(seeded, "GET", f"{path}/trends", token=token).json_body == {"trends": [], "complete": True}
