"""feeds.service.receive: archive raw, split, record once, or quarantine with a reason."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, timezone

import pytest

from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds.domain import FeedFormat, FeedStatus, IntakeResult
from chalicelib.feeds.service import receive
from tests.conftest import SAMPLES_DIR
from tests.unit.fakes import FakeArchive, FakeFeedMessages

NOW = datetime(2026, 3, 14, 9, 26, 53, tzinfo=timezone.utc)

ADT = (
    b"MSH|^~\\&|EHR|CLINIC|PORTAL|PORTAL|20240101120000||ADT^A08|CTRL-1|P|2.5\r"
    b"EVN|A08|20240101120000\r"
    b"PID|1||12345^^^CLINIC^MR||Doe^Jane||19800101|F\r"
)


@pytest.fixture
def archive() -> FakeArchive:
    return FakeArchive()


@pytest.fixture
def messages() -> FakeFeedMessages:
    return FakeFeedMessages()


def take(raw: bytes, archive, messages, sender_hint: str = ""):
    return receive(raw, archive=archive, messages=messages, sender_hint=sender_hint, received_at=NOW)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_raw_body_is_archived_first_under_its_sha256():
    # GIVEN a body, WHEN it is received
    journal: list[str] = []
    archive, messages = FakeArchive(journal=journal), FakeFeedMessages(journal=journal)
    take(ADT, archive, messages)
    # THEN the archive got the exact bytes before anything was recorded
    assert [entry.split()[0] for entry in journal] == ["archive", "add"]
    [put] = archive.puts
    assert put.data == ADT
    assert sha(ADT) in put.key
    assert put.key == f"inbound/2026/03/14/{sha(ADT)}"
    assert put.metadata == {"sha256": sha(ADT)}


def test_accepted_message_is_recorded_under_sender_and_control_id(archive, messages):
    # WHEN a valid message is received
    results = take(ADT, archive, messages)
    # THEN it is accepted and recorded once, keyed by sender|control id
    assert results == [(IntakeResult.ACCEPTED, "EHR|CLINIC|CTRL-1")]
    record = messages.records["EHR|CLINIC|CTRL-1"]
    assert record.status is FeedStatus.ACCEPTED
    assert record.format is FeedFormat.HL7V2
    assert record.message_type == "ADT^A08"
    assert (record.sender, record.control_id) == ("EHR|CLINIC", "CTRL-1")
    assert record.reason == ""
    assert record.received_at == NOW
    assert record.archive_key == archive.puts[0].key
    assert len(record.sha256) == 64


def test_same_body_twice_is_a_duplicate_and_one_record(archive, messages):
    # GIVEN a body already received (SQS redelivery)
    take(ADT, archive, messages)
    first = dict(messages.records)
    # WHEN it comes again
    results = take(ADT, archive, messages)
    # THEN it is a duplicate and nothing new is recorded
    assert results == [(IntakeResult.DUPLICATE, "EHR|CLINIC|CTRL-1")]
    assert messages.records == first


def test_same_message_with_other_terminators_is_a_duplicate(archive, messages):
    # GIVEN the sender resends the same message with LF instead of CR
    take(ADT, archive, messages)
    results = take(ADT.replace(b"\r", b"\n"), archive, messages)
    # THEN it is recognised as the same message
    assert results == [(IntakeResult.DUPLICATE, "EHR|CLINIC|CTRL-1")]
    assert len(messages.records) == 1


def test_reused_control_id_with_different_content_is_quarantined_and_original_kept(archive, messages):
    # GIVEN a message recorded under EHR|CLINIC|CTRL-1
    take(ADT, archive, messages)
    original = messages.records["EHR|CLINIC|CTRL-1"]
    # WHEN a different message arrives with the same sender and control id
    changed = ADT.replace(b"Doe^Jane", b"Doe^Janet")
    [(result, key)] = take(changed, archive, messages)
    # THEN it is quarantined with a reason about the control id, and the original is untouched
    assert result is IntakeResult.QUARANTINED
    assert key.startswith("quarantine|")
    quarantined = messages.records[key]
    assert quarantined.status is FeedStatus.QUARANTINED
    assert "control id" in quarantined.reason
    assert (quarantined.sender, quarantined.control_id) == ("EHR|CLINIC", "CTRL-1")
    assert messages.records["EHR|CLINIC|CTRL-1"] is original
    assert "Janet" not in quarantined.reason


def test_unfileable_body_is_quarantined_by_its_sha256_and_still_archived(archive, messages):
    # GIVEN a body that is not a message
    raw = b"this is not HL7"
    # WHEN received
    results = take(raw, archive, messages)
    # THEN one quarantine record, keyed by the body's hash, says why; and the bytes are archived
    assert results == [(IntakeResult.QUARANTINED, f"quarantine|{sha(raw)}")]
    [record] = messages.records.values()
    assert record.key == f"quarantine|{sha(raw)}"
    assert record.status is FeedStatus.QUARANTINED
    assert record.format is FeedFormat.UNKNOWN
    assert "neither HL7 v2" in record.reason
    assert record.archive_key == archive.puts[0].key
    assert archive.puts[0].data == raw


def test_unfileable_body_received_twice_is_one_quarantine_record(archive, messages):
    raw = (SAMPLES_DIR / "hl7v2" / "invalid_SIU_S12_bad-phone_v2.3.1.hl7").read_bytes()
    assert take(raw, archive, messages) == take(raw, archive, messages)
    assert len(messages.records) == 1
    assert "SCH" in next(iter(messages.records.values())).reason


def test_batch_yields_one_record_per_message(archive, messages):
    # GIVEN a BHS/BTS batch of two messages
    raw = (SAMPLES_DIR / "hl7v2" / "pyhl7_batch_BHS-BTS_2msgs_v2.5.hl7").read_bytes()
    # WHEN received
    results = take(raw, archive, messages)
    # THEN the body is archived once and each message recorded on its own
    assert len(archive.puts) == 1
    assert [result for result, _ in results] == [IntakeResult.ACCEPTED, IntakeResult.ACCEPTED]
    assert {key for _, key in results} == set(messages.records)
    assert sorted(r.control_id for r in messages.records.values()) == ["12334456778890", "12334456778891"]


def test_fhir_body_records_with_the_sender_hint(archive, messages):
    # GIVEN a FHIR resource with an id and no meta.versionId, sent with the 'sender' attribute
    raw = (SAMPLES_DIR / "fhir" / "uscore_patient-example.json").read_bytes()
    assert "versionId" not in json.loads(raw).get("meta", {})
    # WHEN received
    results = take(raw, archive, messages, sender_hint="ehr")
    # THEN it is recorded under the sender and the resource's id, versioned by its content
    [(result, key)] = results
    assert result is IntakeResult.ACCEPTED
    assert re.fullmatch(r"ehr\|Patient/example/_history/sha256:[0-9a-f]{32}", key)
    record = messages.records[key]
    assert record.format is FeedFormat.FHIR
    assert (record.sender, record.control_id, record.message_type) == ("ehr", key.partition("|")[2], "Patient")


def test_updated_fhir_resource_without_version_id_is_a_new_message(archive, messages):
    # GIVEN a resource without meta.versionId, then an update of the same resource
    original = json.dumps({"resourceType": "Observation", "id": "hb-1", "status": "preliminary"}).encode()
    updated = json.dumps({"resourceType": "Observation", "id": "hb-1", "status": "final"}).encode()
    # WHEN both are received
    [(first, first_key)] = take(original, archive, messages, sender_hint="ehr")
    [(second, second_key)] = take(updated, archive, messages, sender_hint="ehr")
    # THEN both are accepted, as two records under different keys of the same resource
    assert (first, second) == (IntakeResult.ACCEPTED, IntakeResult.ACCEPTED)
    assert first_key != second_key
    assert {first_key, second_key} == set(messages.records)
    assert all(key.startswith("ehr|Observation/hb-1/_history/sha256:") for key in (first_key, second_key))
    assert {r.status for r in messages.records.values()} == {FeedStatus.ACCEPTED}
    # AND a resend of the original bytes is a duplicate, not a third record
    assert take(original, archive, messages, sender_hint="ehr") == [(IntakeResult.DUPLICATE, first_key)]
    assert len(messages.records) == 2


BAD_A40 = (
    ADT.replace(b"ADT^A08", b"ADT^A40").replace(b"CTRL-1", b"CTRL-2").replace(b"Doe^Jane", b"Roe^Rita")
)  # a merge without its MRG segment


def test_batch_with_a_good_and_a_bad_message_accepts_one_and_quarantines_the_other(archive, messages):
    # GIVEN one body holding a good message and one that cannot be filed
    raw = ADT + BAD_A40
    # WHEN received
    results = take(raw, archive, messages)
    # THEN the good one is accepted and the bad one quarantined on its own, keyed by its own text
    bad_sha = sha(BAD_A40.rstrip(b"\r"))  # the message as split: segments joined by CR
    bad_key = f"quarantine|{bad_sha}"
    assert results == [(IntakeResult.ACCEPTED, "EHR|CLINIC|CTRL-1"), (IntakeResult.QUARANTINED, bad_key)]
    assert set(messages.records) == {"EHR|CLINIC|CTRL-1", bad_key}
    assert messages.records["EHR|CLINIC|CTRL-1"].status is FeedStatus.ACCEPTED
    quarantined = messages.records[bad_key]
    assert quarantined.status is FeedStatus.QUARANTINED
    assert quarantined.sha256 == bad_sha
    assert (quarantined.format, quarantined.message_type) == (FeedFormat.HL7V2, "ADT^A40")
    assert "MRG" in quarantined.reason and "Rita" not in quarantined.reason
    # AND both records point at the one archived body
    assert len(archive.puts) == 1
    assert {r.archive_key for r in messages.records.values()} == {archive.puts[0].key}


def test_batch_received_again_is_a_duplicate_and_the_same_quarantine(archive, messages):
    first = take(ADT + BAD_A40, archive, messages)
    again = take(ADT + BAD_A40, archive, messages)
    assert [result for result, _ in again] == [IntakeResult.DUPLICATE, IntakeResult.QUARANTINED]
    assert [key for _, key in again] == [key for _, key in first]
    assert len(messages.records) == 2


def test_quarantined_unknown_message_type_records_format_and_type(archive, messages):
    # GIVEN a message of a type the portal does not take
    raw = (SAMPLES_DIR / "hl7v2" / "hapi_ERP_Z99_olis-Z-segments_v2.3.1.hl7").read_bytes()
    # WHEN received
    [(result, key)] = take(raw, archive, messages)
    # THEN the quarantine record says it is HL7 v2 and which type it was
    assert result is IntakeResult.QUARANTINED
    record = messages.records[key]
    assert record.status is FeedStatus.QUARANTINED
    assert record.format is FeedFormat.HL7V2
    assert record.message_type == "ERP^Z99"
    assert "not one the portal takes" in record.reason


def test_oversized_control_id_is_quarantined_not_used_as_a_key(archive, messages):
    # GIVEN a message whose MSH-10 is 3000 characters (a key DynamoDB would refuse)
    raw = ADT.replace(b"|CTRL-1|", b"|" + b"C" * 3000 + b"|")
    # WHEN received / THEN it is quarantined under its hash, naming the field
    [(result, key)] = take(raw, archive, messages)
    assert result is IntakeResult.QUARANTINED
    message_sha = sha(raw.rstrip(b"\r"))
    assert key == f"quarantine|{message_sha}"
    record = messages.records[key]
    assert "MSH-10" in record.reason
    assert record.format is FeedFormat.HL7V2 and record.control_id == ""


def test_fhir_id_with_a_lone_surrogate_is_quarantined_as_fhir(archive, messages):
    # GIVEN a FHIR resource whose id carries a lone surrogate escape
    raw = b'{"resourceType": "Observation", "id": "hb-\\ud800"}'
    # WHEN received / THEN the body is quarantined under its hash, as FHIR, naming the id
    assert take(raw, archive, messages, sender_hint="ehr") == [(IntakeResult.QUARANTINED, f"quarantine|{sha(raw)}")]
    record = messages.records[f"quarantine|{sha(raw)}"]
    assert record.format is FeedFormat.FHIR
    assert "resource id" in record.reason


def test_unfileable_fhir_body_is_quarantined_as_fhir(archive, messages):
    raw = json.dumps({"resourceType": "Observation", "id": "hb-1"}).encode()
    [(result, key)] = take(raw, archive, messages)  # no sender hint
    assert (result, key) == (IntakeResult.QUARANTINED, f"quarantine|{sha(raw)}")
    assert messages.records[key].format is FeedFormat.FHIR
    assert "No sender" in messages.records[key].reason


def test_unsplittable_hl7_body_is_quarantined_as_hl7v2(archive, messages):
    raw = (SAMPLES_DIR / "hl7v2" / "pyhl7_bad-batch_missing-MSH.hl7").read_bytes()
    [(result, key)] = take(raw, archive, messages)
    assert (result, key) == (IntakeResult.QUARANTINED, f"quarantine|{sha(raw)}")
    assert messages.records[key].format is FeedFormat.HL7V2
    assert "before any MSH" in messages.records[key].reason


def test_archive_failure_records_nothing_and_propagates(messages):
    # GIVEN S3 is down
    archive = FakeArchive(fail_with=DependencyUnavailable("The archive is unavailable."))
    # WHEN a body is received / THEN the error reaches the queue consumer (so SQS redelivers)
    with pytest.raises(DependencyUnavailable):
        take(ADT, archive, messages)
    # AND nothing was recorded, so the redelivery is not mistaken for a duplicate
    assert messages.records == {}


def test_archive_failure_for_an_unfileable_body_quarantines_nothing(messages):
    archive = FakeArchive(fail_with=DependencyUnavailable("The archive is unavailable."))
    with pytest.raises(DependencyUnavailable):
        take(b"garbage", archive, messages)
    assert messages.records == {}


def test_every_record_written_is_an_audit_event_without_phi(archive, messages):
    # GIVEN a feed store, WHEN a lab result, its resend and a broken message arrive
    body = (SAMPLES_DIR / "hl7v2" / "hl7org_ORU_R01_lab-panel_v2.3.1.hl7").read_bytes()
    for raw in (body, body, (SAMPLES_DIR / "hl7v2" / "invalid_SIU_S12_bad-phone_v2.3.1.hl7").read_bytes()):
        take(raw, archive, messages)
    # THEN the two records written came with two events (the duplicate wrote neither), by the feed, at intake time
    events = messages.audit_events
    assert [(e.event_type, e.outcome.value, e.resource_type) for e in events] == [
        ("feed.message.received", "success", "FeedMessage"),
        ("feed.message.received", "failure", "FeedMessage"),
    ]
    assert {e.actor.account_id for e in events} == {"system:clinical-feed"} and {e.recorded_at for e in events} == {NOW}
    assert events[0].resource_id == "LAB|BMC|2417.1" and events[1].reason == "quarantined"
    assert "Someone" not in repr(events) and "Gloria" not in repr(events)  # the patient in the broken message
