"""The bearer check of the FHIR API (chalicelib/apps/oauth/bearer.py): a live token of a live
authorization of an active app is the app's caller; anything else is refused on the next call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pytest

from chalicelib import wiring
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.apps.domain import AppStatus, AuthorizationStatus
from chalicelib.apps.oauth.bearer import InvalidToken, app_access
from chalicelib.apps.oauth.tokens import owner_of
from tests.apps_support import issue

ORG = "albany-medical-center"
PATIENT_ID = "p" * 32


@dataclass
class FakeRequest:
    headers: dict = field(default_factory=dict)
    context: dict = field(default_factory=lambda: {"identity": {"sourceIp": "203.0.113.9"}, "requestId": "req-1"})


def bearer(token: str) -> FakeRequest:
    return FakeRequest(headers={"authorization": f"Bearer {token}"})


@pytest.fixture
def ports(container):
    ports = wiring.container()
    if ports.directory.account("account-1") is None:  # the account that authorizes the apps here
        ports.directory.add_account(
            Account(
                account_id="account-1",
                username="account.one",
                organization_id=ORG,
                role=Role.PATIENT,
                password_hash="$argon2id$x",
                status=AccountStatus.ACTIVE,
                email="account.one@example.org",
                created_at=ports.clock.now(),
                patient_id=PATIENT_ID,
            )
        )
    return ports


def test_a_live_token_is_the_app_calling_as_the_account_that_authorized_it(ports):
    issued = issue(ports, PATIENT_ID, "account-1", ["Patient", "Observation"], organization_id=ORG)

    access = app_access(ports, bearer(issued.access_token))

    assert access.caller.account_id == "account-1"
    assert access.caller.role == "patient"
    assert access.caller.patient_id == PATIENT_ID
    assert access.caller.app_authorization_id == issued.authorization.authorization_id
    assert access.caller.session_id == f"app:{issued.authorization.authorization_id}"
    assert access.caller.source_ip == "203.0.113.9"
    assert access.authorization.resource_types == {"Patient", "Observation"}
    assert access.client.status is AppStatus.ACTIVE


@pytest.mark.parametrize("header", ["", "Basic abc", "Bearer ", "Bearer not-a-token-we-gave"])
def test_a_missing_or_unknown_token_is_refused(ports, header):
    with pytest.raises(InvalidToken):
        app_access(ports, FakeRequest(headers={"authorization": header} if header else {}))


def test_an_expired_token_is_refused(ports, clock):
    issued = issue(ports, PATIENT_ID, "account-1", organization_id=ORG)
    clock.advance(hours=1, seconds=1)
    with pytest.raises(InvalidToken):
        app_access(ports, bearer(issued.access_token))


def test_a_revoked_authorization_refuses_its_token_at_once(ports):
    issued = issue(ports, PATIENT_ID, "account-1", organization_id=ORG)
    app_access(ports, bearer(issued.access_token))
    current = ports.apps.authorization(PATIENT_ID, issued.authorization.authorization_id)
    assert ports.apps.save_authorization(replace(current, status=AuthorizationStatus.REVOKED))

    with pytest.raises(InvalidToken):
        app_access(ports, bearer(issued.access_token))


def test_deleting_an_authorizations_tokens_refuses_them(ports):
    issued = issue(ports, PATIENT_ID, "account-1", organization_id=ORG, with_refresh=True)
    assert ports.apps.delete_owned(owner_of(issued.authorization.authorization_id)) == 2
    with pytest.raises(InvalidToken):
        app_access(ports, bearer(issued.access_token))


def test_a_disabled_apps_token_is_refused(ports):
    issued = issue(ports, PATIENT_ID, "account-1", organization_id=ORG)
    client = ports.apps.client(issued.authorization.client_id)
    ports.apps.save_client(replace(client, status=AppStatus.DISABLED))
    with pytest.raises(InvalidToken):
        app_access(ports, bearer(issued.access_token))


def test_last_used_is_written_at_most_once_a_minute(ports, clock):
    issued = issue(ports, PATIENT_ID, "account-1", organization_id=ORG)
    first = app_access(ports, bearer(issued.access_token))
    assert first.authorization.last_used_at is None
    used = ports.apps.authorization(PATIENT_ID, issued.authorization.authorization_id).last_used_at
    assert used == clock.now()
    clock.advance(seconds=30)
    app_access(ports, bearer(issued.access_token))
    assert ports.apps.authorization(PATIENT_ID, issued.authorization.authorization_id).last_used_at == used
    clock.advance(seconds=31)
    app_access(ports, bearer(issued.access_token))
    assert ports.apps.authorization(PATIENT_ID, issued.authorization.authorization_id).last_used_at == clock.now()


def test_a_token_of_an_account_no_longer_active_is_refused(ports):
    issued = issue(ports, PATIENT_ID, "account-1", organization_id=ORG)
    app_access(ports, bearer(issued.access_token))
    account = ports.directory.account("account-1")
    ports.directory.save_account(replace(account, status=AccountStatus.SUSPENDED))
    try:
        with pytest.raises(InvalidToken):
            app_access(ports, bearer(issued.access_token))
    finally:
        ports.directory.save_account(replace(ports.directory.account("account-1"), status=AccountStatus.ACTIVE))
