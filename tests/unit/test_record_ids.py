"""The id of a filed item: stable for the same organization, sender and item id (a resent or
corrected result must find its earlier versions), and keyed, so that knowing an order number and
the sender is not enough to compute it."""

from __future__ import annotations

import hashlib
import re

from chalicelib.records.domain import result_id

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ITEM = ("albany-medical-center", "LAB|AMC", "F-100^LAB")


def test_the_same_item_gets_the_same_id_every_time():
    assert result_id(KEY, *ITEM) == result_id(KEY, *ITEM)
    assert re.fullmatch(r"[0-9a-f]{32}", result_id(KEY, *ITEM))


def test_another_key_gives_another_id():
    assert result_id(KEY, *ITEM) != result_id(OTHER_KEY, *ITEM)


def test_the_id_is_not_the_plain_hash_anyone_could_compute():
    plain = hashlib.sha256("\x1f".join(ITEM).encode()).hexdigest()[:32]

    assert result_id(KEY, *ITEM) != plain
    assert result_id(b"", *ITEM) != plain  # not even under an empty key


def test_each_part_of_the_item_changes_the_id():
    ids = {
        result_id(KEY, *ITEM),
        result_id(KEY, "other-organization", ITEM[1], ITEM[2]),
        result_id(KEY, ITEM[0], "LAB|OTHER", ITEM[2]),
        result_id(KEY, ITEM[0], ITEM[1], "F-101^LAB"),
    }
    assert len(ids) == 4
