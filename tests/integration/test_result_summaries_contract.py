"""The results list's summaries keep step with the results, in both records stores: after any
filing, correction, hold, release, withdrawal or merge, ``result_summaries`` lists what ``page``
lists (the same results, order, versions, release moments and cursors), each read from its small
summary."""

from __future__ import annotations

import dataclasses

from chalicelib.data.record_summaries import list_content
from chalicelib.records.domain import WITHDRAWN
from tests.integration.test_records_store_contract import JANE, JOHN, NOW, at, every_page, file, records, version  # noqa: F401  (fixture)


def same_lists(records, patient_id: str = JANE, when=NOW) -> list[int]:
    """What both reads show (asserted equal, page by page, two at a time and by category)."""
    for category in ("", "lab"):
        full = every_page(
            lambda limit, after, category=category: records.page(patient_id, category, when, limit, after), 2
        )
        summaries = every_page(
            lambda limit, after, category=category: records.result_summaries(patient_id, category, when, limit, after),
            2,
        )
        assert summaries == [dataclasses.replace(r, content=list_content(r.content), release_timer="") for r in full]
    return [int(r.result_id, 16) for r in records.result_summaries(patient_id, "", when, 50)[0]]


def test_the_summaries_list_what_the_results_list_after_every_change(records):
    # GIVEN results filed, one corrected, one delayed, a document, a pathology result
    file(
        records,
        version(1, filed=1),
        version(2, filed=2),
        version(3, filed=3, release=60 * 48, held_reason="policy:preventing_harm"),
        version(4, filed=4, kind="document", category="document:report"),
        version(5, filed=5, category="pathology"),
    )
    records.put_version(version(2, 2, filed=2))
    assert same_lists(records) == [5, 2, 1]
    assert same_lists(records, when=at(60 * 49)) == [5, 3, 2, 1]

    # WHEN staff hold one and release the delayed one early
    one = records.current(JANE, f"{1:032x}")
    records.set_release(one, at(60 * 72), "clinician_review", "")
    three = records.current(JANE, f"{3:032x}")
    records.release_now([three], NOW, None)
    assert same_lists(records) == [5, 3, 2]

    # WHEN the lab withdraws one, and a new version arrives withdrawn
    records.withdraw(JANE, "result", f"{2:032x}")
    records.put_version(version(5, 2, filed=5, category="pathology", status=WITHDRAWN))
    assert same_lists(records) == [3]

    # WHEN the patient's record is merged into another's
    records.copy_records(JANE, JOHN)
    assert same_lists(records, JOHN) == [3]
    assert same_lists(records, JOHN, at(60 * 73)) == [3, 1]
