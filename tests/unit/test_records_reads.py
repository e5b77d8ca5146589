"""A patient's reads of their record (results, documents, the health summary) and the scope check
they all go through, on the in-memory twins of the stores (tests/fakes; each passes its contract
test against DynamoDB): what a patient would notice, without moto."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.access.domain import Area, Standing
from chalicelib.access.service import patient_scope
from chalicelib.accounts.domain import Account, AccountStatus, Connection, Role
from chalicelib.audit.domain import Outcome
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import PinnedClock
from chalicelib.kernel.keys import timed_key
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from chalicelib.records import documents, health_summary, results
from chalicelib.records.contract import DocumentsQuery, ResultsQuery
from chalicelib.records.domain import WITHDRAWN, StoredResult
from chalicelib.records.summary_contract import HealthSummaryQuery
from tests.fakes import FakeProxyGrants
from tests.unit.fakes import FakeAuditLog, FakeDirectory, FakePatients, FakeRecords

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
JANE, JOHN, ELSEWHERE = "a" * 32, "b" * 32, "c" * 32
ORIGIN = Origin(source_ip="192.0.2.10", correlation_id="req-1")
AS_JANE = Caller(
    account_id="acct-jane", role="patient", organization_id="amc", patient_id=JANE, session_id="s-1", restriction=""
)
AS_NURSE = Caller(
    account_id="acct-nurse", role="staff", organization_id="amc", patient_id="", session_id="s-2", restriction=""
)


class NoSignedForms:
    """A patient who signed no check-in form (data/signed_forms.py keeps those)."""

    def documents_page(self, patient_id, released_by, limit, after="", prefix="document:"):
        return [], ""

    def as_document(self, patient_id, document_id):
        return None


@pytest.fixture
def ports():
    ports = SimpleNamespace(
        records=FakeRecords(),
        signed_forms=NoSignedForms(),
        patients=FakePatients(),
        directory=FakeDirectory(),
        audit_log=FakeAuditLog(),
        clock=PinnedClock(NOW),
        proxy_grants=FakeProxyGrants(),
    )
    for number, (patient_id, organization) in enumerate(((JANE, "amc"), (JOHN, "amc"), (ELSEWHERE, "st-peters"))):
        ports.patients.add(
            Patient(
                patient_id,
                organization,
                (Identifier("MRN", f"P-{number}"),),
                "Doe",
                ("Jane",),
                "1980-01-02",
                "female",
                "",
                PortalStatus.ACTIVE,
                "",
                NOW,
            )
        )
    return ports


def rid(number: int) -> str:
    return f"{number:032x}"


def file(
    ports,
    number: int,
    *,
    hours_ago: float = 1,
    released_in: float = -1,
    patient: str = JANE,
    kind: str = "result",
    category: str = "lab",
    version: int = 1,
    status: str = "final",
    listed: datetime | None = None,
    **content,
) -> StoredResult:
    """Result (or document, entry) ``number``, filed ``hours_ago`` and released ``released_in``
    hours from NOW (negative: released already)."""
    filed = NOW - timedelta(hours=hours_ago)
    result = StoredResult(
        patient_id=patient,
        result_id=rid(number),
        version=version,
        category=category,
        status=status,
        content_sha256=f"sha-{number}-{version}",
        content={"code": {"display": f"Test {number}"}, **content},
        organization_id="amc",
        source=f"LAB|{number}-{version}",
        filed_at=filed,
        release_at=NOW + timedelta(hours=released_in),
        kind=kind,
        listed_at=timed_key(listed or filed, rid(number)),
    )
    ports.records.put_version(result)
    return result


def numbers(items, key: str = "result_id") -> list[int]:
    return [int(item[key], 16) for item in items]


def events(ports, event_type: str) -> list:
    return [e for e in ports.audit_log.events if e.event_type == event_type]


# --- results -----------------------------------------------------------------------------------


def test_a_patient_sees_only_released_results_of_theirs_newest_first(ports):
    # GIVEN results of Jane's: two released, one held until tomorrow, one withdrawn; and John's
    file(ports, 1, hours_ago=3)
    file(ports, 2, hours_ago=2)
    file(ports, 3, hours_ago=1, released_in=24)
    file(ports, 4, hours_ago=1.5, status=WITHDRAWN)
    file(ports, 5, hours_ago=0.5, patient=JOHN)

    # WHEN Jane lists her results
    page = results.list_results(ports, AS_JANE, ORIGIN, JANE, ResultsQuery(), NOW)

    # THEN she sees the two released ones, newest first, and the read is audited
    assert numbers(page["results"]) == [2, 1]
    assert page["next_cursor"] is None
    [audited] = events(ports, "results.list")
    assert (audited.patient_id, audited.actor.account_id, audited.reason, audited.outcome) == (
        JANE,
        "acct-jane",
        "count:2",
        Outcome.SUCCESS,
    )
    # AND tomorrow the held one is there too
    assert numbers(
        results.list_results(ports, AS_JANE, ORIGIN, JANE, ResultsQuery(), NOW + timedelta(days=1))["results"]
    ) == [
        3,
        2,
        1,
    ]


def test_results_page_through_every_one_once(ports):
    # GIVEN five released results
    for number in range(1, 6):
        file(ports, number, hours_ago=10 - number)

    # WHEN Jane pages through them two at a time
    seen, query = [], ResultsQuery(limit=2)
    while True:
        page = results.list_results(ports, AS_JANE, ORIGIN, JANE, query, NOW)
        seen += numbers(page["results"])
        if not page["next_cursor"]:
            break
        query = ResultsQuery(limit=2, cursor=page["next_cursor"])

    # THEN she saw each once, newest first
    assert seen == [5, 4, 3, 2, 1]
    # AND a cursor that is not one is a validation error
    with pytest.raises(ValidationFailed):
        results.list_results(ports, AS_JANE, ORIGIN, JANE, ResultsQuery(cursor="forged"), NOW)


def test_results_filter_by_category(ports):
    file(ports, 1, category="lab")
    file(ports, 2, category="pathology")

    page = results.list_results(ports, AS_JANE, ORIGIN, JANE, ResultsQuery(category="pathology"), NOW)

    assert numbers(page["results"]) == [2]


def test_another_patients_results_are_not_found_and_the_attempt_is_audited(ports):
    # GIVEN a result of John's
    file(ports, 1, patient=JOHN)

    # WHEN Jane asks for John's list, or his result through her own id
    with pytest.raises(NotFound):
        results.list_results(ports, AS_JANE, ORIGIN, JOHN, ResultsQuery(), NOW)
    with pytest.raises(NotFound):
        results.get_result(ports, AS_JANE, ORIGIN, JANE, rid(1), NOW)

    # THEN the refusal is audited as a denial, and no read of John's record is
    [denied] = events(ports, "records.read")
    assert (denied.outcome, denied.actor.account_id, denied.reason) == (
        Outcome.DENIED,
        "acct-jane",
        "not_the_callers_patient",
    )
    assert [e for e in ports.audit_log.events if e.patient_id == JOHN] == []


def test_a_result_shows_its_earlier_versions_only_once_released(ports):
    # GIVEN a result, then its correction held for review until tomorrow
    first = file(ports, 1, hours_ago=5, value="6.1")
    file(ports, 1, version=2, status="corrected", hours_ago=1, released_in=24, listed=first.filed_at, value="6.4")

    # WHEN Jane opens it now, THEN it is not found (the current version is held)
    with pytest.raises(NotFound):
        results.get_result(ports, AS_JANE, ORIGIN, JANE, rid(1), NOW)

    # WHEN she opens it tomorrow, THEN she sees the correction with the first version below it
    tomorrow = NOW + timedelta(days=1)
    shown = results.get_result(ports, AS_JANE, ORIGIN, JANE, rid(1), tomorrow)
    assert (shown["version"], shown["status"], shown["report"]["value"]) == (2, "corrected", "6.4")
    assert [(v["version"], v["report"]["value"]) for v in shown["earlier_versions"]] == [(1, "6.1")]
    assert [e.resource_id for e in events(ports, "result.read")] == [rid(1)]


def test_a_withdrawn_result_is_not_found(ports):
    file(ports, 1)
    ports.records.withdraw(JANE, "result", rid(1))

    with pytest.raises(NotFound):
        results.get_result(ports, AS_JANE, ORIGIN, JANE, rid(1), NOW)
    assert results.list_results(ports, AS_JANE, ORIGIN, JANE, ResultsQuery(), NOW)["results"] == []


def glucose(number: int) -> dict:
    """A report of one glucose value (the result's number), observed when it was filed."""
    observed = (NOW - timedelta(hours=1000 - number)).isoformat()
    return {
        "observations": [
            {
                "code": {"system": "LN", "code": "2345-7", "display": "Glucose"},
                "value": {"type": "numeric", "number": str(number)},
                "units": "mg/dL",
                "reference_range": "70-99",
                "flags": [],
                "critical": False,
                "status": "final",
                "observed_at": observed,
            }
        ]
    }


def test_a_trend_holds_the_viewed_result_even_when_it_is_older_than_the_results_read(ports):
    # GIVEN 205 glucose results, one an hour: more than one answer looks through
    for number in range(1, 206):
        file(ports, number, hours_ago=1000 - number, **glucose(number))

    # WHEN Jane opens the trend of her newest one
    newest = results.result_trends(ports, AS_JANE, ORIGIN, JANE, rid(205), NOW)

    # THEN it holds the newest 200 values, joined, and says the older ones are left out
    [trend] = newest["trends"]
    assert newest["complete"] is False
    assert [p["value"] for p in trend["points"]] == [str(n) for n in range(6, 206)]
    assert not any(p["outside_window"] for p in trend["points"])

    # WHEN she opens the trend of her second result, older than the newest 200
    older = results.result_trends(ports, AS_JANE, ORIGIN, JANE, rid(2), NOW)

    # THEN its own value is on its chart, first, marked as not to be joined to the rest (the
    # values of results 3 to 5 were not read), and the answer still says it is not complete
    [trend] = older["trends"]
    assert older["complete"] is False
    assert [p["value"] for p in trend["points"]] == ["2"] + [str(n) for n in range(6, 206)]
    assert [p["result_id"] for p in trend["points"] if p["outside_window"]] == [rid(2)]


def test_a_detail_says_whether_its_trends_have_anything_to_draw(ports):
    file(ports, 1, **glucose(1))
    cancelled = glucose(2)
    cancelled["observations"][0]["status"] = WITHDRAWN
    file(ports, 2, **cancelled)

    assert results.get_result(ports, AS_JANE, ORIGIN, JANE, rid(1), NOW)["has_numeric_values"] is True
    assert results.get_result(ports, AS_JANE, ORIGIN, JANE, rid(2), NOW)["has_numeric_values"] is False


# --- documents and the health summary ----------------------------------------------------------


def test_documents_list_by_type_with_only_released_ones(ports):
    file(ports, 1, hours_ago=3, kind="document", category="document:discharge-summary", type="discharge-summary")
    file(ports, 2, hours_ago=2, kind="document", category="document:report", type="report")
    file(ports, 3, hours_ago=1, kind="document", category="document:report", type="report", released_in=48)
    file(ports, 4, hours_ago=1)  # a result

    everything = documents.list_documents(ports, AS_JANE, ORIGIN, JANE, DocumentsQuery(), NOW)
    reports = documents.list_documents(ports, AS_JANE, ORIGIN, JANE, DocumentsQuery(type="report"), NOW)

    assert sorted(numbers(everything["documents"], "document_id")) == [1, 2]
    assert [(d["document_id"], d["type"]) for d in reports["documents"]] == [(rid(2), "report")]
    assert [e.reason for e in events(ports, "documents.list")] == ["count:2", "count:1"]


def test_appointments_to_come_soonest_first_and_past_ones_newest_first(ports):
    # GIVEN appointments listed at their start: two gone by, two to come; and an allergy
    for number, hours in ((1, -48), (2, -2), (3, 3), (4, 72)):
        file(
            ports,
            number,
            kind="appointment",
            category="appointment",
            hours_ago=100,
            listed=NOW + timedelta(hours=hours),
            status="current",
            starts=hours,
        )
    file(ports, 5, kind="allergy", category="allergy", status="current", substance="penicillin")

    upcoming = health_summary.list_entries(ports, AS_JANE, ORIGIN, JANE, "appointments", HealthSummaryQuery(), NOW)
    past = health_summary.list_entries(
        ports, AS_JANE, ORIGIN, JANE, "appointments", HealthSummaryQuery(when="past"), NOW
    )
    allergies = health_summary.list_entries(ports, AS_JANE, ORIGIN, JANE, "allergies", HealthSummaryQuery(), NOW)

    assert [a["starts"] for a in upcoming["appointments"]] == [3, 72]
    assert [a["starts"] for a in past["appointments"]] == [-2, -48]
    assert [a["substance"] for a in allergies["allergies"]] == ["penicillin"]
    with pytest.raises(NotFound):
        health_summary.list_entries(ports, AS_JANE, ORIGIN, JANE, "secrets", HealthSummaryQuery(), NOW)


# --- the scope check -----------------------------------------------------------------------------


def test_staff_read_their_organizations_patients_only(ports):
    assert patient_scope(ports, AS_NURSE, ORIGIN, JOHN, area=Area.RESULTS).standing is Standing.STAFF
    with pytest.raises(NotFound):
        patient_scope(ports, AS_NURSE, ORIGIN, ELSEWHERE, area=Area.RESULTS)
    with pytest.raises(NotFound):
        patient_scope(ports, AS_NURSE, ORIGIN, "d" * 32, area=Area.RESULTS)  # no such patient: the same answer
    assert [(e.event_type, e.outcome, e.reason) for e in ports.audit_log.events] == [
        ("patient.read", Outcome.DENIED, "not_found_or_other_organization")
    ] * 2


def test_a_patient_reads_a_connected_record_only_once_the_connection_is_active(ports):
    # GIVEN Jane's account, connected to her record at another organization, still pending
    pending = Connection("c-1", "st-peters", ELSEWHERE, "pending", "2026-11-25T08:00:00Z")
    ports.directory.add_account(
        Account(
            "acct-jane",
            "jane",
            "amc",
            Role.PATIENT,
            "$argon2id$x",
            AccountStatus.ACTIVE,
            "jane@example.org",
            NOW,
            patient_id=JANE,
            connections=(pending,),
        )
    )

    # THEN her own record is hers, the connected one not yet
    assert patient_scope(ports, AS_JANE, ORIGIN, JANE, area=Area.RESULTS).standing is Standing.SELF
    with pytest.raises(NotFound):
        patient_scope(ports, AS_JANE, ORIGIN, ELSEWHERE, area=Area.RESULTS)

    # WHEN the connection becomes active, THEN she reads it through the connection
    account = ports.directory.account("acct-jane")
    ports.directory.save_account(
        dataclasses.replace(account, connections=(dataclasses.replace(pending, status="active"),))
    )
    assert patient_scope(ports, AS_JANE, ORIGIN, ELSEWHERE, area=Area.RESULTS).standing is Standing.CONNECTION
