"""HL7 v2 acknowledgements: built in the sender's own separators, addressed back to it, saying
AA / AE / AR (or the enhanced mode's commit codes) as asked, and never carrying patient data."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import hl7
import pytest

from chalicelib.feeds.acks import PORTAL_APPLICATION, ack_control_id, acks_for, group_id
from chalicelib.feeds.domain import Decision, FeedFormat, FeedStatus, Unfileable
from chalicelib.feeds.envelope import msh_segments, read_messages
from chalicelib.interop.hl7v2.ack import is_acknowledgement, problem, read_header, wanted
from tests.conftest import SAMPLES_DIR

NOW = datetime(2026, 12, 5, 1, 30, 0, tzinfo=timezone.utc)
ORU = "\r".join(
    [
        "MSH|^~\\&|LAB|AMC|PORTAL|AMC-HOSP|20240301120000||ORU^R01^ORU_R01|C-1|P|2.5.1",
        "PID|1||P-100^^^AMC-MRN||Doe^Jane||19800102|F",
        "OBR|1||F-100^LAB|2093-3^Cholesterol^LN",
        "OBX|1|ST|2093-3^Cholesterol^LN||212",
    ]
)
CUSTOM = str.maketrans({"|": "#", "^": "$", "~": "*", "\\": "%", "&": "@"})


def fields(segment: str, separator: str = "|") -> list[str]:
    return segment.split(separator)


def decision(text: str, status=FeedStatus.FILED, reason="", key="LAB|AMC|C-1", sender="LAB|AMC") -> Decision:
    return Decision(key, status, reason, FeedFormat.HL7V2, text.split("\r", 1)[0], sender, "queue-group")


def test_an_accepted_message_is_answered_aa_to_the_system_that_sent_it():
    [ack] = acks_for(decision(ORU), NOW)

    msh, msa = ack.body.split("\r")
    assert fields(msh)[:12] == [
        "MSH",
        "^~\\&",
        "PORTAL",  # MSH-3, 4: the system the message was addressed to answers ...
        "AMC-HOSP",
        "LAB",  # MSH-5, 6: ... the system that sent it
        "AMC",
        "20261205013000+0000",  # MSH-7: the portal's clock
        "",
        "ACK^R01^ACK",
        ack.control_id,
        "P",
        "2.5.1",
    ]
    assert msa == "MSA|AA|C-1"
    assert (ack.code, ack.acknowledges, ack.sender) == ("AA", "C-1", "LAB|AMC")
    parsed = hl7.parse(ack.body)  # a receiver's parser reads it
    assert str(parsed.segment("MSA")[2]) == "C-1"


def test_an_ack_keeps_the_senders_own_separators_and_escapes_its_reason_with_them():
    custom = ORU.translate(CUSTOM)
    reason = "A ORU^R01 message needs segment(s) PID | and a # or $ (not really)."

    [ack] = acks_for(decision(custom, FeedStatus.QUARANTINED, reason), NOW)

    msh, msa, err = ack.body.split("\r")
    assert msh.startswith("MSH#$*%@#PORTAL#AMC-HOSP#LAB#AMC#")
    assert fields(msh, "#")[8] == "ACK$R01$ACK"
    assert msa == "MSA#AE#C-1"
    err_fields = fields(err, "#")
    # "#" and "$" of the text are escaped with the sender's escape character "%"; "|" and "^" are
    # plain characters in this message.
    assert err_fields[8] == "A ORU^R01 message needs segment(s) PID | and a %F% or %S% (not really)."
    assert err_fields[3] == "100$Segment sequence error$HL70357"


def test_err_names_the_field_the_code_and_the_severity_never_a_value():
    text = ORU.replace("|C-1|", "||")
    [ack] = acks_for(
        decision(text, FeedStatus.QUARANTINED, "MSH-10 (message control id) is empty.", key="quarantine|abc"), NOW
    )

    err = ack.body.split("\r")[2]
    assert fields(err) == [
        "ERR",
        "",  # ERR-1 is for receivers of versions before 2.5
        "MSH^1^10",
        "101^Required field missing^HL70357",
        "E",
        "",
        "",
        "",
        "MSH-10 (message control id) is empty.",
    ]
    assert ack.code == "AR" and ack.acknowledges == ""


def test_a_version_before_2_5_also_reads_the_error_from_err_1():
    text = ORU.replace("|2.5.1", "|2.3")
    [ack] = acks_for(decision(text, FeedStatus.QUARANTINED, "PID-3 has no patient identifier the portal keeps."), NOW)

    _msh, msa, err_segment = ack.body.split("\r")
    assert msa == "MSA|AE|C-1|PID-3 has no patient identifier the portal keeps."  # MSA-3, before 2.4
    err = fields(err_segment)
    assert err[1] == "PID^1^3^101&Required field missing&HL70357"
    assert err[2] == "PID^1^3"


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("Message type ADT^Z99 is not one the portal takes.", "200"),
        ("MSH-11 (processing id) is not P, T or D.", "202"),
        ("Test data, not filed into live charts: MSH-11 (processing id) is T (training).", "202"),
        ("The control id was already used by this sender for a different message.", "205"),
        ("The portal could not file this message (error id 1a2b); replay it once fixed.", "207"),
        ("OBX-5 holds an embedded document whose Base64 data is malformed.", "102"),
    ],
)
def test_the_error_code_comes_from_hl7_table_0357_by_what_the_reason_says(reason, code):
    assert problem(reason, refused=False).code == code


@pytest.mark.parametrize(
    ("accept", "application", "commit", "outcome", "expected"),
    [
        ("", "", "CA", "AA", ["AA"]),  # original mode: one application ACK
        ("", "", "CR", "AR", ["AR"]),
        ("AL", "AL", "CA", "AA", ["CA", "AA"]),  # enhanced: a commit ACK, then an application ACK
        ("AL", "NE", "CA", "AE", ["CA"]),
        ("NE", "AL", "CA", "AE", ["AE"]),
        ("ER", "ER", "CA", "AA", []),  # errors only: all went well, nothing to say
        ("ER", "ER", "CA", "AE", ["AE"]),
        ("ER", "ER", "CR", "AR", ["CR", "AR"]),
        ("SU", "SU", "CA", "AA", ["CA", "AA"]),
        ("SU", "SU", "CR", "AR", []),
        ("NE", "NE", "CA", "AA", []),
        ("", "AL", "CA", "AA", ["CA", "AA"]),  # enhanced: an empty one beside the other counts as AL
        ("AL", "", "CA", "AA", ["CA", "AA"]),
        ("NE", "", "CA", "AE", ["AE"]),
        ("AL", "AL", "CA", "", ["CA"]),  # recorded, not filed yet: only the commit is known
    ],
)
def test_msh_15_and_16_choose_the_acknowledgements(accept, application, commit, outcome, expected):
    header = read_header(f"MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5|||{accept}|{application}")
    assert header is not None
    assert wanted(header, commit, outcome) == expected


def test_an_msh_15_that_is_not_an_acknowledgement_condition_leaves_original_mode():
    # A one-line message: MSH-15 and MSH-16 hold the next segment's text.
    header = read_header("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.3||| EVN|A01|20050110045502")
    assert header is not None and not header.enhanced
    assert wanted(header, "CA", "AA") == ["AA"]


def test_an_enhanced_mode_message_gets_a_commit_and_an_application_ack_with_their_own_ids():
    text = ORU.replace("|P|2.5.1", "|P|2.5.1|||AL|AL")

    commit, application = acks_for(decision(text), NOW)

    assert (commit.code, application.code) == ("CA", "AA")
    assert commit.body.split("\r")[1] == "MSA|CA|C-1"
    assert commit.control_id != application.control_id


def test_the_same_decision_is_answered_with_the_same_control_id_and_another_outcome_with_another():
    first = acks_for(decision(ORU, FeedStatus.QUARANTINED, "The message has no PID segment."), NOW)
    again = acks_for(decision(ORU, FeedStatus.QUARANTINED, "The message has no PID segment."), NOW)
    replayed = acks_for(decision(ORU, FeedStatus.FILED), NOW)

    assert [a.control_id for a in first] == [a.control_id for a in again]
    assert first[0].control_id != replayed[0].control_id
    assert len(first[0].control_id) <= 20  # MSH-10 is 20 characters in v2.3 to v2.5
    assert ack_control_id("k", "C-1", "AA", "") == ack_control_id("k", "C-1", "AA", "")


def test_fhir_gets_no_hl7_ack():
    fhir = Decision("ehr|Bundle/1", FeedStatus.FILED, "", FeedFormat.FHIR, "", "ehr", "ehr")
    assert acks_for(fhir, NOW) == []


def test_a_body_with_no_msh_is_refused_to_the_queue_group_that_sent_it():
    refusal = Decision(
        "quarantine|abc",
        FeedStatus.QUARANTINED,
        "The body is neither HL7 v2 (no MSH segment) nor FHIR JSON.",
        FeedFormat.UNKNOWN,
        "",
        "",
        "queue-group",
    )

    [ack] = acks_for(refusal, NOW)

    msh, msa, _err = ack.body.split("\r")
    assert fields(msh)[2:6] == [PORTAL_APPLICATION, "", "", ""]
    assert msa == "MSA|AR|"
    assert ack.sender == "queue-group"


def test_a_message_still_waiting_to_be_filed_is_not_answered_in_original_mode():
    assert acks_for(decision(ORU, FeedStatus.ACCEPTED), NOW) == []


def test_the_queue_group_of_a_sender_is_a_valid_fifo_group():
    assert group_id("LAB|AMC") == "LAB|AMC"
    assert group_id("Labor Süd") == "Labor_S_d"
    assert group_id("") == "unknown"
    assert len(group_id("x" * 300)) == 128


def test_an_msh_that_is_not_one_is_not_read():
    assert read_header("PID|1||P-100") is None
    assert read_header("MSHA^~\\&|") is None
    assert read_header("MSH|^~x&|A") is None


def _phi(message: hl7.Message) -> set[str]:
    """What identifies the patient in a message: PID-3 identifiers, PID-5 names, PID-7 birth date,
    PID-11 address, PID-13 phone (pieces of three characters or more)."""
    found = set()
    for segment in message:
        if str(segment[0]) != "PID":
            continue
        for number in (3, 5, 7, 11, 13, 19):
            if len(segment) > number:
                for piece in str(segment[number]).replace("~", "^").replace("&", "^").split("^"):
                    if len(piece.strip()) >= 3:
                        found.add(piece.strip())
    return found


SAMPLES = sorted((SAMPLES_DIR / "hl7v2").iterdir())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_no_ack_of_any_sample_carries_patient_data(path):
    """Whatever the vendor's style (Epic-, Cerner-like ADT, lab ORU, one-line, batches), an ACK,
    with its ERR, holds none of the patient's identifiers, names, birth date, address or phone."""
    raw = path.read_bytes()
    try:
        found = read_messages(raw, "sample-feed")
        headers = [(m.header if not isinstance(m, Unfileable) else m.text.split("\r", 1)[0]) for m in found]
    except Unfileable:
        headers = msh_segments(raw)
    text = raw.decode("utf-8", errors="replace")
    phi = set()
    for chunk in text.replace("\r\n", "\r").replace("\n", "\r").split("\rMSH"):
        try:
            phi |= _phi(hl7.parse(chunk if chunk.startswith("MSH") else "MSH" + chunk))
        except Exception:  # a sample that python-hl7 cannot read: its values are searched below
            pass
    # The one-line sample: its PID sits inside the MSH line.
    if "malformed" in path.name:
        phi |= {"10006579", "DUCK", "DONALD", "19241010", "8885551212"}
    for header in headers:
        read = read_header(header)
        assert read is not None, path.name
        # What an ACK copies by design: the two systems (MSH-3 to MSH-6, whose assigning
        # authorities PID-3 may share) and the control id (which a sender may build from an MRN).
        systems = [read.sending_application, read.sending_facility, read.receiving_application]
        copied = {piece for value in systems + [read.receiving_facility] for piece in re.split(r"[|^&]", value)}
        answered = 0
        for outcome in (FeedStatus.FILED, FeedStatus.QUARANTINED):
            reason = "PID-3 has no patient identifier the portal keeps." if outcome is FeedStatus.QUARANTINED else ""
            for ack in acks_for(decision(header, outcome, reason, key="k", sender="s"), NOW):
                answered += 1
                leaked = {v for v in phi if v in ack.body and v not in copied and v not in read.control_id}
                assert not leaked, (path.name, leaked)
        # Every message is answered, but for those whose sender asks for none (MSH-15/16 NE) and
        # acknowledgements themselves (the corpus holds one).
        never = (read.accept_ack_type, read.application_ack_type) == ("NE", "NE") or is_acknowledgement(read)
        assert answered or never, path.name


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("The sender is not registered to an organization (feed sources).", "204"),
        ("The patient identifiers in the message belong to different patients.", "204"),
        ("The message cannot be read (IndexError).", "102"),
        ("Something new the portal says one day.", "207"),
    ],
)
def test_filing_reasons_get_their_table_0357_code(reason, code):
    assert problem(reason, refused=False).code == code


@pytest.mark.parametrize(
    ("reason", "where"),
    [
        ("A ORU^R01 message needs segment(s) PID, OBR.", ("PID", "")),
        ("The ORU message has no OBR segment.", ("OBR", "")),
        ("A EVN segment comes before any MSH segment.", ("EVN", "")),
        ("OBX-5 holds an embedded document whose Base64 data is malformed.", ("OBX", "5")),
        ("The message body is empty.", ("", "")),
    ],
)
def test_err_2_names_the_segment_or_field_the_reason_is_about(reason, where):
    found = problem(reason, refused=True)
    assert (found.segment, found.field) == where


def test_an_acknowledgement_sent_to_the_portal_is_never_answered():
    ack = "MSH|^~\\&|LAB|AMC|PORTAL|AMC|20240301120000||ACK^R01^ACK|A-1|P|2.5\rMSA|AA|C-1"
    refused = decision(ack, FeedStatus.QUARANTINED, "Message type ACK^R01 is not one the portal takes.", "quarantine|x")

    assert acks_for(refused, NOW) == []
