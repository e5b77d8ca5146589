"""The "something new is waiting" notice: filed results for an enrolled patient put it in the
portal inbox, and email it to a verified address if the patient wants it; results minutes apart
fold into one notice and one email (a run ends after ten quiet minutes, or half an hour after it
began), and never with PHI."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.feeds.domain import FeedSource
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, sign_in
from tests.integration.records.conftest import ORG, ana_oru, deliver, feed_records, oru

SUBJECT = "Something new is waiting in your patient portal"
ANA = "MRN-1001^^^AMC-MRN"


@pytest.fixture
def window_start() -> datetime:
    """A moment a little ahead, on a whole ten minutes (the folding does not care: it slides)."""
    now = int(datetime.now(timezone.utc).timestamp())
    return datetime.fromtimestamp((now // 600 + 1) * 600, timezone.utc)


@pytest.fixture
def ana(enrolled, container):
    container.records.add_feed_source(FeedSource("LAB|AMC", ORG, "AMC-MRN"))
    return enrolled


def waiting(api, address: str = "ana@example.org") -> list:
    return [
        e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [address] and e.subject == SUBJECT
    ]


def inbox(api) -> list[dict]:
    token = sign_in(api, "ana.nunez", "correct horse battery")
    listed = call(api, "GET", "/v1/me/notifications", token=token)
    assert listed.status_code == 200, listed.json_body
    return listed.json_body["notifications"]


def test_a_result_for_an_enrolled_patient_sends_one_email_without_phi(seeded, ana, window_start):
    deliver(seeded, ana_oru("CTRL-1"), at=window_start + timedelta(seconds=5))

    [email] = waiting(seeded)
    assert feed_records()["LAB|AMC|CTRL-1"].status == "filed"
    assert 'href="https://portal.test/"' in email.body
    text = email.subject + "\n" + email.body
    for phi in (
        "Cholesterol",
        "2093-3",
        "241",
        "mg/dL",
        "Ana",
        "Núñez",
        "Nunez",
        "MRN-1001",
        "Welby",
        "Albany Medical Center Laboratory",
        "1984",
    ):
        assert phi not in text, phi


def test_results_minutes_apart_across_the_clocks_ten_minutes_make_one_email(seeded, ana, window_start):
    # GIVEN results released at 09:58, 10:03 and 10:09 (no fixed ten minutes holds them all)
    ten = window_start
    for control, minutes in (("CTRL-1", -2), ("CTRL-2", 3), ("CTRL-3", 9)):
        deliver(seeded, ana_oru(control, filler=f"F-{control}^LAB"), at=ten + timedelta(minutes=minutes))

    # THEN one email and one notice in the portal
    assert len(waiting(seeded)) == 1
    assert [item["title"] for item in inbox(seeded)] == [SUBJECT]

    # a result after ten quiet minutes (10:20) is news again
    deliver(seeded, ana_oru("CTRL-4", filler="F-4^LAB"), at=ten + timedelta(minutes=20))
    assert len(waiting(seeded)) == 2
    assert len(inbox(seeded)) == 2


def test_a_steady_trickle_of_results_still_emails_every_half_hour(seeded, ana, window_start):
    # GIVEN a result every eight minutes for forty minutes: never ten quiet minutes
    for number, minutes in enumerate((0, 8, 16, 24, 32, 40)):
        deliver(
            seeded, ana_oru(f"CTRL-{number}", filler=f"F-{number}^LAB"), at=window_start + timedelta(minutes=minutes)
        )

    # THEN the first run ends half an hour after it began: the result at 32 minutes is a new email
    assert len(waiting(seeded)) == 2
    assert len(inbox(seeded)) == 2


def test_a_resend_sends_no_second_email(seeded, ana, window_start):
    deliver(seeded, ana_oru("CTRL-1"), at=window_start + timedelta(seconds=5))
    deliver(seeded, ana_oru("CTRL-2"), at=window_start + timedelta(minutes=20))  # the same result again

    assert len(waiting(seeded)) == 1


def test_a_patient_who_turned_result_email_off_gets_none_but_sees_the_notice_in_the_portal(seeded, ana, window_start):
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    changed = call(seeded, "PUT", "/v1/me/notification-preferences", {"email_new_results": False}, token)
    assert changed.status_code == 200, changed.json_body

    deliver(seeded, ana_oru("CTRL-1"), at=window_start + timedelta(seconds=5))

    assert feed_records()["LAB|AMC|CTRL-1"].status == "filed"
    assert waiting(seeded) == []
    assert [item["template"] for item in inbox(seeded)] == ["something_waiting"]


def test_a_patient_without_portal_access_gets_no_email(seeded, container, window_start):
    container.records.add_feed_source(FeedSource("LAB|AMC", ORG, "AMC-MRN"))

    deliver(seeded, oru("CTRL-1", "P-900^^^AMC-MRN"), at=window_start + timedelta(seconds=5))

    assert feed_records()["LAB|AMC|CTRL-1"].status == "filed"
    assert [e for e in deliver_notifications(seeded) if e.subject == SUBJECT] == []


def _fhir_patient(key: str, system: str, value: str, family: str, given: str, birth: str) -> dict:
    return {
        "fullUrl": f"urn:uuid:{key}",
        "resource": {
            "resourceType": "Patient",
            "id": key,
            "identifier": [{"system": system, "value": value}],
            "name": [{"family": family, "given": [given]}],
            "birthDate": birth,
        },
    }


def _fhir_glucose(key: str, patient_key: str, value: str) -> dict:
    return {
        "fullUrl": f"urn:uuid:{key}",
        "resource": {
            "resourceType": "Observation",
            "id": key,
            "status": "final",
            "category": [
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}
                    ]
                }
            ],
            "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7", "display": "Glucose"}]},
            "subject": {"reference": f"urn:uuid:{patient_key}"},
            "valueQuantity": {"value": value, "unit": "mg/dL"},
        },
    }


def test_only_the_patient_with_news_is_told_when_a_document_names_several(seeded, ana, container, window_start):
    """A document about two patients, with news for one of them only: the other gets no email."""
    import json

    # the EHR writes the organization's record numbers' system as "AMC-MRN", a local name it declares
    container.records.add_feed_source(FeedSource("ehr-fhir", ORG, authorities=(("AMC-MRN", "AMC-MRN"),)))
    ana_entries = [
        _fhir_patient("ana", "AMC-MRN", "MRN-1001", "Núñez", "Ana", "1984-03-09"),
        _fhir_glucose("glucose-ana", "ana", "98"),
    ]
    first = {"resourceType": "Bundle", "type": "collection", "entry": ana_entries}
    deliver(
        seeded,
        json.dumps(first),
        group_id="EHR",
        attributes={"sender": "ehr-fhir"},
        at=window_start + timedelta(seconds=5),
    )
    assert len(waiting(seeded)) == 1

    # later: the same bundle again, with another patient's new result in front of Ana's old one
    second = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            _fhir_patient("bo", "AMC-MRN", "MRN-2002", "Berg", "Bo", "1970-05-05"),
            _fhir_glucose("glucose-bo", "bo", "140"),
            *ana_entries,
        ],
    }
    deliver(
        seeded,
        json.dumps(second),
        group_id="EHR",
        attributes={"sender": "ehr-fhir"},
        at=window_start + timedelta(minutes=30),
    )

    assert {r.status for r in feed_records().values()} == {"filed"}
    assert len(waiting(seeded)) == 1  # nothing new for Ana
    assert len(inbox(seeded)) == 1
