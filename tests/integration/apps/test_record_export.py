"""Download my record, through the real API and the record exports queue's real consumer over
moto: the Bundle holds every result, document and health-summary entry the patient can see and
nothing they cannot (a result a release policy still delays, one staff hold, another patient's);
the PDF opens and names the patient and a result; a parent's download holds only their grant's
areas and never sensitive care; a second ask while one builds answers the same one; a grant revoked
before the build fails it with nothing written; the download links are audited and the "ready"
email says nothing of the record."""

from __future__ import annotations

import io
import json
import os
from dataclasses import replace
from datetime import timedelta

import boto3

from chalicelib.access.domain import Area
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import new_event
from chalicelib.proxies.domain import GrantStatus
from tests.integration.conftest import deliver_notifications, sqs_event
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    seeded,
    staff_token,
)
from tests.integration.test_proxy_filter import family, hl7  # noqa: F401  (fixture)
from tests.integration.test_release_policy import set_policy

QUEUE = "patient-portal-record-exports"
READY_SUBJECT = "Your download is ready"


def exports_path(patient_id: str) -> str:
    return f"/v1/patients/{patient_id}/exports"


def build_waiting(api, receive_count: int = 1) -> list[dict]:
    """Run every queued export through the app's real consumer; the consumer's answers."""
    queue_url = os.environ["PORTAL_RECORD_EXPORTS_QUEUE_URL"]
    sqs = boto3.client("sqs")
    answers = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return answers
        event = sqs_event(api, [m["Body"] for m in messages], QUEUE)
        for record in event["Records"]:
            record["attributes"]["ApproximateReceiveCount"] = str(receive_count)
        answers.append(api.lambda_.invoke("on_record_export", event).payload)
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def files_of(container, patient_id: str, export_id: str) -> dict[str, bytes]:
    export = container.record_exports.get(patient_id, export_id)
    bucket = container.settings.exports_bucket
    s3 = boto3.client("s3")
    return {f.kind: s3.get_object(Bucket=bucket, Key=f.object_key)["Body"].read() for f in export.files}


def codes(bundle: dict, resource_type: str) -> set[str]:
    return {
        coding.get("code", "")
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == resource_type
        for coding in (entry["resource"].get("code") or {}).get("coding", [])
    }


def of_type(bundle: dict, resource_type: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type]


def other_patients_result(family) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||{hl7(family.clock.now())}||ORU^R01|c-other|P|2.5.1",
            "PID|1||MRN-9999^^^AMC-MRN^MR||Other^Olga||19700101|F",
            f"OBR|1||ORD-9^LAB|718-7^Hemoglobin^LN|||{hl7(family.clock.now())}||||||||||||||||CH|F",
            "OBX|1|NM|718-7^Hemoglobin^LN||13.5|g/dL|12-16|N|||F",
        ]
    )


def ask(api, patient_id: str, token: str) -> dict:
    answer = call(api, "POST", exports_path(patient_id), None, token)
    assert answer.status_code == 202, answer.json_body
    return answer.json_body


def ready(api, patient_id: str, export_id: str, token: str) -> dict:
    answer = call(api, "GET", f"{exports_path(patient_id)}/{export_id}", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def test_the_patients_bundle_holds_everything_they_see_and_nothing_they_cannot(family, container, staff_token):
    api, emma = family.api, family.emma
    before = family.cutoff - timedelta(days=2)
    # GIVEN Emma's chart: a glucose and an HIV test (released), vital signs, a note and a visit;
    # a potassium a release policy still delays; a sodium staff hold; and another patient's result
    set_policy(api, {"code:LN|2823-3": 3600, "code:LN|2951-2": 3600})
    family.feed(
        family.oru("c-1", "ORD-1", before),
        family.oru("c-2", "ORD-2", before, "75622-1^HIV 1+2 Ab+Ag^LN"),
        family.vitals("c-3", "VS-1", before),
    )
    family.feed(family.mdm("c-4", "DOC-1", before), family.siu("c-5", "APT-1", before))
    family.feed(
        family.oru("c-6", "ORD-3", before, "2823-3^Potassium^LN"),
        family.oru("c-7", "ORD-4", before, "2951-2^Sodium^LN"),
        other_patients_result(family),
    )
    staffs = call(api, "GET", f"/v1/staff/patients/{emma}/results", token=staff_token).json_body["results"]
    sodium = next(r for r in staffs if r["name"] == "Sodium")
    held = call(
        api, "POST", f"/v1/staff/results/{sodium['result_id']}/hold", {"reason": "clinician_review"}, staff_token
    )
    assert held.status_code == 200, held.json_body
    _, emma_token = family.tokens()
    shown = call(api, "GET", f"/v1/patients/{emma}/results", token=emma_token).json_body["results"]
    documents = call(api, "GET", f"/v1/patients/{emma}/documents", token=emma_token).json_body["documents"]

    # WHEN she asks for her download, asks again while it builds, and the job runs
    asked = ask(api, emma, emma_token)
    assert asked["status"] == "building"
    assert ask(api, emma, emma_token)["export_id"] == asked["export_id"]
    assert build_waiting(api) == [{"batchItemFailures": []}]

    # THEN it is ready, with the two files, each link short-lived
    export = ready(api, emma, asked["export_id"], emma_token)
    assert export["status"] == "ready"
    assert export["areas"] == ["results", "documents", "health_summary", "medications", "appointments"]
    assert sorted(f["kind"] for f in export["files"]) == ["fhir_bundle", "pdf_summary"]
    assert all("X-Amz-Expires=300" in f["url"] for f in export["files"])
    files = files_of(container, emma, asked["export_id"])
    bundle = json.loads(files["fhir_bundle"])
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    from chalicelib.interop.writer import validate

    validate(bundle)  # FHIR R4 (fhir.resources R4B), every entry with it
    # ... the Bundle holds every result she sees, her vital signs, her document and her visit
    observed = codes(bundle, "Observation") | codes(bundle, "DiagnosticReport")
    assert {"2345-7", "75622-1", "8867-4"} <= observed
    assert len(shown) == 2 and len(of_type(bundle, "DocumentReference")) == len(documents) == 1
    assert of_type(bundle, "Encounter") or of_type(bundle, "Appointment")
    [patient] = of_type(bundle, "Patient")
    assert patient["id"] and patient["name"][0]["family"] == "Stone"
    # ... and nothing she cannot: not the delayed result, the held one, nor another patient's
    assert not observed & {"2823-3", "2951-2", "718-7"}
    assert {p["id"] for p in of_type(bundle, "Patient")} == {patient["id"]}
    # ... the PDF opens and reads her name and a result
    from pypdf import PdfReader

    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf_summary"])).pages)
    assert "Emma" in text and "Stone" in text and "Glucose" in text
    assert "Potassium" not in text and "Hemoglobin" not in text
    # ... she is emailed that it is ready, without a word of the record
    [email] = [e for e in deliver_notifications(api) if e.subject == READY_SUBJECT]
    assert email.destinations["ToAddresses"] == ["emma@example.org"]
    assert "/records/download" in email.body and "Stone" not in email.body and "Glucose" not in email.body
    # ... and the ask and each link handed out are audited under her record
    events = container.audit_log.for_patient(emma, 500)[0]
    kinds = [e.event_type for e in events if e.event_type.startswith("record.export")]
    assert kinds.count("record.export") == 1 and kinds.count("record.export_download") == 2
    # ... and her list shows it, newest first
    listed = call(api, "GET", exports_path(emma), token=emma_token).json_body["exports"]
    assert [e["export_id"] for e in listed] == [asked["export_id"]] and listed[0]["files"] == []


def test_a_parents_download_holds_only_the_grants_areas_and_never_sensitive_care(family, container):
    api, emma = family.api, family.emma
    before = family.cutoff - timedelta(days=2)
    family.grant(areas=frozenset({Area.RESULTS}))
    family.feed(
        family.oru("c-1", "ORD-1", before),
        family.oru("c-2", "ORD-2", before, "75622-1^HIV 1+2 Ab+Ag^LN"),
        family.mdm("c-3", "DOC-1", before),
    )
    ana_token, emma_token = family.tokens()

    asked = ask(api, emma, ana_token)
    assert asked["areas"] == ["results"]
    build_waiting(api)

    export = ready(api, emma, asked["export_id"], ana_token)
    bundle = json.loads(files_of(container, emma, asked["export_id"])["fhir_bundle"])
    assert export["status"] == "ready"
    observed = codes(bundle, "Observation") | codes(bundle, "DiagnosticReport")
    assert "2345-7" in observed and "75622-1" not in observed
    assert of_type(bundle, "DocumentReference") == []
    # Emma does not see her parent's download, nor the parent hers
    assert call(api, "GET", exports_path(emma), token=emma_token).json_body["exports"] == []
    answer = call(api, "GET", f"{exports_path(emma)}/{asked['export_id']}", token=emma_token)
    assert (answer.status_code, answer.json_body["error"]["message"]) == (404, "No such download.")
    # The downloads are the proxy's, on the patient's access log
    downloads = [e for e in container.audit_log.for_patient(emma, 500)[0] if e.event_type == "record.export_download"]
    assert downloads and all(e.actor.proxy_grant_id for e in downloads)


def test_a_grant_revoked_before_the_build_fails_the_export_with_nothing_written(family, container):
    api, emma = family.api, family.emma
    grant = family.grant()
    family.feed(family.oru("c-1", "ORD-1", family.cutoff - timedelta(days=2)))
    ana_token, _ = family.tokens()
    asked = ask(api, emma, ana_token)

    # WHEN the patient's side revokes the grant before the job runs
    stored = next(g for g in container.proxy_grants.of_proxy(family.ana_account) if g.grant_id == grant.grant_id)
    revoked = replace(stored, status=GrantStatus.REVOKED, ended_at=family.clock.now(), ended_by="staff")
    event = new_event(
        actor=Actor("acct-staff", "staff"),
        action=Action.UPDATE,
        event_type="proxy_grant.changed",
        outcome=Outcome.SUCCESS,
        patient_id=emma,
        recorded_at=family.clock.now(),
    )
    container.proxy_grants.change(revoked, event)
    build_waiting(api)

    # THEN the export failed and no file was written
    stored_export = container.record_exports.get(emma, asked["export_id"])
    assert stored_export.status.value == "failed" and stored_export.files == ()
    listing = boto3.client("s3").list_objects_v2(Bucket=container.settings.exports_bucket, Prefix=f"exports/{emma}/")
    assert listing.get("KeyCount", 0) == 0
    assert [e for e in deliver_notifications(api) if e.subject == READY_SUBJECT] == []


def test_a_build_that_fails_its_last_try_marks_the_export_failed_and_a_new_ask_starts(family, container, monkeypatch):
    api, emma = family.api, family.emma
    _, emma_token = family.tokens()
    asked = ask(api, emma, emma_token)
    message = {"patient_id": emma, "export_id": asked["export_id"]}

    def broken(*args, **kwargs):
        raise RuntimeError("writer broke")

    monkeypatch.setattr("chalicelib.interop.writer.resources_of", broken)
    # The first try fails and leaves it building (the queue tries again) ...
    [first] = build_waiting(api, receive_count=1)
    assert first["batchItemFailures"]
    assert ready(api, emma, asked["export_id"], emma_token)["status"] == "building"
    # ... the second, the last the queue allows, marks it failed
    queue_url = os.environ["PORTAL_RECORD_EXPORTS_QUEUE_URL"]
    boto3.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(message))
    [second] = build_waiting(api, receive_count=2)
    assert second["batchItemFailures"]
    failed = ready(api, emma, asked["export_id"], emma_token)
    assert failed["status"] == "failed" and failed["files"] == []
    # AND a new ask starts a new export
    assert ask(api, emma, emma_token)["export_id"] != asked["export_id"]


def test_an_export_never_built_shows_failed_after_its_deadline_and_a_new_ask_starts(family):
    api, emma = family.api, family.emma
    _, emma_token = family.tokens()
    asked = ask(api, emma, emma_token)  # (its message is never taken off the queue)

    family.clock.advance(minutes=31)
    _, emma_token = family.tokens()

    assert ready(api, emma, asked["export_id"], emma_token)["status"] == "failed"
    again = ask(api, emma, emma_token)
    assert again["export_id"] != asked["export_id"] and again["status"] == "building"
    listed = call(api, "GET", exports_path(emma), token=emma_token).json_body["exports"]
    assert [e["export_id"] for e in listed] == [again["export_id"], asked["export_id"]]
