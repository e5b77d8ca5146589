"""HL7 v2 acknowledgements, through the real queues: a message goes onto the inbound FIFO queue,
the feed handler takes it as Lambda hands it over, and the sender's interface engine reads the
ACK from the acknowledgement queue, in its own message group."""

from __future__ import annotations

import os

import boto3
import hl7
import pytest

from chalicelib import wiring
from chalicelib.data.models import FeedMessageModel
from chalicelib.feeds.acks import group_id
from chalicelib.feeds.domain import FeedSource
from chalicelib.feeds.envelope import msh_segments
from infra.local.sqs_poller import lambda_record
from tests.conftest import SAMPLES_DIR
from tests.integration.identity.conftest import seeded, staff_token  # noqa: F401  (fixtures)

QUEUE = "patient-portal-clinical-inbound.fifo"


def sample(name: str) -> str:
    return (SAMPLES_DIR / "hl7v2" / name).read_bytes().decode("utf-8")


@pytest.fixture(autouse=True)
def feed_sources(container):
    container.records.add_feed_source(FeedSource("*", "albany-medical-center", "SAMPLE-MRN"))


def deliver(api, body: str, group: str = "ENGINE") -> dict:
    """Put a body on the inbound queue as a sender does, and let the handler take it."""
    boto3.client("sqs").send_message(
        QueueUrl=os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"],
        MessageBody=body,
        MessageGroupId=group,
        MessageDeduplicationId=os.urandom(8).hex(),
    )
    return take_inbound(api)


def take_inbound(api) -> dict:
    """Run what the inbound queue hands Lambda through the feed handler, as the event source
    mapping does: records the handler reports failed stay on the queue, the rest are deleted."""
    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_CLINICAL_INBOUND_QUEUE_URL"]
    received = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
    )["Messages"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    event = {"Records": [lambda_record(m, arn, os.environ["AWS_DEFAULT_REGION"]) for m in received]}
    result = api.lambda_.invoke("on_clinical_feed_message", event).payload
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    for message in received:
        if message["MessageId"] in failed:  # back on the queue at once, as after its visibility timeout
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        else:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return result


def read_acks() -> list[dict]:
    """What an interface engine reads from the acknowledgement queue: body, group, attributes."""
    sqs = boto3.client("sqs")
    url = os.environ["PORTAL_CLINICAL_ACK_QUEUE_URL"]
    acks = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], AttributeNames=["All"]
        ).get("Messages", [])
        if not messages:
            return acks
        for message in messages:
            acks.append(
                {
                    "segments": message["Body"].split("\r"),
                    "group": message["Attributes"]["MessageGroupId"],
                    **{name: value["StringValue"] for name, value in message["MessageAttributes"].items()},
                }
            )
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def msa(ack: dict) -> str:
    return ack["segments"][1]


def err_fields(ack: dict) -> list[str]:
    [err] = [s for s in ack["segments"] if s.startswith("ERR")]
    return err.split("|")


@pytest.mark.parametrize(
    ("name", "sender", "control_id", "trigger"),
    [
        # a hospital EHR's ADT, a practice-management system's scheduling, a lab's result
        ("hl7org_ADT_A01_base-standard_v2.8.hl7", "ADT1|GOOD HEALTH HOSPITAL", "MSG00001", "A01"),
        ("corepoint_SIU_S14_v2.3.hl7", "GPMS|CTX", "20080306953450", "S14"),
        ("nist_ORU_R01_lead-high_v2.5.1.hl7", None, "NIST-100929110701660", "R01"),
    ],
)
def test_a_filed_message_is_answered_aa_in_its_senders_group(api, container, clock, name, sender, control_id, trigger):
    body = sample(name)

    assert deliver(api, body) == {"batchItemFailures": []}

    [ack] = read_acks()
    original = msh_segments(body.encode())[0].split("|")  # original[n - 1] is MSH-n
    msh = ack["segments"][0].split("|")
    sender = sender or f"{original[2]}|{original[3]}"
    assert (ack["sender"], ack["ack_code"], ack["acknowledges"]) == (sender, "AA", control_id)
    assert ack["group"] == group_id(sender)  # the sender, as a FIFO group id spells it (no spaces)
    assert msa(ack) == f"MSA|AA|{control_id}"
    assert msh[2:6] == [original[4], original[5], original[2], original[3]]  # back to the sender
    assert msh[6] == clock.now().strftime("%Y%m%d%H%M%S+0000")  # the portal's clock, in UTC
    assert msh[8] == f"ACK^{trigger}^ACK"
    assert msh[10:12] == original[10:12]  # processing id and version
    assert container.feed_messages.get(f"{sender}|{control_id}").status.value == "filed"


def test_a_message_that_cannot_be_filed_is_answered_ae_with_the_reason_and_no_patient_data(api, container):
    from chalicelib.data.models import FeedSourceModel

    FeedSourceModel("sender#*").delete()  # this sender files for nobody yet
    body = sample("pyhl7_ORU_R01_invalid-dob_v2.4.hl7")

    deliver(api, body)

    [ack] = read_acks()
    record = container.feed_messages.get("GHH LAB|ELAB-3|CNTRL-3456")
    assert (ack["ack_code"], ack["sender"]) == ("AE", "GHH LAB|ELAB-3")
    assert msa(ack) == f"MSA|AE|CNTRL-3456|{record.reason}"  # a v2.4 message: MSA-3 says it too
    err = err_fields(ack)
    assert (err[4], err[8]) == ("E", record.reason)  # the quarantine reason, word for word
    assert "not registered" in err[8]
    original = hl7.parse(body.replace("\n", "\r").strip())
    pid = original.segment("PID")
    for value in (str(pid[3]).split("^")[0], str(pid[5]).split("^")[0], str(pid[7])):
        assert value and value not in "\r".join(ack["segments"]), value


def test_a_message_type_the_portal_does_not_take_is_answered_ar(api):
    deliver(api, sample("hapi_ERP_Z99_olis-Z-segments_v2.3.1.hl7"))

    [ack] = read_acks()
    assert ack["ack_code"] == "AR"
    assert msa(ack).startswith("MSA|AR|bf3dd577-2108-47ad-abd2-4f06284f3b55")
    err = err_fields(ack)
    assert (err[2], err[3]) == ("MSH^1^9", "200^Unsupported message type^HL70357")
    assert err[8] == "Message type ERP\\S\\Z99 is not one the portal takes."  # "^" escaped as HL7 says


def test_a_body_that_is_not_hl7_is_answered_ar_to_the_queue_group_that_sent_it(api):
    deliver(api, "Not a clinical message at all.", group="ENGINE-7")

    [ack] = read_acks()
    assert (ack["ack_code"], ack["group"], ack["acknowledges"]) == ("AR", "ENGINE-7", "-")
    assert msa(ack) == "MSA|AR|"
    assert err_fields(ack)[8] == "The body is neither HL7 v2 (no MSH segment) nor FHIR JSON."


def test_a_batch_refused_as_a_whole_answers_each_of_its_messages_as_they_ask(api):
    batch = sample("pyhl7_batch_BHS-BTS_2msgs_v2.5.hl7").replace("\rMSH", "\rthis line is no segment\rMSH", 1)

    deliver(api, batch)  # its messages ask for no acknowledgement (MSH-15 and MSH-16 NE)

    assert read_acks() == []

    deliver(api, batch.replace("|NE|NE|", "|AL|AL|"))  # the same batch, asking for both kinds

    acks = read_acks()
    assert {a["group"] for a in acks} == {"|ABCHS"}  # MSH-3 is empty, MSH-4 names the sender
    assert [(a["ack_code"], a["acknowledges"]) for a in acks] == [
        ("CR", "12334456778890"),
        ("AR", "12334456778890"),
        ("CR", "12334456778891"),
        ("AR", "12334456778891"),
    ]


@pytest.mark.parametrize(
    ("accept", "application", "test_data", "codes"),
    [
        ("AL", "NE", False, ["CA"]),  # a commit ACK only
        ("NE", "AL", False, ["AA"]),  # an application ACK only
        ("AL", "AL", False, ["CA", "AA"]),
        ("ER", "ER", False, []),  # errors only, and there were none
        ("ER", "ER", True, ["AE"]),  # training data in a live chart: an application error
        ("NE", "NE", True, []),  # never
    ],
)
def test_enhanced_mode_answers_as_msh_15_and_16_ask(api, accept, application, test_data, codes):
    processing = "T" if test_data else "P"
    body = sample("nhapi_ADT_A03_discharge_v2.5.hl7").replace(
        "|P|2.5", f"|{processing}|2.5|||{accept}|{application}", 1
    )

    deliver(api, body)

    acks = read_acks()
    assert [a["ack_code"] for a in acks] == codes
    assert all(msa(a) == f"MSA|{a['ack_code']}|263206" for a in acks)
    if test_data:
        assert [err_fields(a)[3] for a in acks] == ["202^Unsupported processing id^HL70357"] * len(acks)
    assert len({a["segments"][0].split("|")[9] for a in acks}) == len(acks)  # each ACK its own control id


def test_a_message_with_its_own_separators_is_answered_in_them(api):
    custom = str.maketrans({"|": "#", "^": "$", "~": "*", "\\": "%", "&": "@"})
    body = sample("nhapi_ADT_A03_discharge_v2.5.hl7").translate(custom)

    deliver(api, body)

    [ack] = read_acks()
    assert ack["segments"][0].startswith("MSH#$*%@#AMB_R#SANTER#IRIS#SANTER#")
    assert ack["segments"][0].split("#")[8] == "ACK$A03$ACK"
    assert msa(ack) == "MSA#AA#263206"


def test_a_duplicate_gets_the_answer_of_the_first_time(api, container):
    body = sample("pyhl7_ORU_R01_invalid-dob_v2.4.hl7").replace("|P|2.4", "|T|2.4", 1)  # quarantined
    deliver(api, body)
    [first] = read_acks()

    deliver(api, body)  # the engine sends it again, say after a lost connection

    [again] = read_acks()
    assert again["segments"][1:] == first["segments"][1:]  # the same AE, the same reason
    assert again["segments"][0].split("|")[9] == first["segments"][0].split("|")[9]  # the same ACK id
    assert [m.status for m in FeedMessageModel.scan()] == ["quarantined"]  # one record, as it was


def test_an_answer_sent_twice_before_it_is_read_waits_on_the_queue_once(api):
    body = sample("nist_ORU_R01_lead-high_v2.5.1.hl7")

    deliver(api, body)
    deliver(api, body)

    assert [a["ack_code"] for a in read_acks()] == ["AA"]  # same deduplication id: SQS keeps one


def test_an_ack_that_cannot_be_sent_is_retried_with_the_record_and_the_message_is_filed_once(
    api, container, monkeypatch
):
    from chalicelib.errors import DependencyUnavailable

    queue = container.clinical_ack_queue
    real_send = queue.send_raw_batch
    failures = iter([True])

    def flaky(*args, **kwargs):
        if next(failures, False):
            raise DependencyUnavailable("A queue is unavailable.")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(queue, "send_raw_batch", flaky)
    body = sample("nhapi_ADT_A03_discharge_v2.5.hl7")
    written_before = len(container.audit_log.by_actor("system:clinical-feed", 50)[0])

    first = deliver(api, body)

    assert len(first["batchItemFailures"]) == 1  # the queue keeps it
    assert read_acks() == []
    assert container.feed_messages.get("IRIS|SANTER|263206").status.value == "filed"  # filing stood

    second = take_inbound(api)  # the queue hands the same record over again

    assert second == {"batchItemFailures": []}
    [ack] = read_acks()
    assert msa(ack) == "MSA|AA|263206"
    written = container.audit_log.by_actor("system:clinical-feed", 50)[0]
    assert len(written) - written_before == 1  # recorded once, not again on the retry


def test_a_replayed_message_is_answered_again_with_its_new_outcome(seeded, staff_token):
    from chalicelib.data.models import FeedSourceModel
    from tests.integration.identity.conftest import call
    from tests.integration.test_feed_quarantine import unregistered_result

    FeedSourceModel("sender#*").delete()  # the sender files for nobody yet
    sqs = boto3.client("sqs")
    for queue in ("PORTAL_CLINICAL_INBOUND_QUEUE_URL", "PORTAL_CLINICAL_ACK_QUEUE_URL"):
        sqs.purge_queue(QueueUrl=os.environ[queue])  # (the demo feed)
    deliver(seeded, unregistered_result())
    [refused] = read_acks()
    assert (refused["ack_code"], refused["acknowledges"]) == ("AE", "q-1")

    # The operator registers the sender; the clinic's staff replay the message.
    wiring.container().records.add_feed_source(FeedSource("NEWLAB|AMC", "albany-medical-center", "AMC-MRN"))
    [item] = call(seeded, "GET", "/v1/staff/feed/quarantine", token=staff_token).json_body["messages"]
    assert call(seeded, "POST", f"/v1/staff/feed/quarantine/{item['id']}/replay", None, staff_token).status_code == 200
    take_inbound(seeded)

    [filed] = read_acks()
    assert (filed["ack_code"], filed["acknowledges"], filed["group"]) == ("AA", "q-1", "NEWLAB|AMC")
    assert filed["segments"][0].split("|")[9] != refused["segments"][0].split("|")[9]  # another answer, another id


def test_a_batch_of_many_messages_is_answered_in_the_order_of_its_messages(api):
    one = sample("nhapi_ADT_A03_discharge_v2.5.hl7").strip().replace("\n", "\r")
    batch = "\r".join(one.replace("|263206|", f"|263206-{n}|", 1) for n in range(12))  # more than SQS's 10 a request

    assert deliver(api, batch) == {"batchItemFailures": []}

    assert [a["acknowledges"] for a in read_acks()] == [f"263206-{n}" for n in range(12)]
