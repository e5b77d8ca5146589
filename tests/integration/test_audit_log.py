"""One contract, two audit stores: the in-memory fake the unit tests use and the DynamoDB one.

A patient can page through who touched their record, newest first; a privacy officer can do the
same per staff member; the store only ever grows.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit import service as audit
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.data.audit_log import DynamoAuditLog
from tests.unit.fakes import FakeAuditLog

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
NURSE = Actor(account_id="staff-1", role="staff")
MOTHER = Actor(account_id="parent-1", role="patient", proxy_grant_id="grant-9")


@pytest.fixture(params=["fake", "dynamodb"])
def audit_log(request):
    if request.param == "fake":
        return FakeAuditLog()
    audit_log = request.getfixturevalue("container").audit_log
    assert isinstance(audit_log, DynamoAuditLog)
    return audit_log


def record(audit_log, minute: int, actor: Actor = NURSE, patient_id: str = "patient-1", **extra):
    return audit.append_event(
        audit_log,
        actor=actor,
        action=Action.READ,
        event_type="record.read",
        outcome=Outcome.SUCCESS,
        patient_id=patient_id,
        resource_type="Observation",
        resource_id=f"obs-{minute}",
        recorded_at=START + timedelta(minutes=minute),
        **extra,
    )


def all_pages(read, limit: int) -> list:
    events, cursor = read(limit, "")
    pages = 1
    while cursor:
        more, cursor = read(limit, cursor)
        assert more, "a cursor must lead to more events"
        events += more
        pages += 1
        assert pages < 50
    return events


class TestAuditLogContract:
    def test_a_patient_sees_who_read_their_record_newest_first(self, audit_log):
        for minute in (1, 3, 2):
            record(audit_log, minute)
        record(audit_log, 4, patient_id="patient-2")

        events, _ = audit.access_history(audit_log, "patient-1", limit=10)

        assert [e.resource_id for e in events] == ["obs-3", "obs-2", "obs-1"]
        assert events[0].actor == NURSE and events[0].outcome is Outcome.SUCCESS
        assert events[0].recorded_at == START + timedelta(minutes=3)

    def test_pages_cover_every_event_once(self, audit_log):
        for minute in range(7):
            record(audit_log, minute)
        for minute in range(6):
            record(audit_log, minute, actor=MOTHER, patient_id="child-1")

        by_patient = all_pages(lambda limit, after: audit.access_history(audit_log, "patient-1", limit, after), 3)
        by_actor = all_pages(lambda limit, after: audit_log.by_actor("parent-1", limit, after), 3)

        assert [e.resource_id for e in by_patient] == [f"obs-{m}" for m in range(6, -1, -1)]
        assert [e.resource_id for e in by_actor] == [f"obs-{m}" for m in range(5, -1, -1)]

    def test_events_by_actor_include_proxy_grants(self, audit_log):
        record(audit_log, 1, actor=MOTHER, patient_id="child-1")
        record(audit_log, 2, actor=NURSE)

        events, _ = audit_log.by_actor("parent-1", 10)

        assert [(e.patient_id, e.actor.proxy_grant_id) for e in events] == [("child-1", "grant-9")]

    def test_events_without_a_patient_are_kept_under_the_actor(self, audit_log):
        audit.append_event(
            audit_log,
            actor=NURSE,
            action=Action.EXECUTE,
            event_type="session.sign_in",
            outcome=Outcome.FAILURE,
            reason="bad_password",
            recorded_at=START,
        )

        events, _ = audit_log.by_actor("staff-1", 10)

        assert [(e.event_type, e.outcome, e.reason, e.patient_id) for e in events] == [
            ("session.sign_in", Outcome.FAILURE, "bad_password", "")
        ]

    def test_the_store_offers_no_way_to_change_or_remove_an_event(self, audit_log):
        public = {name for name in dir(audit_log) if not name.startswith("_")}
        assert not public & {"update", "delete", "remove", "put", "save", "clear"}


def test_a_cursor_names_no_patient_and_leads_nowhere_else(container):
    import base64

    from chalicelib.errors import ValidationFailed

    for minute in range(3):
        record(container.audit_log, minute)
        record(container.audit_log, minute, patient_id="patient-2")
    _, cursor = audit.access_history(container.audit_log, "patient-1", limit=1)

    assert "patient" not in base64.urlsafe_b64decode(cursor).decode()
    events, _ = audit.access_history(container.audit_log, "patient-2", limit=5, after=cursor)
    assert {e.patient_id for e in events} == {"patient-2"}
    with pytest.raises(ValidationFailed):
        audit.access_history(container.audit_log, "patient-1", limit=1, after="not-a-cursor")
    forged = base64.urlsafe_b64encode(b'{"subject_id": {"S": "patient-2"}, "sort_key": {"S": "x"}}').decode()
    with pytest.raises(ValidationFailed):
        audit.access_history(container.audit_log, "patient-1", limit=1, after=forged)
