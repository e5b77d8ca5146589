"""The staff worklist reads open items only, spread over a few keys: a list costs the same round
trips with 5, 20 or 50 open items and with 1,000 closed ones, names each patient from one batch
read, and closing an item takes it off the open index."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.data.models import WorklistItemModel
from chalicelib.data.worklist import OPEN_SHARDS, open_shard, open_shards, worklist_item
from chalicelib.kernel.keys import timed_key
from chalicelib.worklist.domain import WorklistItem
from infra.local.seed import ORGANIZATION_ID
from tests.integration.dynamodb_calls import dynamodb_calls
from tests.integration.identity.conftest import PATIENT, call, seeded, staff_token  # noqa: F401  (fixtures)


def an_item(number: int, patient_id: str, created, status: str = "open") -> WorklistItem:
    item_id = f"item-{number:05d}"
    return WorklistItem(
        item_id=item_id,
        organization_id=ORGANIZATION_ID,
        task="call_patient",
        patient_id=patient_id,
        result_id=f"{number:032x}",
        result_version=1,
        status=status,
        created_at=created,
        sort_key=timed_key(created, item_id),
    )


@pytest.fixture
def patients(seeded, staff_token) -> list[str]:
    """Three registered patients, the worklist's items call about."""
    ids = []
    for number in range(3):
        body = {**PATIENT, "mrn": f"MRN-20{number:02d}", "given_names": [f"Pat{number}"]}
        registered = call(seeded, "POST", "/v1/staff/patients", body, staff_token)
        assert registered.status_code == 201, registered.json_body
        ids.append(registered.json_body["patient_id"])
    return ids


def add(container, patients: list[str], numbers: range, start, status: str = "open") -> None:
    if status == "open":
        for number in numbers:
            assert container.worklist.add(an_item(number, patients[number % 3], start + timedelta(minutes=number)))
        return
    # (closed items written as the store keeps them, in batches: closing each through the API
    # would take long and show nothing more here)
    with WorklistItemModel.batch_write() as batch:
        for number in numbers:
            batch.save(worklist_item(an_item(number, patients[number % 3], start + timedelta(minutes=number), status)))


def read_worklist(api, staff_token: str):
    with dynamodb_calls() as calls:
        answer = call(api, "GET", "/v1/staff/worklist", token=staff_token)
    assert answer.status_code == 200, answer.json_body
    return [item for item in answer.json_body["items"] if item["item_id"].startswith("item-")], calls


def test_a_worklist_read_costs_the_same_for_5_20_50_open_items_and_1000_closed(
    seeded, staff_token, patients, container
):
    start = container.clock.now() - timedelta(days=30)
    costs = {}
    added = 0
    for open_count in (5, 20, 50):
        add(container, patients, range(added, open_count), start)
        added = open_count
        items, costs[open_count] = read_worklist(seeded, staff_token)
        assert len(items) == open_count
    # 1,000 closed items more, and 5 of the open ones closed through the API
    add(container, patients, range(1000, 2000), start - timedelta(days=30), status="done")
    for item_id in [f"item-{n:05d}" for n in range(45, 50)]:
        closed = call(seeded, "POST", f"/v1/staff/worklist/{item_id}/done", {"outcome": "reached"}, staff_token)
        assert closed.status_code == 200, closed.json_body
    items, costs[1000] = read_worklist(seeded, staff_token)

    # THEN the open ones are listed, oldest first, each with who to call
    assert [i["item_id"] for i in items] == [f"item-{n:05d}" for n in range(45)]
    assert {i["patient"]["given_names"][0] for i in items} == {"Pat0", "Pat1", "Pat2"}
    # and every read made the same calls: one Query per shard of the open index, one batch read
    # of the patients (whatever the session check and the audit trail add, the same each time)
    assert costs[5] == costs[20] == costs[50] == costs[1000]
    records = WorklistItemModel.Meta.table_name
    assert costs[5][f"Query:{records}:waiting"] == OPEN_SHARDS
    assert sum(n for name, n in costs[5].items() if name.startswith("BatchGetItem:")) == 1
    assert not [name for name in costs[5] if name.startswith(("Scan:", "GetItem:patients"))]


def test_closing_an_item_takes_it_off_the_open_index(container):
    clock = container.clock
    # GIVEN an open item
    item = an_item(1, "p" * 32, clock.now())
    container.worklist.add(item)
    stored = WorklistItemModel.get(f"worklist#{ORGANIZATION_ID}", item.sort_key)
    assert (stored.waiting_pk, stored.waiting_sk) == (open_shard(ORGANIZATION_ID, item.item_id), item.sort_key)

    # WHEN staff close it
    assert container.worklist.close(ORGANIZATION_ID, item.sort_key, "staff-1", "reached", clock.now())

    # THEN it is kept, done, and off the index: no list reads it again
    stored = WorklistItemModel.get(f"worklist#{ORGANIZATION_ID}", item.sort_key)
    assert (stored.status, stored.waiting_pk, stored.waiting_sk) == ("done", None, None)
    assert container.worklist.open_items(ORGANIZATION_ID) == []
    assert container.worklist.open_item(ORGANIZATION_ID, item.item_id) is None


def test_open_items_spread_over_a_few_keys_per_organization():
    # an organization's open items land on every one of its shards, and on no other organization's
    keys = {open_shard("amc", f"item-{n}") for n in range(200)}
    assert keys == set(open_shards("amc"))
    assert len(keys) == OPEN_SHARDS > 1
    assert all(key.startswith("worklist-open#amc#") for key in keys)
    assert not keys & set(open_shards("st-peters"))
    # an item always lands on the same key
    assert open_shard("amc", "item-7") == open_shard("amc", "item-7")


def test_the_backfill_lists_items_opened_before_the_index(container, capsys):
    from infra import admin

    clock = container.clock
    # GIVEN an open item and a closed one written before the open index existed (no index keys)
    opened, done = an_item(1, "p" * 32, clock.now()), an_item(2, "p" * 32, clock.now(), status="done")
    for item in (opened, done):
        legacy = worklist_item(item)
        legacy.waiting_pk = legacy.waiting_sk = None
        legacy.save()
    assert container.worklist.open_items(ORGANIZATION_ID) == []

    # WHEN the operator counts, runs, and runs again the backfill
    assert admin.main(["backfill-worklist", "--dry-run"]) == 0
    assert "1 open worklist items are missing" in capsys.readouterr().out
    assert admin.main(["backfill-worklist"]) == 0
    assert "1 added, 0 left" in capsys.readouterr().out
    assert admin.main(["backfill-worklist"]) == 0
    assert "0 added" in capsys.readouterr().out

    # THEN the open one is listed again, the closed one is not
    assert [i.item_id for i in container.worklist.open_items(ORGANIZATION_ID)] == [opened.item_id]
