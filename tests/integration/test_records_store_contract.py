"""One contract, two records stores: FakeRecords (service tests) and DynamoRecords.

The contract: a record is a current version with its kept versions, and a new version is written
only on the one before it (Conflict otherwise). A patient's lists show only current, released, not
withdrawn items, newest first (or oldest first, for appointments to come), in pages whose opaque
cursors lead through every item once and refuse what is not one of theirs. What waits for release
is listed apart. Staff move a release on the version they read; a withdrawn record leaves every
list but is kept; a merge copies a record under the survivor once. A feed sender files for one
organization at a time.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.data.records import DynamoRecords
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.feeds.domain import FeedSource
from chalicelib.kernel.keys import moment_key, timed_key
from chalicelib.records.domain import WITHDRAWN, CopyUnfinished, StoredResult
from tests.fakes import FakeRecords

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
NOW = START + timedelta(days=1)
JANE, JOHN = "a" * 32, "b" * 32


@pytest.fixture(params=["fake", "dynamodb"])
def records(request):
    if request.param == "fake":
        return FakeRecords()
    records = request.getfixturevalue("container").records
    assert isinstance(records, DynamoRecords)
    return records


def rid(number: int) -> str:
    return f"{number:032x}"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def version(
    number: int,
    version: int = 1,
    *,
    patient: str = JANE,
    kind: str = "result",
    category: str = "lab",
    filed: float = 0,
    release: float | None = None,
    status: str = "final",
    **extra,
) -> StoredResult:
    """Result ``number`` (or a document, an entry), listed at its first filing, ``filed`` minutes
    after START, released at once unless told otherwise."""
    return StoredResult(
        patient_id=patient,
        result_id=rid(number),
        version=version,
        category=category,
        status=status,
        content_sha256=f"sha-{number}-{version}",
        content={"code": {"display": f"test {number}"}, "version": version},
        organization_id="amc",
        source=f"LAB|CTRL-{number}-{version}",
        filed_at=at(filed),
        release_at=at(filed if release is None else release),
        kind=kind,
        **{"listed_at": timed_key(at(filed), rid(number)), **extra},
    )


def file(records, *results: StoredResult) -> None:
    for result in results:
        records.put_version(result)


def ids(results) -> list[int]:
    return [int(r.result_id, 16) for r in results]


def every_page(read, limit: int) -> list[StoredResult]:
    shown, cursor = read(limit, "")
    assert len(shown) == limit or not cursor
    while cursor:
        more, cursor = read(limit, cursor)
        assert more, "a cursor must lead to more"
        assert len(more) == limit or not cursor, "a page with a cursor is full"
        shown += more
        assert len(shown) < 100
    return shown


class TestVersions:
    def test_a_new_version_becomes_current_and_every_version_is_kept(self, records):
        # GIVEN a result filed, then corrected
        first = version(1, release_timer="timer-1")
        second = dataclasses.replace(version(1, 2, status="corrected", filed=5), listed_at=first.listed_at)
        file(records, first, second)

        # WHEN the patient's record is read with its versions
        current, kept = records.with_versions(JANE, rid(1))

        # THEN the correction is current, and both versions are kept newest first, without the
        # current item's timer
        assert current == second
        assert records.current(JANE, rid(1)) == second
        assert kept == [
            dataclasses.replace(second, listed_at=""),
            dataclasses.replace(first, listed_at="", release_timer=""),
        ]
        assert records.versions(JANE, rid(1)) == kept
        assert records.current(JANE, rid(1), kind="document") is None and records.current(JOHN, rid(1)) is None

    def test_a_version_is_written_only_on_the_one_before(self, records):
        # GIVEN version 1 of a result
        file(records, version(1))

        # WHEN version 1 comes again, version 3 skips one, or two writers race for version 2
        records.put_version(version(1, 2))
        for clash in (version(1), version(1, 4), version(1, 2, status="corrected")):
            # THEN each late or early one is refused, and the current version stays
            with pytest.raises(Conflict):
                records.put_version(clash)
        assert records.current(JANE, rid(1)) == version(1, 2)
        assert [v.version for v in records.versions(JANE, rid(1))] == [2, 1]

    def test_every_current_item_keeps_its_list_time_and_only_results_are_on_the_time_list(self, records):
        # GIVEN a result, a document and an entry
        file(
            records,
            version(1),
            version(2, kind="document", category="document:report"),
            version(3, kind="allergy", category="allergy"),
        )

        # THEN each keeps its list time (a next version keeps its place in the lists)
        assert records.current(JANE, rid(1)).listed_at == timed_key(START, rid(1))
        assert records.current(JANE, rid(2), kind="document").listed_at == timed_key(START, rid(2))
        assert records.current(JANE, rid(3), kind="allergy").listed_at == timed_key(START, rid(3))
        # AND only the result is on the time list (the results list); all three on their category's
        listed, _ = records.page(JANE, "", NOW, 10)
        assert [r.result_id for r in listed] == [rid(1)]


class TestPatientLists:
    def test_results_come_newest_first_with_only_what_is_released_and_not_withdrawn(self, records):
        # GIVEN results filed over an hour, one held until tomorrow evening, one withdrawn, a
        # document, another patient's result, and a pathology result
        file(
            records,
            version(1, filed=10),
            version(2, filed=30),
            version(3, filed=20, release=60 * 40),
            version(4, filed=40, status=WITHDRAWN),
            version(5, filed=50, kind="document", category="document:report"),
            version(6, filed=45, patient=JOHN),
            version(7, filed=35, category="pathology"),
        )

        # WHEN the patient lists their results now, all or by category
        shown, cursor = records.page(JANE, "", NOW, 10)
        lab, _ = records.page(JANE, "lab", NOW, 10)
        later, _ = records.page(JANE, "", at(60 * 41), 10)

        # THEN only released, not withdrawn results of theirs come, newest first
        assert (ids(shown), cursor) == ([7, 2, 1], "")
        assert ids(lab) == [2, 1]
        assert ids(later) == [7, 2, 3, 1]

    def test_pages_lead_through_every_item_once(self, records):
        # GIVEN seven released results, with a held one in between
        file(records, *(version(n, filed=n) for n in range(1, 8)), version(8, filed=4.5, release=60 * 48))

        # WHEN the patient pages through them three at a time, in both orders
        newest_first = every_page(lambda limit, after: records.page(JANE, "", NOW, limit, after), 3)
        oldest_first = every_page(
            lambda limit, after: records.page(JANE, "", NOW, limit, after, prefix="lab#", oldest_first=True), 3
        )

        # THEN each comes once, in order, and the held one never
        assert ids(newest_first) == [7, 6, 5, 4, 3, 2, 1]
        assert ids(oldest_first) == [1, 2, 3, 4, 5, 6, 7]

    def test_a_page_that_is_exactly_full_has_no_cursor(self, records):
        file(records, *(version(n, filed=n) for n in range(1, 4)))

        assert records.page(JANE, "", NOW, 3)[1] == ""
        assert records.page(JANE, "", NOW, 2)[1] != ""

    def test_a_cursor_that_is_not_one_of_this_list_is_refused(self, records):
        # GIVEN a results cursor and a document cursor
        file(
            records,
            *(version(n, filed=n) for n in range(1, 4)),
            *(version(n, filed=n, kind="document", category="document:report") for n in range(4, 7)),
        )
        _, results_cursor = records.page(JANE, "", NOW, 1)
        _, documents_cursor = records.page(JANE, "", NOW, 1, prefix="document:")

        # THEN garbage, a results cursor handed to documents, and a documents cursor handed to
        # the lab results are refused
        for after, prefix, category in (
            ("not-a-cursor", "", ""),
            (results_cursor, "document:", ""),
            (documents_cursor, "", "lab"),
        ):
            with pytest.raises(ValidationFailed):
                records.page(JANE, category, NOW, 1, after, prefix=prefix)
        # while each cursor goes on in its own list
        assert ids(records.page(JANE, "", NOW, 5, results_cursor)[0]) == [2, 1]
        assert ids(records.page(JANE, "", NOW, 5, documents_cursor, prefix="document:")[0]) == [5, 4]

    def test_documents_list_by_type_and_all_of_them_type_by_type(self, records):
        # GIVEN two reports and a discharge summary filed in between
        file(
            records,
            version(1, filed=1, kind="document", category="document:report"),
            version(2, filed=2, kind="document", category="document:discharge-summary"),
            version(3, filed=3, kind="document", category="document:report"),
        )

        everything, _ = records.page(JANE, "", NOW, 10, prefix="document:")
        reports, _ = records.page(JANE, "", NOW, 10, prefix="document:report#")

        # THEN a type lists newest first; all documents list by the category key, so type by type
        # (here reports, then discharge summaries), each newest first
        assert ids(everything) == [3, 1, 2]
        assert ids(reports) == [3, 1]

    def test_appointments_to_come_soonest_first_and_past_ones_newest_first(self, records):
        # GIVEN appointments listed at their start times, two before NOW and three after
        starts = {1: -120, 2: -60, 3: 30, 4: 90, 5: 60 * 24}
        file(
            records,
            *(
                version(
                    n,
                    kind="appointment",
                    category="appointment",
                    filed=-300,
                    listed_at=timed_key(NOW + timedelta(minutes=m), rid(n)),
                )
                for n, m in starts.items()
            ),
        )
        moment = moment_key(NOW)

        # WHEN the patient asks for those to come (two at a time) and those gone by
        upcoming = every_page(
            lambda limit, after: records.page(
                JANE, "", NOW, limit, after, prefix="appointment#", listed_from=moment, oldest_first=True
            ),
            2,
        )
        past, _ = records.page(JANE, "", NOW, 10, prefix="appointment#", listed_to=moment)

        # THEN they come soonest first, and newest first
        assert ids(upcoming) == [3, 4, 5]
        assert ids(past) == [2, 1]


class TestRelease:
    def test_what_waits_is_listed_apart_newest_first(self, records):
        # GIVEN a released result, two waiting, a waiting but withdrawn one, and a waiting document
        file(
            records,
            version(1, filed=1),
            version(2, filed=2, release=60 * 48),
            version(3, filed=3, release=60 * 30),
            version(4, filed=4, release=60 * 48, status=WITHDRAWN),
            version(5, filed=5, release=60 * 48, kind="document", category="document:report"),
        )

        waiting = records.upcoming(JANE, NOW)

        # THEN the waiting ones, results and documents together, newest filed first
        assert ids(waiting) == [5, 3, 2]
        # (a short list is the soonest to be released)
        assert ids(records.upcoming(JANE, NOW, limit=1)) == [3]
        assert records.upcoming(JOHN, NOW) == []

    def test_staff_move_a_release_on_the_version_they_read(self, records):
        # GIVEN a result held for two days
        held = version(1, release=60 * 48, held_reason="awaiting_review", release_timer="timer-1")
        file(records, held)

        # WHEN staff release it now
        records.set_release(held, NOW, "", "")

        # THEN it is shown, without its hold or timer
        assert records.current(JANE, rid(1)) == dataclasses.replace(
            held, release_at=NOW, held_reason="", release_timer=""
        )
        assert ids(records.page(JANE, "", NOW, 10)[0]) == [1]
        # AND a release on a version that is no longer current is refused
        records.put_version(version(1, 2, release=60 * 48))
        with pytest.raises(Conflict):
            records.set_release(held, NOW, "", "")
        with pytest.raises(Conflict):
            records.set_release(version(9), NOW, "", "")
        assert records.current(JANE, rid(1)).release_at == at(60 * 48)

    def test_the_release_guard_names_the_current_item(self, records):
        guard = records.release_guard(version(1))

        assert guard["key"] == {"patient_id": {"S": JANE}, "record_key": {"S": f"result#{rid(1)}"}}
        assert guard["table"]


class TestWithdrawAndMerge:
    def test_a_withdrawn_record_leaves_every_list_but_is_kept(self, records):
        # GIVEN two shown results and a waiting document
        file(
            records,
            version(1, filed=1),
            version(2, filed=2),
            version(3, filed=3, release=60 * 48, kind="document", category="document:report"),
        )

        # WHEN one result and the document are withdrawn (and one that does not exist)
        records.withdraw(JANE, "result", rid(2))
        records.withdraw(JANE, "document", rid(3))
        records.withdraw(JANE, "result", rid(9))

        # THEN they are on no list, but kept, marked withdrawn
        assert ids(records.page(JANE, "", NOW, 10)[0]) == [1]
        assert records.page(JANE, "", NOW, 10, prefix="document:")[0] == []
        assert records.upcoming(JANE, NOW) == []
        assert records.current(JANE, rid(2)).status == WITHDRAWN
        assert records.current(JANE, rid(9)) is None
        assert sorted(records.locate(rid(2))) == [(JANE, "result")]

    def test_locate_finds_whose_record_an_id_is(self, records):
        file(
            records,
            version(1),
            version(1, patient=JOHN),
            version(1, kind="document", category="document:note"),
            version(2),
            version(2, 2),
        )

        assert sorted(records.locate(rid(1))) == [(JANE, "document"), (JANE, "result"), (JOHN, "result")]
        assert records.locate(rid(2)) == [(JANE, "result")]
        assert records.locate(rid(3)) == []

    def test_a_merge_copies_every_item_once_and_keeps_the_survivors_own(self, records):
        # GIVEN John's record (a result with two versions, a waiting document with a timer) and
        # a result of Jane's with the same id as one of his
        file(
            records,
            version(1, patient=JOHN, filed=1),
            version(1, 2, patient=JOHN, filed=2),
            version(
                2,
                patient=JOHN,
                filed=3,
                release=60 * 48,
                kind="document",
                category="document:report",
                release_timer="timer-2",
            ),
            version(3, patient=JOHN, filed=4),
            version(3, patient=JANE, filed=5, category="pathology"),
        )

        # WHEN John's record is merged into Jane's, twice (a redelivered merge)
        first = records.copy_records(JOHN, JANE)
        again = records.copy_records(JOHN, JANE)

        # THEN his items are hers too, once; hers stays hers; his are not removed
        assert (first, again) == (5, 0)
        assert records.current(JANE, rid(1)) == version(1, 2, patient=JANE, filed=2)
        assert [v.version for v in records.versions(JANE, rid(1))] == [2, 1]
        assert records.current(JANE, rid(3)).category == "pathology"
        copied_document = records.current(JANE, rid(2), kind="document")
        assert (copied_document.patient_id, copied_document.release_timer) == (JANE, "")
        assert records.current(JOHN, rid(2), kind="document").release_timer == "timer-2"
        assert ids(records.page(JANE, "", NOW, 10)[0]) == [3, 1]
        assert ids(records.upcoming(JANE, NOW)) == [2]
        assert sorted(records.locate(rid(1))) == [(JANE, "result"), (JOHN, "result")]

    def test_a_large_chart_is_copied_in_parts_each_going_on_where_the_last_stopped(self, records):
        # GIVEN seven items of John's (three results, one with a second version, and each
        # version kept beside its current one)
        file(
            records,
            version(1, patient=JOHN, filed=1),
            version(1, 2, patient=JOHN, filed=2),
            version(2, patient=JOHN, filed=3),
            version(3, patient=JOHN, filed=4),
        )

        # WHEN the merge may copy two items per delivery
        parts = []
        for _ in range(5):
            try:
                parts.append(records.copy_records(JOHN, JANE, limit=2))
                break
            except CopyUnfinished:
                parts.append("unfinished")

        # THEN four deliveries copy them all, each only what the last did not
        assert parts == ["unfinished", "unfinished", "unfinished", 1]
        assert ids(records.page(JANE, "", NOW, 10)[0]) == [3, 2, 1]
        assert [v.version for v in records.versions(JANE, rid(1))] == [2, 1]
        assert records.copy_records(JOHN, JANE, limit=2) == 0


class TestAliases:
    def test_an_alias_names_its_record_first_come_and_is_never_listed_but_follows_a_merge(self, records):
        # GIVEN an appointment of John's, named also by another id
        appointment = version(1, patient=JOHN, kind="appointment", category="appointment", filed=1)
        file(records, appointment)
        records.add_alias(appointment, rid(9))
        # a second record claiming the same name later does not take it
        records.add_alias(version(2, patient=JOHN, kind="appointment", category="appointment"), rid(9))

        assert records.alias(JOHN, "appointment", rid(9)) == rid(1)
        assert records.alias(JOHN, "visit", rid(9)) == ""  # an alias is of one kind
        assert records.alias(JANE, "appointment", rid(9)) == ""  # and of one patient
        assert records.current(JOHN, rid(9), kind="appointment") is None
        assert ids(records.page(JOHN, "appointment", NOW, 10)[0]) == [1]
        assert records.locate(rid(9)) == []

        # WHEN John is merged into Jane, THEN the name finds Jane's copy
        records.copy_records(JOHN, JANE)
        assert records.alias(JANE, "appointment", rid(9)) == rid(1)
        assert records.current(JANE, rid(1), kind="appointment") is not None


class TestFeedSources:
    def test_a_sender_files_for_its_organization_else_for_the_catch_all(self, records):
        records.add_feed_source(FeedSource("LAB|AMC", "amc", "AMC-MRN"))
        records.add_feed_source(FeedSource("*", "st-peters"))

        assert records.feed_source("LAB|AMC") == FeedSource("LAB|AMC", "amc", "AMC-MRN")
        assert records.feed_source("RAD|SP") == FeedSource("RAD|SP", "st-peters", "")

    def test_without_a_catch_all_an_unknown_sender_files_nowhere(self, records):
        assert records.feed_source("LAB|AMC") is None

    def test_a_sender_is_held_by_one_organization_until_it_retires_it(self, records):
        # GIVEN a sender claimed by AMC
        records.claim_feed_source(FeedSource("LAB|AMC", "amc", "AMC-MRN"))

        # WHEN another organization claims it
        with pytest.raises(Conflict):
            records.claim_feed_source(FeedSource("LAB|AMC", "st-peters"))

        # THEN it still files for AMC, listed there only
        assert records.feed_source("LAB|AMC").organization_id == "amc"
        assert records.feed_sources_of("amc") == [FeedSource("LAB|AMC", "amc", "AMC-MRN")]
        assert records.feed_sources_of("st-peters") == []
        # AND AMC may change its default authority
        records.claim_feed_source(FeedSource("LAB|AMC", "amc"))
        assert records.feed_sources_of("amc") == [FeedSource("LAB|AMC", "amc", "")]
        # AND opt it in to filing test messages, and out again
        records.claim_feed_source(FeedSource("LAB|AMC", "amc", files_test_messages=True))
        assert records.feed_source("LAB|AMC").files_test_messages is True
        assert records.feed_sources_of("amc") == [FeedSource("LAB|AMC", "amc", "", True)]
        records.claim_feed_source(FeedSource("LAB|AMC", "amc"))
        assert records.feed_source("LAB|AMC").files_test_messages is False

    def test_a_senders_code_categories_are_kept_replaced_and_cleared_with_it(self, records):
        mapped = (("99LAB|SURGPATH", "pathology"), ("http://lab.example.org/codes|T", "vital_signs"))
        records.add_feed_source(FeedSource("PATH|AMC", "amc", category_codes=mapped))
        assert records.feed_source("PATH|AMC").category_codes == mapped

        records.claim_feed_source(FeedSource("PATH|AMC", "amc", category_codes=mapped[:1]))
        assert records.feed_sources_of("amc")[0].category_codes == mapped[:1]
        records.claim_feed_source(FeedSource("PATH|AMC", "amc"))
        assert records.feed_source("PATH|AMC").category_codes == ()

        records.claim_feed_source(FeedSource("PATH|AMC", "amc", category_codes=mapped))
        records.retire_feed_source("amc", "PATH|AMC")
        records.claim_feed_source(FeedSource("PATH|AMC", "amc"))
        assert records.feed_source("PATH|AMC").category_codes == ()  # a retired sender comes back with none

    def test_a_retired_sender_files_nowhere_until_its_organization_takes_it_back(self, records):
        # GIVEN a sender of AMC, and a catch-all of another organization
        records.claim_feed_source(FeedSource("LAB|AMC", "amc", "AMC-MRN"))
        records.add_feed_source(FeedSource("*", "st-peters"))

        # WHEN AMC retires it (only AMC may)
        assert records.retire_feed_source("st-peters", "LAB|AMC") is False
        assert records.retire_feed_source("amc", "LAB|AMC") is True
        assert records.retire_feed_source("amc", "LAB|AMC") is False

        # THEN it files nowhere (not with the catch-all), and only AMC may claim it back
        assert records.feed_source("LAB|AMC") is None
        assert records.feed_sources_of("amc") == []
        with pytest.raises(Conflict):
            records.claim_feed_source(FeedSource("LAB|AMC", "st-peters"))
        records.claim_feed_source(FeedSource("LAB|AMC", "amc"))
        assert records.feed_source("LAB|AMC") == FeedSource("LAB|AMC", "amc", "")

    def test_the_list_is_by_sender_name(self, records):
        for sender in ("RAD|AMC", "ADT|AMC", "LAB|AMC"):
            records.claim_feed_source(FeedSource(sender, "amc"))

        assert [s.sender for s in records.feed_sources_of("amc")] == ["ADT|AMC", "LAB|AMC", "RAD|AMC"]
        assert [s.sender for s in records.feed_sources_of("amc", limit=2)] == ["ADT|AMC", "LAB|AMC"]
