"""Inbound clinical feed, through the Lambda handler, against moto.

An integration engineer sends HL7 v2 and FHIR bodies to the inbound FIFO queue; each is archived
raw with its SHA-256, identified and recorded once, or quarantined with a reason; a failure of the
portal's own storage is reported back so the queue redelivers, in order.
"""

from __future__ import annotations

import hashlib

import boto3
import pytest

import app as app_module
from chalicelib.data.models import FeedMessageModel
from chalicelib.feeds.domain import FeedSource
from tests.conftest import SAMPLES_DIR
from tests.integration.conftest import sqs_event

QUEUE = "patient-portal-clinical-inbound.fifo"


def sample(name: str) -> str:
    # SQS bodies are text; HL7 carriage returns survive as they are.
    return (SAMPLES_DIR / "hl7v2" / name).read_bytes().decode("utf-8")


@pytest.fixture(autouse=True)
def feed_sources(container):
    """Every sender files for the demo organization, bare identifiers read as its "SAMPLE-MRN"s."""
    container.records.add_feed_source(FeedSource("*", "albany-medical-center", "SAMPLE-MRN"))


def records() -> dict[str, FeedMessageModel]:
    return {item.message_key: item for item in FeedMessageModel.scan()}


def test_a_lab_result_is_archived_and_recorded_once(api, aws, container):
    # (its sender files for an organization whose bare MRNs are "BMC-MRN" ones: filing/matching.py)
    container.records.add_feed_source(FeedSource("LAB|BMC", "albany-medical-center", "BMC-MRN"))
    # HL7's example is marked as debugging data (MSH-11 D): here it is the lab's production feed.
    body = sample("hl7org_ORU_R01_lab-panel_v2.3.1.hl7").replace("|2417.1|D|", "|2417.1|P|")
    event = sqs_event(api, [body], QUEUE, group_id="LAB")

    first = api.lambda_.invoke("on_clinical_feed_message", event).payload
    second = api.lambda_.invoke("on_clinical_feed_message", event).payload  # redelivery

    assert first == second == {"batchItemFailures": []}
    stored = records()
    assert list(stored) == ["LAB|BMC|2417.1"]
    record = stored["LAB|BMC|2417.1"]
    assert (record.status, record.message_type) == ("filed", "ORU^R01")
    archived = boto3.client("s3").get_object(Bucket=aws.physical["FeedArchiveBucket"], Key=record.archive_key)
    raw = archived["Body"].read()
    assert raw == body.encode("utf-8")
    assert archived["Metadata"]["sha256"] == hashlib.sha256(raw).hexdigest()
    assert archived["ServerSideEncryption"] == "aws:kms"
    written, _ = container.audit_log.by_actor("system:clinical-feed", 10)
    assert [(e.event_type, e.resource_id) for e in written] == [("feed.message.received", "LAB|BMC|2417.1")]


def test_broken_messages_are_quarantined_with_a_reason_and_nothing_is_lost(api, aws):
    bodies = [
        sample("malformed_ADT_A01_one-line-space-separated_v2.3.hl7"),
        sample("pyhl7_bad-batch_missing-MSH.hl7"),
        sample("invalid_SIU_S12_bad-phone_v2.3.1.hl7"),
    ]

    result = api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, bodies, QUEUE, group_id="ADT")).payload

    assert result == {"batchItemFailures": []}  # handled: quarantine is an outcome, not a retry
    quarantined = [r for r in records().values() if r.status == "quarantined"]
    assert len(quarantined) == 3
    assert all(r.reason for r in quarantined)
    archived = boto3.client("s3").list_objects_v2(Bucket=aws.physical["FeedArchiveBucket"])["KeyCount"]
    assert archived == 3


def test_a_fhir_resource_needs_a_sender(api):
    body = (SAMPLES_DIR / "fhir" / "uscore_observation-cbc-hemoglobin.json").read_text()

    api.lambda_.invoke(
        "on_clinical_feed_message", sqs_event(api, [body], QUEUE, group_id="EHR", attributes={"sender": "epic-prod"})
    )

    [key] = records()
    assert key.startswith("epic-prod|Observation/cbc-hemoglobin/_history/sha256:")


@pytest.fixture
def archive_fails_on_a08(container, monkeypatch):
    """The feed archive (S3) fails for every body that holds an ADT^A08, and works for the rest."""
    from chalicelib.errors import DependencyUnavailable

    real_put = container.feed_archive.put

    def flaky_put(key, data, *args, **kwargs):
        if b"ADT^A08" in data:
            raise DependencyUnavailable("Document storage is unavailable.")
        return real_put(key, data, *args, **kwargs)

    monkeypatch.setattr(container.feed_archive, "put", flaky_put)


def adt(trigger: str, control_id: str, mrn: str) -> str:
    """An ADT of the patient with the medical record number ``mrn`` (sender ADT|AMC)."""
    return "\r".join(
        [
            f"MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240101120000||ADT^{trigger}|{control_id}|P|2.5",
            f"EVN|{trigger}|20240101120000",
            f"PID|1||{mrn}^^^AMC^MR||Doe^Jane||19800101|F",
        ]
    )


def test_a_storage_failure_is_retried_in_order(api, archive_fails_on_a08):
    """FIFO per patient: the failing record and every later one about its patient come back;
    earlier ones are done, and the sender's messages about another patient go on."""
    bodies = [adt("A01", "C-1", "P-1"), adt("A08", "C-2", "P-1"), adt("A03", "C-3", "P-1"), adt("A01", "C-4", "P-2")]
    event = sqs_event(api, bodies, QUEUE, group_id="ADT")

    result = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-1"}, {"itemIdentifier": "message-2"}]}
    assert sorted(r.control_id for r in records().values()) == ["C-1", "C-4"]


def test_a_failure_holds_back_only_its_own_sender(api, archive_fails_on_a08, caplog):
    # (the ADT sender's two messages are about one patient: the second waits for the first)
    event = sqs_event(
        api,
        [adt("A08", "C-1", "P-1"), sample("hl7org_ADT_A01_base-standard_v2.8.hl7"), adt("A03", "C-2", "P-1")],
        QUEUE,
    )
    for record, group in zip(event["Records"], ("ADT", "LAB", "ADT")):
        record["attributes"]["MessageGroupId"] = group

    result = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert result == {"batchItemFailures": [{"itemIdentifier": "message-0"}, {"itemIdentifier": "message-2"}]}
    assert [r.message_type for r in records().values()] == ["ADT^A01"]  # the other sender went on
    failures = [r for r in caplog.records if r.getMessage().startswith("queue record failed")]
    assert [(r.sqs_message_id, r.error_type) for r in failures][0] == ("message-0", "DependencyUnavailable")


@pytest.fixture
def json_log():
    """The portal's log lines as Powertools writes them (with the correlation id)."""
    import io
    import json
    import logging

    from chalicelib.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logging.getLogger("patient-portal").addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logging.getLogger("patient-portal").removeHandler(handler)


def test_records_held_back_behind_a_failure_name_the_failed_record_and_its_sender(api, archive_fails_on_a08, json_log):
    # GIVEN three messages of one sender about one patient, the first of which cannot be stored
    bodies = [adt("A08", "C-1", "P-1"), adt("A01", "C-2", "P-1"), adt("A03", "C-3", "P-1")]
    event = sqs_event(api, bodies, QUEUE, group_id="ADT-EAST")

    result = api.lambda_.invoke("on_clinical_feed_message", event).payload

    # THEN all three come back, in order
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == ["message-0", "message-1", "message-2"]
    # AND the two held back say which record they waited behind, and whose, under its
    # correlation id: on-call searches for one failure, not for three
    lines = [line for line in json_log() if line["message"].startswith("queue record failed")]
    assert [(line["sqs_message_id"], line["error_type"]) for line in lines] == [
        ("message-0", "DependencyUnavailable"),
        ("message-1", "SQSFifoMessageGroupCircuitBreakerError"),
        ("message-2", "SQSFifoMessageGroupCircuitBreakerError"),
    ]
    assert "held_behind" not in lines[0]
    for held in lines[1:]:
        assert (held["held_behind"], held["message_group"], held["correlation_id"]) == (
            "message-0",
            "ADT-EAST",
            "message-0",
        )


def test_every_sample_is_taken_without_a_retry(api):
    """No real-world sample crashes intake: each is recorded or quarantined, never bounced."""
    paths = sorted((SAMPLES_DIR / "hl7v2").iterdir()) + sorted((SAMPLES_DIR / "fhir").iterdir())
    for path in paths:
        body = path.read_bytes().decode("utf-8", errors="replace")
        event = sqs_event(api, [body], QUEUE, group_id="X", attributes={"sender": "sample-feed"})

        result = api.lambda_.invoke("on_clinical_feed_message", event).payload

        assert result == {"batchItemFailures": []}, path.name
    stored = list(records().values())
    # Every message reached an end: filed under its patient, or quarantined with its reason.
    assert {r.status for r in stored} == {"filed", "quarantined"}
    assert all(r.reason for r in stored if r.status == "quarantined")
    hl7 = [r for r in stored if r.format == "hl7v2" or r.format == "unknown"]
    # All HL7 samples are filed but the six meant to be refused (fuzz, malformed, invalid, bad
    # batch, corpus, Z99) and the five their senders marked as test data: training (MSH-11 T) or
    # debugging (D). The BHS batch carries two messages.
    test_data = {r.control_id: r.reason for r in hl7 if "not filed into live charts" in (r.reason or "")}
    assert sorted(test_data) == [
        "102",
        "182",
        "2.16.840.1.114222.4.3.3.5.1.2-20120314235954.325",
        "2417.1",
        "AR97X4K8RDEARVW",
    ]
    assert "MSH-11 (processing id) is D (debugging)" in test_data["2417.1"]
    assert "MSH-11 (processing id) is T (training)" in test_data["102"]
    assert sum(r.status == "quarantined" for r in hl7) == 6 + 5
    assert sum(r.status == "filed" for r in hl7) == len(list((SAMPLES_DIR / "hl7v2").iterdir())) - 6 - 5 + 1
    # The FHIR specification's own examples are tagged as test data (HTEST): quarantined as such.
    fhir = [r for r in stored if r.format == "fhir"]
    assert sum("tagged HTEST (test health data)" in (r.reason or "") for r in fhir) == 4


def test_each_intake_outcome_is_a_metric(aws, capfd):
    """Deployed (stage prod), every accepted or quarantined message is one CloudWatch EMF metric."""
    import json

    from chalice.test import Client

    from tests.conftest import PROJECT_DIR

    bodies = [sample("hl7org_ADT_A01_base-standard_v2.8.hl7"), sample("fuzz_nhapi_stackoverflow1.hl7")]
    with Client(app_module.app, stage_name="prod", project_dir=str(PROJECT_DIR)) as prod:
        prod.lambda_.invoke("on_clinical_feed_message", sqs_event(prod, bodies, QUEUE, group_id="ADT"))

    emitted = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    names = [m["Name"] for doc in emitted for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]]
    assert sorted(names) == ["FeedMessageFiled", "FeedMessageQuarantined"]
    assert all(doc["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "PatientPortal" for doc in emitted)


def test_a_lambda_fifo_event_as_aws_delivers_it(api):
    """The event shape Lambda really hands over (tests/events): FIFO attributes, message attributes."""
    import json

    from tests.conftest import EVENTS_DIR

    event = json.loads((EVENTS_DIR / "sqs_clinical_inbound_fifo.json").read_text())

    result = api.lambda_.invoke("on_clinical_feed_message", event).payload

    assert result == {"batchItemFailures": []}
    # HL7 identifies its own sender (MSH-3|MSH-4); the message attribute is for FHIR bodies
    assert list(records()) == ["Ntierprise|Ntierprise Clinic|8899-39"]


def test_a_record_is_never_written_without_its_audit_event(container, monkeypatch):
    """Record and audit event share one transaction: when the event cannot be written, neither is,
    and the failure is a fault to retry, not a duplicate to skip."""
    import uuid
    from datetime import datetime, timezone

    from chalicelib.audit import service as audit
    from chalicelib.errors import DependencyUnavailable
    from chalicelib.feeds import service as feeds

    moment = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
    fixed = uuid.UUID("00000000-0000-0000-0000-00000000a0d1")
    monkeypatch.setattr(audit.uuid, "uuid4", lambda: fixed)
    # GIVEN the audit trail already holds an event with the id the intake's event will get
    audit.append_event(
        container.audit_log,
        actor=feeds.FEED_INTAKE,
        action=audit.Action.CREATE,
        event_type="feed.message.received",
        outcome=audit.Outcome.SUCCESS,
        recorded_at=moment,
    )

    with pytest.raises(DependencyUnavailable):
        feeds.receive(
            sample("hl7org_ADT_A01_base-standard_v2.8.hl7").encode(),
            archive=container.feed_archive,
            messages=container.feed_messages,
            received_at=moment,
        )

    assert records() == {}


def test_a_bad_message_in_a_batch_is_quarantined_alone_and_keeps_its_identity(api):
    good = sample("hl7org_ADT_A01_base-standard_v2.8.hl7").replace("\r\n", "\r").strip()
    unsupported = good.replace("ADT^A01^ADT_A01", "ERP^Z99^ERP_R09").replace("MSG00001", "MSG00002")
    batch = "BHS|^~\\&|ADT1|GOOD HEALTH HOSPITAL\r" + good + "\r" + unsupported + "\rBTS|2"

    api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, [batch], QUEUE, group_id="ADT"))

    stored = records()
    [accepted] = [r for r in stored.values() if r.status == "filed"]
    [quarantined] = [r for r in stored.values() if r.status == "quarantined"]
    assert accepted.control_id == "MSG00001"
    assert (quarantined.format, quarantined.message_type, quarantined.control_id) == ("hl7v2", "ERP^Z99", "MSG00002")
    assert quarantined.sender == accepted.sender
