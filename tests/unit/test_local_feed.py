"""`make feed`: plain refusals when there is nothing to send or no stack to send it to, and how a
delivery's records become the lines it prints."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from chalicelib.feeds.domain import FeedFormat, FeedMessage, FeedStatus
from infra.local.feed import main, outcomes
from infra.local.state import StackState, read_state, remove_state, write_state
from tests.conftest import SAMPLES_DIR

NIST_ORU = SAMPLES_DIR / "hl7v2" / "nist_ORU_R01_lead-high_v2.5.1.hl7"
BATCH = SAMPLES_DIR / "hl7v2" / "pyhl7_batch_BHS-BTS_2msgs_v2.5.hl7"
NOT_RUNNING = "The local portal is not running: start it with `make run` in another terminal.\n"


def feed(argv: list[str], state_path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(argv, {"PORTAL_LOCAL_STATE": str(state_path)}, out, err)
    return status, out.getvalue(), err.getvalue()


def a_closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # (nothing listens once the socket closes)


def a_dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def test_no_stack_started_is_one_plain_sentence(tmp_path):
    assert feed([str(NIST_ORU)], tmp_path / "stack.json") == (1, "", NOT_RUNNING)


@pytest.mark.parametrize("stale", ["dead process", "api not answering", "not a state file"])
def test_a_stack_that_is_gone_is_not_taken_for_a_running_one(tmp_path, stale):
    # GIVEN the file of a stack that was killed (never removed), or one that is not a stack's
    path = tmp_path / "stack.json"
    port = a_closed_port()
    pid = a_dead_pid() if stale == "dead process" else os.getpid()
    write_state(path, StackState(pid, f"http://127.0.0.1:{port}", "http://127.0.0.1:1", {}))
    if stale == "not a state file":
        path.write_text("{not json")

    assert feed([str(NIST_ORU)], path) == (1, "", NOT_RUNNING)


def test_a_missing_or_unnamed_file_is_one_plain_sentence(tmp_path):
    state = tmp_path / "stack.json"

    assert feed([str(tmp_path / "nowhere.hl7")], state) == (2, "", f"There is no file at {tmp_path / 'nowhere.hl7'}.\n")
    assert feed([str(tmp_path)], state) == (
        2,
        "",
        f"{tmp_path} is a folder: name one file in it (make feed FILE={tmp_path}/<file>).\n",
    )
    status, _, err = feed([""], state)  # (`make feed` without FILE=)
    assert status == 2 and err == "Say which file to send: make feed FILE=path/to/message.hl7 (or a FHIR .json).\n"


def test_a_stack_removes_only_its_own_state_file(tmp_path):
    path = tmp_path / "stack.json"
    write_state(path, StackState(111, "http://127.0.0.1:8000", "http://127.0.0.1:5000", {"PORTAL_X": "y"}))

    remove_state(path, 222)  # a stack started earlier stops after another one took over
    assert read_state(path) == StackState(111, "http://127.0.0.1:8000", "http://127.0.0.1:5000", {"PORTAL_X": "y"})
    remove_state(path, 111)
    assert not path.exists()


def record(control_id: str, status: FeedStatus, reason: str = "", sender: str = "|ABCHS") -> FeedMessage:
    return FeedMessage(
        key=f"{sender}|{control_id}",
        sha256="0" * 64,
        format=FeedFormat.HL7V2,
        message_type="ADT^A04",
        sender=sender,
        control_id=control_id,
        status=status,
        reason=reason,
        archive_key="inbound/2026/11/20/" + "0" * 64,
        received_at=datetime(2026, 11, 20, tzinfo=timezone.utc),
    )


def test_each_message_of_a_batch_gets_its_line_new_ones_by_their_record_the_rest_duplicates():
    # GIVEN a batch of two, of which this delivery recorded only the second (the first came before)
    written = [record("12334456778891", FeedStatus.QUARANTINED, "No patient identifier (PID-3).")]

    lines = [o.line() for o in outcomes(BATCH.read_bytes(), "local-feed", written, lookup=lambda key: None)]

    assert lines == [
        "duplicate: ADT^A04 12334456778890 (received before; nothing changed)",
        "quarantined: ADT^A04 12334456778891 (No patient identifier (PID-3).)",
    ]


def test_an_unreadable_body_sent_again_says_why_it_was_quarantined_the_first_time():
    earlier = record("", FeedStatus.QUARANTINED, "The message body is empty.", sender="")

    lines = [o.line() for o in outcomes(b"   ", "local-feed", [], lookup=lambda key: earlier)]

    assert lines == ["quarantined: the file (received before: The message body is empty.)"]


class FakeAckQueue:
    """The acknowledgement queue as `make feed` reads it: receive up to ten, delete each."""

    def __init__(self, acks: list[tuple[str, str, str]]):
        self.waiting = [
            {
                "Body": body,
                "ReceiptHandle": str(number),
                "MessageAttributes": {
                    "ack_code": {"StringValue": code},
                    "acknowledges": {"StringValue": acknowledges},
                    "sender": {"StringValue": "GHH LAB|ELAB-3"},
                },
            }
            for number, (code, acknowledges, body) in enumerate(acks)
        ]
        self.deleted: list[str] = []

    def receive_message(self, QueueUrl, MaxNumberOfMessages, MessageAttributeNames):  # noqa: N803  (boto3's names)
        taken = [m for m in self.waiting if m["ReceiptHandle"] not in self.deleted][:MaxNumberOfMessages]
        return {"Messages": taken} if taken else {}

    def delete_message(self, QueueUrl, ReceiptHandle):  # noqa: N803
        self.deleted.append(ReceiptHandle)


def test_the_acknowledgements_of_the_file_are_shown_and_older_ones_only_counted():
    from infra.local.feed import ack_lines

    body = b"MSH|^~\\&|GHH LAB|ELAB-3|GHH OE|BLDG4|200202150930||ORU^R01|CNTRL-3456|P|2.4\rPID|1"
    queue = FakeAckQueue(
        [
            ("AA", "DEMO-LAB-0001", "MSH|^~\\&|...\rMSA|AA|DEMO-LAB-0001"),  # the demo feed's, unread
            ("AE", "CNTRL-3456", "MSH|^~\\&|...\rMSA|AE|CNTRL-3456\rERR|||204"),
        ]
    )

    lines = list(ack_lines(queue, "url", body))

    assert lines == [
        "acknowledgement AE to GHH LAB|ELAB-3:",
        "  MSH|^~\\&|...",
        "  MSA|AE|CNTRL-3456",
        "  ERR|||204",
        "(1 older acknowledgement taken off the queue)",
    ]
    assert queue.deleted == ["0", "1"]  # taken, as an interface engine takes them


def test_a_fhir_batch_filed_but_for_a_part_says_both():
    # GIVEN a FHIR batch Bundle filed, with one part of it quarantined on its own (written first)
    body = b'{"resourceType": "Bundle", "type": "batch", "entry": []}'
    filed = dataclasses.replace(
        record("sha256:x", FeedStatus.FILED, "Filed, but for 1 part quarantined on its own.", sender="local-feed"),
        format=FeedFormat.FHIR,
        message_type="Bundle",
    )
    part = dataclasses.replace(
        filed,
        key="part|" + filed.key + "|entry[2]",
        status=FeedStatus.QUARANTINED,
        reason="Only this part of the message was not filed: Bundle.entry[2] (Patient). Patient has no identifier.",
    )
    control_id = f"sha256:{hashlib.sha256(body).hexdigest()}"
    written = [dataclasses.replace(r, control_id=control_id) for r in (part, filed)]

    lines = [o.line() for o in outcomes(body, "local-feed", written, lookup=lambda key: None)]

    assert lines == [
        f"filed: Bundle {control_id} (Filed, but for 1 part quarantined on its own.)",
        f"quarantined: Bundle {control_id} (Only this part of the message was not filed: Bundle.entry[2] "
        "(Patient). Patient has no identifier.)",
    ]
