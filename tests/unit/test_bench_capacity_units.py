"""docs/capacity.md's read and write units are sized by bench/capacity_units.py as DynamoDB bills
them: a wrong rule here would show a hot table as cool."""

from __future__ import annotations

from bench import capacity_units as cu

KEYS = ("patient_id", "record_key")
BY_STATUS = cu.Index("by-status", ("status",), "KEYS_ONLY")
EVERYTHING = cu.Index("by-owner", ("owner",), "ALL")


def item(**attributes: dict) -> dict:
    return {"patient_id": {"S": "p1"}, "record_key": {"S": "r1"}, **attributes}


def test_an_items_size_is_its_names_and_values():
    assert cu.item_size({"name": {"S": "abc"}}) == 4 + 3
    assert cu.item_size({"n": {"N": "12345"}}) == 1 + 4  # 5 digits: 3 bytes, plus 1
    assert cu.item_size({"m": {"M": {"a": {"S": "xy"}}}}) == 1 + 3 + 1 + 1 + 2
    assert cu.item_size({"l": {"L": [{"BOOL": True}, {"NULL": True}]}}) == 1 + 3 + 2 + 2
    assert cu.item_size(None) == 0


def test_reads_round_up_a_querys_total_by_4_kb_and_halve_when_eventually_consistent():
    assert cu.read_units([3000, 3000], consistent=True) == 2  # 6,000 bytes together, not 2 x 1
    assert cu.read_units([3000, 3000], consistent=False) == 1
    assert cu.read_units([], consistent=True) == 1  # nothing found still costs a unit


def test_writes_take_the_larger_of_before_and_after_by_the_kilobyte():
    assert cu.write_units(0, 1024) == 1
    assert cu.write_units(3000, 100) == 3


def test_an_index_costs_a_write_only_when_its_copy_changes():
    before = item(status={"S": "accepted"}, body={"S": "x" * 10})
    unchanged_key = item(status={"S": "accepted"}, body={"S": "y" * 10})
    assert cu.index_write_units([BY_STATUS], KEYS, before, unchanged_key) == 0  # keys only: same copy
    assert cu.index_write_units([BY_STATUS], KEYS, None, before) == 1  # put into the index
    moved = item(status={"S": "filed"}, body={"S": "x" * 10})
    assert cu.index_write_units([BY_STATUS], KEYS, before, moved) == 2  # a delete and a put


def test_an_all_projection_is_rewritten_by_any_change_and_a_sparse_index_skips_items_without_its_key():
    before = item(owner={"S": "a"}, last_seen={"N": "1"})
    after = item(owner={"S": "a"}, last_seen={"N": "2"})
    assert cu.index_write_units([EVERYTHING], KEYS, before, after) == 1
    assert cu.index_write_units([EVERYTHING, BY_STATUS], KEYS, item(), item(x={"S": "1"})) == 0
