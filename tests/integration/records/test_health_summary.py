"""The health summary from the feeds, as the patient sees it: single FHIR resources sent after
their Patient are filed under that patient (before it, they wait in quarantine), each section
lists what is current, updates make versions, withdrawn entries leave the list, a discharge
summary waits from the discharge, and every read is audited. moto in decorator mode, the real
feed handler, the real API."""

from __future__ import annotations

import base64
import copy
import json
import os
import urllib.parse
from datetime import datetime, timedelta, timezone

import boto3
import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from chalicelib.kernel.zones import with_offset
from tests.conftest import SAMPLES_DIR
from tests.integration.conftest import deliver_notifications, link_in, sqs_event
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, QUEUE, all_records, deliver, feed_records, find, patient_items, rid
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

SENDER = "ehr-fhir"
OTHER_SENDER = "clinic-fhir"
SYSTEM = "http://example.org/patient/identifiers"
SECTIONS = ("allergies", "conditions", "medications", "immunizations", "visits", "appointments", "vital_signs")


# -- FHIR documents -----------------------------------------------------------------------------------


def sample(name: str) -> dict:
    """A sample as a live feed would send it: the FHIR specification's own examples are tagged as
    test data (HTEST), which the portal never files into a live chart, so the tag is dropped."""
    document = json.loads((SAMPLES_DIR / "fhir" / name).read_text())
    meta = document.get("meta", {})
    meta["tag"] = [tag for tag in meta.get("tag", []) if tag.get("code") != "HTEST"]
    return document


def patient_resource() -> dict:
    return sample("uscore_patient-example.json")


def allergy(
    version: str = "1",
    criticality: str = "high",
    verification: str = "confirmed",
    updated: str = "2019-07-09T15:26:23.217+00:00",
) -> dict:
    """The US Core allergy (a searchset Bundle in the samples) as the resource itself, as a sender
    sends an update: the same id, a new meta.versionId."""
    resource = copy.deepcopy(sample("uscore_allergyintolerance-provenance-example1.json")["entry"][0]["resource"])
    resource["meta"]["versionId"] = version
    resource["meta"]["lastUpdated"] = updated
    resource["criticality"] = criticality
    resource["verificationStatus"]["coding"][0]["code"] = verification
    return resource


def encounter(encounter_id: str, ended: datetime, started: datetime | None = None) -> dict:
    resource = sample("uscore_encounter-1036.json")
    resource.update(
        id=encounter_id,
        status="finished",
        period={
            "start": f"{(started or ended - timedelta(days=3)):%Y-%m-%dT%H:%M:%SZ}",
            "end": f"{ended:%Y-%m-%dT%H:%M:%SZ}",
        },
    )
    return resource


def discharge_summary(document_id: str = "discharge-summary", encounter_id: str = "example-1") -> dict:
    resource = sample("uscore_documentreference-discharge-summary.json")
    resource["id"] = document_id
    resource["context"]["encounter"] = [{"reference": f"Encounter/{encounter_id}"}]
    return resource


# -- the feed and the API -----------------------------------------------------------------------------


@pytest.fixture
def ehr(seeded, container):
    """Two FHIR senders of the demo organization (FHIR identifiers carry their authority)."""
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    container.records.add_feed_source(FeedSource(OTHER_SENDER, ORG))
    return seeded


def send(api, document: dict | str, sender: str = SENDER):
    """One FHIR body through the real handler; the feed record it made (None for a duplicate)."""
    before = set(feed_records())
    body = document if isinstance(document, str) else json.dumps(document)
    assert deliver(api, body, group_id=sender, attributes={"sender": sender}) == {"batchItemFailures": []}
    records = feed_records()
    new = [records[key] for key in set(records) - before]
    assert len(new) <= 1
    return new[0] if new else None


def filed(api, document: dict, sender: str = SENDER) -> None:
    record = send(api, document, sender)
    assert record is not None and record.status == "filed", (record.status, record.reason) if record else None


def enroll_feed_patient(
    api,
    staff_token: str,
    patient_id: str,
    birth_date: str = "1987-02-20",
    family_name: str = "Baxter",
    username: str = "amy.baxter",
) -> str:
    """Staff invite the patient the feed created; she enrolls with what the EHR says about her."""
    from chalicelib.identity import terms

    address = f"{username}@example.org"
    invited = call(api, "POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": address}, staff_token)
    assert invited.status_code == 201, invited.json_body
    [email] = [e for e in deliver_notifications(api) if e.destinations["ToAddresses"] == [address]]
    enrollment = call(
        api,
        "POST",
        "/v1/enrollments",
        {
            "invitation_code": link_in(email, "/enroll?code="),
            "date_of_birth": birth_date,
            "family_name": family_name,
            "username": username,
            "password": "correct horse battery",
            "email": address,
            "accepted_terms_version": terms.SHIPPED.version,
        },
    )
    assert enrollment.status_code == 201, enrollment.json_body
    return sign_in(api, username, "correct horse battery")


@pytest.fixture
def amy(ehr, staff_token):
    """uscore_patient-example.json sent by the EHR, then enrolled: (patient_id, token)."""
    filed(ehr, patient_resource())
    patient = find(ORG, SYSTEM, "1032702")
    assert patient is not None
    return patient.patient_id, enroll_feed_patient(ehr, staff_token, patient.patient_id)


def section(api, patient_id: str, name: str, token: str, query: str = "") -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/health-summary/{name}{query}", token=token)
    assert answer.status_code == 200, answer.json_body
    assert set(answer.json_body) == {name, "next_cursor"}
    return answer.json_body[name]


def documents(api, patient_id: str, token: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/documents", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["documents"]


def results(api, patient_id: str, token: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/results", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["results"]


def downloaded(api, aws, patient_id: str, document_id: str, token: str) -> bytes:
    link = call(api, "GET", f"/v1/patients/{patient_id}/documents/{document_id}/content", token=token)
    assert link.status_code == 302, link.json_body
    bucket = aws.physical["DocumentsBucket"]
    key = urllib.parse.unquote(urllib.parse.urlsplit(link.headers["Location"]).path).lstrip("/")
    return boto3.client("s3").get_object(Bucket=bucket, Key=key.removeprefix(f"{bucket}/"))["Body"].read()


def set_policy(api, delays: dict) -> None:
    admin = sign_in(api, ADMIN_USER, ADMIN_PASSWORD)
    from tests.integration.test_release_policy import policy_body

    answer = call(api, "PUT", "/v1/admin/release-policy", policy_body(delays), admin)
    assert answer.status_code == 200, answer.json_body


def audited(patient_id: str) -> list[str]:
    events, _ = wiring.container().audit_log.for_patient(patient_id, 100)
    return [e.event_type for e in events]


def replay_quarantine(api, staff_token: str) -> int:
    """Staff replay every quarantined message; the inbound queue is then run through the handler."""
    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    sqs.purge_queue(QueueUrl=url)  # (the seed's demo feed)
    items = call(api, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    for item in items:
        answer = call(api, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token)
        assert answer.status_code == 200, answer.json_body
    replayed = 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]).get(
            "Messages", []
        )
        if not messages:
            return replayed
        for message in messages:
            attributes = {name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()}
            event = sqs_event(api, [message["Body"]], QUEUE, group_id="replay", attributes=attributes)
            assert api.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            replayed += 1


def hl7_time(moment: datetime) -> str:
    return f"{moment:%Y%m%d%H%M%S}"


def hl7_segment(name: str, fields: dict[int, str]) -> str:
    return "|".join([name] + [fields.get(n, "") for n in range(1, max(fields) + 1)])


ANA_PID = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"


def adt(
    event: str, control_id: str, visit: str, admitted: datetime, discharged: datetime | None = None, app: str = "LAB"
) -> str:
    pv1 = hl7_segment(
        "PV1",
        {
            1: "1",
            2: "I",
            3: "4W^401^A^AMC",
            19: visit,
            44: hl7_time(admitted),
            45: hl7_time(discharged) if discharged else "",
        },
    )
    return "\r".join(
        [
            f"MSH|^~\\&|{app}|AMC|||20261125080000||ADT^{event}^ADT_A01|{control_id}|P|2.5.1",
            f"EVN|{event}|20261125080000",
            ANA_PID,
            pv1,
        ]
    )


def mdm_summary(control_id: str, unique: str, visit: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125090000||MDM^T02|{control_id}|P|2.5.1",
            "EVN|T02|20261125090000",
            ANA_PID,
            hl7_segment("PV1", {1: "1", 2: "I", 19: visit}),
            f"TXA|1|DS^Discharge summary|TX|20261125080000|||||^Okoro^Grace|||{unique}^EHR|||||AU",
            "OBX|1|TX|DS^Discharge summary||Home today. Follow up in two weeks.||||||F",
        ]
    )


def siu(event: str, control_id: str, start: str = "20270115093000") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125080000||SIU^{event}|{control_id}|P|2.5.1",
            hl7_segment(
                "SCH",
                {
                    1: "APT-1",
                    2: "APT-1^AMC",
                    7: "^Annual physical",
                    9: "30",
                    10: "m",
                    11: f"^^30^{start}^",
                    25: "Booked",
                },
            ),
            ANA_PID,
            hl7_segment("AIP", {1: "1", 3: "1234^Welby^Marcus^^^^MD"}),
        ]
    )


def oru(control_id: str, value: str, status: str, reported: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||{reported}||ORU^R01|{control_id}|P|2.5.1",
            ANA_PID,
            f"OBR|1||ORD-1^LAB|2345-7^Glucose^LN|||20261125070000|||||||||^Doctor^Gail||||||{reported}||CH|{status}",
            f"OBX|1|NM|2345-7^Glucose^LN||{value}|mg/dL|70-99|N|||{status}|||20261125070000",
        ]
    )


# -- single resources after their Patient -----------------------------------------------------------------


def test_single_resources_sent_after_the_patient_are_filed_under_her_and_shown(amy, ehr, aws):
    patient_id, token = amy
    summary_bytes = base64.b64decode(
        sample("uscore_documentreference-discharge-summary.json")["content"][0]["attachment"]["data"]
    )

    for name in (
        "uscore_allergyintolerance-provenance-example1.json",
        "uscore_medicationrequest-contained-oral-axid.json",
        "uscore_medicationrequest-self-tylenol.json",
        "uscore_encounter-1036.json",
        "r4spec_appointment-example.json",
        "uscore_documentreference-discharge-summary.json",
        "uscore_observation-cbc-hemoglobin.json",
    ):
        filed(ehr, sample(name))

    assert len(patient_items()) == 1  # nobody new: each found the patient the EHR sent before
    [peanuts] = section(ehr, patient_id, "allergies", token)
    assert (peanuts["substance"]["display"], peanuts["criticality"], peanuts["version"]) == ("Peanuts", "high", 1)
    assert peanuts["reactions"][0]["manifestations"] == ["Hives"]
    medications = {m["medication"]["display"]: m for m in section(ehr, patient_id, "medications", token)}
    assert set(medications) == {"Nizatidine 15 MG/ML Oral Solution [Axid]", "Tylenol PM Pill"}
    assert medications["Tylenol PM Pill"]["reported_by_patient"] is True
    assert medications["Nizatidine 15 MG/ML Oral Solution [Axid]"]["dosage"] == ["10 mL bid"]
    [visit] = section(ehr, patient_id, "visits", token)
    assert (visit["status"], visit["locations"]) == ("in-progress", ["Holy Family Hospital"])
    assert section(ehr, patient_id, "appointments", token) == []  # by default, those still to come
    [appointment] = section(ehr, patient_id, "appointments", token, "?when=past")
    assert (appointment["starts_at"], appointment["status"]) == ("2013-12-10T09:00:00Z", "booked")
    assert "Dr Adam Careful" in appointment["with"]
    assert section(ehr, patient_id, "conditions", token) == []
    assert section(ehr, patient_id, "immunizations", token) == []
    [hemoglobin] = results(ehr, patient_id, token)
    assert hemoglobin["name"] == "Hemoglobin, Blood"  # the results list holds results only
    [summary] = documents(ehr, patient_id, token)
    assert (summary["type"], summary["title"], summary["content_type"]) == (
        "discharge-summary",
        "Discharge Summary",
        "text/plain",
    )
    assert downloaded(ehr, aws, patient_id, summary["document_id"], token) == summary_bytes


def test_every_section_read_is_audited_and_the_feed_shows_in_the_access_log(amy, ehr):
    patient_id, token = amy
    filed(ehr, sample("uscore_allergyintolerance-provenance-example1.json"))

    for name in SECTIONS:
        section(ehr, patient_id, name, token)

    events = audited(patient_id)
    assert {f"{name}.list" for name in SECTIONS} <= set(events)
    log = call(ehr, "GET", f"/v1/patients/{patient_id}/access-log?limit=50", token=token)
    assert log.status_code == 200, log.json_body
    shown = [(e["what"], e["who"]) for e in log.json_body["events"]]
    assert ("records.filed", "system") in shown
    assert ("allergies.list", "you") in shown


def test_a_synthea_record_fills_conditions_and_immunizations_newest_first(ehr, staff_token):
    filed(ehr, sample("synthea_Alberto_Atencio.json"))
    patient = find(ORG, "http://hospital.smarthealthit.org", "fc712d1f-5a2e-4407-9c55-a2a2bad623c2")
    assert patient is not None
    token = enroll_feed_patient(ehr, staff_token, patient.patient_id, "1993-06-07", "Atencio", "alberto.atencio")

    shots = section(ehr, patient.patient_id, "immunizations", token)
    dates = [s["occurred_at"][:10] for s in shots]
    assert len(dates) == 7 and dates == sorted(dates, reverse=True) and dates[0] == "2019-03-11"
    assert shots[0]["vaccine"]["display"] == "Influenza, seasonal, injectable, preservative free"
    conditions = section(ehr, patient.patient_id, "conditions", token)
    assert {c["condition"]["display"] for c in conditions} == {
        "Seizure disorder",
        "History of single seizure (situation)",
        "Epilepsy",
    }
    assert len(section(ehr, patient.patient_id, "visits", token)) == 6
    assert {m["medication"]["display"] for m in section(ehr, patient.patient_id, "medications", token)} == {
        "Clonazepam [Klonopin]",
        "Carbamazepine[Tegretol]",
    }
    # the CBC and four smoking statuses are results; the vital signs are the health summary's
    assert len(results(ehr, patient.patient_id, token)) == 5
    assert len(section(ehr, patient.patient_id, "vital_signs", token)) == 20  # (a page of its 24 readings)


# -- single resources before their Patient ------------------------------------------------------------

BEFORE_THE_PATIENT = (
    "uscore_allergyintolerance-provenance-example1.json",
    "uscore_medicationrequest-self-tylenol.json",
    "uscore_documentreference-discharge-summary.json",
    "uscore_observation-cbc-hemoglobin.json",
)


def test_resources_sent_before_their_patient_wait_in_quarantine_and_a_replay_files_them(ehr, staff_token):
    for name in BEFORE_THE_PATIENT:
        record = send(ehr, sample(name))
        assert record.status == "quarantined"
        assert "has not received" in record.reason and "send the Patient first" in record.reason
        assert "example" not in record.reason.replace("example.org", "")
    assert patient_items() == []  # never a patient made from a reference
    assert all_records() == []

    filed(ehr, patient_resource())
    patient = find(ORG, SYSTEM, "1032702")
    assert replay_quarantine(ehr, staff_token) == len(BEFORE_THE_PATIENT)

    assert {r.status for r in feed_records().values()} == {"filed"}
    container = wiring.container()
    assert (
        container.records.current(patient.patient_id, rid(SENDER, "AllergyIntolerance/79613"), kind="allergy")
        is not None
    )
    assert container.records.current(patient.patient_id, rid(SENDER, "12345689"), kind="medication") is not None
    assert container.records.current(patient.patient_id, rid(SENDER, "Observation/cbc-hemoglobin")) is not None
    assert (
        container.records.current(
            patient.patient_id, rid(SENDER, "DocumentReference/discharge-summary"), kind="document"
        )
        is not None
    )
    assert len(patient_items()) == 1


def test_fhir_patient_ids_are_each_senders_own(ehr):
    filed(ehr, patient_resource())
    amy = find(ORG, SYSTEM, "1032702")

    # The clinic's "Patient/example" is not the EHR's: the clinic never sent it.
    record = send(ehr, sample("uscore_allergyintolerance-provenance-example1.json"), sender=OTHER_SENDER)
    assert record.status == "quarantined" and "has not received" in record.reason

    other = patient_resource()
    other["identifier"][0]["value"] = "CLINIC-77"
    other["birthDate"] = "1950-01-01"
    filed(ehr, other, sender=OTHER_SENDER)
    filed(ehr, sample("uscore_medicationrequest-self-tylenol.json"), sender=OTHER_SENDER)

    clinic_patient = find(ORG, SYSTEM, "CLINIC-77")
    assert clinic_patient is not None and clinic_patient.patient_id != amy.patient_id
    container = wiring.container()
    assert (
        container.records.current(clinic_patient.patient_id, rid(OTHER_SENDER, "12345689"), kind="medication")
        is not None
    )
    assert container.records.current(amy.patient_id, rid(OTHER_SENDER, "12345689"), kind="medication") is None
    assert {r.patient_id for r in all_records()} == {clinic_patient.patient_id}
    assert find(ORG, SYSTEM, "1032702").birth_date == "1987-02-20"  # Amy untouched


# -- updates and withdrawals -----------------------------------------------------------------------------


def test_an_updated_allergy_is_version_two_and_entered_in_error_takes_it_off(amy, ehr):
    patient_id, token = amy
    filed(ehr, allergy("1", criticality="high"))

    filed(ehr, allergy("2", criticality="low", updated="2020-01-01T00:00:00Z"))
    assert send(ehr, allergy("2", criticality="low", updated="2020-01-01T00:00:00Z")) is None  # a resend

    [shown] = section(ehr, patient_id, "allergies", token)
    assert (shown["version"], shown["criticality"]) == (2, "low")
    versions = wiring.container().records.versions(patient_id, rid(SENDER, "AllergyIntolerance/79613"), kind="allergy")
    assert [(v.version, v.content["criticality"]) for v in versions] == [(2, "low"), (1, "high")]

    filed(ehr, allergy("3", criticality="low", verification="entered-in-error", updated="2020-02-01T00:00:00Z"))

    assert section(ehr, patient_id, "allergies", token) == []
    # the same content sent again puts it back: the sender says it is real after all
    filed(ehr, allergy("4", criticality="low", updated="2020-03-01T00:00:00Z"))
    [back] = section(ehr, patient_id, "allergies", token)
    assert back["version"] == 4


def test_a_document_reference_entered_in_error_takes_the_document_back(amy, ehr):
    patient_id, token = amy
    filed(ehr, discharge_summary())
    [shown] = documents(ehr, patient_id, token)

    withdrawn = discharge_summary()
    withdrawn["status"] = "entered-in-error"
    filed(ehr, withdrawn)

    assert documents(ehr, patient_id, token) == []
    link = call(ehr, "GET", f"/v1/patients/{patient_id}/documents/{shown['document_id']}/content", token=token)
    assert link.status_code == 404


def test_a_moved_appointment_moves_in_the_list_and_a_deleted_one_leaves_it(feed, ana, seeded):
    patient_id, token = ana
    feed(siu("S12", "s-1", start="20270115093000"))
    feed(adt("A01", "a-1", "V-9", datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)))
    [booked] = section(seeded, patient_id, "appointments", token)
    assert (booked["starts_at"], booked["minutes"], booked["status"], booked["with"]) == (
        "2027-01-15T09:30:00-05:00",  # (the demo organization's clocks are New York's)
        30,
        "booked",
        ["Marcus Welby MD"],
    )
    [visit] = section(seeded, patient_id, "visits", token)
    assert (visit["status"], visit["started_at"], visit["locations"]) == (
        "in-progress",
        "2026-12-01T08:00:00-05:00",
        ["4W 401 A AMC"],
    )

    feed(siu("S14", "s-2", start="20270120140000"))
    [moved] = section(seeded, patient_id, "appointments", token)
    assert (moved["starts_at"], moved["version"]) == ("2027-01-20T14:00:00-05:00", 2)

    feed(siu("S17", "s-3", start="20270120140000"))
    assert section(seeded, patient_id, "appointments", token) == []


def test_appointments_to_come_are_listed_soonest_first_and_past_ones_newest_first(feed, ana, seeded):
    patient_id, token = ana
    for number, start in enumerate(("20270301090000", "20270115093000", "20200610080000", "20210210080000")):
        feed(siu("S12", f"s-{number}", start=start).replace("APT-1", f"APT-{number}"))

    upcoming = section(seeded, patient_id, "appointments", token)
    past = section(seeded, patient_id, "appointments", token, "?when=past")
    first = section(seeded, patient_id, "appointments", token, "?limit=1")

    assert [a["starts_at"][:10] for a in upcoming] == ["2027-01-15", "2027-03-01"]
    assert [a["starts_at"][:10] for a in past] == ["2021-02-10", "2020-06-10"]
    assert [a["starts_at"][:10] for a in first] == ["2027-01-15"]
    answer = call(seeded, "GET", f"/v1/patients/{patient_id}/health-summary/appointments?limit=1", token=token)
    rest = call(
        seeded,
        "GET",
        f"/v1/patients/{patient_id}/health-summary/appointments?limit=1&cursor=" + answer.json_body["next_cursor"],
        token=token,
    ).json_body["appointments"]
    assert [a["starts_at"][:10] for a in rest] == ["2027-03-01"]
    for bad in ("?when=later", "?when=Past"):
        assert (
            call(seeded, "GET", f"/v1/patients/{patient_id}/health-summary/appointments{bad}", token=token).status_code
            == 400
        )
    assert (
        call(seeded, "GET", f"/v1/patients/{patient_id}/health-summary/allergies?when=past", token=token).status_code
        == 400
    )


# -- discharge summaries wait from the discharge -------------------------------------------------------------


def test_a_fhir_discharge_summary_waits_a_day_from_the_discharge_of_its_encounter(amy, ehr):
    patient_id, token = amy
    set_policy(ehr, {"document:discharge-summary": 86400})
    now = datetime.now(timezone.utc)

    filed(ehr, encounter("example-1", ended=now - timedelta(days=2)))
    filed(ehr, discharge_summary("discharge-summary", "example-1"))
    [shown] = documents(ehr, patient_id, token)  # discharged two days ago: out at once
    assert shown["type"] == "discharge-summary"

    filed(ehr, encounter("example-2", ended=now - timedelta(minutes=1)))
    filed(ehr, discharge_summary("discharge-summary-2", "example-2"))
    assert [d["document_id"] for d in documents(ehr, patient_id, token)] == [shown["document_id"]]
    upcoming = call(ehr, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    [waiting] = [u for u in upcoming if u["kind"] == "document"]
    release_at = datetime.fromisoformat(waiting["release_at"].replace("Z", "+00:00"))
    assert timedelta(hours=23, minutes=58) <= release_at - now <= timedelta(hours=24)  # from the discharge


def test_a_summary_naming_no_known_visit_waits_a_day_from_filing(amy, ehr):
    patient_id, token = amy
    set_policy(ehr, {"document:discharge-summary": 86400})

    filed(ehr, discharge_summary("discharge-summary", "never-sent"))

    assert documents(ehr, patient_id, token) == []


def test_an_hl7_discharge_summary_waits_a_day_from_the_a03_discharge(feed, ana, seeded):
    patient_id, token = ana
    set_policy(seeded, {"document:discharge-summary": 86400})
    now = datetime.now(timezone.utc)

    feed(adt("A03", "a-1", "V-1", admitted=now - timedelta(days=5), discharged=now - timedelta(days=2)))
    feed(mdm_summary("m-1", "DOC-1", "V-1"))
    [summary] = documents(seeded, patient_id, token)
    assert summary["type"] == "discharge-summary"
    [visit] = section(seeded, patient_id, "visits", token)
    # (the message's times have no offset: they are the organization's wall clock, New York's)
    ended = with_offset(f"{now - timedelta(days=2):%Y-%m-%dT%H:%M:%S}", "America/New_York")
    assert (visit["status"], visit["ended_at"]) == ("finished", ended)

    feed(adt("A03", "a-2", "V-2", admitted=now - timedelta(days=1), discharged=now))
    feed(mdm_summary("m-2", "DOC-2", "V-2"))
    assert [d["document_id"] for d in documents(seeded, patient_id, token)] == [summary["document_id"]]


# -- results: an older message never undoes a correction -----------------------------------------------------


def test_an_older_result_replayed_after_its_correction_does_not_replace_it(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("r-1", "85", "F", "20261125075500"))
    feed(oru("r-2", "58", "C", "20261125093000"))

    feed(oru("r-3", "85", "F", "20261125075500"))  # the original, resent from the sender's history

    [shown] = results(seeded, patient_id, token)
    assert (shown["version"], shown["status"]) == (2, "corrected")
    detail = call(seeded, "GET", f"/v1/patients/{patient_id}/results/{shown['result_id']}", token=token).json_body
    assert detail["report"]["observations"][0]["value"]["number"] == "58"


def test_an_original_arriving_after_its_correction_is_not_shown_over_it(feed, ana, seeded):
    patient_id, token = ana
    feed(oru("r-2", "58", "C", "20261125093000"))
    feed(oru("r-1", "85", "F", "20261125075500"))

    [shown] = results(seeded, patient_id, token)
    assert (shown["version"], shown["status"]) == (1, "corrected")


# -- who may read what -------------------------------------------------------------------------------------


def test_a_patient_reads_only_her_own_sections_and_bad_requests_are_refused(amy, ehr):
    amy_id, token = amy
    other = patient_resource()
    other.update(id="someone-else", identifier=[{"system": SYSTEM, "value": "OTHER-1"}])
    filed(ehr, other)
    allergy_of_other = allergy()
    allergy_of_other.update(id="other-allergy", patient={"reference": "Patient/someone-else"})
    filed(ehr, allergy_of_other)
    other_id = find(ORG, SYSTEM, "OTHER-1").patient_id

    for name in SECTIONS:
        answer = call(ehr, "GET", f"/v1/patients/{other_id}/health-summary/{name}", token=token)
        assert answer.status_code == 404, (name, answer.json_body)
        assert "Peanuts" not in json.dumps(answer.json_body)
    account = wiring.container().directory.account_by_username("amy.baxter")
    refusals = [
        e
        for e in wiring.container().audit_log.by_actor(account.account_id, 50)[0]
        if e.event_type == "records.read" and e.outcome.value == "denied"
    ]
    assert len(refusals) == len(SECTIONS)
    assert call(ehr, "GET", f"/v1/patients/{amy_id}/health-summary/problems", token=token).status_code == 404
    assert call(ehr, "GET", f"/v1/patients/{amy_id}/health-summary/ALLERGIES", token=token).status_code == 404
    for limit in ("0", "51", "abc", "-1"):
        answer = call(ehr, "GET", f"/v1/patients/{amy_id}/health-summary/allergies?limit={limit}", token=token)
        assert answer.status_code == 400, limit
    assert call(ehr, "GET", f"/v1/patients/{amy_id}/health-summary/allergies").status_code == 401
    assert section(ehr, amy_id, "allergies", token) == []  # the other patient's allergy is not hers


def test_a_section_pages_by_cursor(amy, ehr):
    patient_id, token = amy
    for number in range(3):
        resource = allergy()
        resource.update(id=f"allergy-{number}", onsetDateTime=f"201{number}-01-01")
        filed(ehr, resource)

    first = call(ehr, "GET", f"/v1/patients/{patient_id}/health-summary/allergies?limit=2", token=token).json_body
    assert [a["onset"] for a in first["allergies"]] == ["2012-01-01", "2011-01-01"]
    assert first["next_cursor"]
    rest = call(
        ehr,
        "GET",
        f"/v1/patients/{patient_id}/health-summary/allergies?limit=2&cursor="
        + urllib.parse.quote(first["next_cursor"]),
        token=token,
    ).json_body
    assert [a["onset"] for a in rest["allergies"]] == ["2010-01-01"] and rest["next_cursor"] is None
    assert audited(patient_id).count("allergies.list") == 2


# -- what filing gets wrong (strict xfail: each passes once its bug is fixed) ------------------------------


def test_an_older_allergy_replayed_from_quarantine_does_not_undo_the_update(ehr, staff_token):
    late = patient_resource()
    late.update(id="late", identifier=[{"system": SYSTEM, "value": "LATE-1"}])
    first = allergy("1", criticality="high")
    first["patient"] = {"reference": "Patient/late"}
    assert send(ehr, first).status == "quarantined"  # before its Patient
    filed(ehr, late)
    update = allergy("2", criticality="low", updated="2020-01-01T00:00:00Z")
    update["patient"] = {"reference": "Patient/late"}
    filed(ehr, update)

    assert replay_quarantine(ehr, staff_token) == 1  # version 1 arrives last

    patient = find(ORG, SYSTEM, "LATE-1")
    current = wiring.container().records.current(
        patient.patient_id, rid(SENDER, "AllergyIntolerance/79613"), kind="allergy"
    )
    assert current.content["criticality"] == "low"


def test_an_admission_replayed_after_the_discharge_leaves_the_visit_finished(feed, ana, seeded):
    patient_id, token = ana
    admitted = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
    feed(adt("A01", "a-1", "V-5", admitted))
    feed(adt("A03", "a-2", "V-5", admitted, discharged=admitted + timedelta(days=3)))

    feed(adt("A01", "a-3", "V-5", admitted))  # the admission again, after the discharge

    [visit] = section(seeded, patient_id, "visits", token)
    assert (visit["status"], visit.get("ended_at")) == ("finished", "2026-11-23T08:00:00-05:00")


def test_a_cancelled_appointment_stays_in_the_list_as_cancelled(feed, ana, seeded):
    patient_id, token = ana
    feed(siu("S12", "s-1"))

    feed(siu("S15", "s-2"))

    [cancelled] = section(seeded, patient_id, "appointments", token)
    assert cancelled["status"] == "cancelled"


def test_a_discharge_summary_finds_an_encounter_that_has_an_identifier(amy, ehr):
    patient_id, token = amy
    set_policy(ehr, {"document:discharge-summary": 86400})
    visit = encounter("example-1", ended=datetime.now(timezone.utc) - timedelta(days=2))
    visit["identifier"] = [{"system": "urn:oid:1.2.3.4", "value": "V-2024-0001"}]
    filed(ehr, visit)

    filed(ehr, discharge_summary("discharge-summary", "example-1"))

    assert [d["type"] for d in documents(ehr, patient_id, token)] == ["discharge-summary"]


def test_a_discharge_summary_from_another_system_of_the_hospital_finds_the_discharge(feed, ana, seeded, container):
    patient_id, token = ana
    container.records.add_feed_source(FeedSource("ADT|AMC", ORG, "AMC-MRN"))
    set_policy(seeded, {"document:discharge-summary": 86400})
    now = datetime.now(timezone.utc)

    feed(adt("A03", "a-1", "V-1", admitted=now - timedelta(days=5), discharged=now - timedelta(days=2), app="ADT"))
    feed(mdm_summary("m-1", "DOC-1", "V-1"))  # from LAB|AMC

    assert [d["type"] for d in documents(seeded, patient_id, token)] == ["discharge-summary"]


def test_a_document_only_pointed_at_shows_the_patient_where_it_is(amy, ehr, aws):
    patient_id, token = amy
    pointed = sample("r4spec_documentreference-example.json")
    pointed["subject"] = {"reference": "Patient/example"}
    pointed["docStatus"] = "final"
    filed(ehr, pointed)

    [document] = documents(ehr, patient_id, token)
    content = downloaded(ehr, aws, patient_id, document["document_id"], token)

    url = "http://example.org/xds/mhd/Binary/07a6483f-732b-461e-86b6-edb665c45510"
    assert url in json.dumps(document) or url.encode() in content


def test_staff_read_a_patients_health_summary_and_an_unknown_patient_is_404(amy, ehr, staff_token):
    patient_id, _ = amy
    filed(ehr, allergy())

    answer = call(ehr, "GET", f"/v1/staff/patients/{patient_id}/health-summary/allergies", token=staff_token)

    assert answer.status_code == 200, answer.json_body
    assert [a["substance"]["display"] for a in answer.json_body["allergies"]] == ["Peanuts"]
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    assert any(e.event_type == "allergies.list" and e.actor.role == "staff" for e in events)
    unknown = call(ehr, "GET", f"/v1/staff/patients/{'0' * 32}/health-summary/allergies", token=staff_token)
    assert unknown.status_code == 404
