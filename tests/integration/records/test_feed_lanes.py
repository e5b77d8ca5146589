"""One sender's messages about different patients are filed side by side, through the real feed
handler against moto, while each patient's messages keep the order the sender sent them in, and
the sender hears its answers in that order."""

from __future__ import annotations

import threading

import pytest

from chalicelib.feeds.domain import FeedStatus
from tests.integration.conftest import sqs_event
from tests.integration.records.conftest import ORG, QUEUE, adt, deliver, find, oru, rid
from tests.integration.test_feed_acks import read_acks

LAB = "LAB|AMC"

pytestmark = pytest.mark.usefixtures("lab_source")


@pytest.fixture(autouse=True)
def aws_applies_each_request_atomically(monkeypatch):
    """moto answers one request at a time here, as AWS applies each atomically (moto puts back its
    copy of the tables after a refused transaction, undoing another lane's write meanwhile)."""
    from moto.core.botocore_stubber import BotocoreStubber

    real = BotocoreStubber.__call__
    lock = threading.RLock()

    def one_at_a_time(self, *args, **kwargs):
        with lock:
            return real(self, *args, **kwargs)

    monkeypatch.setattr(BotocoreStubber, "__call__", one_at_a_time)


def lab_result(control: str, mrn: str, **fields) -> str:
    """A lab result for the patient ``mrn``: each patient's own order (placer and filler numbers),
    as a lab numbers them; a correction names the same order."""
    body = oru(control, f"{mrn}^^^AMC-MRN", filler=f"F-{mrn}^LAB", **fields)
    return body.replace("|PL-1^EHR|", f"|PL-{mrn}^EHR|")


def result_of(container, mrn: str):
    patient = find(ORG, "AMC-MRN", mrn)
    return container.records.current(patient.patient_id, rid(LAB, f"F-{mrn}^LAB"))


def batch(api, bodies: list[str]) -> dict:
    return api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, bodies, QUEUE, group_id="LAB")).payload


def test_a_correction_is_never_overwritten_by_its_earlier_result_while_other_patients_are_filed_alongside(
    api, container, monkeypatch
):
    # GIVEN a lab's batch: Jane's result, other patients' results, then Jane's correction
    bodies = [
        lab_result("C-1", "P-1", value="241"),
        lab_result("C-2", "P-2", value="180"),
        lab_result("C-3", "P-3", value="190"),
        lab_result("C-4", "P-1", status="C", value="214"),
        lab_result("C-5", "P-4", value="200"),
    ]
    # (two of the other patients' messages are archived only once both are under way: filed one
    # after the other, the first would wait for the second in vain and fail)
    side_by_side = threading.Barrier(2, timeout=10)
    real_put = container.feed_archive.put

    def put(key, data, *args, **kwargs):
        if b"|P-2^" in data or b"|P-3^" in data:
            side_by_side.wait()
        return real_put(key, data, *args, **kwargs)

    monkeypatch.setattr(container.feed_archive, "put", put)

    answer = batch(api, bodies)

    # THEN every message is filed, the other patients' side by side
    assert answer == {"batchItemFailures": []}
    assert {m.control_id: m.status for m in map(container.feed_messages.get, keys(bodies))} == {
        f"C-{n}": FeedStatus.FILED for n in range(1, 6)
    }
    # AND Jane's result shows the correction, the result it corrects kept as the earlier version
    current = result_of(container, "P-1")
    assert (current.version, current.status, current.source) == (2, "corrected", f"{LAB}|C-4")
    assert current.content["observations"][0]["value"]["number"] == "214"
    # AND the lab hears of its messages in the order it sent them
    assert [ack["acknowledges"] for ack in read_acks()] == ["C-1", "C-2", "C-3", "C-4", "C-5"]


def keys(bodies: list[str]) -> list[str]:
    return [f"{LAB}|{body.split('|', 10)[9]}" for body in bodies]


def test_a_failure_holds_back_only_the_same_patients_later_messages(api, container, monkeypatch):
    # GIVEN Jane's result cannot be archived (S3 fails for it), in a batch with her correction
    # and two other patients' results
    from chalicelib.errors import DependencyUnavailable

    bodies = [
        lab_result("C-1", "P-1", value="241"),
        lab_result("C-2", "P-2", value="180"),
        lab_result("C-3", "P-1", status="C", value="214"),
        lab_result("C-4", "P-3", value="190"),
    ]
    real_put = container.feed_archive.put
    failing = {"on": True}

    def put(key, data, *args, **kwargs):
        if failing["on"] and b"|C-1|" in data:
            raise DependencyUnavailable("Document storage is unavailable.")
        return real_put(key, data, *args, **kwargs)

    monkeypatch.setattr(container.feed_archive, "put", put)

    answer = batch(api, bodies)

    # THEN her two messages go back to the queue, her correction unprocessed behind her result
    assert answer == {"batchItemFailures": [{"itemIdentifier": "message-0"}, {"itemIdentifier": "message-2"}]}
    assert container.feed_messages.get(f"{LAB}|C-3") is None
    assert find(ORG, "AMC-MRN", "P-1") is None
    # AND the other patients' results are filed and answered, in the order sent
    assert [container.feed_messages.get(key).status for key in keys([bodies[1], bodies[3]])] == [FeedStatus.FILED] * 2
    assert [ack["acknowledges"] for ack in read_acks()] == ["C-2", "C-4"]

    # WHEN S3 is back and the queue hands her two messages over again, in order
    failing["on"] = False
    assert batch(api, [bodies[0], bodies[2]]) == {"batchItemFailures": []}

    # THEN her correction is the current version, over the result it corrects
    current = result_of(container, "P-1")
    assert (current.version, current.status, current.content["observations"][0]["value"]["number"]) == (
        2,
        "corrected",
        "214",
    )
    assert [ack["acknowledges"] for ack in read_acks()] == ["C-1", "C-3"]

    # AND the whole batch delivered once more is answered as before and files nothing again
    assert batch(api, bodies) == {"batchItemFailures": []}
    assert [ack["acknowledges"] for ack in read_acks()] == ["C-1", "C-2", "C-3", "C-4"]
    assert result_of(container, "P-1").version == 2


@pytest.fixture
def planned(monkeypatch) -> list[list[tuple[int, ...]]]:
    """The lanes each batch was split into (positions in queue order), as the handler planned them."""
    from chalicelib.feeds import lanes

    plans: list[list[tuple[int, ...]]] = []
    real = lanes.lanes

    def spy(*args, **kwargs):
        plan = real(*args, **kwargs)
        plans.append([lane.positions for lane in plan])
        return plan

    monkeypatch.setattr(lanes, "lanes", spy)
    return plans


def adt_batch(api, bodies: list[str]) -> dict:
    return api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, bodies, QUEUE, group_id="ADT")).payload


def test_messages_naming_a_merged_away_record_and_its_survivor_share_a_lane_and_the_newer_name_wins(
    api, container, planned
):
    # GIVEN Jane's duplicate record P-2 merged into P-1
    for body in (
        adt("A04", "ADT-1", "P-1^^^AMC-MRN", given="Jane"),
        adt("A04", "ADT-2", "P-2^^^AMC-MRN", given="Jane"),
        adt("A40", "ADT-3", "P-1^^^AMC-MRN", merged="P-2^^^AMC-MRN"),
    ):
        assert deliver(api, body, group_id="ADT") == {"batchItemFailures": []}
    planned.clear()

    # WHEN a batch updates her under the merged-away number, then (newer) under the survivor's,
    # with another patient's message between them
    answer = adt_batch(
        api,
        [
            adt("A08", "ADT-4", "P-2^^^AMC-MRN", given="Janet"),
            adt("A04", "ADT-5", "P-9^^^AMC-MRN", family="Roe", given="Rita"),
            adt("A08", "ADT-6", "P-1^^^AMC-MRN", given="Jean"),
        ],
    )

    # THEN her two messages are one lane, in queue order, and her record has the newer name
    assert answer == {"batchItemFailures": []}
    assert planned == [[(0, 2), (1,)]]
    assert find(ORG, "AMC-MRN", "P-1").given_names == ("Jean",)


def test_messages_naming_two_identifiers_of_one_patient_share_a_lane_and_the_newer_name_wins(api, container, planned):
    # GIVEN Jane known by her medical record number and her enterprise id
    assert deliver(api, adt("A04", "ADT-1", "P-1^^^AMC-MRN~E-1^^^AMC-EMPI"), group_id="ADT") == {
        "batchItemFailures": []
    }
    planned.clear()

    # WHEN a batch updates her by her record number, then (newer) by her enterprise id only
    answer = adt_batch(
        api,
        [
            adt("A08", "ADT-2", "P-1^^^AMC-MRN", given="Janet"),
            adt("A04", "ADT-3", "P-9^^^AMC-MRN", family="Roe", given="Rita"),
            adt("A08", "ADT-4", "E-1^^^AMC-EMPI", given="Jean"),
        ],
    )

    # THEN her two messages are one lane, in queue order, and her record has the newer name
    assert answer == {"batchItemFailures": []}
    assert planned == [[(0, 2), (1,)]]
    assert find(ORG, "AMC-MRN", "P-1").given_names == ("Jean",)
