"""One contract, two staff worklists: FakeWorklist (service tests) and DynamoWorklist.

The contract: an item is added once (a redelivery adds nothing), an organization's open items
come oldest first and no other organization's, and an item is closed once: the first to close
it wins, and what it recorded stays.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.data.worklist import DynamoWorklist
from chalicelib.kernel.keys import timed_key
from chalicelib.worklist.domain import WorklistItem
from tests.fakes import FakeWorklist

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["fake", "dynamodb"])
def worklist(request):
    if request.param == "fake":
        return FakeWorklist()
    worklist = request.getfixturevalue("container").worklist
    assert isinstance(worklist, DynamoWorklist)
    return worklist


def item(number: int, minute: int, organization: str = "amc") -> WorklistItem:
    created = START + timedelta(minutes=minute)
    return WorklistItem(
        item_id=f"item-{number}",
        organization_id=organization,
        task="call_patient",
        patient_id=f"{number:032x}",
        result_id=f"{number + 100:032x}",
        result_version=1,
        status="open",
        created_at=created,
        sort_key=timed_key(created, f"item-{number}"),
    )


class TestWorklistContract:
    def test_open_items_come_oldest_first_each_once(self, worklist):
        # GIVEN three items of AMC added out of order, one twice, and one of another organization
        for number, minute in ((1, 20), (2, 5), (3, 10)):
            assert worklist.add(item(number, minute)) is True
        assert worklist.add(item(1, 20)) is False
        worklist.add(item(4, 0, organization="st-peters"))

        # THEN AMC's staff see theirs, oldest first, as added
        assert worklist.open_items("amc") == [item(2, 5), item(3, 10), item(1, 20)]
        assert [i.item_id for i in worklist.open_items("amc", limit=2)] == ["item-2", "item-3"]
        assert [i.item_id for i in worklist.open_items("st-peters")] == ["item-4"]

    def test_an_item_is_closed_once(self, worklist):
        # GIVEN two open items
        worklist.add(item(1, 1))
        worklist.add(item(2, 2))
        closed_at = START + timedelta(hours=1)

        # WHEN two staff close the first, and someone closes one that is not there
        first = worklist.close("amc", item(1, 1).sort_key, "staff-1", "reached", closed_at)
        second = worklist.close("amc", item(1, 1).sort_key, "staff-2", "no_answer", closed_at)
        elsewhere = worklist.close("st-peters", item(2, 2).sort_key, "staff-3", "reached", closed_at)

        # THEN the first wins, and only the other item stays open
        assert (first, second, elsewhere) == (True, False, False)
        assert worklist.open_items("amc") == [item(2, 2)]
        # (the closed item is kept, done, as its closer recorded it: a re-add does not reopen it)
        assert worklist.add(dataclasses.replace(item(1, 1), status="open")) is False
