"""Who reaches what: every route declares its access rule and none names a gateway authorizer (the
envelope checks the session); patients never reach staff or admin routes (and each refusal is audited); My
Connections links another organization's record only when it describes the same person; a
patient's own view never shows another patient; enrollment answers never echo what was typed."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from chalicelib import wiring
from chalicelib.http.routing import Access, access_rule
from tests.integration.conftest import deliver_notifications, link_in
from tests.integration.identity.conftest import PATIENT, call, enrollment, register_and_invite, sign_in
from tests.integration.identity.test_staff_and_admin import OTHER_ORG, other_organization_staff

HOME_ORG = "albany-medical-center"
PATIENT_USER, PATIENT_PASSWORD = "ana.nunez", "correct horse battery"
DUMMY_PARAMS = {
    "patient_id": "0" * 32,
    "account_id": "0" * 32,
    "invitation_id": "0123456789abcdef",
    "connection_id": "0123456789abcdef",
}


def app_routes():
    """Every route but the CORS preflights (OPTIONS on every path: public by design, answered by
    the request envelope, tests/e2e/test_api_contract_http.py)."""
    import app as app_module

    return [
        (path, method, entry)
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
        if method != "OPTIONS"
    ]


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: DUMMY_PARAMS.get(m.group(1), "0" * 32), path)


# -- deny by default ------------------------------------------------------------------------------


def test_every_route_has_an_access_rule_and_none_a_gateway_authorizer():
    # The request envelope checks the session of every route whose rule needs one, in the API
    # function: an authorizer would be a second Lambda invocation (and cold start) per request.
    routes = app_routes()
    assert len(routes) > 20
    for path, method, entry in routes:
        rule = access_rule(entry.view_function)
        assert isinstance(rule, Access), f"{method} {path} has no access rule"
        assert entry.authorizer is None, f"{method} {path} names a gateway authorizer"
    staff_or_admin = [
        (path, method, access_rule(entry.view_function))
        for path, method, entry in routes
        if path.startswith(("/v1/staff/", "/v1/admin/"))
    ]
    assert staff_or_admin
    for path, method, rule in staff_or_admin:
        assert rule in (Access.STAFF, Access.ADMIN), f"{method} {path}"
        if path.startswith("/v1/admin/"):
            assert rule is Access.ADMIN, f"{method} {path}"


def test_no_signed_in_route_answers_without_a_session(seeded):
    for path, method, entry in app_routes():
        if access_rule(entry.view_function).needs_session:
            answer = call(seeded, method, concrete(path), {} if method in ("POST", "PUT", "PATCH") else None)
            assert answer.status_code == 401, f"{method} {path}"
            assert answer.json_body["error"]["code"] == "not_authenticated", f"{method} {path}"


def test_a_patient_is_refused_on_every_staff_and_admin_route_and_each_refusal_is_audited(enrolled, seeded):
    token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    account = wiring.container().directory.account_by_username(PATIENT_USER)

    refused = []
    for path, method, _ in app_routes():
        if not path.startswith(("/v1/staff/", "/v1/admin/")):
            continue
        answer = call(seeded, method, concrete(path), {} if method in ("POST", "PUT", "PATCH") else None, token)
        assert answer.status_code == 403, f"{method} {path}: {answer.json_body}"
        assert answer.json_body["error"]["code"] == "forbidden"
        refused.append(path)
    assert len(refused) >= 9

    events, _ = wiring.container().audit_log.by_actor(account.account_id, 100)
    denied = [e for e in events if e.event_type == "access.denied"]
    assert sorted(e.resource_id for e in denied) == sorted(refused)
    assert {(e.outcome.value, e.actor.role, e.reason) for e in denied} == {("denied", "patient", "role_patient")}
    # The patient's own session still works: a refusal is not a sign-out.
    assert call(seeded, "GET", "/v1/me", token=token).status_code == 200


# -- My Connections -------------------------------------------------------------------------------

SARATOGA_RECORD = {
    "mrn": "SH-77",
    "family_name": "NUNEZ",
    "given_names": ["Ana", "Maria"],
    "birth_date": "1984-03-09",
    "sex": "female",
}


@pytest.fixture
def connecting(enrolled, seeded, staff_token, monkeypatch):
    """Ana, enrolled at Albany and signed in, holds an invitation code from Saratoga."""
    other_staff = other_organization_staff(seeded, monkeypatch)

    def invite(record: dict) -> tuple[str, str, str]:
        invited = register_and_invite(seeded, other_staff, record, email="ana@example.org")
        return invited.patient_id, invited.invitation_id, invited.code

    return {"token": sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD), "other_staff": other_staff, "invite": invite}


def connections_of(api, token: str) -> list[dict]:
    answer = call(api, "GET", "/v1/me/connections", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["connections"]


def test_the_enrolling_organization_is_the_first_connection(enrolled, seeded):
    token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    [home] = connections_of(seeded, token)
    assert home["organization_id"] == HOME_ORG and home["status"] == "active"
    assert set(home) == {"connection_id", "organization_id", "organization_name", "patient_id", "status", "added_at"}
    assert home["organization_name"] == "Albany Medical Center"
    # the enrolling organization's record is the account's own one
    assert home["patient_id"] == enrolled.patient_id
    assert call(seeded, "GET", "/v1/me", token=token).json_body["connections"] == [home]


def test_a_code_from_another_organization_for_the_same_person_adds_it(connecting, seeded):
    token = connecting["token"]
    other_patient_id, invitation_id, code = connecting["invite"](SARATOGA_RECORD)

    # the code alone: the invitation names its organization (the patient only has the email's link)
    added = call(seeded, "POST", "/v1/me/connections", {"invitation_code": code}, token)
    assert added.status_code == 201, added.json_body
    assert added.json_body["organization_id"] == OTHER_ORG and added.json_body["status"] == "active"
    assert added.json_body["patient_id"] == other_patient_id
    assert added.json_body["organization_name"] == "Saratoga Hospital"
    listed = connections_of(seeded, token)
    assert sorted((c["organization_id"], c["status"]) for c in listed) == [(HOME_ORG, "active"), (OTHER_ORG, "active")]

    # Saratoga's office sees its patient on the portal, through the code it sent.
    seen = call(seeded, "GET", f"/v1/staff/patients/{other_patient_id}", token=connecting["other_staff"]).json_body
    assert seen["portal_status"] == "active"
    assert [i["status"] for i in seen["invitations"]] == ["used"]
    # The code is used up, and the organization cannot be added twice.
    twice = call(seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token)
    assert twice.status_code in (400, 409)
    assert len(connections_of(seeded, token)) == 2
    assert any(
        e.event_type == "connection.added" for e in wiring.container().audit_log.for_patient(other_patient_id, 50)[0]
    )


def test_the_own_view_reads_no_organization_per_connection_on_each_call(connecting, seeded, monkeypatch):
    # GIVEN Ana is connected to two organizations
    token = connecting["token"]
    _, _, code = connecting["invite"](SARATOGA_RECORD)
    assert call(seeded, "POST", "/v1/me/connections", {"invitation_code": code}, token).status_code == 201
    directory = wiring.container().directory
    read = directory.organization
    reads: list[str] = []
    monkeypatch.setattr(
        directory, "organization", lambda organization_id: reads.append(organization_id) or read(organization_id)
    )

    # WHEN every page asks for her own view
    views = [call(seeded, "GET", "/v1/me", token=token) for _ in range(4)]

    # THEN each shows both names; an organization's name is read once at most in this container
    # (it was just read when she added Saratoga), and not again by the calls after
    for view in views:
        assert view.status_code == 200, view.json_body
        names = sorted(c["organization_name"] for c in view.json_body["connections"])
        assert names == ["Albany Medical Center", "Saratoga Hospital"]
    assert len(reads) == len(set(reads)) and set(reads) <= {HOME_ORG}


def test_a_record_that_describes_someone_else_is_refused_and_the_attempt_counts(connecting, seeded):
    token = connecting["token"]
    other_patient_id, invitation_id, code = connecting["invite"]({**SARATOGA_RECORD, "birth_date": "1984-03-10"})

    refused = call(seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token)
    assert refused.status_code == 400
    assert refused.json_body["error"]["details"][-1] == {"attempts_left": 4}
    assert "1984" not in json.dumps(refused.json_body)
    assert [c["organization_id"] for c in connections_of(seeded, token)] == [HOME_ORG]
    [listed] = call(
        seeded, "GET", f"/v1/staff/invitations?patient_id={other_patient_id}", token=connecting["other_staff"]
    ).json_body["invitations"]
    assert (listed["status"], listed["failed_attempts"]) == ("pending", 1)
    seen = call(seeded, "GET", f"/v1/staff/patients/{other_patient_id}", token=connecting["other_staff"]).json_body
    assert seen["portal_status"] == "invited" and seen["account"] is None


def test_a_code_presented_for_another_organization_is_refused(connecting, seeded):
    token = connecting["token"]
    _, _, code = connecting["invite"](SARATOGA_RECORD)

    wrong_org = call(
        seeded, "POST", "/v1/me/connections", {"organization_id": "troy-clinic", "invitation_code": code}, token
    )
    assert wrong_org.status_code == 400
    assert [c["organization_id"] for c in connections_of(seeded, token)] == [HOME_ORG]
    # The code itself is untouched and still adds the organization it comes from.
    right = call(seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token)
    assert right.status_code == 201


def test_an_added_organization_can_be_removed_but_not_the_home_one(connecting, seeded):
    token = connecting["token"]
    _, _, code = connecting["invite"](SARATOGA_RECORD)
    added = call(
        seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token
    ).json_body
    home = next(c for c in connections_of(seeded, token) if c["organization_id"] == HOME_ORG)

    assert call(seeded, "DELETE", f"/v1/me/connections/{home['connection_id']}", token=token).status_code == 409
    assert call(seeded, "DELETE", "/v1/me/connections/0123456789abcdef", token=token).status_code == 404
    removed = call(seeded, "DELETE", f"/v1/me/connections/{added['connection_id']}", token=token)
    assert removed.status_code == 204
    assert [c["organization_id"] for c in connections_of(seeded, token)] == [HOME_ORG]
    assert call(seeded, "DELETE", f"/v1/me/connections/{added['connection_id']}", token=token).status_code == 404


def test_a_patient_cannot_remove_another_patients_connection(connecting, seeded, staff_token):
    _, _, code = connecting["invite"](SARATOGA_RECORD)
    added = call(
        seeded,
        "POST",
        "/v1/me/connections",
        {"organization_id": OTHER_ORG, "invitation_code": code},
        connecting["token"],
    ).json_body
    bob = register_and_invite(seeded, staff_token, BOB, email="bob@example.org")
    assert call(seeded, "POST", "/v1/enrollments", enrollment(bob, **BOB_ANSWERS)).status_code == 201
    bob_token = sign_in(seeded, "bob.smith", "another horse battery")

    assert call(seeded, "DELETE", f"/v1/me/connections/{added['connection_id']}", token=bob_token).status_code == 404
    assert len(connections_of(seeded, connecting["token"])) == 2


def test_staff_have_no_connections_to_manage(seeded, staff_token):
    assert call(seeded, "GET", "/v1/me/connections", token=staff_token).status_code == 403


# -- one patient never sees another ---------------------------------------------------------------

BOB = {"mrn": "MRN-1002", "family_name": "Smith", "given_names": ["Robert"], "birth_date": "1990-07-14", "sex": "male"}
BOB_ANSWERS = {
    "date_of_birth": "1990-07-14",
    "family_name": "smith",
    "username": "bob.smith",
    "password": "another horse battery",
    "email": "bob@example.org",
}


def test_a_patients_own_view_never_shows_another_patient(enrolled, seeded, staff_token):
    bob = register_and_invite(seeded, staff_token, BOB, email="bob@example.org")
    assert call(seeded, "POST", "/v1/enrollments", enrollment(bob, **BOB_ANSWERS)).status_code == 201
    ana_token = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    bob_token = sign_in(seeded, "bob.smith", "another horse battery")

    ana = call(seeded, "GET", "/v1/me", token=ana_token)
    bob_view = call(seeded, "GET", "/v1/me", token=bob_token)
    assert ana.status_code == bob_view.status_code == 200
    assert ana.json_body["patient"]["patient_id"] == enrolled.patient_id
    assert bob_view.json_body["patient"]["patient_id"] == bob.patient_id
    ana_text = json.dumps(ana.json_body, ensure_ascii=False)
    bob_text = json.dumps(bob_view.json_body, ensure_ascii=False)
    for bobs in (bob.patient_id, "MRN-1002", "Smith", "Robert", "1990-07-14", "bob"):
        assert bobs not in ana_text, bobs
    for anas in (enrolled.patient_id, "MRN-1001", "Núñez", "Ana", "1984-03-09", "ana"):
        assert anas not in bob_text, anas
    # Each read is recorded for the patient it showed, by the account that read it.
    for patient_id, account in (
        (enrolled.patient_id, ana.json_body["account"]["account_id"]),
        (bob.patient_id, bob_view.json_body["account"]["account_id"]),
    ):
        reads = [
            e for e in wiring.container().audit_log.for_patient(patient_id, 50)[0] if e.event_type == "patient.read"
        ]
        assert [e.actor.account_id for e in reads] == [account]


def test_enrollment_answers_never_echo_the_birth_date_or_the_name(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    answers = {"username": "patient.one", "password": "a private passphrase"}
    typed = ("1984-03-09", "1984-03-10", "1984/03/09", "Núñez", "nunez", "Nuñes", "a private passphrase")

    attempts = [
        enrollment(invited, **answers, date_of_birth="1984-03-10"),  # wrong birth date
        enrollment(invited, **answers, family_name="Nuñes"),  # wrong family name
        enrollment(invited, **answers, date_of_birth="1984/03/09"),  # not a date
        enrollment(invited, **{**answers, "password": "short"}, family_name="Nuñes"),  # several problems
        enrollment(invited, **answers),  # right
    ]
    answered = [call(seeded, "POST", "/v1/enrollments", body) for body in attempts]
    assert [a.status_code for a in answered] == [400, 400, 400, 400, 201]
    for answer in answered:
        text = answer.body.decode() if isinstance(answer.body, bytes) else str(answer.body)
        text = text + json.dumps(answer.json_body, ensure_ascii=False)
        for value in typed:
            assert value.lower() not in text.lower(), (answer.status_code, value)
    assert answered[-1].json_body["username"] == "patient.one"
    # Nor does the email sent to the patient afterwards.
    for email in deliver_notifications(seeded):
        if email.destinations["ToAddresses"] == [invited.email]:
            body = email.body
            if "/enroll?code=" in body:
                body = body.replace(link_in(email, "/enroll?code="), "<code>")
            assert "1984" not in body and "Núñez" not in body


def test_staff_registered_patient_data_is_not_in_the_patients_enrollment_answer(seeded, staff_token):
    invited = register_and_invite(seeded, staff_token, {**PATIENT, "email": "record@example.org"})
    enrolled = call(seeded, "POST", "/v1/enrollments", enrollment(invited, username="patient.two"))
    assert enrolled.status_code == 201
    assert set(enrolled.json_body) == {"account_id", "username", "email_verification_sent"}


def test_a_removed_organization_may_invite_the_patient_again(connecting, seeded):
    token, other_staff = connecting["token"], connecting["other_staff"]
    other_patient_id, _, code = connecting["invite"](SARATOGA_RECORD)
    added = call(
        seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token
    ).json_body
    assert call(seeded, "DELETE", f"/v1/me/connections/{added['connection_id']}", token=token).status_code == 204

    # Saratoga's record is no longer on the portal through Ana's account ...
    seen = call(seeded, "GET", f"/v1/staff/patients/{other_patient_id}", token=other_staff).json_body
    assert seen["portal_status"] != "active"
    assert seen["account"] is None
    # ... so its office can send a new code, and Ana can connect again with it.
    again = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": other_patient_id, "email": "ana@example.org"},
        other_staff,
    )
    assert again.status_code == 201, again.json_body
    new_code = link_in(
        [e for e in deliver_notifications(seeded) if e.destinations["ToAddresses"] == ["ana@example.org"]][-1],
        "/enroll?code=",
    )
    reconnected = call(
        seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": new_code}, token
    )
    assert reconnected.status_code == 201, reconnected.json_body
    assert len(connections_of(seeded, token)) == 2


def test_a_connected_organization_cannot_suspend_the_patients_account_nor_see_its_settings(connecting, seeded):
    # GIVEN Ana, enrolled at Albany, has connected Saratoga
    token = connecting["token"]
    other_patient_id, _, code = connecting["invite"](SARATOGA_RECORD)
    assert (
        call(
            seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token
        ).status_code
        == 201
    )

    # WHEN Saratoga's staff try to suspend her portal account
    refused = call(
        seeded,
        "POST",
        f"/v1/staff/patients/{other_patient_id}/portal-access",
        {"action": "suspend"},
        connecting["other_staff"],
    )

    # THEN they are refused, her session still works, and they never saw her account's settings
    assert refused.status_code == 409
    assert call(seeded, "GET", "/v1/me", token=token).status_code == 200
    seen = call(seeded, "GET", f"/v1/staff/patients/{other_patient_id}", token=connecting["other_staff"]).json_body
    assert seen["portal_status"] == "active" and seen["account"] is None


# -- a connected organization's record ------------------------------------------------------------


def saratoga_result(seeded, container, value: str) -> None:
    """Saratoga's lab files a glucose result for its patient SH-77 through the real feed."""
    from chalicelib.feeds.domain import FeedSource
    from tests.integration.conftest import sqs_event

    container.records.add_feed_source(FeedSource("LAB|SH", OTHER_ORG, "SH-MRN"))
    message = "\r".join(
        [
            "MSH|^~\\&|LAB|SH|||20261125080000||ORU^R01|sh-1|P|2.5.1",
            "PID|1||SH-77^^^SH-MRN^MR||NUNEZ^Ana||19840309|F",
            "OBR|1||SH-ORD-1^LAB|2345-7^Glucose^LN|||20261125070000||||||||||||||20261125075500||CH|F",
            f"OBX|1|NM|2345-7^Glucose^LN||{value}|mg/dL|70-99|N|||F|||20261125070000",
        ]
    )
    answer = seeded.lambda_.invoke(
        "on_clinical_feed_message",
        sqs_event(seeded, [message], "patient-portal-clinical-inbound.fifo", group_id="LAB"),
    )
    assert answer.payload == {"batchItemFailures": []}


def test_a_connected_organizations_results_are_read_by_the_id_its_connection_names(
    connecting, seeded, staff_token, container
):
    # GIVEN Ana connected Saratoga, whose lab filed a result for her there
    token = connecting["token"]
    other_patient_id, _, code = connecting["invite"](SARATOGA_RECORD)
    added = call(seeded, "POST", "/v1/me/connections", {"organization_id": OTHER_ORG, "invitation_code": code}, token)
    assert added.status_code == 201
    saratoga_result(seeded, container, "91")

    # WHEN she lists her connections and reads the results of the record Saratoga's names
    saratoga = next(c for c in connections_of(seeded, token) if c["organization_id"] == OTHER_ORG)
    listed = call(seeded, "GET", f"/v1/patients/{saratoga['patient_id']}/results", token=token)

    # THEN she sees Saratoga's result (and only there: her Albany record has none)
    assert listed.status_code == 200, listed.json_body
    [result] = listed.json_body["results"]
    assert result["name"] == "Glucose"
    home = next(c for c in connections_of(seeded, token) if c["organization_id"] == HOME_ORG)
    assert call(seeded, "GET", f"/v1/patients/{home['patient_id']}/results", token=token).json_body["results"] == []
    detail = call(seeded, "GET", f"/v1/patients/{other_patient_id}/results/{result['result_id']}", token=token)
    assert detail.json_body["report"]["observations"][0]["value"] == {"type": "numeric", "number": "91"}

    # and another patient's record id, of her own organization, is refused as unknown
    bob = register_and_invite(seeded, staff_token, BOB, email="bob@example.org")
    refused = call(seeded, "GET", f"/v1/patients/{bob.patient_id}/results", token=token)
    assert refused.status_code == 404 and refused.json_body["error"]["code"] == "not_found"

    # a connection that falls back to pending names no record, and opens none
    account = wiring.container().directory.account_by_username(PATIENT_USER)
    wiring.container().directory.save_account(
        dataclasses.replace(
            account,
            connections=tuple(
                dataclasses.replace(c, status="pending") if c.organization_id == OTHER_ORG else c
                for c in account.connections
            ),
        )
    )
    pending = next(c for c in connections_of(seeded, token) if c["organization_id"] == OTHER_ORG)
    assert (pending["status"], pending["patient_id"]) == ("pending", None)
    assert call(seeded, "GET", f"/v1/patients/{other_patient_id}/results", token=token).status_code == 404


def test_a_code_named_with_another_organization_is_refused_and_stays_usable(connecting, seeded):
    token = connecting["token"]
    _, _, code = connecting["invite"](SARATOGA_RECORD)

    wrong = call(seeded, "POST", "/v1/me/connections", {"organization_id": HOME_ORG, "invitation_code": code}, token)
    assert wrong.status_code == 400, wrong.json_body
    assert [d["field"] for d in wrong.json_body["error"]["details"]] == ["invitation_code"]
    assert call(seeded, "POST", "/v1/me/connections", {"invitation_code": code}, token).status_code == 201
