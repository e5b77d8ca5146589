"""Feed messages that used to be retried into the dead-letter queue now end in quarantine with a
reason, and large messages come by claim check."""

from __future__ import annotations

import boto3

from chalicelib import wiring
from chalicelib.filing.matching import scoped_authority
from chalicelib.patients.domain import Identifier
from tests.integration.conftest import sqs_event
from tests.integration.test_feed_intake import QUEUE, feed_sources, records  # noqa: F401  (fixture)

ORU = (
    "MSH|^~\\&|LAB|AMC|||20261125080000||ORU^R01|{cid}|P|2.5.1\r"
    "PID|1||{pid3}||Doe^Jane||19800101|F\r"
    "OBR|1||F-{cid}^LAB|2345-7^Glucose^LN|||20261125070000||||||||||||||||CH|F\r{obx}"
)


def send(api, body: str) -> dict:
    return api.lambda_.invoke("on_clinical_feed_message", sqs_event(api, [body], QUEUE, group_id="LAB")).payload


def test_one_number_sent_with_two_type_codes_is_one_identifier(api):
    body = ORU.format(cid="t-1", pid3="P-900^^^AMC-MRN^MR~P-900^^^AMC-MRN^PI", obx="OBX|1|NM|2345-7^Glucose^LN||85")
    assert send(api, body) == {"batchItemFailures": []}
    assert records()["LAB|AMC|t-1"].status == "filed"
    # (AMC-MRN is a name this unregistered sender did not declare: its own, under the catch-all)
    authority = scoped_authority("LAB|AMC", "AMC-MRN")
    patient = wiring.container().patients.by_identifier("albany-medical-center", Identifier(authority, "P-900"))
    assert patient is not None and [i.value for i in patient.identifiers] == ["P-900"]


def test_too_many_identifiers_or_too_much_content_is_quarantined_not_retried(api):
    many = "~".join(f"N{n}^^^AMC-MRN^MR" for n in range(30))
    huge = "\r".join(f"OBX|{n}|TX|NOTE^Note^L||{'x' * 200}" for n in range(1, 1200))
    assert send(api, ORU.format(cid="t-2", pid3=many, obx="OBX|1|NM|2345-7^Glucose^LN||85")) == {
        "batchItemFailures": []
    }
    assert send(api, ORU.format(cid="t-3", pid3="P-1^^^AMC-MRN^MR", obx=huge)) == {"batchItemFailures": []}
    stored = records()
    assert "more than 20 identifiers" in stored["LAB|AMC|t-2"].reason
    assert "too large" in stored["LAB|AMC|t-3"].reason


def test_the_default_authority_is_for_record_numbers_only(api):
    body = ORU.format(cid="t-4", pid3="1EG4TE5MK73^^^^MC", obx="OBX|1|NM|2345-7^Glucose^LN||85")
    send(api, body)
    assert "assigning authority" in records()["LAB|AMC|t-4"].reason  # a payer id is never read as an MRN


def test_a_large_message_comes_by_claim_check(api, aws):
    bucket = aws.physical["FeedArchiveBucket"]
    body = ORU.format(cid="t-5", pid3="P-5^^^AMC-MRN^MR", obx="OBX|1|NM|2345-7^Glucose^LN||85")
    boto3.client("s3").put_object(Bucket=bucket, Key="claim-checks/lab/t-5.hl7", Body=body.encode())

    send(api, f'{{"s3": {{"bucket": "{bucket}", "key": "claim-checks/lab/t-5.hl7"}}}}')
    send(api, '{"s3": {"bucket": "someone-elses-bucket", "key": "claim-checks/x"}}')

    stored = records()
    assert stored["LAB|AMC|t-5"].status == "filed"
    [refused] = [r for r in stored.values() if r.status == "quarantined"]
    assert "feed archive bucket" in refused.reason


def test_a_fault_in_filing_itself_is_quarantined_with_an_error_id_and_the_batch_moves_on(api, monkeypatch):
    from chalicelib.filing.filers import FILERS

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setitem(FILERS, "result", broken)
    assert send(api, ORU.format(cid="t-6", pid3="P-6^^^AMC-MRN^MR", obx="OBX|1|NM|2345-7^Glucose^LN||85")) == {
        "batchItemFailures": []
    }
    reason = records()["LAB|AMC|t-6"].reason
    assert "error id" in reason and "a bug" not in reason
