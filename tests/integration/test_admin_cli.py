"""The operator's commands of `python -m infra.admin`: the first admin of a deployment, and the
backfill that puts staff accounts written before the staff list's index existed into it, and
the assignment of a feed sender to an organization."""

from __future__ import annotations

import json
from datetime import timedelta

import boto3

from chalicelib import wiring
from chalicelib.accounts import service as accounts
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.feeds.domain import FeedSource
from infra import admin
from infra.local import seed


def test_the_cli_creates_the_organization_and_an_admin_who_can_sign_in(aws, api, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "a long first admin passphrase")

    code = admin.main(
        [
            "--organization-id",
            "st-peters",
            "--organization-name",
            "St Peter's",
            "--mrn-authority",
            "SPH-MRN",
            "--username",
            "Jane.Admin",
            "--email",
            "jane@sph.example",
        ]
    )

    assert code == 0
    directory = wiring.container().directory
    assert directory.organization("st-peters").mrn_authority == "SPH-MRN"
    account = directory.account_by_username("jane.admin")
    assert account.role.value == "admin" and account.organization_id == "st-peters"
    signed_in = api.http.post(
        "/v1/sessions",
        headers={"Content-Type": "application/json"},
        body=b'{"username": "jane.admin", "password": "a long first admin passphrase"}',
    )
    # Not a seeded demo account: an admin must set up a second factor before anything else.
    assert signed_in.status_code == 201 and signed_in.json_body["must"] == "second_factor_setup"
    events, _ = wiring.container().audit_log.by_actor("operator:infra.admin", 10)
    assert [e.event_type for e in events] == ["staff_account.created"]
    assert "a long first admin passphrase" not in capsys.readouterr().out


def test_the_cli_refuses_a_common_password(aws, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "password123")

    code = admin.main(
        [
            "--organization-id",
            "st-peters",
            "--organization-name",
            "St Peter's",
            "--username",
            "jane.admin",
            "--email",
            "jane@sph.example",
        ]
    )

    assert code == 1
    assert "refused" in capsys.readouterr().err
    assert wiring.container().directory.account_by_username("jane.admin") is None


# -- the staff list's backfill --------------------------------------------------------------------


def _call(api, path: str, token: str = "", body=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    method = "POST" if body is not None else "GET"
    return api.http.request(method, path, headers=headers, body=json.dumps(body).encode() if body is not None else b"")


def _listed(api, token: str) -> list[str]:
    answer = _call(api, "/v1/admin/staff?limit=100", token)
    assert answer.status_code == 200, answer.json_body
    return [a["username"] for a in answer.json_body["staff"]]


def test_the_backfill_lists_staff_accounts_an_older_version_wrote_and_a_second_run_changes_nothing(aws, api, capsys):
    # GIVEN the demo organization's admin and staff, a patient, and a colleague who left a year
    # ago, whose account an older version wrote without the staff list's keys
    container = wiring.container()
    seed.seed(container, {})
    now = container.clock.now()
    gone = accounts.create_staff_account(
        container.directory,
        organization_id=seed.ORGANIZATION_ID,
        username="left.last.year",
        password="a passphrase nobody uses now",
        role=Role.STAFF,
        email="left.last.year@albany.example",
        now=now - timedelta(days=365),
    )
    patient = Account(
        account_id="p" * 32,
        username="a.patient",
        organization_id=seed.ORGANIZATION_ID,
        role=Role.PATIENT,
        password_hash="$argon2id$x",
        status=AccountStatus.ACTIVE,
        email="a.patient@example.org",
        created_at=now,
    )
    container.directory.add_account(patient)
    table = boto3.resource("dynamodb").Table(aws.physical["AccountsTable"])
    as_written = table.get_item(Key={"account_id": gone.account_id}, ConsistentRead=True)["Item"]
    del as_written["staff_of"], as_written["staff_listed_at"]
    table.put_item(Item=as_written)
    admin_token = _call(api, "/v1/sessions", body={"username": "demo.admin", "password": "albany-admin-demo"})
    assert admin_token.status_code == 201, admin_token.json_body
    token = admin_token.json_body["token"]

    # THEN the admin's list does not show that colleague, the one an admin most needs to suspend
    assert "left.last.year" not in _listed(api, token)

    # WHEN the operator counts first (a dry run), THEN nothing changes
    assert admin.main(["backfill-staff-list", "--dry-run"]) == 0
    assert "1 staff and admin accounts are missing" in capsys.readouterr().out
    assert "left.last.year" not in _listed(api, token)

    # WHEN the operator runs the backfill
    assert admin.main(["backfill-staff-list"]) == 0

    # THEN it says what it did, and the colleague is listed, oldest and so last, as they are
    assert "1 staff and admin accounts were missing from the staff list: 1 added, 0 left" in capsys.readouterr().out
    assert _listed(api, token)[-1] == "left.last.year"
    assert sorted(_listed(api, token)) == ["demo.admin", "demo.staff", "left.last.year"]
    # AND the account is otherwise untouched (its version too: nobody's save meanwhile conflicts)
    after = table.get_item(Key={"account_id": gone.account_id}, ConsistentRead=True)["Item"]
    assert {k: v for k, v in after.items() if k not in ("staff_of", "staff_listed_at")} == as_written
    assert after["staff_of"] == seed.ORGANIZATION_ID
    # AND the admin can suspend the colleague from there
    suspended = api.http.request(
        "PUT",
        f"/v1/admin/staff/{gone.account_id}/status",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        body=b'{"status": "suspended"}',
    )
    assert suspended.status_code == 200, suspended.json_body

    # WHEN it runs again, THEN it finds nothing to do, and the patient was never listed
    assert admin.main(["backfill-staff-list"]) == 0
    assert "0 staff and admin accounts were missing from the staff list: 0 added" in capsys.readouterr().out
    assert "staff_of" not in table.get_item(Key={"account_id": patient.account_id}, ConsistentRead=True)["Item"]
    listed = _call(api, "/v1/admin/staff?limit=100", token).json_body["staff"]
    assert [a["status"] for a in listed if a["username"] == "left.last.year"] == ["suspended"]


def test_the_backfill_finds_the_stack_tables_through_the_stack_outputs_and_the_api_function(aws, monkeypatch, capsys):
    # GIVEN a deployed stack as the operator sees it: its APIHandlerName output names the API
    # function, whose environment names the tables; and a staff account without the list's keys
    iam, functions, stacks = boto3.client("iam"), boto3.client("lambda"), boto3.client("cloudformation")
    role = iam.create_role(RoleName="api-handler", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    functions.create_function(
        FunctionName="patient-portal-APIHandler",
        Runtime="python3.11",
        Role=role,
        Handler="app.app",
        Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},  # an empty zip: never run
        Environment={"Variables": dict(aws.environment)},
    )
    stacks.create_stack(
        StackName="patient-portal",
        TemplateBody=json.dumps(
            {
                "Resources": {
                    "Marker": {
                        "Type": "AWS::SSM::Parameter",
                        "Properties": {"Name": "patient-portal-marker", "Type": "String", "Value": "x"},
                    }
                },
                "Outputs": {"APIHandlerName": {"Value": "patient-portal-APIHandler"}},
            }
        ),
    )
    try:
        container = wiring.container()
        seed.seed(container, {})
        table = boto3.resource("dynamodb").Table(aws.physical["AccountsTable"])
        staff = container.directory.account_by_username("demo.staff")
        table.update_item(Key={"account_id": staff.account_id}, UpdateExpression="REMOVE staff_of, staff_listed_at")
        # (and an operator's shell that names no table: the command must take them from the function)
        monkeypatch.delenv("PORTAL_ACCOUNTS_TABLE")
        wiring.reset()

        # WHEN the operator runs what `make backfill-staff-list STACK=patient-portal` runs
        assert admin.main(["backfill-staff-list", "--stack", "patient-portal"]) == 0

        # THEN the stack's accounts table got the keys back
        assert "1 added" in capsys.readouterr().out
        assert table.get_item(Key={"account_id": staff.account_id})["Item"]["staff_of"] == seed.ORGANIZATION_ID
    finally:  # (the shared moto account outlives this test: leave it as it was)
        stacks.delete_stack(StackName="patient-portal")
        functions.delete_function(FunctionName="patient-portal-APIHandler")
        iam.delete_role(RoleName="api-handler")


def test_the_operator_assigns_a_feed_sender_that_an_admin_may_not_register(aws, capsys):
    container = wiring.container()
    accounts.ensure_organization(container.directory, "st-peters", "St Peter's", now=container.clock.now())
    held = FeedSource("LAB|SPH", "another-hospital")
    container.records.add_feed_source(held)

    assert admin.main(["assign-feed-source", "--sender", "LAB|SPH", "--organization-id", "nowhere"]) == 1
    assert "no organization nowhere" in capsys.readouterr().err
    assert wiring.container().records.feed_source("LAB|SPH") == held  # unchanged
    assert admin.main(["assign-feed-source", "--sender", "", "--organization-id", "st-peters"]) == 1
    refused = ["--sender", "LAB|SPH", "--organization-id", "st-peters", "--category", "99LAB|SURGPATH=biopsy"]
    assert admin.main(["assign-feed-source", *refused]) == 1
    assert "A category is one of lab, pathology" in capsys.readouterr().err
    # Every authority that cannot be declared is named at once, by its place
    twice = ["--sender", "LAB|SPH", "--organization-id", "st-peters", "--authority", "MR=X", "--authority", "PI=Y"]
    assert admin.main(["assign-feed-source", *twice]) == 1
    said = capsys.readouterr().err
    assert "authorities.0.sent_as: an identifier type code" in said and "authorities.1.sent_as" in said

    code = admin.main(
        [
            "assign-feed-source",
            "--sender",
            "LAB|SPH",
            "--organization-id",
            "st-peters",
            "--default-authority",
            "SPH-MRN",
            "--authority",
            "MRN=SPH-MRN",
            "--authority",
            "2.16.840.1.113883.3.5=SPH-MRN",
            "--category",
            "99LAB|SURGPATH=pathology",
            "--category",
            "L|VS=vital_signs",
        ]
    )

    assert code == 0
    assigned = wiring.container().records.feed_source("LAB|SPH")
    assert (assigned.organization_id, assigned.default_authority) == ("st-peters", "SPH-MRN")
    assert assigned.authorities == (("MRN", "SPH-MRN"), ("urn:oid:2.16.840.1.113883.3.5", "SPH-MRN"))
    assert assigned.category_codes == (("99LAB|SURGPATH", "pathology"), ("L|VS", "vital_signs"))
    assert [s.sender for s in wiring.container().records.feed_sources_of("st-peters")] == ["LAB|SPH"]
    events, _ = wiring.container().audit_log.by_actor("operator:infra.admin", 10)
    assert [(e.event_type, e.reason) for e in events] == [("feed_source.changed", "assigned:st-peters")]


def test_the_operator_sets_an_organizations_time_zone(aws, capsys):
    container = wiring.container()
    accounts.ensure_organization(container.directory, "st-peters", "St Peter's", now=container.clock.now())
    assert container.directory.organization("st-peters").time_zone == "America/New_York"  # the deployment's

    assert admin.main(["set-time-zone", "--organization-id", "st-peters", "--time-zone", "Mars/Olympus_Mons"]) == 1
    assert "not a time zone name" in capsys.readouterr().err
    assert admin.main(["set-time-zone", "--organization-id", "nowhere", "--time-zone", "America/Chicago"]) == 1
    assert "No such organization" in capsys.readouterr().err

    code = admin.main(["set-time-zone", "--organization-id", "st-peters", "--time-zone", "America/Chicago"])

    assert code == 0
    assert wiring.container().directory.organization("st-peters").time_zone == "America/Chicago"
    events, _ = wiring.container().audit_log.by_actor("operator:infra.admin", 10)
    assert [(e.event_type, e.resource_id) for e in events] == [("organization.time_zone_changed", "st-peters")]


def test_the_first_admin_names_the_new_organizations_time_zone(aws, monkeypatch, capsys):
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "a long first admin passphrase")
    base = ["--organization-id", "sutter", "--organization-name", "Sutter", "--username", "sam.admin"]

    assert admin.main([*base, "--email", "sam@sutter.example", "--time-zone", "Pacific"]) == 1
    assert "not a time zone name" in capsys.readouterr().err
    assert wiring.container().directory.organization("sutter") is None  # nothing written

    assert admin.main([*base, "--email", "sam@sutter.example", "--time-zone", "America/Los_Angeles"]) == 0
    assert wiring.container().directory.organization("sutter").time_zone == "America/Los_Angeles"


def test_the_search_backfill_makes_patients_an_older_version_wrote_findable_by_name_and_birth_date(aws, api, capsys):
    # GIVEN the demo organization and a patient an older version wrote without the search's key
    container = wiring.container()
    seed.seed(container, {})
    staff = _call(api, "/v1/sessions", body={"username": "demo.staff", "password": "albany-staff-demo"})
    assert staff.status_code == 201, staff.json_body
    token = staff.json_body["token"]
    body = {"mrn": "OLD-1", "family_name": "Okafor", "given_names": ["Chidi"], "birth_date": "1961-02-03"}
    registered = _call(api, "/v1/staff/patients", token, body)
    assert registered.status_code == 201, registered.json_body
    table = boto3.resource("dynamodb").Table(aws.physical["PatientsTable"])
    as_written = table.get_item(Key={"patient_id": registered.json_body["patient_id"]}, ConsistentRead=True)["Item"]
    del as_written["born_in"]
    table.put_item(Item=as_written)
    search = {"family_name": "Okafor", "birth_date": "1961-02-03"}
    assert _call(api, "/v1/staff/patients/search", token, search).json_body["patients"] == []

    # WHEN the operator counts first, THEN nothing changes
    assert admin.main(["backfill-patient-search", "--dry-run"]) == 0
    assert "1 patients are missing from the search by birth date; nothing changed" in capsys.readouterr().out

    # WHEN the operator runs it, THEN staff find the patient by name and birth date
    assert admin.main(["backfill-patient-search"]) == 0
    assert "1 patients were missing from the search by birth date: 1 added, 0 left" in capsys.readouterr().out
    found = _call(api, "/v1/staff/patients/search", token, search).json_body["patients"]
    assert [p["patient"]["patient_id"] for p in found] == [registered.json_body["patient_id"]]
    # AND the record is otherwise as it was (its version too), and a second run does nothing
    after = table.get_item(Key={"patient_id": registered.json_body["patient_id"]}, ConsistentRead=True)["Item"]
    assert {k: v for k, v in after.items() if k != "born_in"} == as_written
    assert admin.main(["backfill-patient-search"]) == 0
    assert "0 patients were missing from the search by birth date: 0 added" in capsys.readouterr().out


# -- the waiting index's and the organization's quarantine backfills --------------------------------


def test_the_upcoming_and_quarantine_backfills_say_what_they_found_and_a_second_run_finds_nothing(aws, capsys):
    # GIVEN a result waiting for release and a quarantined message of a registered sender, both
    # written as an older version wrote them (without the new indexes' keys)
    from chalicelib.audit.domain import Action, Outcome
    from chalicelib.audit.service import new_event
    from chalicelib.data.models import FeedMessageModel, RecordModel
    from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedStatus
    from chalicelib.feeds.service import FEED_INTAKE
    from chalicelib.kernel.keys import timed_key
    from chalicelib.records.domain import StoredResult

    container = wiring.container()
    seed.seed(container, {})
    now = container.clock.now()
    waiting = StoredResult(
        patient_id="a" * 32,
        result_id="b" * 32,
        version=1,
        category="pathology",
        status="final",
        content_sha256="c",
        content={"code": {"display": "Biopsy"}},
        organization_id=seed.ORGANIZATION_ID,
        source="LAB|1",
        filed_at=now,
        release_at=now + timedelta(days=2),
        listed_at=timed_key(now, "b" * 32),
    )
    container.records.put_version(waiting)
    RecordModel(patient_id=waiting.patient_id, record_key=f"result#{waiting.result_id}").update(
        actions=[RecordModel.waiting_pk.remove(), RecordModel.waiting_sk.remove()]
    )
    container.records.add_feed_source(FeedSource("OLD|LAB", seed.ORGANIZATION_ID, "AMC-MRN"))
    message = FeedMessage(
        key="OLD|LAB|1",
        sha256="d",
        format=FeedFormat.HL7V2,
        message_type="ORU^R01",
        sender="OLD|LAB",
        control_id="1",
        status=FeedStatus.QUARANTINED,
        reason="No patient identifier the portal can match.",
        archive_key="inbound/d",
        received_at=now,
    )
    event = new_event(
        actor=FEED_INTAKE,
        action=Action.CREATE,
        event_type="feed.message.received",
        outcome=Outcome.FAILURE,
        resource_type="FeedMessage",
        resource_id=message.key,
        recorded_at=now,
    )
    container.feed_messages.add(message, event)
    FeedMessageModel(message_key=message.key).update(actions=[FeedMessageModel.org_status.remove()])

    # WHEN the operator counts, runs, and runs again each backfill
    assert admin.main(["backfill-upcoming", "--dry-run"]) == 0
    assert "1 results and documents waiting for release are missing" in capsys.readouterr().out
    assert admin.main(["backfill-upcoming"]) == 0
    assert "1 added, 0 left" in capsys.readouterr().out
    assert admin.main(["backfill-quarantine"]) == 0
    assert "1 quarantined and held feed messages were missing from their organization's list: 1 added" in (
        capsys.readouterr().out
    )
    assert admin.main(["backfill-upcoming"]) == 0
    assert admin.main(["backfill-quarantine"]) == 0
    assert capsys.readouterr().out.count("0 added") == 2

    # THEN the result is on the patient's list of what is on its way, the message on the organization's
    assert [r.result_id for r in container.records.upcoming(waiting.patient_id, now)] == [waiting.result_id]
    listed, _ = container.feed_messages.in_status(FeedStatus.QUARANTINED, 10, organization_id=seed.ORGANIZATION_ID)
    assert [m.key for m in listed] == [message.key]
