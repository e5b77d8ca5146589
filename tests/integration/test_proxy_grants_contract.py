"""One contract, two grant stores: FakeProxyGrants (service tests) and DynamoProxyGrants.

The contract: a grant is found by its patient (newest first, every status) and, once an account
holds it, by that account; a change holds only on the version read (a change that lost the race is
a Conflict, and nothing of it is kept); a merge copies every grant to the survivor, once, and the proxies then find the survivor's copy.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.access.domain import Area
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import new_event
from chalicelib.data.proxy_grants import DynamoProxyGrants
from chalicelib.errors import Conflict
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship
from tests.fakes import FakeProxyGrants

START = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
EMMA = "e" * 32
NOAH = "a" * 32
SURVIVOR = "5" * 32


@pytest.fixture(params=["fake", "dynamodb"])
def grants(request):
    if request.param == "fake":
        return FakeProxyGrants()
    store = request.getfixturevalue("container").proxy_grants
    assert isinstance(store, DynamoProxyGrants)
    return store


def audit(patient_id: str = EMMA):
    return new_event(
        actor=Actor("acct-staff", "staff"),
        action=Action.CREATE,
        event_type="proxy_grant.created",
        outcome=Outcome.SUCCESS,
        patient_id=patient_id,
        recorded_at=START,
    )


def grant(patient_id: str = EMMA, proxy: str = "acct-mom", minute: int = 0, **changes) -> ProxyGrant:
    made = START + timedelta(minutes=minute)
    base = ProxyGrant(
        grant_id=uuid.uuid4().hex,
        patient_id=patient_id,
        organization_id="amc",
        proxy_account_id=proxy,
        relationship=Relationship.PARENT,
        access=Access.FULL,
        areas=frozenset({Area.RESULTS, Area.MESSAGES}),
        starts_at=made,
        ends_at=None,
        visible_until=datetime(2030, 3, 1, 5, 0, tzinfo=timezone.utc),
        status=GrantStatus.ACTIVE,
        created_at=made,
        request_id="req-1",
        proxy_name="Maria",
        patient_name="Emma",
    )
    return dataclasses.replace(base, **changes)


class TestProxyGrantsContract:
    def test_a_grant_is_found_by_its_patient_and_its_proxy_as_kept(self, grants):
        # GIVEN two grants for Emma (one to her mother, a later one still an invitation) and one for Noah
        mothers = grant(minute=0)
        invited = grant(proxy="", minute=5, status=GrantStatus.INVITED, relationship=Relationship.TRUSTED_PERSON)
        noahs = grant(NOAH, minute=10, ends_at=START + timedelta(days=365), access=Access.READ_ONLY)
        for g in (mothers, invited, noahs):
            grants.add(g, audit(g.patient_id))

        # THEN Emma's list has hers, newest first, every field as kept, at version 1
        assert grants.of_patient(EMMA) == [
            dataclasses.replace(invited, version=1),
            dataclasses.replace(mothers, version=1),
        ]
        # and the mother finds both her grants (one per child), never the invitation nobody holds yet
        assert grants.of_proxy("acct-mom") == [
            dataclasses.replace(noahs, version=1),
            dataclasses.replace(mothers, version=1),
        ]
        assert grants.of_proxy("acct-someone-else") == []
        assert grants.of_proxy("") == []
        assert grants.get(EMMA, mothers.grant_id) == dataclasses.replace(mothers, version=1)
        assert grants.get(NOAH, mothers.grant_id) is None  # a grant id under another patient is nothing

    def test_a_change_holds_only_on_the_version_read(self, grants):
        # GIVEN a grant, read twice
        kept = grant()
        grants.add(kept, audit())
        first = grants.get(EMMA, kept.grant_id)
        second = grants.get(EMMA, kept.grant_id)
        assert first is not None and second is not None

        # WHEN the patient revokes it from one read
        revoked = grants.change(
            dataclasses.replace(first, status=GrantStatus.REVOKED, ended_at=START, ended_by="acct-emma"), audit()
        )
        assert revoked.version == 2

        # THEN staff renewing it from the other read are refused, and the revocation stands on both sides
        with pytest.raises(Conflict, match="changed a moment ago"):
            grants.change(dataclasses.replace(second, ends_at=START + timedelta(days=365)), audit())
        assert grants.get(EMMA, kept.grant_id) == revoked
        assert grants.of_proxy("acct-mom") == [revoked]

    def test_an_invitation_accepted_is_found_by_the_account_that_took_it(self, grants):
        invited = grant(proxy="", status=GrantStatus.INVITED, relationship=Relationship.TRUSTED_PERSON)
        grants.add(invited, audit())
        assert grants.of_proxy("acct-friend") == []

        accepted = grants.change(
            dataclasses.replace(
                grants.get(EMMA, invited.grant_id), proxy_account_id="acct-friend", status=GrantStatus.ACTIVE
            ),
            audit(),
        )

        assert grants.of_proxy("acct-friend") == [accepted]

    def test_a_merge_carries_every_grant_to_the_survivor_once(self, grants):
        mothers, fathers = grant(minute=0), grant(proxy="acct-dad", minute=1)
        grants.add(mothers, audit())
        grants.add(fathers, audit())

        merged_at = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
        assert grants.move(EMMA, SURVIVOR, merged_at) == 2
        assert grants.move(EMMA, SURVIVOR, merged_at) == 0  # redelivered: nothing left to move

        # the copies the merged record keeps are over, in the same write: nothing changes through them
        left = grants.of_patient(EMMA)
        assert {(g.status, g.end_reason, g.ended_at) for g in left} == {(GrantStatus.ENDED, "merged", merged_at)}

        assert [g.grant_id for g in grants.of_patient(SURVIVOR)] == [fathers.grant_id, mothers.grant_id]
        assert {g.patient_id for g in grants.of_patient(SURVIVOR)} == {SURVIVOR}
        # the proxy's own view names the survivor, so the check lets the mother into the merged record
        assert [g.patient_id for g in grants.of_proxy("acct-mom")] == [SURVIVOR]
        # and a change made on the survivor since is never undone by a redelivered merge
        moved = grants.get(SURVIVOR, mothers.grant_id)
        assert moved is not None
        revoked = grants.change(dataclasses.replace(moved, status=GrantStatus.REVOKED), audit(SURVIVOR))
        assert grants.move(EMMA, SURVIVOR, merged_at) == 0
        assert grants.of_proxy("acct-mom") == [revoked]


def test_each_grant_is_two_items_written_with_its_audit_event(container):
    """The store's layout, which the API role's key conditions rely on: the patient's copy under
    "proxy-grants#<patient>" and the proxy's under "proxy-of#<account>", the audit event with them."""
    from chalicelib.data.models import AuditEventModel, ProxyGrantModel

    kept = grant()
    container.proxy_grants.add(kept, audit())

    assert {(i.patient_id, i.record_key) for i in ProxyGrantModel.scan()} == {
        (f"proxy-grants#{EMMA}", kept.grant_id),
        ("proxy-of#acct-mom", kept.grant_id),
    }
    assert [e.event_type for e in AuditEventModel.query(EMMA)] == ["proxy_grant.created"]


def test_grant_items_are_what_another_store_puts_for_a_new_grant(container):
    """A request's approval puts the grant in its own transaction: the items grant_items gives
    are the grant as the store reads it."""
    from pynamodb.transactions import TransactWrite

    from chalicelib.data.models import ProxyGrantModel
    from chalicelib.data.proxy_grants import grant_items

    kept = grant(proxy="acct-dad")
    store = container.proxy_grants  # binds the tables
    with TransactWrite(connection=ProxyGrantModel._get_connection().connection) as transaction:
        for item in grant_items(kept):
            transaction.save(item)

    assert store.of_proxy("acct-dad") == [dataclasses.replace(kept, version=1)]
