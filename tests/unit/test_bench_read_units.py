"""Read units as DynamoDB charges them, computed from item sizes (bench/read_units.py)."""

from bench.read_units import item_size, query_read_units


def test_an_items_size_counts_names_and_values_as_dynamodb_does():
    item = {
        "pk": {"S": "ab"},  # 2 + 2
        "n": {"N": "12345"},  # 1 + (5 digits: 3 + 1)
        "ok": {"BOOL": True},  # 2 + 1
        "m": {"M": {"k": {"S": "v"}}},  # 1 + 3 + 1 + 1 + 1
        "l": {"L": [{"S": "xy"}, {"NULL": True}]},  # 1 + 3 + (1 + 2) + (1 + 1)
    }
    assert item_size(item) == 4 + 5 + 3 + 7 + 9


def test_a_query_is_charged_by_its_items_summed_and_rounded_up_to_4_kb():
    small = {"pk": {"S": "x" * 998}}  # 1,000 bytes
    assert query_read_units([small] * 4) == 0.5  # 4,000 bytes: one unit, halved (eventually consistent)
    assert query_read_units([small] * 5) == 1.0  # 5,000 bytes: two units
    assert query_read_units([small] * 5, consistent=True) == 2
