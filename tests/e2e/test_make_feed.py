"""`make feed FILE=...` against the running local stack: it finds the stack by itself, sends the
file, waits for the consumer and says what became of each message."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import SAMPLES_DIR

pytestmark = pytest.mark.e2e

NIST_ORU = SAMPLES_DIR / "hl7v2" / "nist_ORU_R01_lead-high_v2.5.1.hl7"


def said(stdout: str) -> list[str]:
    """What it said of each message, without the acknowledgements it prints after them."""
    return [line for line in stdout.splitlines() if not line.startswith(("acknowledgement ", "  ", "("))]


def a_result_of_its_own(tmp_path) -> tuple[str, object]:
    """The NIST lead result under a control id no other test uses (MSH-10)."""
    control_id = f"E2E-FEED-{uuid.uuid4().hex[:10]}"
    path = tmp_path / "result.hl7"
    path.write_bytes(NIST_ORU.read_bytes().replace(b"NIST-100929110701660", control_id.encode()))
    return control_id, path


def test_a_new_result_is_reported_filed_and_the_same_file_again_a_duplicate(portal, tmp_path):
    control_id, path = a_result_of_its_own(tmp_path)

    first = portal.feed(path)

    assert first.returncode == 0, first.stderr
    assert said(first.stdout)[-1] == f"filed: ORU^R01 {control_id}"
    # and the HL7 acknowledgement the sender's engine reads from the acknowledgement queue
    assert f"  MSA|AA|{control_id}" in first.stdout.splitlines()

    again = portal.feed(path)

    assert again.returncode == 0, again.stderr
    assert said(again.stdout)[-1] == f"duplicate: ORU^R01 {control_id} (received before; nothing changed)"
    assert f"  MSA|AA|{control_id}" in again.stdout.splitlines()  # the answer of the first time


def test_a_message_that_cannot_be_filed_is_reported_quarantined_with_its_reason(portal, tmp_path):
    path = tmp_path / "note.txt"
    path.write_text(f"Not a clinical message at all ({uuid.uuid4().hex}).")

    fed = portal.feed(path)

    assert fed.returncode == 0, fed.stderr
    assert said(fed.stdout)[-1] == (
        "quarantined: the file (The body is neither HL7 v2 (no MSH segment) nor FHIR JSON.)"
    )
    assert "acknowledgement AR to local-feed:" in fed.stdout.splitlines()


def test_a_control_id_used_again_for_another_message_is_quarantined_with_its_reason(portal, tmp_path):
    control_id, path = a_result_of_its_own(tmp_path)
    assert portal.feed(path).returncode == 0
    changed = tmp_path / "changed.hl7"
    changed.write_bytes(path.read_bytes().replace(b"|H|", b"|HH|", 1))  # the same id, other content

    fed = portal.feed(changed)

    assert fed.returncode == 0, fed.stderr
    assert said(fed.stdout)[-1] == (
        f"quarantined: ORU^R01 {control_id} (The control id was already used by this sender for a different message.)"
    )


def test_a_missing_file_is_one_plain_sentence(portal, tmp_path):
    fed = portal.feed(tmp_path / "nowhere.hl7")

    assert fed.returncode == 2
    assert fed.stderr.strip() == f"There is no file at {tmp_path / 'nowhere.hl7'}."
    assert fed.stdout == ""
