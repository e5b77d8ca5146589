"""A patient the EHR records as deceased, through the real feed handler: HL7 PID-29/30 (an A08
as Epic-style interfaces send it: death date/time with its zone, indicator Y) and a FHIR Patient
with deceasedDateTime mark the record; the portal then refuses invitations, enrollment with an
invitation made before the death, and sign-in, and the feed ends the open session; staff see the
mark and the reason; results keep filing; a later correction undoes the mark and sign-in works
again."""

from __future__ import annotations

import json

import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    PATIENT,
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.identity.test_staff_and_admin import OTHER_ORG, other_organization_staff
from tests.integration.records.conftest import ORG, deliver, find, rid, segment

ADT, LAB, FHIR_SENDER = "EPIC|AMC", "LAB|AMC", "ehr-fhir"
MRN = "MRN-1001^^^AMC-MRN^MR"
USER, PASSWORD = "ana.nunez", "correct horse battery"


def a08(control: str, sent: str, death: str = "", indicator: str = "", mrn: str = MRN, facility: str = "AMC") -> str:
    """An A08 (update patient information) with the death fields as Epic-style feeds fill them."""
    fields = {1: "1", 3: mrn, 5: "NUNEZ^ANA^M", 7: "19840309", 8: "F", 11: "12 Main St^^Albany^NY^12208"}
    if death:
        fields[29] = death
    if indicator:
        fields[30] = indicator
    return "\r".join(
        [
            f"MSH|^~\\&|EPIC|{facility}|PORTAL|{facility}|{sent}||ADT^A08^ADT_A01|{control}|P|2.5.1",
            f"EVN|A08|{sent}",
            segment("PID", fields),
            segment("PV1", {1: "1", 2: "O"}),
        ]
    )


def oru(control: str, order: str = "ORD-1") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261203080000||ORU^R01|{control}|P|2.5.1",
            f"PID|1||{MRN}||Núñez^Ana||19840309|F",
            f"OBR|1||{order}^LAB|2345-7^Glucose^LN|||20261203070000|||||||||^Doctor^Gail||||||20261203075500||CH|F",
            "OBX|1|NM|2345-7^Glucose^LN||98|mg/dL|70-99|N|||F|||20261203070000",
        ]
    )


def fhir_patient(deceased: dict, updated: str) -> str:
    patient = {
        "resourceType": "Patient",
        "id": "ana",
        "meta": {"lastUpdated": updated},
        "identifier": [{"system": "AMC-MRN", "value": "MRN-1001"}],
        "name": [{"family": "Núñez", "given": ["Ana"]}],
        "birthDate": "1984-03-09",
        **deceased,
    }
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]})


@pytest.fixture
def feeds(seeded, container):
    for sender in (ADT, LAB):
        container.records.add_feed_source(FeedSource(sender, ORG, "AMC-MRN"))
    container.records.add_feed_source(FeedSource(FHIR_SENDER, ORG, authorities=(("AMC-MRN", "AMC-MRN"),)))

    def send(body: str, group: str = "ADT", sender: str | None = None) -> None:
        attributes = {"sender": sender} if sender else None
        assert deliver(seeded, body, group_id=group, attributes=attributes) == {"batchItemFailures": []}

    return send


def staff_view(api, token: str, patient_id: str) -> dict:
    answer = call(api, "GET", f"/v1/staff/patients/{patient_id}", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def test_an_a08_with_a_death_date_closes_the_account_ends_its_session_and_results_still_file(
    feeds, enrolled, seeded, staff_token
):
    session = sign_in(seeded, USER, PASSWORD)
    assert call(seeded, "GET", "/v1/me", token=session).status_code == 200

    feeds(a08("A08-1", "20261202101500", death="20261201093000-0500", indicator="Y"))

    seen = staff_view(seeded, staff_token, enrolled.patient_id)
    assert (seen["patient"]["deceased"], seen["patient"]["deceased_on"]) == (True, "2026-12-01")
    assert seen["account"]["closed_reason"] == "deceased"  # the reason, for whoever takes the call
    # The open session ended at once; signing in again is refused in plain words, without the date.
    assert call(seeded, "GET", "/v1/me", token=session).status_code == 401
    refused = call(seeded, "POST", "/v1/sessions", {"username": USER, "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json_body["error"]["code"] == "account_closed"
    assert "closed" in refused.json_body["error"]["message"]
    assert "2026" not in json.dumps(refused.json_body) and "deceased" not in json.dumps(refused.json_body)
    # The record still takes results; the account is not told of them (it cannot sign in).
    emailed = len(deliver_notifications(seeded))
    feeds(oru("ORU-1"), group="LAB")
    assert wiring.container().records.current(enrolled.patient_id, rid(LAB, "ORD-1^LAB")) is not None
    assert len(deliver_notifications(seeded)) == emailed


def test_a_deceased_patient_cannot_be_invited_nor_an_earlier_invitation_used(feeds, seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)  # before the death

    feeds(a08("A08-1", "20261202101500", death="20261201", indicator="Y"))

    again = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": invited.patient_id, "email": "a@example.org"},
        staff_token,
    )
    assert again.status_code == 409
    assert "deceased" in again.json_body["error"]["message"]
    resend = call(seeded, "POST", f"/v1/staff/invitations/{invited.invitation_id}/resend", None, staff_token)
    assert resend.status_code == 409
    used = call(seeded, "POST", "/v1/enrollments", enrollment(invited))
    assert used.status_code == 409
    body = json.dumps(used.json_body)
    assert "can no longer be used" in used.json_body["error"]["message"]
    assert "2026" not in body and "deceased" not in body
    assert staff_view(seeded, staff_token, invited.patient_id)["account"] is None
    assert call(seeded, "POST", "/v1/sessions", {"username": USER, "password": PASSWORD}).status_code == 401


def test_a_later_correction_undoes_the_mark_and_sign_in_works_again(feeds, enrolled, seeded, staff_token):
    feeds(a08("A08-1", "20261202101500", death="20261201093000", indicator="Y"))
    # A message that says nothing about death, and an older one replayed late, change nothing.
    feeds(a08("A08-2", "20261202120000"))
    feeds(a08("A08-0", "20261130080000", indicator="N"))
    assert find(ORG, "AMC-MRN", "MRN-1001").deceased

    feeds(a08("A08-3", "20261202130000", indicator="N"))

    patient = find(ORG, "AMC-MRN", "MRN-1001")
    assert (patient.deceased, patient.deceased_on) == (False, "")
    seen = staff_view(seeded, staff_token, enrolled.patient_id)
    assert seen["patient"]["deceased"] is False
    assert (seen["account"]["status"], seen["account"]["closed_reason"]) == ("active", None)
    assert call(seeded, "GET", "/v1/me", token=sign_in(seeded, USER, PASSWORD)).status_code == 200


def test_an_a08_clearing_the_death_fields_is_a_correction(feeds, seeded, staff_token):
    invited = register_and_invite(seeded, staff_token)
    feeds(a08("A08-1", "20261202101500", death="20261201", indicator="Y"))
    feeds(a08("A08-2", "20261202130000", death='""', indicator='""'))

    assert find(ORG, "AMC-MRN", "MRN-1001").deceased is False
    assert call(seeded, "POST", "/v1/enrollments", enrollment(invited)).status_code == 201


def test_a_fhir_patient_with_deceased_date_time_marks_the_record_and_deceased_boolean_false_undoes_it(
    feeds, enrolled, seeded, staff_token
):
    session = sign_in(seeded, USER, PASSWORD)

    feeds(fhir_patient({"deceasedDateTime": "2026-12-01T09:30:00-05:00"}, "2026-12-02T10:00:00Z"), "EHR", FHIR_SENDER)

    seen = staff_view(seeded, staff_token, enrolled.patient_id)
    assert (seen["patient"]["deceased"], seen["patient"]["deceased_on"]) == (True, "2026-12-01")
    assert seen["account"]["closed_reason"] == "deceased"
    assert call(seeded, "GET", "/v1/me", token=session).status_code == 401
    assert call(seeded, "POST", "/v1/sessions", {"username": USER, "password": PASSWORD}).status_code == 403

    feeds(fhir_patient({"deceasedBoolean": False}, "2026-12-02T11:00:00Z"), "EHR", FHIR_SENDER)

    assert staff_view(seeded, staff_token, enrolled.patient_id)["patient"]["deceased"] is False
    assert sign_in(seeded, USER, PASSWORD)


def test_another_organizations_deceased_record_cannot_be_connected(feeds, enrolled, seeded, monkeypatch, container):
    other_staff = other_organization_staff(seeded, monkeypatch)
    record = {
        "mrn": "SH-77",
        "family_name": "NUNEZ",
        "given_names": ["Ana"],
        "birth_date": "1984-03-09",
        "sex": "female",
    }
    invited = register_and_invite(seeded, other_staff, record, email="ana@example.org")
    authority = container.directory.organization(OTHER_ORG).mrn_authority
    container.records.add_feed_source(FeedSource("EPIC|SH", OTHER_ORG, authority))
    feeds(a08("SH-1", "20261202101500", death="20261201", indicator="Y", mrn="SH-77", facility="SH"), "SH")
    token = sign_in(seeded, USER, PASSWORD)

    refused = call(seeded, "POST", "/v1/me/connections", {"invitation_code": invited.code}, token)

    assert refused.status_code == 409
    assert "2026" not in json.dumps(refused.json_body)
    # The home account is not closed by another organization's record.
    assert call(seeded, "GET", "/v1/me", token=token).status_code == 200
