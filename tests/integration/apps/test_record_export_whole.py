"""Download my record is the whole record: past the cap the FHIR API reads a record with (no
result left out), with the documents' files in the Bundle itself, and its reads audited once
however many tries the queue gives it."""

from __future__ import annotations

import base64
import io
import json
import os
from datetime import timedelta

import boto3
from pypdf import PdfReader

from chalicelib.records import everything
from chalicelib.records.documents import documents_page
from tests.integration.apps.test_record_export import ask, build_waiting, files_of, of_type, ready
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    enrolled,
    seeded,
    staff_token,
)
from tests.integration.test_proxy_filter import family  # noqa: F401  (fixture)


def test_a_record_larger_than_the_read_cap_is_downloaded_whole(family, container, monkeypatch):
    api, emma = family.api, family.emma
    before = family.cutoff - timedelta(days=2)
    family.feed(*(family.oru(f"c-{n}", f"ORD-{n}", before - timedelta(hours=n)) for n in range(3)))
    # GIVEN a cap of two items a kind on a capped read (5,000 in production: the same rule, smaller)
    monkeypatch.setitem(everything.read_visible_record.__kwdefaults__, "limit", 2)
    monkeypatch.setattr(everything, "MAX_ITEMS_PER_KIND", 2)
    monkeypatch.setattr(everything, "PAGE", 1)
    _, emma_token = family.tokens()

    # WHEN Emma downloads her record
    asked = ask(api, emma, emma_token)
    assert build_waiting(api) == [{"batchItemFailures": []}]

    # THEN it is ready with every one of her three results
    assert ready(api, emma, asked["export_id"], emma_token)["status"] == "ready"
    bundle = json.loads(files_of(container, emma, asked["export_id"])["fhir_bundle"])
    assert len(of_type(bundle, "DiagnosticReport")) == 3


def test_the_bundle_holds_the_documents_own_bytes(family, container):
    api, emma = family.api, family.emma
    family.feed(family.mdm("c-1", "DOC-1", family.cutoff - timedelta(days=2)))
    _, emma_token = family.tokens()
    [document] = documents_page(container, emma, family.clock.now(), 10, "")[0]
    assert document.object_key  # (the note's text, kept as its file)

    asked = ask(api, emma, emma_token)
    assert build_waiting(api) == [{"batchItemFailures": []}]

    bundle = json.loads(files_of(container, emma, asked["export_id"])["fhir_bundle"])
    [reference] = of_type(bundle, "DocumentReference")
    attachment = reference["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]) == container.documents.get(document.object_key)
    assert b"Growing well." in base64.b64decode(attachment["data"])


def test_past_the_budget_a_file_stays_in_the_portal_and_the_pdf_says_so(family, container, monkeypatch):
    api, emma = family.api, family.emma
    family.feed(family.mdm("c-1", "DOC-1", family.cutoff - timedelta(days=2)))
    monkeypatch.setattr("chalicelib.apps.export.files.BUDGET", 3)
    _, emma_token = family.tokens()

    asked = ask(api, emma, emma_token)
    assert build_waiting(api) == [{"batchItemFailures": []}]

    files = files_of(container, emma, asked["export_id"])
    [reference] = of_type(json.loads(files["fhir_bundle"]), "DocumentReference")
    attachment = reference["content"][0]["attachment"]
    assert "data" not in attachment and attachment["url"].startswith("urn:patient-portal:attachment:")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf_summary"])).pages)
    assert "too large to fit in this download" in " ".join(text.split())


def test_a_build_tried_twice_audits_the_read_once(family, container, monkeypatch):
    api, emma = family.api, family.emma
    _, emma_token = family.tokens()
    asked = ask(api, emma, emma_token)
    from chalicelib.interop import writer

    real, tries = writer.collection_bundle, []

    def fails_once(*args, **kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise RuntimeError("storage hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "collection_bundle", fails_once)
    # WHEN the first try fails after reading the record and the queue's second try finishes it
    [first] = build_waiting(api, receive_count=1)
    assert first["batchItemFailures"]
    message = {"patient_id": emma, "export_id": asked["export_id"]}
    boto3.client("sqs").send_message(
        QueueUrl=os.environ["PORTAL_RECORD_EXPORTS_QUEUE_URL"], MessageBody=json.dumps(message)
    )
    assert build_waiting(api, receive_count=2) == [{"batchItemFailures": []}]
    assert ready(api, emma, asked["export_id"], emma_token)["status"] == "ready"

    # THEN her access log holds one read per area of the record, not one per try
    events = container.audit_log.for_patient(emma, 500)[0]
    reads = sorted(e.resource_type for e in events if e.event_type == "record.export_read")
    assert reads == sorted(["DiagnosticReport", "DocumentReference", "Condition", "MedicationRequest", "Encounter"])
