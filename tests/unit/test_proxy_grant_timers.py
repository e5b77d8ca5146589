"""Which timers a proxy grant has, how a moment years off is reached in hops, and whether a fired
timer still stands (pure rules)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from chalicelib.access.domain import PROXY_AREAS
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship, twelfth_birthday
from chalicelib.proxies.timer_plan import (
    CUTOFF,
    END,
    hops_needed,
    is_timer_name,
    read_message,
    still_due,
    timers_to_start,
    timers_to_stop,
)
from chalicelib.timers.service import MAX_DELAY

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
GRANT = "0123456789abcdef0123456789abcdef"
PATIENT = "fedcba9876543210fedcba9876543210"


def grant(**changes) -> ProxyGrant:
    base = ProxyGrant(
        grant_id=GRANT,
        patient_id=PATIENT,
        organization_id="org-1",
        proxy_account_id="acct-1",
        relationship=Relationship.HEALTH_CARE_AGENT,
        access=Access.FULL,
        areas=PROXY_AREAS,
        starts_at=NOW,
        ends_at=NOW + timedelta(days=365),
        visible_until=None,
        status=GrantStatus.ACTIVE,
        created_at=NOW,
    )
    return dataclasses.replace(base, **changes)


def test_an_adult_grant_of_a_year_gets_one_end_timer_reached_in_one_hop():
    # A year and a day is more than a timer can wait: it first fires a wait before the end.
    [timer] = timers_to_start(grant(), NOW)
    assert timer.kind == END and timer.moment == NOW + timedelta(days=365)
    assert timer.hop == 1 and timer.fire_at == NOW + timedelta(days=1)
    assert timer.fire_at - NOW <= MAX_DELAY
    assert is_timer_name(timer.name) and len(timer.name) <= 80


def test_a_childs_grant_gets_a_cutoff_timer_at_the_12th_birthday_years_off():
    birthday = twelfth_birthday("2020-06-15", "America/New_York")
    assert birthday is not None
    [timer] = timers_to_start(grant(relationship=Relationship.PARENT, ends_at=None, visible_until=birthday), NOW)
    assert timer.kind == CUTOFF and timer.moment == birthday
    # Each hop fires no more than a wait after the last, the first within a wait of now.
    assert NOW < timer.fire_at <= NOW + MAX_DELAY
    assert timer.fire_at + timer.hop * MAX_DELAY == birthday


def test_a_cutoff_already_passed_or_after_the_end_gets_no_timer():
    passed = grant(visible_until=NOW - timedelta(days=1), ends_at=None)
    assert timers_to_start(passed, NOW) == []
    after_end = grant(visible_until=NOW + timedelta(days=400))
    assert [t.kind for t in timers_to_start(after_end, NOW)] == [END]


def test_only_an_active_grant_has_timers():
    for status in GrantStatus:
        if status is not GrantStatus.ACTIVE:
            assert timers_to_start(grant(status=status), NOW) == []


def test_the_hops_count_back_from_the_moment_so_their_names_are_known_in_advance():
    moment = NOW + timedelta(days=1000)
    first = hops_needed(moment, NOW)
    assert first == 2 and moment - first * MAX_DELAY <= NOW + MAX_DELAY
    # A hop that fires starts the next one exactly one wait later: the names never depend on "now".
    later = NOW + (moment - first * MAX_DELAY - NOW)
    assert hops_needed(moment, later) == first - 1
    assert hops_needed(NOW + timedelta(hours=1), NOW) == 0
    assert hops_needed(NOW - timedelta(hours=1), NOW) == 0


def test_stopping_names_the_waiting_hop_of_each_moment_to_come():
    child = grant(
        relationship=Relationship.PARENT, ends_at=NOW + timedelta(days=30), visible_until=NOW + timedelta(days=20)
    )
    started = {t.name for t in timers_to_start(child, NOW)}
    assert len(started) == 2  # the cutoff, then the end
    assert started <= set(timers_to_stop(child, NOW))
    # A year-long grant: the hop waiting now, whether or not the first one already fired.
    [timer] = timers_to_start(grant(), NOW)
    assert timer.name in timers_to_stop(grant(), NOW)
    assert timer.name.replace("-h1", "-h0") in timers_to_stop(grant(), NOW + timedelta(days=2))
    # Nothing to stop for moments already past.
    assert timers_to_stop(grant(ends_at=NOW - timedelta(days=1)), NOW) == []


def test_a_fired_timer_stands_only_while_its_grant_is_active_at_that_moment():
    [timer] = timers_to_start(grant(), NOW)
    fired = read_message(timer.message())
    assert fired == timer
    assert still_due(grant(), fired) == ""
    assert still_due(None, fired) == "gone"
    assert still_due(grant(status=GrantStatus.REVOKED), fired) == "not_active"
    # Renewed: the end moved, so the old timer does nothing.
    assert still_due(grant(ends_at=NOW + timedelta(days=730)), fired) == "moved"


def test_a_message_that_is_not_a_grant_timer_is_refused():
    assert read_message("nope") is None
    assert read_message({"grant_id": GRANT, "patient_id": PATIENT, "kind": "other", "moment": "x", "hop": 0}) is None
    good = {"grant_id": GRANT, "patient_id": PATIENT, "kind": END, "moment": "20271201T150000Z", "hop": 0}
    assert read_message(good) is not None
    assert read_message({**good, "hop": True}) is None
    assert read_message({**good, "grant_id": "../x"}) is None


# -- when a timer fires (proxies/grant_timers.on_timer, with in-memory stores) --------------------------


class _Settings:
    proxy_grant_timers_queue_url = "https://sqs.example/queue/patient-portal-proxy-grant-timers"


class _Ports:
    def __init__(self, grants, patients):
        from tests.unit.fakes import FakeTimers

        self.proxy_grants = grants
        self.patients = patients
        self.timers = FakeTimers()
        self.settings = _Settings()


def _stores(*grants_kept):
    from chalicelib.audit.domain import SYSTEM_ACTOR, Action, Outcome
    from chalicelib.audit.service import new_event
    from tests.fakes.patients import FakePatients
    from tests.fakes.proxy_grants import FakeProxyGrants

    store = FakeProxyGrants()
    for kept in grants_kept:
        audit = new_event(
            actor=SYSTEM_ACTOR,
            action=Action.CREATE,
            event_type="proxy.granted",
            outcome=Outcome.SUCCESS,
            patient_id=kept.patient_id,
            recorded_at=NOW,
        )
        store.add(kept, audit)
    return store, FakePatients()


def test_a_hop_that_fires_starts_the_next_one_for_the_record_the_grant_now_names():
    from chalicelib.patients.domain import Patient, PortalStatus
    from chalicelib.proxies.grant_timers import on_timer

    # GIVEN a year-long grant whose record was merged into another after its first hop started
    survivor = "a" * 32
    [first] = timers_to_start(grant(), NOW)
    store, patients = _stores(grant(patient_id=survivor))
    patients.add(
        Patient(
            PATIENT,
            "org-1",
            (),
            "N",
            ("A",),
            "1984-03-09",
            "F",
            "",
            PortalStatus.NOT_INVITED,
            "",
            NOW,
            merged_into=survivor,
        )
    )
    ports = _Ports(store, patients)

    # WHEN it fires
    outcome = on_timer(ports, first.message(), first.fire_at)

    # THEN the last hop is started, at the end itself, naming the survivor
    assert outcome == "rearmed"
    [started] = ports.timers.started.values()
    assert started.fire_at == first.moment and started.message["hop"] == 0
    assert started.message["patient_id"] == survivor


def test_a_timer_of_a_grant_renewed_or_revoked_meanwhile_does_nothing():
    from chalicelib.proxies.grant_timers import on_timer

    [timer] = timers_to_start(grant(), NOW)
    for changed, why in (
        (grant(ends_at=NOW + timedelta(days=730)), "moved"),
        (grant(status=GrantStatus.REVOKED), "not_active"),
    ):
        store, patients = _stores(changed)
        ports = _Ports(store, patients)
        assert on_timer(ports, timer.message(), timer.fire_at) == why
        assert ports.timers.started == {}
    store, patients = _stores()
    assert on_timer(_Ports(store, patients), timer.message(), timer.fire_at) == "gone"
