"""Redriving dead letters (chalicelib/adapters/dead_letters.py) against a stand-in for SQS that records
what it is asked: FIFO messages go back in their group, in order, under fresh deduplication ids;
each leaves the dead-letter queue only after it is back; a refused return stops its group there."""

from __future__ import annotations

import json
from types import SimpleNamespace

from chalicelib.adapters import dead_letters
from chalicelib.errors import DependencyUnavailable
from chalicelib.notifications.consumer import failure_reason
from chalicelib.notifications.deliveries import FailureReason
from chalicelib.notifications.service import MailRefused

INBOUND = "https://sqs.local/1/inbound.fifo"
INBOUND_DLQ = "https://sqs.local/1/inbound-dlq.fifo"
NOTIFY = "https://sqs.local/1/notifications"
NOTIFY_DLQ = "https://sqs.local/1/notifications-dlq"


class FakeSqs:
    def __init__(self, waiting: dict[str, list[dict]], refuse_after: int | None = None):
        self.waiting = waiting  # dead-letter queue url -> messages, oldest first
        self.sent: list[dict] = []
        self.deleted: list[str] = []
        self.refuse_after = refuse_after
        self._given: set[str] = set()

    def get_queue_attributes(self, QueueUrl, AttributeNames):
        dlq = {INBOUND: "inbound-dlq.fifo", NOTIFY: "notifications-dlq"}[QueueUrl]
        return {"Attributes": {"RedrivePolicy": json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:r:1:{dlq}"})}}

    def get_queue_url(self, QueueName, QueueOwnerAWSAccountId):
        return {"QueueUrl": f"https://sqs.local/{QueueOwnerAWSAccountId}/{QueueName}"}

    def receive_message(self, QueueUrl, **_):
        batch = [m for m in self.waiting.get(QueueUrl, []) if m["ReceiptHandle"] not in self._given][:10]
        self._given.update(m["ReceiptHandle"] for m in batch)
        return {"Messages": batch}

    def send_message(self, **params):
        if self.refuse_after is not None and len(self.sent) >= self.refuse_after:
            raise RuntimeError("refused")
        self.sent.append(params)

    def delete_message(self, QueueUrl, ReceiptHandle):
        self.deleted.append(ReceiptHandle)


def fifo_message(number: int, group: str) -> dict:
    return {
        "MessageId": f"m{number}",
        "ReceiptHandle": f"h{number}",
        "Body": f"MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|C{number}|P|2.5.1",
        "Attributes": {
            "MessageGroupId": group,
            "MessageDeduplicationId": f"dedup-{number}",
            "ApproximateReceiveCount": "5",
            "SentTimestamp": "1767225600000",
        },
        "MessageAttributes": {"sender": {"DataType": "String", "StringValue": group, "StringListValues": []}},
    }


SETTINGS = SimpleNamespace(
    clinical_inbound_queue_url=INBOUND,
    notifications_queue_url=NOTIFY,
    clinical_outbound_queue_url="",
    clinical_ack_queue_url="",
)


def test_fifo_dead_letters_go_back_in_their_group_and_order_under_fresh_deduplication_ids():
    sqs = FakeSqs({INBOUND_DLQ: [fifo_message(1, "LAB|AMC"), fifo_message(2, "LAB|AMC"), fifo_message(3, "ADT|AMC")]})

    done = dead_letters.redrive(sqs, SETTINGS, ["inbound"])

    assert done.moved == {"inbound": 3} and done.failed == {}
    assert [(s["QueueUrl"], s["MessageGroupId"]) for s in sqs.sent] == [
        (INBOUND, "LAB|AMC"),
        (INBOUND, "LAB|AMC"),
        (INBOUND, "ADT|AMC"),
    ]
    assert [s["MessageBody"][-12:] for s in sqs.sent] == [m["Body"][-12:] for m in sqs.waiting[INBOUND_DLQ]]
    dedup_ids = [s["MessageDeduplicationId"] for s in sqs.sent]
    assert len(set(dedup_ids)) == 3 and not {"dedup-1", "dedup-2", "dedup-3"} & set(dedup_ids)
    # the message attributes go back as SendMessage takes them
    assert sqs.sent[0]["MessageAttributes"] == {"sender": {"DataType": "String", "StringValue": "LAB|AMC"}}
    assert sqs.deleted == ["h1", "h2", "h3"]


def test_a_refused_return_leaves_that_message_and_the_rest_of_its_queue_on_the_dead_letter_queue():
    sqs = FakeSqs({INBOUND_DLQ: [fifo_message(1, "LAB|AMC"), fifo_message(2, "LAB|AMC")]}, refuse_after=1)

    done = dead_letters.redrive(sqs, SETTINGS, ["inbound"])

    assert done.moved == {"inbound": 1} and done.failed == {"inbound": 1}
    assert sqs.deleted == ["h1"]  # the second stays, and nothing behind it overtakes it


def test_a_standard_queue_message_goes_back_as_it_is():
    message = {
        "MessageId": "n1",
        "ReceiptHandle": "hn1",
        "Body": json.dumps({"notification_id": "invitation-abc", "template": "invitation", "to_address": "a@b.c"}),
        "Attributes": {"ApproximateReceiveCount": "5", "SentTimestamp": "1767225600000"},
    }
    sqs = FakeSqs({NOTIFY_DLQ: [message]})

    assert dead_letters.redrive(sqs, SETTINGS, ["notifications"]).moved == {"notifications": 1}
    assert sqs.sent == [{"QueueUrl": NOTIFY, "MessageBody": message["Body"]}]


def test_a_listed_notification_shows_its_kind_and_delivery_record_but_never_its_address():
    body = json.dumps({"notification_id": "invitation-abc", "template": "invitation", "to_address": "a@b.c"})
    letter = dead_letters.describe("notifications", {"MessageId": "n1", "Body": body, "Attributes": {}})

    assert (letter.kind, letter.notification_id) == ("invitation", "invitation-abc")
    assert "a@b.c" not in letter.line()


def test_a_listed_inbound_message_shows_its_sender_and_control_id():
    letter = dead_letters.describe("inbound", fifo_message(7, "LAB|AMC"))

    assert (letter.sender, letter.control_id, letter.receive_count) == ("LAB|AMC", "C7", 5)
    assert letter.kind.startswith("ORU")


def test_a_failed_send_says_why_and_the_last_try_says_it_waits_on_the_dead_letter_queue():
    assert failure_reason(MailRefused("no"), 1) is FailureReason.MAIL_REFUSED
    assert failure_reason(DependencyUnavailable("table down"), 4) is FailureReason.NOT_SENT
    assert failure_reason(MailRefused("no"), 5) is FailureReason.DEAD_LETTER
