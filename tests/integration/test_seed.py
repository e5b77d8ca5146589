"""Demo data exists on the local stage only, and its accounts can be used."""

from __future__ import annotations

import pytest

from chalicelib.accounts.passwords import verify_password
from chalicelib.data.models import AccountModel, OrganizationModel
from infra.local.seed import ORGANIZATION_NAME, seed


def test_seed_creates_the_organization_and_both_staff_accounts(container):
    seeded = seed(container, {"PORTAL_DEMO_STAFF_USER": "Nurse.Jones", "PORTAL_DEMO_STAFF_PASSWORD": "a long passphrase"})

    assert [o.name for o in OrganizationModel.scan()] == [ORGANIZATION_NAME]
    accounts = {a.username: a for a in AccountModel.scan() if a.account_id.startswith("username#") is False}
    assert set(accounts) == {"demo.admin", "nurse.jones"}
    assert accounts["nurse.jones"].role == "staff" and accounts["demo.admin"].role == "admin"
    assert verify_password(accounts["nurse.jones"].password_hash, "a long passphrase")
    assert accounts["nurse.jones"].password_hash.startswith("$argon2id$")
    assert {s.username for s in seeded} == {"demo.admin", "Nurse.Jones"}


def test_seeding_twice_keeps_one_of_each(container):
    seed(container, {})
    assert seed(container, {}) == []
    assert len([a for a in AccountModel.scan() if not a.account_id.startswith("username#")]) == 2


def test_seed_tells_each_new_account_by_email_through_the_notifications_queue(container, aws):
    import boto3

    seed(container, {})

    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.physical["NotificationsQueue"], MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2
    assert all('"template":"account_ready"' in m["Body"] for m in messages)


def test_seed_refuses_any_stage_but_local(aws, monkeypatch):
    from chalicelib import wiring

    monkeypatch.setenv("PORTAL_STAGE", "prod")
    wiring.reset()
    with pytest.raises(RuntimeError):
        seed(wiring.container(), {})
    assert list(AccountModel.scan()) == []
