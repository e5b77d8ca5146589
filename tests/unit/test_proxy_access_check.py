"""The one check's decision table for proxies (chalicelib/access/service.py), on the in-memory
twins of the stores: which grant opens which record, for which area, and what a proxy then may
do. Each row is what a proxy would notice: the record opens (and how), or it is "No such
patient." exactly as an unknown one, or a read-only grant's action is refused in words."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.access.domain import PROXY_AREAS, Area, Standing
from chalicelib.access.service import patient_scope
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import new_event
from chalicelib.audit.trail import scope_actor
from chalicelib.errors import Forbidden, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import PinnedClock
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship
from tests.fakes import FakeProxyGrants
from tests.unit.fakes import FakeAuditLog, FakeDirectory, FakePatients

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
EMMA, NOAH, ELSEWHERE = "e" * 32, "a" * 32, "c" * 32
ORIGIN = Origin(source_ip="192.0.2.10", correlation_id="req-1")
AS_MOTHER = Caller(
    account_id="acct-mom", role="patient", organization_id="", patient_id="", session_id="s-1", restriction=""
)
AS_NURSE = Caller(
    account_id="acct-nurse", role="staff", organization_id="amc", patient_id="", session_id="s-2", restriction=""
)
CUTOFF = datetime(2030, 3, 1, 5, 0, tzinfo=timezone.utc)


def patient(patient_id: str, organization: str = "amc", **changes) -> Patient:
    made = Patient(
        patient_id,
        organization,
        (Identifier("MRN", f"P-{patient_id[:4]}"),),
        "Doe",
        ("Emma",),
        "2018-03-01",
        "female",
        "",
        PortalStatus.ACTIVE,
        "",
        NOW,
    )
    return dataclasses.replace(made, **changes)


def grant(**changes) -> ProxyGrant:
    made = ProxyGrant(
        grant_id="g" * 32,
        patient_id=EMMA,
        organization_id="amc",
        proxy_account_id="acct-mom",
        relationship=Relationship.PARENT,
        access=Access.FULL,
        areas=PROXY_AREAS,
        starts_at=NOW - timedelta(days=10),
        ends_at=None,
        visible_until=CUTOFF,
        status=GrantStatus.ACTIVE,
        created_at=NOW - timedelta(days=10),
    )
    return dataclasses.replace(made, **changes)


@pytest.fixture
def ports():
    ports = SimpleNamespace(
        patients=FakePatients(),
        directory=FakeDirectory(),
        audit_log=FakeAuditLog(),
        clock=PinnedClock(NOW),
        proxy_grants=FakeProxyGrants(),
    )
    ports.patients.add(patient(EMMA))
    ports.patients.add(patient(NOAH))
    ports.patients.add(patient(ELSEWHERE, "st-peters"))
    return ports


def keep(ports, *grants: ProxyGrant) -> None:
    for one in grants:
        ports.proxy_grants.add(
            one,
            new_event(
                actor=Actor("acct-staff", "staff"),
                action=Action.CREATE,
                event_type="proxy_grant.created",
                outcome=Outcome.SUCCESS,
                patient_id=one.patient_id,
                recorded_at=NOW,
            ),
        )


OPENS = [
    ("a grant in force, for the area", grant(), Area.RESULTS),
    ("a grant limited to messages, for messages", grant(areas=frozenset({Area.MESSAGES})), Area.MESSAGES),
    ("a grant ending later", grant(ends_at=NOW + timedelta(seconds=1)), Area.DOCUMENTS),
    ("a grant that started a moment ago", grant(starts_at=NOW), Area.APPOINTMENTS),
]
REFUSED = [
    ("a grant limited to messages, for results", grant(areas=frozenset({Area.MESSAGES})), Area.RESULTS),
    ("the access log, whatever the grant", grant(areas=frozenset(Area)), Area.ACCESS_LOG),
    ("the list of proxies, whatever the grant", grant(areas=frozenset(Area)), Area.PROXIES),
    ("a grant that ended just now", grant(ends_at=NOW), Area.RESULTS),
    ("a grant not started yet", grant(starts_at=NOW + timedelta(seconds=1)), Area.RESULTS),
    ("a grant for another patient", grant(patient_id=NOAH), Area.RESULTS),
    ("a grant naming another account", grant(proxy_account_id="acct-dad"), Area.RESULTS),
    ("a grant of another organization", grant(organization_id="st-peters"), Area.RESULTS),
    *[
        (f"a grant {status.value}", grant(status=status), Area.RESULTS)
        for status in GrantStatus
        if status is not GrantStatus.ACTIVE
    ],
]


@pytest.mark.parametrize(("why", "kept", "area"), OPENS, ids=[row[0] for row in OPENS])
def test_a_grant_in_force_opens_the_area_it_covers_as_a_proxys_scope(ports, why, kept, area):
    keep(ports, kept)

    scope = patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=area)

    assert (scope.patient_id, scope.standing, scope.grant_id) == (EMMA, Standing.PROXY, kept.grant_id)
    # what the proxy then sees: up to the cutoff, never sensitive care; the record comes along
    assert (scope.visible_until, scope.hide_sensitive, scope.read_only) == (kept.visible_until, True, False)
    assert scope.record == ports.patients.get(EMMA)
    assert scope.shows(CUTOFF - timedelta(seconds=1)) and not scope.shows(CUTOFF)
    assert not scope.shows(CUTOFF - timedelta(days=1), sensitive=True)
    assert scope_actor(AS_MOTHER, scope) == Actor("acct-mom", "patient", proxy_grant_id=kept.grant_id)
    assert ports.audit_log.events == []


@pytest.mark.parametrize(("why", "kept", "area"), REFUSED, ids=[row[0] for row in REFUSED])
def test_anything_else_is_no_such_patient_and_audited(ports, why, kept, area):
    keep(ports, kept)

    with pytest.raises(NotFound, match="No such patient."):
        patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=area)

    [denied] = ports.audit_log.events
    assert (denied.event_type, denied.outcome, denied.actor.proxy_grant_id) == ("records.read", Outcome.DENIED, "")


@pytest.mark.parametrize("closed", [{"deceased": True}, {"merged_into": NOAH}], ids=["deceased", "merged away"])
def test_a_record_closed_by_the_feed_is_closed_to_proxies(ports, closed):
    keep(ports, grant())
    ports.patients.patients[EMMA] = patient(EMMA, **closed)

    with pytest.raises(NotFound):
        patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=Area.RESULTS)


def test_a_read_only_grant_reads_and_is_refused_in_words_when_acting(ports):
    keep(ports, grant(access=Access.READ_ONLY))

    scope = patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=Area.MESSAGES)
    assert scope.read_only and scope.standing is Standing.PROXY
    assert patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=Area.MESSAGES, acts=False).grant_id == "g" * 32
    with pytest.raises(Forbidden, match="^Your access to this record is read-only.$"):
        patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=Area.MESSAGES, acts=True)

    [denied] = ports.audit_log.events
    assert (denied.event_type, denied.outcome, denied.reason, denied.patient_id, denied.actor.proxy_grant_id) == (
        "records.act",
        Outcome.DENIED,
        "proxy_read_only",
        EMMA,
        "g" * 32,
    )


def test_a_full_grant_acts(ports):
    keep(ports, grant())
    assert patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=Area.APPOINTMENTS, acts=True).standing is Standing.PROXY


def test_of_two_grants_for_one_patient_the_wider_one_decides(ports):
    keep(
        ports,
        grant(grant_id="r" * 32, access=Access.READ_ONLY),
        grant(grant_id="f" * 32, ends_at=NOW + timedelta(days=1)),
    )
    scope = patient_scope(ports, AS_MOTHER, ORIGIN, EMMA, area=Area.RESULTS, acts=True)
    assert (scope.grant_id, scope.read_only) == ("f" * 32, False)


def test_staff_self_and_connections_are_decided_before_any_grant(ports):
    # A nurse of Emma's organization sees the whole record, and no grant is read for her
    keep(ports, grant(proxy_account_id="acct-nurse", access=Access.READ_ONLY))
    scope = patient_scope(ports, AS_NURSE, ORIGIN, EMMA, area=Area.ACCESS_LOG, acts=True)
    assert (scope.standing, scope.visible_until, scope.hide_sensitive, scope.read_only) == (
        Standing.STAFF,
        None,
        False,
        False,
    )
    # A patient who also holds a read-only grant for their own record is themself there
    as_emma = dataclasses.replace(AS_MOTHER, account_id="acct-emma", patient_id=EMMA)
    keep(ports, grant(grant_id="h" * 32, proxy_account_id="acct-emma", access=Access.READ_ONLY))
    own = patient_scope(ports, as_emma, ORIGIN, EMMA, area=Area.RESULTS, acts=True)
    assert (own.standing, own.read_only, own.grant_id) == (Standing.SELF, False, "")
