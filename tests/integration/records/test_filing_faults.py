"""Nothing is lost on a fault while filing: the record is reported back to the queue, and the
next delivery files it exactly once."""

from __future__ import annotations

import dataclasses

from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import deliver_notifications, sqs_event
from tests.integration.records.conftest import (
    ORG,
    QUEUE,
    adt,
    all_records,
    ana_oru,
    feed_records,
    find,
    oru,
    patient_items,
    rid,
)

LAB = "LAB|AMC"


def fail_once(monkeypatch, target, name: str) -> list:
    calls = []
    real = getattr(target, name)

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise DependencyUnavailable("The health records store is unavailable.")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)
    return calls


def test_a_failure_while_filing_is_retried_and_the_next_delivery_files_it_once(api, container, monkeypatch, lab_source):
    calls = fail_once(monkeypatch, container.records, "put_version")
    event = sqs_event(api, [oru("CTRL-1", "P-100^^^AMC-MRN")], QUEUE, group_id="LAB")

    first = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert first == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert feed_records()[f"{LAB}|CTRL-1"].status == "accepted"  # recorded, not yet filed
    assert all_records() == []

    second = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert second == {"batchItemFailures": []}
    assert len(calls) == 2
    assert feed_records()[f"{LAB}|CTRL-1"].status == "filed"
    assert len(patient_items()) == 1  # the patient created by the first delivery, found again
    patient = find(ORG, "AMC-MRN", "P-100")
    assert [v.version for v in container.records.versions(patient.patient_id, rid(LAB, "F-100^LAB"))] == [1]


def test_a_failed_notice_is_sent_when_the_message_comes_again(api, container, monkeypatch, enrolled):
    """The result is filed, then telling the patient fails: the redelivery must still tell them."""
    container.records.add_feed_source(FeedSource(LAB, ORG, "AMC-MRN"))
    fail_once(monkeypatch, container.notifications_queue, "send")
    event = sqs_event(api, [ana_oru("CTRL-1")], QUEUE, group_id="LAB")

    first = api.lambda_.invoke("on_clinical_feed_message", event).payload
    second = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert first == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert second == {"batchItemFailures": []}
    assert feed_records()[f"{LAB}|CTRL-1"].status == "filed"
    emails = [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == ["ana@example.org"]
        and e.subject == "Something new is waiting in your patient portal"
    ]
    assert len(emails) == 1


def test_a_merge_interrupted_by_a_failure_completes_on_the_next_delivery(api, container, monkeypatch, lab_source):
    api.lambda_.invoke(
        "on_clinical_feed_message",
        sqs_event(
            api, [adt("A04", "ADT-1", "S-1^^^AMC-MRN"), adt("A04", "ADT-2", "PRIOR-1^^^AMC-MRN")], QUEUE, group_id="ADT"
        ),
    )
    survivor, prior = find(ORG, "AMC-MRN", "S-1"), find(ORG, "AMC-MRN", "PRIOR-1")
    fail_once(monkeypatch, container.patients, "save_with_claims")
    event = sqs_event(api, [adt("A40", "ADT-3", "S-1^^^AMC-MRN", merged="PRIOR-1^^^AMC-MRN")], QUEUE, group_id="ADT")

    first = api.lambda_.invoke("on_clinical_feed_message", event).payload
    second = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert first == {"batchItemFailures": [{"itemIdentifier": "message-0"}]}
    assert second == {"batchItemFailures": []}
    assert feed_records()["ADT|AMC|ADT-3"].status == "filed"
    assert container.patients.get(prior.patient_id).merged_into == survivor.patient_id
    assert find(ORG, "AMC-MRN", "PRIOR-1").patient_id == survivor.patient_id


def test_a_result_filed_to_the_merged_record_while_the_merge_runs_shows_under_the_survivor(
    api, container, monkeypatch, lab_source
):
    api.lambda_.invoke(
        "on_clinical_feed_message",
        sqs_event(api, [adt("A04", "ADT-1", "S-1^^^AMC-MRN"), oru("CTRL-1", "PRIOR-1^^^AMC-MRN")], QUEUE),
    )
    survivor, prior = find(ORG, "AMC-MRN", "S-1"), find(ORG, "AMC-MRN", "PRIOR-1")
    first = container.records.current(prior.patient_id, rid(LAB, "F-100^LAB"))
    late = dataclasses.replace(first, result_id=rid(LAB, "F-200^LAB"), listed_at=first.listed_at + "x")
    real = container.records.copy_records
    copies = []

    def a_lab_filing_lands_after_the_copy(from_patient: str, to_patient: str) -> int:
        # Another sender's message matched the merged record before the merge marked it, and its
        # filer writes there just after the merge copied the record's items.
        copied = real(from_patient, to_patient)
        copies.append(copied)
        if len(copies) == 1:
            container.records.put_version(late)
        return copied

    monkeypatch.setattr(container.records, "copy_records", a_lab_filing_lands_after_the_copy)
    merged = api.lambda_.invoke(
        "on_clinical_feed_message",
        sqs_event(api, [adt("A40", "ADT-3", "S-1^^^AMC-MRN", merged="PRIOR-1^^^AMC-MRN")], QUEUE, group_id="ADT"),
    )

    assert merged.payload == {"batchItemFailures": []}
    assert container.records.current(survivor.patient_id, rid(LAB, "F-100^LAB")) is not None
    assert container.records.current(survivor.patient_id, rid(LAB, "F-200^LAB")) is not None  # the late one too


def test_a_merge_of_a_chart_too_large_for_one_delivery_completes_over_the_next_deliveries(
    api, container, monkeypatch, lab_source
):
    # GIVEN a merged record with three results (six items: each current with its kept version)
    api.lambda_.invoke(
        "on_clinical_feed_message",
        sqs_event(
            api,
            [adt("A04", "ADT-1", "S-1^^^AMC-MRN")]
            + [oru(f"CTRL-{n}", "PRIOR-1^^^AMC-MRN", filler=f"F-{n}^LAB") for n in (1, 2, 3)],
            QUEUE,
        ),
    )
    survivor = find(ORG, "AMC-MRN", "S-1")
    # AND a merge that may copy two items per delivery (a large chart, in small)
    real = container.records.copy_records
    monkeypatch.setattr(container.records, "copy_records", lambda a, b: real(a, b, limit=2))
    event = sqs_event(api, [adt("A40", "ADT-3", "S-1^^^AMC-MRN", merged="PRIOR-1^^^AMC-MRN")], QUEUE, group_id="ADT")

    # WHEN the queue delivers it until it is done
    answers = [api.lambda_.invoke("on_clinical_feed_message", event).payload for _ in range(4)]

    # THEN the first deliveries go back to the queue, and the third files the merge
    assert answers[:2] == [{"batchItemFailures": [{"itemIdentifier": "message-0"}]}] * 2
    assert answers[2:] == [{"batchItemFailures": []}] * 2
    assert feed_records()["ADT|AMC|ADT-3"].status == "filed"
    assert find(ORG, "AMC-MRN", "PRIOR-1").patient_id == survivor.patient_id
    for n in (1, 2, 3):
        assert container.records.current(survivor.patient_id, rid(LAB, f"F-{n}^LAB")) is not None
