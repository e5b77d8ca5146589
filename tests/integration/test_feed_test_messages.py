"""Test data never reaches a live chart: HL7 v2 messages whose processing id (MSH-11) is T
(training) or D (debugging), and FHIR bodies tagged HTEST (test health data), are quarantined with
the reason, unless their feed source opted in to filing them on a stage that is not production.
And an HL7 message written with separators its sender chose files as its "|^~\\&" twin does.
The real feed handler, the real API, moto."""

from __future__ import annotations

import json

import pytest
from chalice.test import Client

import app as app_module
from chalicelib import wiring
from chalicelib.errors import ValidationFailed
from chalicelib.feeds import sources
from chalicelib.feeds.contract import FeedSourceChange
from chalicelib.feeds.domain import FeedSource
from chalicelib.feeds.sources import source_id
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from tests.conftest import PROJECT_DIR, SAMPLES_DIR
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import QUEUE, deliver, feed_records
from tests.integration.test_patient_results import SENDER, ana, oru  # noqa: F401  (fixtures)

ORG = "albany-medical-center"


def critical(control_id: str, processing_id: str = "P") -> str:
    """A critical glucose for Ana: filed, it puts a "call the patient" task on the staff worklist."""
    return oru(control_id, "ORD-1", "600", flags="HH").replace(f"|{control_id}|P|", f"|{control_id}|{processing_id}|")


def worklist(api, token: str) -> list[dict]:
    answer = call(api, "GET", "/v1/staff/worklist", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["items"]


@pytest.fixture
def lab(container):
    def register(files_test_messages: bool = False) -> None:
        container.records.add_feed_source(FeedSource(SENDER, ORG, "AMC-MRN", files_test_messages))

    register()
    return register


@pytest.mark.parametrize(("processing_id", "words"), [("T", "T (training)"), ("D", "D (debugging)")])
def test_a_training_or_debugging_message_is_quarantined_and_nobody_is_asked_to_call(
    processing_id, words, lab, ana, seeded, staff_token
):
    assert deliver(seeded, critical("c-1", processing_id)) == {"batchItemFailures": []}

    record = feed_records()[f"{SENDER}|c-1"]
    assert record.status == "quarantined"
    assert f"MSH-11 (processing id) is {words}" in record.reason
    assert "not filed into live charts" in record.reason
    assert worklist(seeded, staff_token) == []
    patient_id, token = ana
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"] == []


@pytest.mark.parametrize("processing_id", ["P", ""])  # a message without MSH-11 is production data
def test_a_production_message_is_filed(processing_id, lab, ana, seeded, staff_token):
    deliver(seeded, critical("c-1", processing_id))

    assert feed_records()[f"{SENDER}|c-1"].status == "filed"
    assert [item["task"] for item in worklist(seeded, staff_token)] == ["call_patient"]


def test_a_fhir_bundle_tagged_as_test_health_data_is_quarantined(api, container):
    container.records.add_feed_source(FeedSource("*", ORG, "SAMPLE-MRN"))
    bundle = json.loads((SAMPLES_DIR / "fhir" / "r4spec_diagnosticreport-example-bundle101.json").read_text())
    assert bundle["meta"]["tag"][0]["code"] == "HTEST"  # as the FHIR specification publishes it

    deliver(api, json.dumps(bundle), group_id="ehr", attributes={"sender": "ehr-fhir"})

    [record] = feed_records().values()
    assert (record.status, record.format) == ("quarantined", "fhir")
    assert "tagged HTEST (test health data)" in record.reason
    assert container.records.feed_source("ehr-fhir") is not None  # refused as test data, not as unknown


def test_an_admin_opts_a_source_in_outside_production_and_its_training_messages_are_filed(
    lab, ana, seeded, staff_token
):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    path = f"/v1/admin/feed-sources/{source_id(SENDER)}"

    answer = call(seeded, "PUT", path, {"default_authority": "AMC-MRN", "files_test_messages": True}, admin)

    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["files_test_messages"] is True
    listed = call(seeded, "GET", "/v1/admin/feed-sources", token=admin).json_body["feed_sources"]
    assert {s["sender"]: s["files_test_messages"] for s in listed}[SENDER] is True
    deliver(seeded, critical("c-1", "T"))
    assert feed_records()[f"{SENDER}|c-1"].status == "filed"
    assert [item["task"] for item in worklist(seeded, staff_token)] == ["call_patient"]

    # Opted out again: the next training message waits in quarantine.
    call(seeded, "PUT", path, {"default_authority": "AMC-MRN"}, admin)
    deliver(seeded, critical("c-2", "T"))
    assert feed_records()[f"{SENDER}|c-2"].status == "quarantined"


def test_in_production_the_opt_in_is_ignored_and_cannot_be_set(aws, container, lab, monkeypatch):
    lab(files_test_messages=True)  # say, a registration copied from a test stage

    with Client(app_module.app, stage_name="prod", project_dir=str(PROJECT_DIR)) as prod:
        monkeypatch.setenv("PORTAL_STAGE", "prod")  # the local stack's variables stay set under moto
        wiring.reset()
        try:
            assert wiring.container().settings.is_production
            prod.lambda_.invoke("on_clinical_feed_message", sqs_event(prod, [critical("c-1", "T")], QUEUE, "LAB"))
            with pytest.raises(ValidationFailed, match="never filed in production"):
                sources.put_source(
                    wiring.container(),
                    Caller("admin-1", "admin", ORG, patient_id="", session_id="s-1", restriction=""),
                    Origin(correlation_id="test"),
                    source_id(SENDER),
                    FeedSourceChange(default_authority="AMC-MRN", files_test_messages=True),
                    production=True,
                )
        finally:
            wiring.reset()

    record = feed_records()[f"{SENDER}|c-1"]
    assert record.status == "quarantined"
    assert "not filed into live charts" in record.reason


CUSTOM = str.maketrans({"|": "#", "^": "$", "~": "*", "\\": "%", "&": "@"})


def test_a_message_with_its_own_separators_is_filed_as_its_standard_twin(lab, ana, seeded, staff_token):
    standard = critical("c-1")
    custom = critical("c-2").translate(CUSTOM)
    assert custom.startswith("MSH#$*%@#LAB#AMC#")

    deliver(seeded, standard)
    deliver(seeded, custom)

    records = feed_records()
    assert records[f"{SENDER}|c-2"].status == records[f"{SENDER}|c-1"].status == "filed"
    assert records[f"{SENDER}|c-2"].message_type == "ORU^R01"  # and the sender is the registered LAB|AMC
    patient_id, token = ana
    results = call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]
    # The same order read to the same content: the twin's result, unchanged (no second version).
    assert [(r["name"], r["version"], r["critical"]) for r in results] == [("Glucose", 1, True)]
    assert [item["task"] for item in worklist(seeded, staff_token)] == ["call_patient"]
