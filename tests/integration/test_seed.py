"""Demo data exists on the local stage only, and its accounts can be used."""

from __future__ import annotations

import pytest

from chalicelib.accounts.passwords import verify_password
from chalicelib.data.models import AccountModel, OrganizationModel
from infra.local.seed import ORGANIZATION_ID, ORGANIZATION_NAME, SUPPORT_EMAIL, seed


def test_seed_creates_the_organization_both_staff_accounts_and_the_demo_parent(container):
    seeded = seed(
        container, {"PORTAL_DEMO_STAFF_USER": "Nurse.Jones", "PORTAL_DEMO_STAFF_PASSWORD": "a long passphrase"}
    )

    assert [
        (o.name, o.time_zone)
        for o in OrganizationModel.scan()
        if not o.organization_id.startswith(
            ("sender#", "feed-sources#", "care-teams#", "support-desk", "app#", "apps#")
        )
    ] == [(ORGANIZATION_NAME, "America/New_York")]  # Albany's clocks, stored: not left to a deployment default
    # and it takes support requests, announced at its own (local) support mailbox
    assert container.support_desks.desks() == {ORGANIZATION_ID: ORGANIZATION_NAME}
    assert container.support_desks.desk_email(ORGANIZATION_ID) == SUPPORT_EMAIL
    accounts = {a.username: a for a in AccountModel.scan() if a.account_id.startswith("username#") is False}
    assert set(accounts) == {"demo.admin", "nurse.jones", "demo.parent"}
    assert accounts["nurse.jones"].role == "staff" and accounts["demo.admin"].role == "admin"
    assert verify_password(accounts["nurse.jones"].password_hash, "a long passphrase")
    assert accounts["nurse.jones"].password_hash.startswith("$argon2id$")
    # (the start-up banner lists what was seeded: the parent too, with its password)
    assert {(s.role, s.username) for s in seeded} == {
        ("admin", "demo.admin"),
        ("staff", "Nurse.Jones"),
        ("parent", "demo.parent"),
    }
    assert [s.password for s in seeded if s.role == "parent"] == ["albany-parent-demo"]
    teams, _ = container.care_teams.teams_of("albany-medical-center")
    assert [(t.name, t.members) for t in teams] == [
        ("Primary Care", (accounts["nurse.jones"].account_id,)),
        ("Cardiology", (accounts["nurse.jones"].account_id,)),
    ]  # patients have teams to write to, and the demo staff member answers for them


def test_seeding_twice_keeps_one_of_each(container):
    seed(container, {})
    assert seed(container, {}) == []
    assert len([a for a in AccountModel.scan() if not a.account_id.startswith("username#")]) == 3
    assert len(container.care_teams.teams_of("albany-medical-center")[0]) == 2


def test_seed_tells_each_new_account_by_email_through_the_notifications_queue(container, aws):
    import boto3

    seed(container, {})

    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=aws.physical["NotificationsQueue"], MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 3
    assert all('"template":"account_ready"' in m["Body"] for m in messages)
    assert any("demo.parent@" in m["Body"] for m in messages)


def test_seed_refuses_any_stage_but_local(aws, monkeypatch):
    from chalicelib import wiring

    monkeypatch.setenv("PORTAL_STAGE", "prod")
    wiring.reset()
    with pytest.raises(RuntimeError):
        seed(wiring.container(), {})
    assert list(AccountModel.scan()) == []


def test_seed_files_the_demo_patients_history_through_the_real_feed(api, container):
    import os
    from datetime import datetime, timezone

    import boto3

    from chalicelib.patients.domain import Identifier
    from tests.integration.conftest import sqs_event

    seed(container, {})
    # Locally every sender files for the demo organization.
    assert container.records.feed_source("any sender").organization_id == "albany-medical-center"
    sqs = boto3.client("sqs")
    queue_url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    # One FIFO group: a batch is received, filed and deleted before the next can be.
    received = 0
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        api.lambda_.invoke(
            "on_clinical_feed_message",
            sqs_event(api, [m["Body"] for m in batch], "patient-portal-clinical-inbound.fifo", group_id="demo-ehr"),
        )
        for m in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
        received += len(batch)
    # the demo feed's eleven (Dana's nine, her daughter Emma's two), then the two near visits (demo_visits)
    assert received == 13

    dana = container.patients.by_identifier("albany-medical-center", Identifier("AMC-MRN", "AMC-100001"))
    assert (dana.family_name, dana.birth_date) == ("Rivera", "1980-04-12")
    results, _ = container.records.page(dana.patient_id, "", datetime.now(timezone.utc), 10)
    assert sorted((r.content["code"]["code"], r.version) for r in results) == [("4548-4", 2), ("57698-3", 1)]
    # and the rest of her record: a visit and its summary, an appointment, an allergy, a condition, a
    # medication and an immunization
    documents, _ = container.records.page(dana.patient_id, "", datetime.now(timezone.utc), 10, prefix="document:")
    assert [d.content["type"] for d in documents] == ["visit-summary"]
    for kind in ("visit", "allergy", "condition", "immunization"):
        entries, _ = container.records.page(dana.patient_id, "", datetime.now(timezone.utc), 10, prefix=f"{kind}#")
        assert len(entries) == 1, kind
    # the February follow-up, and the two near visits a person trying the portal can check in
    # for (two days ahead) and join (a video visit starting ten minutes after the seed)
    entries, _ = container.records.page(dana.patient_id, "", datetime.now(timezone.utc), 10, prefix="appointment#")
    kinds = sorted(e.content.get("type") for e in entries)
    assert kinds == ["Annual physical", "Follow-up 20 minutes", "Video visit"]
    # and her prescriptions, one of each case the refill rules tell apart
    from chalicelib.refills.controlled import controlled_substances
    from chalicelib.refills.domain import Medication, eligibility

    entries, _ = container.records.page(dana.patient_id, "", datetime.now(timezone.utc), 10, prefix="medication#")
    verdicts = {
        m.name: eligibility(m, controlled_substances(), datetime.now(timezone.utc).date()).reason
        for m in (Medication.from_entry(e.result_id, e.content) for e in entries)
    }
    assert {name: reason.value if reason else None for name, reason in verdicts.items()} == {
        "Atorvastatin 10 mg tablet": None,
        "Lisinopril 10 mg tablet": None,
        "Oxycodone 5 mg tablet": "controlled_substance",
        "Amoxicillin 500 mg capsule": "expired",
        "Metformin 500 mg tablet": "no_refills",
    }


def test_seed_gives_the_demo_patient_a_conversation_with_primary_care_once_she_is_filed(api, container):
    import os

    import boto3

    from chalicelib.patients.domain import Identifier
    from infra.local.seed import seed_demo_conversation
    from tests.integration.conftest import sqs_event

    seed(container, {})
    assert seed_demo_conversation(container) is False  # the feed has not filed her yet
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"], MaxNumberOfMessages=10)
    api.lambda_.invoke(
        "on_clinical_feed_message",
        sqs_event(api, [m["Body"] for m in messages["Messages"]], "patient-portal-clinical-inbound.fifo", "demo-ehr"),
    )
    dana = container.patients.by_identifier("albany-medical-center", Identifier("AMC-MRN", "AMC-100001"))

    assert seed_demo_conversation(container) is True
    assert seed_demo_conversation(container) is True  # a second run writes nothing more

    [thread] = container.messages.page(dana.patient_id, 10)[0]
    assert (thread.team_name, thread.message_count, thread.unread_by_patient) == ("Primary Care", 2, 1)
    sides = [m.side.value for m in container.messages.messages(thread)]
    assert sides == ["patient", "care_team"]
    assert container.outbound.pending(10) == []  # history: nothing leaves for the clinical systems


def test_seed_gives_the_demo_parent_a_grant_for_the_child_once_she_is_filed(api, container):
    import os
    from datetime import datetime

    import boto3

    from chalicelib.patients.domain import Identifier
    from chalicelib.proxies.domain import GrantStatus, Relationship
    from infra.local.seed import MRN_AUTHORITY, TIME_ZONE
    from infra.local.seed_proxy import seed_demo_proxy
    from tests.integration.conftest import sqs_event

    # GIVEN the seed, the child not filed yet
    seed(container, {})
    assert seed_demo_proxy(container, {}, ORGANIZATION_ID, MRN_AUTHORITY, TIME_ZONE) is False
    assert container.proxy_grants.of_proxy(container.directory.account_by_username("demo.parent").account_id) == []
    # WHEN the feed files the demo patients
    sqs = boto3.client("sqs")
    queue_url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        api.lambda_.invoke(
            "on_clinical_feed_message",
            sqs_event(api, [m["Body"] for m in batch], "patient-portal-clinical-inbound.fifo", group_id="demo-ehr"),
        )
        for m in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    # THEN the parent's account (no record of its own) acts for Emma as her parent, until 12
    assert seed_demo_proxy(container, {}, ORGANIZATION_ID, MRN_AUTHORITY, TIME_ZONE) is True
    assert seed_demo_proxy(container, {}, ORGANIZATION_ID, MRN_AUTHORITY, TIME_ZONE) is True  # nothing more
    emma = container.patients.by_identifier(ORGANIZATION_ID, Identifier(MRN_AUTHORITY, "AMC-100002"))
    parent = container.directory.account_by_username("demo.parent")
    assert parent.patient_id == "" and parent.role.value == "patient"
    assert verify_password(parent.password_hash, "albany-parent-demo")
    [grant] = container.proxy_grants.of_proxy(parent.account_id)
    assert (grant.patient_id, grant.relationship, grant.status) == (
        emma.patient_id,
        Relationship.PARENT,
        GrantStatus.ACTIVE,
    )
    # (her birth date is sent as 10 January eleven years before the stack's year: 12 next January)
    next_january = container.clock.now().year + 1
    assert grant.visible_until == datetime.fromisoformat(f"{next_january}-01-10T00:00:00-05:00")
    assert grant.patient_name == "Emma"
    # (the child's list and staff name the parent by the parent's own name, not the mother's)
    assert grant.proxy_name == "Luis Rivera"
    # AND signed in, the parent's /v1/me names her among the records it acts for
    answer = api.http.post(
        "/v1/sessions",
        body='{"username": "demo.parent", "password": "albany-parent-demo"}',
        headers={"Content-Type": "application/json"},
    )
    token = answer.json_body["token"]
    me = api.http.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).json_body
    assert [(a["patient_id"], a["name"], a["relationship"]) for a in me["acting_for"]] == [
        (emma.patient_id, "Emma", "parent")
    ]


def file_demo_feed(api) -> None:
    import os

    import boto3

    from tests.integration.conftest import sqs_event

    sqs = boto3.client("sqs")
    queue_url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    while batch := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        api.lambda_.invoke(
            "on_clinical_feed_message",
            sqs_event(api, [m["Body"] for m in batch], "patient-portal-clinical-inbound.fifo", group_id="demo-ehr"),
        )
        for m in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])


def test_past_the_demo_childs_12th_birthday_the_demo_parent_and_the_clinic_are_told(timer_clock, api):
    from chalicelib import wiring
    from infra.local.seed import MRN_AUTHORITY, TIME_ZONE
    from infra.local.seed_proxy import seed_demo_proxy
    from tests.integration.conftest import deliver_notifications
    from tests.integration.test_proxy_grants import consume, grant_timers_due

    container = wiring.container()
    # GIVEN the demo seeded and filed: the parent's grant for Emma (12 on 10 January 2027)
    seed(container, {})
    file_demo_feed(api)
    assert seed_demo_proxy(container, {}, ORGANIZATION_ID, MRN_AUTHORITY, TIME_ZONE) is True
    parent = container.directory.account_by_username("demo.parent")
    [grant] = container.proxy_grants.of_proxy(parent.account_id)

    # WHEN the clock moves past the birthday (a timer started as an approval starts it fires then;
    # one whose thread reaches its Wait state only after the move fires at once)
    timer_clock.advance(seconds=(grant.visible_until - timer_clock.now()).total_seconds() + 60)
    consume(api, grant_timers_due())

    # THEN the clinic has a worklist item for the grant, and the parent an email
    items = [i for i in container.worklist.open_items(ORGANIZATION_ID) if i.task == "proxy_access_narrowed"]
    assert [(i.patient_id, i.result_id) for i in items] == [(grant.patient_id, grant.grant_id)]
    emails = [e.subject for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [parent.email]]
    # (its "account ready" email first, as the other demo accounts get theirs)
    assert emails == ["Your patient portal account is ready", "There is an update to your access to a record"]


def test_seed_registers_the_demo_health_app_once(container):
    from infra.local.seed_apps import DEMO_APP_CLIENT_ID, DEMO_APP_REDIRECT_URIS

    seed(container, {})
    seed(container, {})  # a second run keeps what is there
    [app] = container.apps.clients_of(ORGANIZATION_ID)
    assert (app.client_id, app.name, app.kind.value) == (DEMO_APP_CLIENT_ID, "Health Tracker Demo", "public")
    assert app.redirect_uris == DEMO_APP_REDIRECT_URIS
