"""A patient signs a visit's forms at check-in: the signed PDF is stored once, under object lock,
its SHA-256 on the record; it is one of the patient's documents, leaves as a DocumentReference, and
every refusal (a changed form, outside the window, another patient's visit) holds."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.parse
from datetime import timedelta

import boto3
import pytest
from PIL import Image
from pypdf import PdfReader

from chalicelib import wiring
from chalicelib.checkin.forms import current_forms, visit_type_for
from chalicelib.errors import DependencyUnavailable
from tests.integration.checkin_forms.conftest import admin, keyed  # noqa: F401  (fixtures)
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.outbound.test_outbound_producer import on_queue
from tests.integration.records.test_health_summary import siu
from tests.integration.test_appointments import hl7_time
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

ORGANIZATION = "albany-medical-center"


def signature_png() -> str:
    image = Image.new("RGB", (300, 100), "white")
    for x in range(20, 280):
        image.putpixel((x, 50 + (x % 20) - 10), (0, 0, 0))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def visit(clock, feed, ana, seeded):
    """Ana's visit two days ahead (inside the three-day window), booked through SIU."""
    patient_id, token = ana
    feed(siu("S12", "s-1", start=hl7_time(clock.now() + timedelta(days=2))))
    [booked] = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]
    return patient_id, token, booked["id"]


def asked_forms() -> list:
    ports = wiring.container()
    visit_type = visit_type_for(ports, ORGANIZATION, "Annual physical")
    return current_forms(ports, ORGANIZATION, list(visit_type.form_ids))


def signing(form, **changes) -> dict:
    return {"version": form.version, "sha256": form.sha256, "typed_name": "Ana Nunez", "agree": True, **changes}


def sign_path(patient_id: str, appointment_id: str, form_id: str) -> str:
    return f"/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/forms/{form_id}/sign"


def stored_pdf(record) -> dict:
    bucket = wiring.container().settings.signed_documents_bucket
    return boto3.client("s3").get_object(Bucket=bucket, Key=record.object_key, VersionId=record.object_version)


def test_a_signed_form_is_a_locked_pdf_with_the_name_signature_and_the_forms_hash_and_its_sha256_on_record(
    visit, seeded
):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]

    answer = call(
        seeded,
        "POST",
        sign_path(patient_id, appointment_id, consent.form_id),
        signing(consent, signature_png=signature_png()),
        token,
    )

    assert answer.status_code == 201, answer.json_body
    signed = answer.json_body
    assert (signed["title"], signed["version"], signed["form_sha256"]) == ("Consent to treat", 1, consent.sha256)
    assert (signed["signed_name"], signed["has_drawn_signature"]) == ("Ana Nunez", True)
    assert signed["signed_at"].endswith("-05:00")  # the organization's clock (New York, December)
    record = wiring.container().signed_forms.document(patient_id, signed["document_id"])
    stored = stored_pdf(record)
    pdf = stored["Body"].read()
    assert hashlib.sha256(pdf).hexdigest() == signed["pdf_sha256"] == record.pdf_sha256
    assert len(pdf) == signed["size_bytes"]
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["ObjectLockMode"] == "GOVERNANCE"
    assert stored["ObjectLockRetainUntilDate"] > record.signed_at + timedelta(days=6 * 365)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Signed by: Ana Nunez" in text
    assert f"Form SHA-256 {consent.sha256}" in text
    assert f"IP {record.client_ip}" in text and record.client_ip != "0.0.0.0"
    assert "I agree to receive examination and treatment" in text
    assert PdfReader(io.BytesIO(pdf)).pages[-1].images  # the drawn signature
    events = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]
    assert "checkin.form_signed" in [e["what"] for e in events]


def test_the_signed_form_is_one_of_the_patients_documents_and_downloads_through_a_short_link(
    visit, seeded, staff_token
):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    signed = call(
        seeded, "POST", sign_path(patient_id, appointment_id, consent.form_id), signing(consent), token
    ).json_body

    [listed] = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]
    assert (listed["document_id"], listed["type"], listed["title"]) == (
        signed["document_id"],
        "signed-form",
        "Consent to treat",
    )
    assert (listed["content_type"], listed["size"]) == ("application/pdf", signed["size_bytes"])
    link = call(seeded, "GET", f"/v1/patients/{patient_id}/signed-forms/{signed['document_id']}", token=token)
    staff_link = call(
        seeded, "GET", f"/v1/staff/patients/{patient_id}/signed-forms/{signed['document_id']}", token=staff_token
    )

    for answer in (link, staff_link):
        assert answer.status_code == 200, answer.json_body
        url = urllib.parse.urlsplit(answer.json_body["download_url"])
        query = urllib.parse.parse_qs(url.query)
        assert int(query["X-Amz-Expires"][0]) == 300
        bucket = wiring.container().settings.signed_documents_bucket
        key = urllib.parse.unquote(url.path).lstrip("/").removeprefix(f"{bucket}/")
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key, VersionId=query["versionId"][0])["Body"].read()
        assert hashlib.sha256(body).hexdigest() == signed["pdf_sha256"]
        assert {k: v for k, v in answer.json_body.items() if k != "download_url"} == signed
    detail = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{signed['document_id']}", token=token)
    assert detail.status_code == 200, detail.json_body
    assert (detail.json_body["earlier_versions"], detail.json_body["addenda"]) == ([], [])
    content = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{signed['document_id']}/content", token=token)
    assert content.status_code == 302 and "versionId=" in content.headers["Location"]
    events = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]
    # the patient's read and the staff's; the documents list and the content link are audited as documents
    assert [e["what"] for e in events].count("checkin.signed_form.read") == 2


def test_an_overwrite_of_a_signed_pdf_leaves_the_locked_version_as_it_was_and_it_cannot_be_deleted(visit, seeded):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    signed = call(
        seeded, "POST", sign_path(patient_id, appointment_id, consent.form_id), signing(consent), token
    ).json_body
    record = wiring.container().signed_forms.document(patient_id, signed["document_id"])
    s3 = boto3.client("s3")
    bucket = wiring.container().settings.signed_documents_bucket

    # A versioned, locked bucket takes a second PutObject as a new version beside the locked one:
    # what the record names is unchanged, and the locked version refuses to be deleted.
    s3.put_object(Bucket=bucket, Key=record.object_key, Body=b"%PDF-1.7 forged")
    with pytest.raises(s3.exceptions.ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=record.object_key, VersionId=record.object_version)

    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    kept = stored_pdf(record)["Body"].read()
    assert hashlib.sha256(kept).hexdigest() == signed["pdf_sha256"]


def test_the_document_reference_is_on_the_outbound_queue_and_valid(visit, seeded):
    from fhir.resources.R4B.documentreference import DocumentReference

    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    on_queue(wiring.container())  # what the feed sent before
    signed = call(
        seeded, "POST", sign_path(patient_id, appointment_id, consent.form_id), signing(consent), token
    ).json_body

    [message] = [m for m in on_queue(wiring.container()) if "DocumentReference" in m["Body"]]
    resource = json.loads(message["Body"])
    DocumentReference.model_validate(resource)
    assert resource["masterIdentifier"]["value"] == signed["document_id"]
    assert resource["identifier"][0]["value"] == signed["pdf_sha256"]
    assert resource["content"][0]["attachment"]["size"] == signed["size_bytes"]
    assert "Ana" not in message["Body"]  # the subject is named by MRN only


def test_a_form_changed_since_it_was_read_is_refused_and_a_second_signature_too(visit, seeded, admin):
    patient_id, token, appointment_id = visit
    consent, notice = asked_forms()
    path = sign_path(patient_id, appointment_id, consent.form_id)
    changed = call(
        seeded,
        "POST",
        f"/v1/admin/forms/{consent.form_id}/versions",
        {"title": consent.title, "body": "New text."},
        admin,
    )
    assert changed.status_code == 201

    stale = call(seeded, "POST", path, signing(consent), token)
    assert stale.status_code == 409 and stale.json_body["error"]["message"] == "This form changed; read it again."
    wrong_hash = call(
        seeded, "POST", sign_path(patient_id, appointment_id, notice.form_id), signing(notice, sha256="0" * 64), token
    )
    assert wrong_hash.status_code == 409

    first = call(seeded, "POST", sign_path(patient_id, appointment_id, notice.form_id), signing(notice), token)
    again = call(seeded, "POST", sign_path(patient_id, appointment_id, notice.form_id), signing(notice), token)
    assert first.status_code == 201 and again.status_code == 409
    assert again.json_body["error"]["message"].startswith("Already signed")


def test_outside_the_window_signing_is_refused_saying_when_it_opens_or_that_it_closed(clock, feed, ana, seeded):
    patient_id, token = ana
    feed(siu("S12", "s-1", start=hl7_time(clock.now() + timedelta(days=5))))
    [later] = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]
    consent = asked_forms()[0]

    early = call(seeded, "POST", sign_path(patient_id, later["id"], consent.form_id), signing(consent), token)
    assert early.status_code == 409, early.json_body
    assert early.json_body["error"]["details"] == [{"field": "appointment", "issue": "not_open_yet"}]
    assert early.json_body["error"]["message"].startswith("Check-in opens on ")

    clock.advance(days=5, minutes=1)
    token = sign_in(seeded, "ana.nunez", "correct horse battery")  # the session ended meanwhile
    late = call(seeded, "POST", sign_path(patient_id, later["id"], consent.form_id), signing(consent), token)
    assert late.status_code == 409 and late.json_body["error"]["details"] == [
        {"field": "appointment", "issue": "closed"}
    ]
    assert wiring.container().signed_forms.of_visit(patient_id, later["id"]) == []
    events = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]
    assert [e["outcome"] for e in events if e["what"] == "checkin.refused"] == ["denied", "denied"]


def test_a_cancelled_visit_signs_nothing(clock, feed, ana, seeded):
    patient_id, token = ana
    start = hl7_time(clock.now() + timedelta(days=2))
    feed(siu("S12", "s-1", start=start))
    feed(siu("S15", "s-2", start=start))
    [cancelled] = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]
    consent = asked_forms()[0]

    refused = call(seeded, "POST", sign_path(patient_id, cancelled["id"], consent.form_id), signing(consent), token)

    assert refused.status_code == 409
    assert refused.json_body["error"]["details"] == [{"field": "appointment", "issue": "cancelled"}]


def test_another_patients_visit_and_a_form_the_visit_does_not_ask_for_are_not_found(visit, seeded, staff_token, admin):
    from tests.integration.identity.conftest import PATIENT, register_and_invite

    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    other = register_and_invite(
        seeded, staff_token, {**PATIENT, "given_names": ["Bea"], "mrn": "AMC-999"}, "bea@example.org"
    )
    assert (
        call(
            seeded, "POST", sign_path(other.patient_id, appointment_id, consent.form_id), signing(consent), token
        ).status_code
        == 404
    )
    assert (
        call(seeded, "POST", sign_path(patient_id, "0" * 32, consent.form_id), signing(consent), token).status_code
        == 404
    )
    financial = next(
        f
        for f in current_forms(
            wiring.container(),
            ORGANIZATION,
            [f["form_id"] for f in call(seeded, "GET", "/v1/admin/forms", token=admin).json_body["forms"]],
        )
        if f.kind == "financial_policy"
    )
    not_asked = call(
        seeded, "POST", sign_path(patient_id, appointment_id, financial.form_id), signing(financial), token
    )
    assert not_asked.status_code == 404
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/signed-forms/{'0' * 32}", token=token).status_code == 404


def test_the_same_idempotency_key_answers_the_first_signing(visit, seeded):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    path = sign_path(patient_id, appointment_id, consent.form_id)

    first = keyed(seeded, "POST", path, signing(consent), token, "sign-consent-1")
    again = keyed(seeded, "POST", path, signing(consent), token, "sign-consent-1")

    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert json.loads(again.body) == json.loads(first.body)
    assert len(wiring.container().signed_forms.of_visit(patient_id, appointment_id)) == 1


def test_an_s3_failure_leaves_nothing_and_a_failed_record_leaves_a_pdf_the_retry_records(visit, seeded, monkeypatch):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    path = sign_path(patient_id, appointment_id, consent.form_id)
    documents = wiring.container().signed_documents

    def s3_down(*args, **kwargs):
        raise DependencyUnavailable("Signed document storage is unavailable.")

    with monkeypatch.context() as patch:
        patch.setattr(type(documents), "put_locked", s3_down)
        refused = keyed(seeded, "POST", path, signing(consent), token, "sign-consent-2")
    assert refused.status_code == 503
    assert wiring.container().signed_forms.of_visit(patient_id, appointment_id) == []
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"] == []

    store = wiring.container().signed_forms

    def dynamo_down(*args, **kwargs):
        raise DependencyUnavailable("The signed forms store is unavailable.")

    with monkeypatch.context() as patch:
        patch.setattr(type(store), "add", dynamo_down)
        failed = keyed(seeded, "POST", path, signing(consent), token, "sign-consent-2")
    assert failed.status_code == 503
    bucket = wiring.container().settings.signed_documents_bucket
    [orphan] = boto3.client("s3").list_object_versions(Bucket=bucket)["Versions"]

    retried = keyed(seeded, "POST", path, signing(consent), token, "sign-consent-2")

    assert retried.status_code == 201, retried.body
    # The retry re-rendered the very bytes of the orphan and recorded it, storing nothing new.
    assert boto3.client("s3").list_object_versions(Bucket=bucket)["Versions"] == [orphan]
    record = store.document(patient_id, json.loads(retried.body)["document_id"])
    assert record.object_version == orphan["VersionId"]
    assert hashlib.sha256(stored_pdf(record)["Body"].read()).hexdigest() == record.pdf_sha256


def test_the_answers_given_before_signing_are_printed_in_words_in_the_signed_pdf(visit, seeded):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]
    answered = call(
        seeded,
        "POST",
        f"/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/answers",
        {
            "answers": [
                {"link_id": "reason", "value": "Yearly checkup"},
                {"link_id": "allergies-changed", "value": False},
                {"link_id": "pain", "value": "3"},
            ]
        },
        token,
    )
    assert answered.status_code == 200, answered.json_body

    signed = call(
        seeded, "POST", sign_path(patient_id, appointment_id, consent.form_id), signing(consent), token
    ).json_body

    record = wiring.container().signed_forms.document(patient_id, signed["document_id"])
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(stored_pdf(record)["Body"].read())).pages)
    assert "What is the main reason for your visit?\nYearly checkup" in text
    assert "Have your allergies changed since your last visit?\nNo" in text


def test_an_answer_the_signed_form_cannot_print_is_refused_when_answered_naming_it(visit, seeded):
    patient_id, token, appointment_id = visit
    answers = [
        {"link_id": "reason", "value": "My knee 🙂"},
        {"link_id": "allergies-changed", "value": False},
        {"link_id": "pain", "value": "3"},
    ]

    answer = call(
        seeded,
        "POST",
        f"/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/answers",
        {"answers": answers},
        token,
    )

    assert answer.status_code == 400, answer.json_body
    [detail] = answer.json_body["error"]["details"]
    assert detail["field"] == "answers.reason" and "cannot print" in detail["issue"]
    # so the forms can still be signed: nothing unprintable was kept
    consent = asked_forms()[0]
    assert (
        call(
            seeded, "POST", sign_path(patient_id, appointment_id, consent.form_id), signing(consent), token
        ).status_code
        == 201
    )


def test_a_typed_name_the_form_cannot_print_is_refused_naming_it_with_its_issue(visit, seeded):
    patient_id, token, appointment_id = visit
    consent = asked_forms()[0]

    answer = call(
        seeded,
        "POST",
        sign_path(patient_id, appointment_id, consent.form_id),
        signing(consent, typed_name="王小明"),
        token,
    )

    assert answer.status_code == 400, answer.json_body
    assert answer.json_body["error"]["details"] == [{"field": "typed_name", "issue": "unprintable"}]
    assert "cannot print" in answer.json_body["error"]["message"]


def test_a_chart_name_the_font_cannot_print_is_printed_as_on_record_and_the_form_still_signs(visit, seeded):
    import dataclasses

    patient_id, token, appointment_id = visit
    ports = wiring.container()
    ports.patients.save(dataclasses.replace(ports.patients.get(patient_id), given_names=("小明",), family_name="王"))
    consent = asked_forms()[0]

    answer = call(
        seeded,
        "POST",
        sign_path(patient_id, appointment_id, consent.form_id),
        signing(consent, typed_name="Wang Xiaoming"),
        token,
    )

    assert answer.status_code == 201, answer.json_body
    record = ports.signed_forms.document(patient_id, answer.json_body["document_id"])
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(stored_pdf(record)["Body"].read())).pages)
    assert "Patient: (name as on record)" in text and "Signed by: Wang Xiaoming" in text
