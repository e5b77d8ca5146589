"""audit.service.record / access_history, and the paging contract of FakeAuditLog
(the same contract DynamoAuditLog is held to by the integration suite)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.audit import service
from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.errors import DependencyUnavailable, ValidationFailed
from tests.unit.fakes import FakeAuditLog

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)
NURSE = Actor(account_id="acct-nurse", role="staff")
PROXY = Actor(account_id="acct-mother", role="patient", proxy_grant_id="grant-7")


def read(log, *, actor=NURSE, patient_id="pat-1", at=T0, **kwargs) -> AuditEvent:
    return service.append_event(
        log,
        actor=actor,
        action=Action.READ,
        event_type="record.read",
        outcome=Outcome.SUCCESS,
        patient_id=patient_id,
        recorded_at=at,
        **kwargs,
    )


# --- record ----------------------------------------------------------------------------------


def test_record_appends_and_returns_the_event_with_ids_and_the_clock_time():
    # GIVEN an empty audit log / WHEN a read of a patient's result is recorded
    log = FakeAuditLog()
    event = read(log, resource_type="Observation", resource_id="obs-9", correlation_id="req-1", source_ip="203.0.113.7")
    # THEN that event is stored, stamped with the clock's time, naming who, whose and what
    assert log.events == [event]
    assert event.recorded_at == T0
    assert (event.actor, event.action, event.event_type, event.outcome) == (
        NURSE,
        Action.READ,
        "record.read",
        Outcome.SUCCESS,
    )
    assert (event.patient_id, event.resource_type, event.resource_id) == ("pat-1", "Observation", "obs-9")
    assert (event.correlation_id, event.source_ip) == ("req-1", "203.0.113.7")
    assert event.event_id


def test_each_event_gets_a_fresh_id():
    log = FakeAuditLog()
    ids = {read(log).event_id for _ in range(5)}
    assert len(ids) == 5
    assert len(log.events) == 5


def test_a_denial_by_a_proxy_keeps_the_grant_and_reason():
    log = FakeAuditLog()
    event = service.append_event(
        log,
        actor=PROXY,
        action=Action.READ,
        event_type="record.read",
        outcome=Outcome.DENIED,
        patient_id="pat-1",
        reason="grant_expired",
        recorded_at=T0,
    )
    assert event.actor.proxy_grant_id == "grant-7"
    assert (event.outcome, event.reason) == (Outcome.DENIED, "grant_expired")


def test_a_service_audit_write_is_stamped_by_the_request_clock_and_origin():
    # GIVEN the ports a service holds: the audit store and a pinned clock
    from types import SimpleNamespace

    from chalicelib.audit.trail import write_audit
    from chalicelib.kernel.clock import PinnedClock
    from chalicelib.kernel.origin import Origin

    ports = SimpleNamespace(audit_log=FakeAuditLog(), clock=PinnedClock(T0))
    # WHEN a service writes an event of this request
    write_audit(
        ports,
        Origin(source_ip="203.0.113.7", correlation_id="req-1"),
        NURSE,
        "record.read",
        action=Action.READ,
        patient_id="pat-1",
    )
    # THEN it is stored at the clock's time, with the request's origin
    [event] = ports.audit_log.events
    assert (event.recorded_at, event.source_ip, event.correlation_id) == (T0, "203.0.113.7", "req-1")


@pytest.mark.parametrize(
    "actor, event_type",
    [(NURSE, ""), (Actor(account_id="", role="staff"), "record.read")],
    ids=["no-event-type", "no-actor"],
)
def test_record_refuses_an_event_without_actor_or_type(actor, event_type):
    log = FakeAuditLog()
    with pytest.raises(ValueError):
        service.append_event(
            log, actor=actor, action=Action.READ, event_type=event_type, outcome=Outcome.SUCCESS, recorded_at=T0
        )
    assert log.events == []


def test_a_failing_store_fails_the_record_call():
    # GIVEN a store that refuses the write / THEN record raises (no silent loss of an audit event)
    class Down(FakeAuditLog):
        def append(self, event):
            raise DependencyUnavailable("The audit trail is unavailable.")

    with pytest.raises(DependencyUnavailable):
        read(Down())


# --- access_history --------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [0, -1, 101])
def test_access_history_refuses_a_limit_outside_1_to_100(limit):
    with pytest.raises(ValidationFailed) as caught:
        service.access_history(FakeAuditLog(), "pat-1", limit=limit)
    assert [(d["field"], bool(d["issue"])) for d in caught.value.details] == [("limit", True)]


@pytest.mark.parametrize("limit", [1, 100])
def test_access_history_passes_patient_limit_and_cursor_through(limit):
    class Recording(FakeAuditLog):
        def __init__(self):
            super().__init__()
            self.calls = []

        def for_patient(self, patient_id, limit, after=""):
            self.calls.append((patient_id, limit, after))
            return [], ""

    log = Recording()
    assert service.access_history(log, "pat-1", limit=limit, after="cursor-x") == ([], "")
    assert log.calls == [("pat-1", limit, "cursor-x")]


def test_access_history_shows_who_looked_newest_first():
    log = FakeAuditLog()
    older = read(log, at=T0)
    newer = read(log, actor=PROXY, at=T0 + timedelta(minutes=5))
    read(log, patient_id="pat-2", at=T0 + timedelta(minutes=9))
    assert service.access_history(log, "pat-1") == ([newer, older], "")


# --- FakeAuditLog paging contract -----------------------------------------------------------


def filled(count: int, patient_id: str = "pat-1") -> tuple[FakeAuditLog, list[AuditEvent]]:
    """A log holding ``count`` events for the patient (a minute apart, appended out of order),
    plus noise for another patient; returns the patient's events newest first."""
    log = FakeAuditLog()
    minutes = list(range(count))
    minutes = minutes[1::2] + minutes[::2]  # not in time order
    events = [read(log, patient_id=patient_id, at=T0 + timedelta(minutes=m)) for m in minutes]
    read(log, patient_id="someone-else", at=T0 + timedelta(minutes=count + 1))
    return log, sorted(events, key=lambda e: e.recorded_at, reverse=True)


def all_pages(fetch, limit: int) -> list[tuple[list[AuditEvent], str]]:
    pages, cursor = [], ""
    while True:
        events, cursor = fetch(limit, cursor)
        pages.append((events, cursor))
        if not cursor:
            return pages
        assert len(pages) < 100, "paging does not end"


@pytest.mark.parametrize(
    "count, limit, sizes",
    [
        (0, 3, [0]),
        (2, 3, [2]),
        (3, 3, [3]),
        (7, 3, [3, 3, 1]),
        (6, 3, [3, 3]),
        (5, 1, [1, 1, 1, 1, 1]),
    ],
)
def test_for_patient_pages_newest_first_with_cursor_only_when_more_remain(count, limit, sizes):
    # GIVEN `count` events for a patient
    log, expected = filled(count)
    # WHEN read page by page
    pages = all_pages(lambda n, after: log.for_patient("pat-1", n, after), limit)
    # THEN pages have the expected sizes, a cursor comes with (and only with) a full page that has
    # more after it, and together they are every event once, newest first
    assert [len(events) for events, _ in pages] == sizes
    for events, cursor in pages[:-1]:
        assert cursor and len(events) == limit
    assert pages[-1][1] == ""
    assert [e for events, _ in pages for e in events] == expected


def test_by_actor_pages_over_every_patient_the_actor_touched():
    log = FakeAuditLog()
    mine = [read(log, patient_id=f"pat-{i}", at=T0 + timedelta(minutes=i)) for i in range(5)]
    read(log, actor=PROXY, at=T0 + timedelta(minutes=30))
    pages = all_pages(lambda n, after: log.by_actor("acct-nurse", n, after), 2)
    assert [e for events, _ in pages for e in events] == list(reversed(mine))
    assert [len(events) for events, _ in pages] == [2, 2, 1]


def test_events_in_the_same_instant_are_neither_lost_nor_repeated_across_pages():
    log = FakeAuditLog()
    same_time = [read(log, at=T0) for _ in range(5)]
    pages = all_pages(lambda n, after: log.for_patient("pat-1", n, after), 2)
    seen = [e.event_id for events, _ in pages for e in events]
    assert sorted(seen) == sorted(e.event_id for e in same_time)


def test_a_cursor_stays_valid_when_newer_events_arrive():
    # GIVEN the first page was read
    log, expected = filled(4)
    first, cursor = log.for_patient("pat-1", 2, "")
    # WHEN a newer event is recorded before the next page is asked for
    read(log, at=T0 + timedelta(hours=1))
    # THEN the next page carries on where the first ended
    rest, last_cursor = log.for_patient("pat-1", 2, cursor)
    assert first + rest == expected and last_cursor == ""


@pytest.mark.parametrize("cursor", ["not-a-cursor!", "e30="], ids=["garbage", "empty-json-object"])
def test_an_invalid_cursor_is_a_validation_error(cursor):
    log, _ = filled(3)
    with pytest.raises(ValidationFailed) as caught:
        log.for_patient("pat-1", 2, cursor)
    assert [(d["field"], bool(d["issue"])) for d in caught.value.details] == [("after", True)]


def test_the_log_is_append_only():
    log = FakeAuditLog()
    event = read(log)
    with pytest.raises(DependencyUnavailable):
        log.append(event)
    assert log.events == [event]
