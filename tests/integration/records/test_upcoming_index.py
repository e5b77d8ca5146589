"""What is on its way to a patient is read from a sparse index of the items still waiting: one
small Query however many results the patient has, and a release (staff's, or the timer's moment
passing) takes the item off it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.data.models import RecordModel
from chalicelib.data.records import record_item
from chalicelib.kernel.keys import new_id, timed_key
from chalicelib.records.domain import StoredResult
from chalicelib.release.policy import HELD_UNTIL
from tests.integration.dynamodb_calls import dynamodb_calls
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana  # noqa: F401  (fixtures)

ORG = "albany-medical-center"
FILED = 2000  # released results already in the chart


def result(patient_id: str, name: str, filed, release=None, **extra) -> StoredResult:
    record_id = new_id()
    return StoredResult(
        patient_id=patient_id,
        result_id=record_id,
        version=1,
        category="lab",
        status="final",
        content_sha256=record_id,
        content={"code": {"display": name}},
        organization_id=ORG,
        source=f"LAB|{record_id}",
        filed_at=filed,
        release_at=release or filed,
        listed_at=timed_key(filed, record_id),
        **extra,
    )


@pytest.fixture
def chart(clock, ana, container):
    """Ana's chart: 2,000 released results, then one delayed two days and one held by staff."""
    patient_id, token = ana
    start = clock.now() - timedelta(days=30)
    # (written as the store writes a current version, in batches: filing each through the feed
    # would take minutes and test nothing more here)
    with RecordModel.batch_write() as batch:
        for number in range(FILED):
            filed = result(patient_id, "Glucose", start + timedelta(minutes=number))
            batch.save(record_item(filed, f"result#{filed.result_id}", listed=True))
    now = clock.now()
    delayed = result(patient_id, "Biopsy", now, now + timedelta(days=2), held_reason="policy:preventing_harm")
    held = result(patient_id, "Lipid panel", now, HELD_UNTIL, held_reason="clinician_review")
    container.records.put_version(delayed)
    container.records.put_version(held)
    return patient_id, token, delayed, held


def upcoming_names(api, patient_id: str, token: str) -> list[str]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token)
    assert answer.status_code == 200, answer.json_body
    return [item["name"] for item in answer.json_body["upcoming"]]


def test_upcoming_releases_cost_one_query_with_thousands_of_results_filed(chart, seeded, container):
    patient_id, token, _, _ = chart

    with dynamodb_calls() as calls:
        names = upcoming_names(seeded, patient_id, token)

    assert sorted(names) == ["Biopsy", "Lipid panel"]
    records_table = RecordModel.Meta.table_name
    reads = {call: n for call, n in calls.items() if call.split(":")[1] == records_table}
    # one Query of the waiting index; nothing else of the records table is read
    assert reads == {f"Query:{records_table}:waiting": 1}


def test_a_release_takes_the_item_off_the_waiting_list(chart, seeded, container, staff_token, clock):
    patient_id, token, delayed, held = chart

    # WHEN staff release the held one early
    released = call(seeded, "POST", f"/v1/staff/results/{held.result_id}/release", token=staff_token)
    assert released.status_code == 200, released.json_body

    # THEN it leaves the list (and the index) at once; the delayed one leaves when its moment passes
    assert upcoming_names(seeded, patient_id, token) == ["Biopsy"]
    item = RecordModel.get(patient_id, f"result#{held.result_id}")
    assert item.waiting_pk is None and item.waiting_sk is None
    # (read from the store: the patient's session would have ended two days later)
    assert container.records.upcoming(patient_id, clock.now() + timedelta(days=2)) == []


def test_the_backfill_puts_items_filed_before_the_index_on_it(chart, seeded, container, clock):
    patient_id, token, delayed, held = chart
    # GIVEN the two waiting items written as an older version wrote them (without the index's keys)
    for item in (delayed, held):
        RecordModel(patient_id=patient_id, record_key=f"result#{item.result_id}").update(
            actions=[RecordModel.waiting_pk.remove(), RecordModel.waiting_sk.remove()]
        )
    assert upcoming_names(seeded, patient_id, token) == []

    counted = container.records.backfill_waiting_index(clock.now(), write=False)
    done = container.records.backfill_waiting_index(clock.now())
    again = container.records.backfill_waiting_index(clock.now())

    assert (counted.missing, counted.added) == (2, 0)
    assert (done.missing, done.added, done.left) == (2, 2, 0)
    assert again.missing == 0
    assert sorted(upcoming_names(seeded, patient_id, token)) == ["Biopsy", "Lipid panel"]
