"""One contract, two identity stores: FakeIdentityStore (service tests) and DynamoIdentityStore.

The contract: a record is put once and read back as put (a creation time given when it had none),
expired or not: expiry is the reader's test, except for the session check, which refuses a wrong
secret and a passed idle or absolute limit and moves the idle deadline on. Deletes, changes and
attempt counts are conditional and answer False/None when their condition fails; a throttling
window counts its hits. An owner's records are listed newest first; ending what is pending for an
account removes its challenges and its reset and set-up links only. Enrolling, saving an account
with its audit event, an account taking its user name and opening a session write everything or
nothing, and Conflict says why not.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.data.identity_store import DynamoIdentityStore
from chalicelib.errors import Conflict
from chalicelib.identity.domain import IdentityRecord, InvitationStatus, RecordKind, Restriction
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from tests.fakes import FakeDirectory, FakeIdentityStore, FakePatients
from tests.unit.fakes import FakeAuditLog

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
EPOCH = int(NOW.timestamp())
JANE = f"{1:032x}"


@pytest.fixture(params=["fake", "dynamodb"])
def world(request):
    """The identity store, with the directory, patients and audit log its transactions write to."""
    if request.param == "fake":
        directory, patients, audit_log = FakeDirectory(), FakePatients(), FakeAuditLog()
        store = FakeIdentityStore(directory, patients, audit_log)
        return SimpleNamespace(store=store, directory=directory, patients=patients, audit_log=audit_log)
    container = request.getfixturevalue("container")
    assert isinstance(container.identity_records, DynamoIdentityStore)
    return SimpleNamespace(
        store=container.identity_records,
        directory=container.directory,
        patients=container.patients,
        audit_log=container.audit_log,
    )


def record(kind: RecordKind, selector: str, **changes) -> IdentityRecord:
    return IdentityRecord(
        kind=kind,
        selector=selector,
        expires_at=changes.pop("expires_at", EPOCH + 3600),
        secret_hash=changes.pop("secret_hash", f"hash-{selector}"),
        created_at=changes.pop("created_at", NOW),
        **changes,
    )


def session(selector: str, **changes) -> IdentityRecord:
    return record(RecordKind.SESSION, selector, **{"idle_expires_at": EPOCH + 900, "account_id": JANE, **changes})


def account(**changes) -> Account:
    fields = {"account_id": JANE, "username": "jane", "email": "jane@example.org", **changes}
    return Account(
        organization_id="amc",
        role=Role.PATIENT,
        password_hash="$argon2id$x",
        status=AccountStatus.ACTIVE,
        created_at=NOW,
        **fields,
    )


def patient(**changes) -> Patient:
    return Patient(
        patient_id=f"{7:032x}",
        organization_id="amc",
        identifiers=(Identifier("AMC-MRN", "P-100"),),
        family_name="Doe",
        given_names=("Jane",),
        birth_date="1980-01-02",
        sex="female",
        email="jane@example.org",
        portal_status=PortalStatus.INVITED,
        account_id="",
        created_at=NOW,
        **changes,
    )


def event(number: int, event_type: str = "account.changed", **changes) -> AuditEvent:
    return AuditEvent(
        event_id=f"{number:032x}",
        recorded_at=NOW + timedelta(seconds=number),
        actor=Actor(JANE, "patient"),
        action=Action.UPDATE,
        event_type=event_type,
        outcome=Outcome.SUCCESS,
        **changes,
    )


def events_by_jane(world) -> list[str]:
    return [e.event_type for e in world.audit_log.by_actor(JANE, 50)[0]]


def invitation(selector: str = "inv-1", **changes) -> IdentityRecord:
    fields = {"owner": f"patient#{7:032x}", "patient_id": f"{7:032x}", "status": InvitationStatus.PENDING.value}
    return record(RecordKind.INVITATION, selector, organization_id="amc", **{**fields, **changes})


class TestIdentityStoreContract:
    def test_a_record_is_put_once_and_read_back_as_put(self, world):
        # GIVEN a session, and a link put without a creation time
        before = datetime.now(timezone.utc)
        world.store.put(session("s-1", restriction=Restriction.TERMS.value, last_seen_at=NOW))
        world.store.put(record(RecordKind.LINK, "l-1", created_at=None, purpose="password_reset"))

        # WHEN the session's key is put again, THEN that is refused and the first one stays
        with pytest.raises(Conflict):
            world.store.put(session("s-1", secret_hash="other"))
        assert world.store.get(RecordKind.SESSION, "s-1") == session(
            "s-1", restriction=Restriction.TERMS.value, last_seen_at=NOW
        )
        # AND the link came back with the time it was put; a kind is part of the key
        link = world.store.get(RecordKind.LINK, "l-1")
        assert link is not None and link.created_at is not None
        assert before <= link.created_at <= datetime.now(timezone.utc)
        assert world.store.get(RecordKind.CHALLENGE, "l-1") is None

    def test_an_expired_record_is_still_read_its_expiry_is_the_readers_test(self, world):
        world.store.put(record(RecordKind.INVITATION, "old", expires_at=EPOCH - 60))

        found = world.store.get(RecordKind.INVITATION, "old")

        assert found == record(RecordKind.INVITATION, "old", expires_at=EPOCH - 60)

    def test_a_record_is_deleted_once(self, world):
        world.store.put(record(RecordKind.LINK, "l-1"))

        assert world.store.delete(RecordKind.LINK, "l-1") is True
        assert world.store.delete(RecordKind.LINK, "l-1") is False
        assert world.store.get(RecordKind.LINK, "l-1") is None

    def test_the_session_check_refuses_a_wrong_secret_and_a_passed_limit(self, world):
        # GIVEN a session idle for 15 minutes at most, for an hour at most
        world.store.put(session("s-1"))

        # THEN a wrong secret, an unknown session, a passed idle or absolute limit find nothing
        assert world.store.touch_session("s-1", "wrong", NOW, 900) is None
        assert world.store.touch_session("s-2", "hash-s-2", NOW, 900) is None
        assert world.store.touch_session("s-1", "hash-s-1", NOW + timedelta(seconds=900), 900) is None

        # WHEN it is used 10 minutes in, THEN it comes back with its idle deadline moved on
        touched = world.store.touch_session("s-1", "hash-s-1", NOW + timedelta(minutes=10), 900)
        assert touched == session("s-1", idle_expires_at=EPOCH + 600 + 900)
        assert world.store.get(RecordKind.SESSION, "s-1") == touched
        # AND so it is live 20 minutes in, but not past its absolute limit, however recently used
        assert world.store.touch_session("s-1", "hash-s-1", NOW + timedelta(minutes=20), 3600) is not None
        assert world.store.touch_session("s-1", "hash-s-1", NOW + timedelta(minutes=60), 900) is None

    def test_a_change_is_made_only_while_the_record_holds_what_was_expected(self, world):
        # GIVEN a pending invitation and a session that must accept the terms
        world.store.put(invitation())
        world.store.put(session("s-1", restriction=Restriction.TERMS.value))
        pending = {"status": InvitationStatus.PENDING.value}

        # WHEN two requests revoke and burn it, THEN the first does, the second finds it changed
        assert world.store.change(RecordKind.INVITATION, "inv-1", pending, status=InvitationStatus.REVOKED.value)
        assert not world.store.change(RecordKind.INVITATION, "inv-1", pending, status=InvitationStatus.BURNED.value)
        assert world.store.get(RecordKind.INVITATION, "inv-1") == invitation(status=InvitationStatus.REVOKED.value)
        # AND a record that is not there is not changed (nor made)
        assert not world.store.change(RecordKind.INVITATION, "inv-2", {}, status="used")
        assert world.store.get(RecordKind.INVITATION, "inv-2") is None

        # WHEN a change removes the restriction, THEN it reads as none, which no expectation matches
        terms = {"restriction": Restriction.TERMS.value}
        assert world.store.change(RecordKind.SESSION, "s-1", terms, restriction=None)
        assert world.store.get(RecordKind.SESSION, "s-1") == session("s-1")
        assert not world.store.change(RecordKind.SESSION, "s-1", {"restriction": ""}, restriction="terms")

    def test_attempts_are_counted_up_to_their_limit(self, world):
        world.store.put(record(RecordKind.CHALLENGE, "c-1"))

        counts = [world.store.count_attempt(RecordKind.CHALLENGE, "c-1", 3) for _ in range(4)]

        assert counts == [1, 2, 3, None]
        assert world.store.get(RecordKind.CHALLENGE, "c-1").attempts == 3
        assert world.store.count_attempt(RecordKind.CHALLENGE, "gone", 3) is None

    def test_a_throttling_window_counts_its_hits(self, world):
        assert world.store.hit("sign_in|jane|0", EPOCH + 60) == 1
        assert world.store.hit("sign_in|jane|0", EPOCH + 120) == 2
        assert world.store.hit("sign_in|john|0", EPOCH + 60) == 1

        window = world.store.get(RecordKind.THROTTLE, "sign_in|jane|0")
        assert (window.kind, window.attempts, window.expires_at) == (RecordKind.THROTTLE, 2, EPOCH + 120)

    def test_an_owners_records_are_listed_newest_first(self, world):
        # GIVEN three records of Jane's account, one of John's, and one of no one's
        owner = f"account#{JANE}"
        for minutes, selector in [(1, "b"), (3, "c"), (2, "a")]:
            world.store.put(record(RecordKind.LINK, selector, owner=owner, created_at=NOW + timedelta(minutes=minutes)))
        world.store.put(record(RecordKind.LINK, "d", owner="account#john", created_at=NOW + timedelta(minutes=4)))
        world.store.put(record(RecordKind.LINK, "e", created_at=NOW + timedelta(minutes=5)))

        # THEN her list holds hers, newest first, as long as asked
        assert [r.selector for r in world.store.owned_by(owner)] == ["c", "a", "b"]
        assert [r.selector for r in world.store.owned_by(owner, limit=2)] == ["c", "a"]
        assert world.store.owned_by("account#nobody") == []

    def test_ending_what_is_pending_removes_challenges_and_reset_and_setup_links_only(self, world):
        # GIVEN Jane's challenge, reset, set-up and verification links, and session; John's challenge
        owner = f"account#{JANE}"
        world.store.put(record(RecordKind.CHALLENGE, "c-1", owner=owner))
        world.store.put(record(RecordKind.LINK, "reset", owner=owner, purpose="password_reset"))
        world.store.put(record(RecordKind.LINK, "setup", owner=owner, purpose="account_setup"))
        world.store.put(record(RecordKind.LINK, "verify", owner=owner, purpose="email_verification"))
        world.store.put(session("s-1", owner=owner))
        world.store.put(record(RecordKind.CHALLENGE, "c-2", owner="account#john"))

        # WHEN what is pending for her account is ended
        world.store.revoke_pending(JANE)

        # THEN her verification link and session stay, and John's challenge
        assert sorted(r.selector for r in world.store.owned_by(owner)) == ["s-1", "verify"]
        assert world.store.get(RecordKind.CHALLENGE, "c-1") is None
        assert world.store.get(RecordKind.CHALLENGE, "c-2") is not None

    def test_enrolling_writes_the_account_the_patient_the_invitation_and_the_event_together(self, world):
        # GIVEN an invited patient and her pending invitation
        world.patients.add(patient())
        invited = world.patients.get(f"{7:032x}")
        world.store.put(invitation())

        # WHEN she enrolls
        enrolled = dataclasses.replace(invited, account_id=JANE, portal_status=PortalStatus.ACTIVE)
        world.store.enroll(account(patient_id=invited.patient_id), enrolled, invitation(), event(1, "enrolled"))

        # THEN her account is there at version 1, her patient one version on, the invitation used
        assert world.directory.account_by_username("jane") == account(patient_id=invited.patient_id, version=1)
        assert world.patients.get(invited.patient_id) == dataclasses.replace(enrolled, version=2)
        assert world.store.get(RecordKind.INVITATION, "inv-1") == invitation(status="used", account_id=JANE)
        assert events_by_jane(world) == ["enrolled"]

    def test_enrolling_without_a_record_writes_the_account_and_uses_up_the_invitation_and_its_answers(self, world):
        # GIVEN an invitation of someone with no record, keeping the answers staff typed
        answers = {"given_name": "Sam", "family_name": "Parent", "birth_date": "1979-11-02"}
        kept = invitation("inv-2", owner="invitee#abc", patient_id="", purpose="proxy_account", **answers)
        world.store.put(kept)
        assert world.store.get(RecordKind.INVITATION, "inv-2") == kept

        # WHEN Sam enrolls: an account with no patient
        world.store.enroll(account(), None, kept, event(1, "enrolled"))

        # THEN the account is there, the invitation used and its answers gone, the event written
        assert world.directory.account_by_username("jane") == account(version=1)
        used = world.store.get(RecordKind.INVITATION, "inv-2")
        assert used == dataclasses.replace(
            kept, status="used", account_id=JANE, given_name="", family_name="", birth_date=""
        )
        assert events_by_jane(world) == ["enrolled"]
        # AND a second enrollment with it is refused
        with pytest.raises(Conflict):
            world.store.enroll(account(account_id=f"{3:032x}", username="sam2"), None, kept, event(2, "enrolled"))

    def test_an_enrollment_that_cannot_complete_writes_nothing(self, world):
        # GIVEN a pending invitation for an invited patient, and John holding the user name "john"
        world.patients.add(patient())
        invited = world.patients.get(f"{7:032x}")
        world.store.put(invitation())
        world.directory.add_account(account(account_id=f"{2:032x}", username="john"))
        enrolled = dataclasses.replace(invited, account_id=JANE, portal_status=PortalStatus.ACTIVE)

        # WHEN she asks for John's user name, THEN that is refused as the user name
        with pytest.raises(Conflict) as refused:
            world.store.enroll(account(username="john"), enrolled, invitation(), event(1, "enrolled"))
        assert refused.value.details == [{"field": "username"}]
        # WHEN the patient changed since it was read, THEN that is refused
        world.patients.save(dataclasses.replace(invited, email="new@example.org"))
        with pytest.raises(Conflict):
            world.store.enroll(account(), enrolled, invitation(), event(1, "enrolled"))
        # WHEN the invitation is no longer pending, THEN that is refused
        world.store.change(RecordKind.INVITATION, "inv-1", {}, status=InvitationStatus.REVOKED.value)
        with pytest.raises(Conflict):
            world.store.enroll(account(), world.patients.get(invited.patient_id), invitation(), event(1, "enrolled"))

        # AND none of it was written
        assert world.directory.account(JANE) is None
        assert world.directory.account_by_username("jane") is None
        assert world.patients.get(invited.patient_id).account_id == ""
        assert world.store.get(RecordKind.INVITATION, "inv-1").account_id == ""
        assert events_by_jane(world) == []

    def test_an_account_change_is_saved_with_its_event_on_the_version_read(self, world):
        # GIVEN an account two requests read at once
        world.directory.add_account(account())
        first, second = world.directory.account(JANE), world.directory.account(JANE)

        # WHEN both save a change with its event
        saved = world.store.save_account_with_audit(dataclasses.replace(first, failed_sign_ins=1), event(1, "one"))
        with pytest.raises(Conflict):
            world.store.save_account_with_audit(dataclasses.replace(second, email_verified=True), event(2, "two"))

        # THEN the first stands, one version on, with its event; the second left no event
        assert saved == dataclasses.replace(first, failed_sign_ins=1, version=2)
        assert world.directory.account(JANE) == saved
        assert events_by_jane(world) == ["one"]
        # AND the same event cannot be written twice, nor the change with it
        with pytest.raises(Conflict):
            world.store.save_account_with_audit(dataclasses.replace(saved, failed_sign_ins=2), event(1, "one"))
        assert world.directory.account(JANE) == saved

    def test_an_account_takes_a_free_user_name_once_with_its_event(self, world):
        # GIVEN a staff account created without a user name, which two set-ups read at once, and
        # a name someone else holds
        world.directory.add_account(dataclasses.replace(account(username=""), role=Role.STAFF))
        world.directory.add_account(account(account_id=f"{2:032x}", username="held.name"))
        first, second = world.directory.account(JANE), world.directory.account(JANE)

        # WHEN one asks for the held name, THEN Conflict on username, and nothing is written
        with pytest.raises(Conflict) as held:
            world.store.claim_username(dataclasses.replace(first, username="held.name"), event(1, "held"))
        assert held.value.details == [{"field": "username"}]
        assert world.directory.account(JANE) == first
        assert world.directory.account_by_username("held.name").account_id == f"{2:032x}"

        # WHEN both then ask for free names
        saved = world.store.claim_username(dataclasses.replace(first, username="nurse.joy"), event(2, "named"))
        with pytest.raises(Conflict) as changed:
            world.store.claim_username(dataclasses.replace(second, username="nurse.jo"), event(3, "late"))

        # THEN the first holds its name, one version on, with its event; the second took nothing
        assert changed.value.details == []
        assert saved == dataclasses.replace(first, username="nurse.joy", version=2)
        assert world.directory.account_by_username("nurse.joy") == saved
        assert world.directory.account_by_username("nurse.jo") is None
        assert events_by_jane(world) == ["named"]
        # AND the name it took is held for good
        with pytest.raises(Conflict) as taken:
            world.directory.add_account(account(account_id=f"{3:032x}", username="nurse.joy"))
        assert taken.value.details == [{"field": "username"}]

    def test_a_session_is_opened_with_the_account_that_lists_it(self, world):
        # GIVEN an account two sign-ins read at once
        world.directory.add_account(account())
        first, second = world.directory.account(JANE), world.directory.account(JANE)

        # WHEN both open a session
        opened = world.store.open_session(session("s-1"), dataclasses.replace(first, sessions=frozenset({"s-1:1"})))
        with pytest.raises(Conflict):
            world.store.open_session(session("s-2"), dataclasses.replace(second, sessions=frozenset({"s-2:1"})))

        # THEN the first session is there, listed on the account one version on; the second is not
        assert opened == dataclasses.replace(first, sessions=frozenset({"s-1:1"}), version=2)
        assert world.directory.account(JANE) == opened
        assert world.store.get(RecordKind.SESSION, "s-1") == session("s-1")
        assert world.store.get(RecordKind.SESSION, "s-2") is None
        # AND a session key that is taken opens nothing, and leaves the account as it was
        with pytest.raises(Conflict):
            world.store.open_session(session("s-1"), dataclasses.replace(opened, sessions=frozenset()))
        assert world.directory.account(JANE) == opened
