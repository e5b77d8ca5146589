"""The write-unit arithmetic of bench/hot_keys.py, on items whose cost DynamoDB's rules fix: a
session touch reaches an index that projects everything, and not one that holds keys only."""

from __future__ import annotations

from bench.hot_keys import item_size, write_units

SESSION = {
    "pk": {"S": "session#abcdefgh"},
    "owner": {"S": "account#" + "0f" * 16},
    "created_key": {"S": "2026-12-05T09:00:00.000000Z#abcdefgh"},
    "secret_hash": {"S": "f" * 64},
    "idle_expires_at": {"N": "1796547600"},
}
BY_OWNER = ("owner", "created_key")


def test_an_items_size_counts_names_and_values():
    assert item_size({"ab": {"S": "xyz"}, "n": {"N": "12345"}}) == (2 + 3) + (1 + 4)


def test_a_touch_reaches_an_all_index_but_not_a_keys_only_one():
    touch = {"idle_expires_at"}

    assert write_units(SESSION, {"pk"}, [(BY_OWNER, "ALL")], touch) == (1, 1)
    assert write_units(SESSION, {"pk"}, [(BY_OWNER, "KEYS_ONLY")], touch) == (1, 0)


def test_a_new_item_writes_every_index_it_has_the_keys_of_and_no_other():
    assert write_units(SESSION, {"pk"}, [(BY_OWNER, "KEYS_ONLY")], None) == (1, 1)
    assert write_units(SESSION, {"pk"}, [(("waiting_pk",), "ALL")], None) == (1, 0)
    big = {**SESSION, "payload": {"S": "x" * 2500}}
    assert write_units(big, {"pk"}, [(BY_OWNER, "ALL"), (BY_OWNER, "KEYS_ONLY")], None) == (3, 3 + 1)
