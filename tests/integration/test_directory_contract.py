"""One contract, two directories: FakeDirectory (service tests) and DynamoDirectory.

The contract: an organization is added once and carries its release policy; an account is added
with a user name no one holds (Conflict otherwise), or with none (a staff account until set up),
and found by id, by user name, and by its address once verified; it is saved on the version that was read (1 when added, one more per
save), and a save returns it as stored.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from chalicelib.accounts.domain import Account, AccountStatus, Connection, Organization, Role
from chalicelib.data.directory import DynamoDirectory
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound, ValidationFailed
from tests.fakes import FakeDirectory

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
AMC = Organization("amc", "Albany Medical Center", NOW, "AMC-MRN", time_zone="America/New_York")


@pytest.fixture(params=["fake", "dynamodb"])
def directory(request):
    if request.param == "fake":
        return FakeDirectory()
    directory = request.getfixturevalue("container").directory
    assert isinstance(directory, DynamoDirectory)
    return directory


def account(number: int, username: str, **changes) -> Account:
    fields = {
        "organization_id": "amc",
        "role": Role.PATIENT,
        "created_at": NOW,
        "email": f"{username}@example.org",
        **changes,
    }
    return Account(
        account_id=f"{number:032x}",
        username=username,
        password_hash="$argon2id$x",
        status=AccountStatus.ACTIVE,
        **fields,
    )


class TestDirectoryContract:
    def test_an_organization_is_added_once_and_carries_its_release_policy(self, directory):
        # GIVEN an organization
        directory.add_organization(AMC)

        # WHEN it is added again, THEN that is refused and the first one stays
        with pytest.raises(DependencyUnavailable):
            directory.add_organization(dataclasses.replace(AMC, name="Albany Med"))
        assert directory.organization("amc") == AMC
        assert directory.organization("st-peters") is None

        # WHEN its admin sets a release policy, THEN it comes back with it
        directory.set_release_policy("amc", {"lab": {"delay_hours": 72}})
        assert directory.organization("amc") == dataclasses.replace(AMC, release_policy={"lab": {"delay_hours": 72}})
        with pytest.raises(NotFound):
            directory.set_release_policy("st-peters", {})

    def test_an_organization_keeps_its_time_zone_else_has_the_deployments(self, directory):
        # GIVEN an organization created without a time zone (as every one was before they had one)
        directory.add_organization(Organization("sph", "St. Peter's", NOW))

        # THEN it has the deployment's default zone
        assert directory.organization("sph").time_zone == "America/New_York"

        # WHEN its admin chooses one, THEN it keeps that one
        directory.set_time_zone("sph", "America/Los_Angeles")
        assert directory.organization("sph").time_zone == "America/Los_Angeles"
        assert directory.organization("sph").name == "St. Peter's"
        with pytest.raises(NotFound):
            directory.set_time_zone("nowhere", "UTC")

    def test_a_user_name_is_held_by_one_account(self, directory):
        # GIVEN an account
        joy = account(1, "nurse.joy")
        directory.add_account(joy)

        # WHEN another account asks for its user name, THEN it is refused, and not written
        with pytest.raises(Conflict) as refused:
            directory.add_account(account(2, "nurse.joy"))
        assert refused.value.details == [{"field": "username"}]
        assert directory.account(f"{2:032x}") is None

        # AND the first is found by id and by user name, as version 1
        assert directory.account(joy.account_id) == dataclasses.replace(joy, version=1)
        assert directory.account_by_username("nurse.joy") == dataclasses.replace(joy, version=1)
        assert directory.account_by_username("nurse.jo") is None

    def test_an_account_without_a_user_name_holds_none_and_is_found_by_no_name(self, directory):
        # GIVEN two staff accounts created before their owners chose a user name
        first = dataclasses.replace(account(1, ""), role=Role.STAFF)
        directory.add_account(first)
        directory.add_account(dataclasses.replace(account(2, ""), role=Role.STAFF))

        # THEN both exist, found by id with no user name, and no name (not even none) finds them
        assert directory.account(first.account_id) == dataclasses.replace(first, version=1)
        assert directory.account(f"{2:032x}").username == ""
        assert directory.account_by_username("") is None
        # AND the name is free for whoever takes it
        directory.add_account(account(3, "nurse.joy"))
        assert directory.account_by_username("nurse.joy").account_id == f"{3:032x}"

    def test_only_a_verified_address_finds_accounts_whatever_its_case(self, directory):
        directory.add_account(account(1, "jane", email="Jane@Example.org", email_verified=True))
        directory.add_account(account(2, "jane.too", email="jane@example.org", email_verified=True))
        directory.add_account(account(3, "unverified", email="jane@example.org"))
        directory.add_account(account(4, "john", email_verified=True))

        found = directory.accounts_by_verified_email("JANE@example.ORG")

        assert sorted(a.username for a in found) == ["jane", "jane.too"]
        assert directory.accounts_by_verified_email("nobody@example.org") == []

    def test_an_account_is_saved_on_the_version_read(self, directory):
        # GIVEN an account two requests read at once
        directory.add_account(account(1, "jane"))
        first, second = directory.account(f"{1:032x}"), directory.account(f"{1:032x}")

        # WHEN both save a change
        connection = Connection("c-1", "amc", f"{7:032x}", "active", "2026-11-25T09:00:00Z")
        saved = directory.save_account(dataclasses.replace(first, connections=(connection,), sessions=frozenset({"s"})))
        with pytest.raises(Conflict):
            directory.save_account(dataclasses.replace(second, failed_sign_ins=3))

        # THEN the first stands, one version on, as the save returned it
        assert saved == dataclasses.replace(first, connections=(connection,), sessions=frozenset({"s"}), version=2)
        assert directory.account(f"{1:032x}") == saved
        assert directory.save_account(saved).version == 3
        # AND an account never added cannot be saved on a version
        with pytest.raises(Conflict):
            directory.save_account(account(2, "john", version=1))

    def test_staff_pages_list_one_organizations_staff_and_admins_newest_first(self, directory):
        # GIVEN staff and admins of two organizations, and a patient of the first
        for number, role, organization in (
            (1, Role.STAFF, "amc"),
            (2, Role.ADMIN, "amc"),
            (3, Role.STAFF, "other"),
            (4, Role.PATIENT, "amc"),
            (5, Role.STAFF, "amc"),
        ):
            directory.add_account(
                account(
                    number,
                    f"user{number}",
                    role=role,
                    organization_id=organization,
                    created_at=NOW.replace(minute=number),
                )
            )

        # WHEN the first organization's staff are listed two at a time
        first, cursor = directory.staff_page("amc", 2)
        second, last = directory.staff_page("amc", 2, cursor)

        # THEN its staff and admins come newest first, and no one else
        assert [a.username for a in first] == ["user5", "user2"]
        assert [a.username for a in second] == ["user1"]
        assert cursor and last == ""
        assert [a.username for a in directory.staff_page("other", 10)[0]] == ["user3"]
        # AND a cursor of another listing is refused
        with pytest.raises(ValidationFailed):
            directory.staff_page("amc", 2, "bm90IGEgY3Vyc29y")

    def test_a_staff_page_shows_each_account_as_it_is_now(self, directory):
        # GIVEN a colleague with an authenticator app and recovery codes
        directory.add_account(
            account(
                1,
                "user1",
                role=Role.STAFF,
                totp_secret=b"sealed seed",
                recovery_code_hashes=frozenset({"h1"}),
            )
        )
        stored = directory.account(f"{1:032x}")

        # WHEN an admin suspends the account, and the organization's staff are listed at once
        directory.save_account(dataclasses.replace(stored, status=AccountStatus.SUSPENDED))
        listed, _ = directory.staff_page("amc", 10)

        # THEN the list shows the suspension, and the second factors the account has
        assert [(a.username, a.status) for a in listed] == [("user1", AccountStatus.SUSPENDED)]
        assert listed[0].second_factors == ["totp", "recovery_code"]
        assert listed[0].version == 2
