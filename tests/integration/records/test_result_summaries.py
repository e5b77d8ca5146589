"""The results list reads each result's small summary, not the report: a page of 20 results of 20
observations each costs at most 2 read units a result (DynamoDB's count, from the sizes of what
the page's Query read), shows what it showed before, and follows every change of a result (a
hold, a release, a withdrawal, a merge); results filed before summaries existed are listed again
by the operator's backfill."""

from __future__ import annotations

from datetime import timedelta

from botocore.client import BaseClient

from bench.read_units import query_read_units
from chalicelib import wiring
from chalicelib.data.models import RecordModel
from chalicelib.data.record_summaries import summary_partition
from chalicelib.records.domain import result_id
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import SENDER, ana, feed  # noqa: F401  (fixtures)

ORG = "albany-medical-center"


def panel(control_id: str, order: str, shift: int = 0) -> str:
    """A 20-test panel with notes, as a lab sends a metabolic panel."""
    segments = [
        f"MSH|^~\\&|LAB|AMC|||20261125080000||ORU^R01|{control_id}|P|2.5.1",
        "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
        f"OBR|1||{order}^LAB|24323-8^Comprehensive metabolic panel^LN|||20261125070000|||||||||^Doctor^Gail"
        "||||||20261125075500||CH|F",
        "NTE|1||Specimen received at the main laboratory; hemolysis index within limits for every analyte.",
    ]
    for n in range(1, 21):
        segments += [
            f"OBX|{n}|NM|{2000 + n}-0^Analyte number {n}^LN||{n * 1.5 + shift:.1f}|mg/dL|1.0-50.0|N|||F|||20261125070000",
            f"NTE|{n}||Reference interval for adults; see the laboratory handbook for the method used.",
        ]
    return "\r".join(segments)


def list_page(api, patient_id: str, token: str, query: str = "") -> tuple[list[dict], list[dict]]:
    """One list request: what it shows, and the answers of the records table's Queries it made."""
    answers: list[dict] = []
    original = BaseClient._make_api_call

    def recorded(client, operation, params):
        answer = original(client, operation, params)
        if operation == "Query" and params.get("TableName") == RecordModel.Meta.table_name:
            answers.append(answer)
        return answer

    BaseClient._make_api_call = recorded  # type: ignore[method-assign]
    try:
        response = call(api, "GET", f"/v1/patients/{patient_id}/results{query}", token=token)
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
    assert response.status_code == 200, response.json_body
    return response.json_body["results"], answers


def rid(order: str) -> str:
    return result_id(wiring.container().record_id_key, ORG, SENDER, f"{order}^LAB")


def test_a_page_of_20_results_reads_at_most_2_read_units_a_result(feed, ana, seeded):
    patient_id, token = ana
    feed(*[panel(f"c-{n}", f"ORD-{n}") for n in range(21)])

    shown, answers = list_page(seeded, patient_id, token, "?limit=20")

    assert len(shown) == 20 and shown[0]["observation_count"] == 20
    [answer] = answers  # one Query, of the summaries
    assert answer["ScannedCount"] == answer["Count"] == 21  # (a page asks for one more: is there another?)
    assert query_read_units(answer["Items"]) / len(shown) <= 2
    # what a report holds beyond the list is not read: no values, no notes
    assert all("notes" not in i["content"]["S"] and '"value"' not in i["content"]["S"] for i in answer["Items"])
    # where the same page of the reports themselves costs more than twice as much
    reports = (
        wiring.container()
        .client("dynamodb")
        .query(
            TableName=RecordModel.Meta.table_name,
            IndexName="by-time",
            KeyConditionExpression="patient_id = :p",
            ExpressionAttributeValues={":p": {"S": patient_id}},
            ScanIndexForward=False,
            Limit=21,
        )
    )
    assert query_read_units(reports["Items"]) > 2 * query_read_units(answer["Items"])


def test_the_list_shows_what_the_reports_say_and_follows_holds_releases_and_withdrawals(feed, ana, seeded):
    patient_id, token = ana
    feed(panel("c-1", "ORD-1"), panel("c-2", "ORD-2"), panel("c-3", "ORD-3"))
    records = wiring.container().records
    shown, _ = list_page(seeded, patient_id, token)
    # the same summary the reports give (chalicelib.records.results.summary of the whole report)
    from chalicelib.records.results import summary

    full = {r.result_id: summary(r) for r in records.page(patient_id, "", records_now(), 20)[0]}
    assert {s["result_id"]: s for s in shown} == full

    # WHEN staff hold one, one is withdrawn by its lab, and one is corrected
    held = records.current(patient_id, rid("ORD-1"))
    records.set_release(held, held.release_at + timedelta(days=30), "clinician_review", "")
    records.withdraw(patient_id, "result", rid("ORD-2"))
    feed(panel("c-4", "ORD-3", shift=2).replace("|F|||", "|C|||").replace("||CH|F", "||CH|C"))

    # THEN the list shows only the corrected one, as corrected
    shown, _ = list_page(seeded, patient_id, token)
    assert [(s["result_id"], s["version"], s["status"]) for s in shown] == [(rid("ORD-3"), 2, "corrected")]

    # WHEN staff release the held one early, THEN it is back
    held = records.current(patient_id, rid("ORD-1"))
    records.release_now([held], records_now(), None)
    shown, _ = list_page(seeded, patient_id, token)
    assert {s["result_id"] for s in shown} == {rid("ORD-1"), rid("ORD-3")}


def records_now():
    return wiring.container().clock.now()


def test_a_merge_lists_the_merged_results_under_the_survivor(feed, ana, seeded):
    patient_id, _ = ana
    feed(panel("c-1", "ORD-1"))
    records = wiring.container().records

    records.copy_records(patient_id, "f" * 32)

    [listed], _ = records.result_summaries("f" * 32, "", records_now(), 20)
    assert (listed.patient_id, listed.result_id) == ("f" * 32, rid("ORD-1"))


def test_the_backfill_lists_results_filed_before_summaries(feed, ana, seeded, capsys):
    from infra import admin

    patient_id, token = ana
    feed(panel("c-1", "ORD-1"), panel("c-2", "ORD-2"))
    # GIVEN results filed by an older version (no summaries)
    for item in RecordModel.query(summary_partition(patient_id)):
        item.delete()
    assert list_page(seeded, patient_id, token)[0] == []

    # WHEN the operator counts, runs and runs again the backfill
    assert admin.main(["backfill-results-list", "--dry-run"]) == 0
    assert "2 results are missing" in capsys.readouterr().out
    assert admin.main(["backfill-results-list"]) == 0
    assert "2 added, 0 left" in capsys.readouterr().out
    assert admin.main(["backfill-results-list"]) == 0
    assert "0 added" in capsys.readouterr().out

    # THEN they are listed again
    assert {s["result_id"] for s in list_page(seeded, patient_id, token)[0]} == {rid("ORD-1"), rid("ORD-2")}


def test_a_hold_or_release_racing_a_withdrawal_leaves_the_result_off_the_list(feed, ana, seeded):
    import pytest

    from chalicelib.errors import Conflict

    patient_id, token = ana
    feed(panel("c-1", "ORD-1"), panel("c-2", "ORD-2"))
    records = wiring.container().records
    # GIVEN staff read two results, then the lab withdraws them (a merged record's copies: the
    # version stays)
    one, two = records.current(patient_id, rid("ORD-1")), records.current(patient_id, rid("ORD-2"))
    records.withdraw(patient_id, "result", rid("ORD-1"))
    records.withdraw(patient_id, "result", rid("ORD-2"))

    # WHEN staff release one and hold the other from what they read, THEN both are refused
    with pytest.raises(Conflict):
        records.release_now([one], records_now(), None)
    with pytest.raises(Conflict):
        records.set_release(two, two.release_at + timedelta(days=30), "clinician_review", "")

    # AND the list shows neither, as the records say
    assert list_page(seeded, patient_id, token)[0] == []
    assert {records.current(patient_id, rid(o)).status for o in ("ORD-1", "ORD-2")} == {"cancelled"}


def test_a_stale_backfill_does_not_list_a_result_withdrawn_meanwhile(feed, ana, seeded, monkeypatch):
    patient_id, token = ana
    feed(panel("c-1", "ORD-1"), panel("c-2", "ORD-2"))
    records = wiring.container().records
    # GIVEN results filed before summaries (none written)
    for item in RecordModel.query(summary_partition(patient_id)):
        item.delete()
    scan = RecordModel.scan

    def read_then_withdrawn(*args, **kwargs):
        found = list(scan(*args, **kwargs))
        # the lab withdraws one after the backfill's Scan read it
        records.withdraw(patient_id, "result", rid("ORD-2"))
        return iter(found)

    monkeypatch.setattr(RecordModel, "scan", read_then_withdrawn)

    # WHEN the backfill writes what its Scan read
    done = records.backfill_result_summaries()

    # THEN the withdrawn result is left off, the other listed
    assert (done.missing, done.added, done.left) == (2, 1, 1)
    assert [s["result_id"] for s in list_page(seeded, patient_id, token)[0]] == [rid("ORD-1")]
