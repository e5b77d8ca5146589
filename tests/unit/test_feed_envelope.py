"""read_messages / split_messages: turning one queue body into identified messages, or a safe
reason why not (per message for read_messages, for the whole body for split_messages).

Samples are read as bytes (tests/samples/SOURCES.md: text mode would turn lone CRs into LFs).
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from chalicelib.feeds.domain import Envelope, FeedFormat, Unfileable
from chalicelib.feeds.envelope import read_messages, split_messages
from tests.conftest import SAMPLES_DIR

HL7_DIR = SAMPLES_DIR / "hl7v2"
FHIR_DIR = SAMPLES_DIR / "fhir"
HL7_SAMPLES = sorted(HL7_DIR.iterdir())
FHIR_SAMPLES = sorted(FHIR_DIR.glob("*.json"))

# Samples meant to be rejected (SOURCES.md), with what the reason must name.
REJECTED = {
    "fuzz_nhapi_stackoverflow1.hl7": "MSH-10",
    "malformed_ADT_A01_one-line-space-separated_v2.3.hl7": "only an MSH segment",
    "invalid_SIU_S12_bad-phone_v2.3.1.hl7": "SCH",
    "pyhl7_bad-batch_missing-MSH.hl7": "before any MSH",
    "hapi_multi-message-corpus_with-comments_v2.1-2.4.txt": "not an HL7 segment",
    "hapi_ERP_Z99_olis-Z-segments_v2.3.1.hl7": "not one the portal takes",
}
REJECTED_PATTERN = re.compile(r"^(fuzz_|malformed_|invalid_)|bad-batch|multi-message-corpus|hapi_ERP_Z99")

ADT = (
    b"MSH|^~\\&|EHR|CLINIC|PORTAL|PORTAL|20240101120000||ADT^A08|CTRL-1|P|2.5\r"
    b"EVN|A08|20240101120000\r"
    b"PID|1||12345^^^CLINIC^MR||Doe^Jane||19800101|F\r"
)


def _read(path: Path) -> bytes:
    return path.read_bytes()


def _segments(raw: bytes) -> list[bytes]:
    return [line for line in re.split(rb"\r\n|\r|\n", raw) if line.strip()]


def _unfileable_reason(raw: bytes, sender_hint: str = "") -> str:
    with pytest.raises(Unfileable) as caught:
        split_messages(raw, sender_hint)
    return caught.value.reason


# --- HL7 v2 samples --------------------------------------------------------------------------


def test_the_sample_list_still_holds_every_rejected_sample():
    # GIVEN the samples directory / THEN every sample named in REJECTED exists (a renamed file
    # would otherwise silently drop out of the rejection tests)
    names = {path.name for path in HL7_SAMPLES}
    assert set(REJECTED) <= names
    assert {name for name in names if REJECTED_PATTERN.search(name)} == set(REJECTED)


@pytest.mark.parametrize("path", HL7_SAMPLES, ids=lambda p: p.name)
def test_every_hl7_sample_is_either_identified_or_unfileable_with_a_reason(path):
    # GIVEN a real-world HL7 v2 sample, WHEN it is split
    try:
        envelopes = split_messages(_read(path))
    except Unfileable as error:
        # THEN a rejection carries a reason to store and show
        assert error.reason.strip()
        return
    # THEN each message found is identified
    assert envelopes
    for envelope in envelopes:
        assert envelope.format is FeedFormat.HL7V2
        assert envelope.sender and envelope.control_id and envelope.message_type
        assert envelope.text.startswith("MSH|")
        assert "\n" not in envelope.text  # normalised to CR-separated segments


@pytest.mark.parametrize("name, named_problem", sorted(REJECTED.items()))
def test_samples_meant_to_be_rejected_are_unfileable_and_the_reason_names_the_problem(name, named_problem):
    # GIVEN a sample SOURCES.md says must be rejected, WHEN it is split
    reason = _unfileable_reason(_read(HL7_DIR / name))
    # THEN it is unfileable for the documented reason
    assert named_problem in reason


@pytest.mark.parametrize("path", [p for p in HL7_SAMPLES if not REJECTED_PATTERN.search(p.name)], ids=lambda p: p.name)
def test_well_formed_samples_of_supported_types_are_accepted(path):
    # GIVEN a sample not meant to be rejected / WHEN split / THEN at least one envelope comes out
    assert split_messages(_read(path))


def test_bom_sample_parses_with_its_control_id():
    # GIVEN a message that starts with a UTF-8 byte-order mark
    raw = _read(HL7_DIR / "ms_ORU_R01_prelim-empty-values_bom_v2.5.hl7")
    assert raw.startswith(b"\xef\xbb\xbf")
    # WHEN split
    [envelope] = split_messages(raw)
    # THEN the BOM does not hide the MSH segment
    assert envelope.control_id == "182"
    assert envelope.message_type == "ORU^R01"
    assert envelope.sender == "SomeSystem"
    assert envelope.text.startswith("MSH|")


def test_bhs_bts_batch_yields_one_envelope_per_message():
    # GIVEN a BHS..BTS batch of two ADT^A04 messages
    envelopes = split_messages(_read(HL7_DIR / "pyhl7_batch_BHS-BTS_2msgs_v2.5.hl7"))
    # THEN two messages come out, each with its own control id and no batch header in them
    assert len(envelopes) == 2
    assert [e.control_id for e in envelopes] == ["12334456778890", "12334456778891"]
    assert {e.message_type for e in envelopes} == {"ADT^A04"}
    for envelope in envelopes:
        assert "BHS|" not in envelope.text and "BTS|" not in envelope.text
        assert envelope.text.count("MSH|") == 1


def test_messages_back_to_back_without_batch_header_are_split():
    # GIVEN two messages concatenated in one body
    second = ADT.replace(b"CTRL-1", b"CTRL-2")
    envelopes = split_messages(ADT + second)
    # THEN both are identified, in order
    assert [e.control_id for e in envelopes] == ["CTRL-1", "CTRL-2"]


@pytest.mark.parametrize(
    "sample",
    ["hl7org_ORU_R01_lab-panel_v2.3.1.hl7", "hl7org_SIU_S12_new-appointment_v2.3.hl7", "corepoint_SIU_S14_v2.3.hl7"],
)
def test_cr_lf_and_crlf_variants_of_a_message_give_the_same_envelope(sample):
    # GIVEN one sample re-joined with each segment terminator
    segments = _segments(_read(HL7_DIR / sample))
    variants = {sep: sep.join(segments) + sep for sep in (b"\r", b"\n", b"\r\n")}
    # WHEN each is split
    results = {sep: split_messages(body) for sep, body in variants.items()}
    # THEN they are the same envelope, text included
    assert results[b"\r"] == results[b"\n"] == results[b"\r\n"]
    assert len(results[b"\r"]) == 1


def test_mixed_terminators_and_blank_lines_give_the_same_envelope():
    # GIVEN the same message with CRLF, LF, CR and blank lines mixed
    mixed = ADT.replace(b"\rEVN", b"\r\n\r\nEVN").replace(b"\rPID", b"\n\nPID")
    # THEN it is the same envelope as the clean one
    assert split_messages(mixed) == split_messages(ADT)


def test_latin1_bytes_decode_without_error():
    # GIVEN a message in ISO 8859-1 (not valid UTF-8): umlauts in the facility and the patient name
    raw = (
        "MSH|^~\\&|LABOR|KLINIK MÜNCHEN|PORTAL|PORTAL|20240101||ORU^R01|L-77|P|2.4|||||DE|8859/1\r"
        "PID|1||4711||Müller^Jürgen\rOBR|1||X1|GLU\r"
    ).encode("latin-1")
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    # WHEN split
    [envelope] = split_messages(raw)
    # THEN it is read as Latin-1, characters intact
    assert envelope.sender == "LABOR|KLINIK MÜNCHEN"
    assert envelope.control_id == "L-77"
    assert "Müller" in envelope.text


def test_sender_is_application_and_facility_or_application_alone():
    # GIVEN MSH-3 and MSH-4, or MSH-3 alone
    with_facility = split_messages(ADT)[0]
    without_facility = split_messages(ADT.replace(b"|EHR|CLINIC|", b"|EHR||"))[0]
    # THEN senders are told apart by both, and a missing facility adds nothing
    assert with_facility.sender == "EHR|CLINIC"
    assert without_facility.sender == "EHR"


def test_adt_a40_needs_mrg_segment():
    # GIVEN a merge without its MRG segment
    raw = ADT.replace(b"ADT^A08", b"ADT^A40")
    # THEN it is unfileable, naming the missing segment
    assert "MRG" in _unfileable_reason(raw)
    # AND with MRG it is accepted
    assert split_messages(raw + b"MRG|999^^^CLINIC^MR\r")[0].message_type == "ADT^A40"


@pytest.mark.parametrize(
    "raw, named",
    [
        (ADT.replace(b"|CTRL-1|", b"|   |"), "MSH-10"),
        (ADT.replace(b"|EHR|CLINIC|", b"|||"), "MSH-3"),
        (ADT.replace(b"|ADT^A08|", b"||"), "MSH-9"),
    ],
)
def test_missing_identifying_msh_fields_are_named(raw, named):
    assert named in _unfileable_reason(raw)


def test_reason_never_quotes_patient_data():
    # GIVEN the invalid SIU sample, which carries a patient name, phone and email
    raw = _read(HL7_DIR / "invalid_SIU_S12_bad-phone_v2.3.1.hl7")
    assert b"Someone^Gloria" in raw
    # WHEN it is rejected
    reason = _unfileable_reason(raw)
    # THEN the reason names the rule, not the values
    for value in ("Someone", "Gloria", "1434768", "someemailaddress", "1234 Some Street"):
        assert value not in reason


@pytest.mark.parametrize("name", sorted(REJECTED))
def test_reasons_of_rejected_samples_quote_no_pid_values(name):
    # GIVEN a rejected sample / THEN no PID field value of it appears in the reason
    raw = _read(HL7_DIR / name).decode("latin-1")
    reason = _unfileable_reason(_read(HL7_DIR / name))
    pid_values = {
        value
        for line in re.split(r"\r\n|\r|\n", raw)
        if line.startswith("PID|")
        for field in line.split("|")[1:]
        for value in re.split(r"[\^~&]", field)
        if len(value) >= 4
    }
    assert not [value for value in pid_values if value in reason]


def test_reason_does_not_echo_a_garbled_message_type():
    # GIVEN a message whose MSH-9 holds free text (here a patient's name, as a field shift would put it)
    raw = ADT.replace(b"|ADT^A08|", b"|Someone^Gloria|")
    # WHEN it is rejected / THEN the reason does not repeat the name
    reason = _unfileable_reason(raw)
    assert "Someone" not in reason and "Gloria" not in reason


# --- FHIR ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", FHIR_SAMPLES, ids=lambda p: p.name)
def test_every_fhir_sample_with_a_sender_hint_is_one_fhir_envelope(path):
    # GIVEN a FHIR resource or Bundle that arrived with the 'sender' attribute
    raw = _read(path)
    resource = json.loads(raw)
    # WHEN split
    envelopes = split_messages(raw, sender_hint="ehr")
    # THEN it is exactly one FHIR message, from that sender, typed by its resourceType
    assert len(envelopes) == 1
    [envelope] = envelopes
    assert envelope.format is FeedFormat.FHIR
    assert envelope.sender == "ehr"
    assert envelope.message_type == resource["resourceType"]
    assert envelope.control_id


def test_fhir_control_id_is_type_id_and_version():
    resource = {"resourceType": "Observation", "id": "hb-1", "meta": {"versionId": "3"}}
    [envelope] = split_messages(json.dumps(resource).encode(), sender_hint="ehr")
    assert envelope.control_id == "Observation/hb-1/_history/3"


def _fhir(resource: dict) -> bytes:
    return json.dumps(resource).encode()


def test_fhir_control_id_without_version_id_is_type_id_and_content_hash():
    # GIVEN a resource with an id but no meta.versionId
    raw = _fhir({"resourceType": "Observation", "id": "hb-1", "status": "final"})
    # WHEN split
    [envelope] = split_messages(raw, sender_hint="ehr")
    # THEN its version is a content hash of 32 hex digits
    assert re.fullmatch(r"Observation/hb-1/_history/sha256:[0-9a-f]{32}", envelope.control_id)


def test_the_same_content_serialised_differently_keeps_its_control_id():
    # GIVEN one resource as two interface engines might write it: other key order, spacing, lastUpdated
    one = json.dumps(
        {
            "resourceType": "Observation",
            "id": "hb-1",
            "status": "final",
            "meta": {"lastUpdated": "2026-11-25T10:00:00Z"},
        }
    ).encode()
    other = json.dumps(
        {
            "status": "final",
            "meta": {"lastUpdated": "2026-11-25T11:30:00Z"},
            "id": "hb-1",
            "resourceType": "Observation",
        },
        indent=2,
    ).encode()
    changed = json.dumps({"resourceType": "Observation", "id": "hb-1", "status": "amended"}).encode()
    # WHEN split, THEN the first two are one message (a duplicate), the changed one another
    ids = [split_messages(raw, sender_hint="ehr")[0].control_id for raw in (one, other, changed)]
    assert ids[0] == ids[1] != ids[2]


def test_fhir_resource_without_version_id_resent_keeps_its_control_id_and_updated_gets_a_new_one():
    # GIVEN a resource, the same bytes again, and an update of the same resource (no versionId)
    original = _fhir({"resourceType": "Observation", "id": "hb-1", "status": "preliminary"})
    updated = _fhir({"resourceType": "Observation", "id": "hb-1", "status": "final"})
    (first,) = split_messages(original, sender_hint="ehr")
    (again,) = split_messages(original, sender_hint="ehr")
    (update,) = split_messages(updated, sender_hint="ehr")
    # THEN a resend is the same message and the update a new one of the same resource
    assert first.control_id == again.control_id
    assert update.control_id != first.control_id
    assert update.control_id.startswith("Observation/hb-1/_history/sha256:")


def test_fhir_version_id_wins_over_the_content_hash():
    # GIVEN two different bodies of the same resource version / THEN they share the control id
    one = _fhir({"resourceType": "Observation", "id": "hb-1", "meta": {"versionId": "3"}, "status": "final"})
    other = _fhir({"resourceType": "Observation", "id": "hb-1", "meta": {"versionId": "3"}, "status": "amended"})
    assert (
        split_messages(one, "ehr")[0].control_id
        == split_messages(other, "ehr")[0].control_id
        == "Observation/hb-1/_history/3"
    )


def test_fhir_without_id_is_identified_by_its_content():
    # GIVEN a transaction Bundle without id (the Synthea sample), sent twice
    raw = _read(FHIR_DIR / "synthea_Alberto_Atencio.json")
    assert "id" not in json.loads(raw)
    (first,) = split_messages(raw, sender_hint="ehr")
    (again,) = split_messages(raw, sender_hint="ehr")
    # THEN both carry the same content-derived control id (so a resend is a duplicate)
    assert first.control_id.startswith("sha256:")
    assert first.control_id == again.control_id


@pytest.mark.parametrize("path", FHIR_SAMPLES[:3], ids=lambda p: p.name)
def test_plain_fhir_resource_without_sender_hint_is_unfileable(path):
    assert "No sender" in _unfileable_reason(_read(path))


def _message_bundle(first_entry: dict, bundle_id: str | None = "bundle-42") -> bytes:
    bundle = {
        "resourceType": "Bundle",
        "type": "message",
        "entry": [
            {"fullUrl": "urn:uuid:1", "resource": first_entry},
            {"fullUrl": "urn:uuid:2", "resource": {"resourceType": "Patient", "id": "p1"}},
        ],
    }
    if bundle_id:
        bundle["id"] = bundle_id
    return json.dumps(bundle).encode()


HEADER = {
    "resourceType": "MessageHeader",
    "id": "mh-1",
    "eventCoding": {"code": "admin-notify"},
    "source": {"name": "Clinic EHR", "endpoint": "https://ehr.clinic.example/fhir"},
}


def test_message_bundle_takes_sender_from_endpoint_and_control_id_from_bundle_id():
    # GIVEN a FHIR message Bundle, WHEN split with no hint, or with a different hint
    for hint in ("", "queue-group"):
        [envelope] = split_messages(_message_bundle(HEADER), sender_hint=hint)
        # THEN the MessageHeader names the sender and Bundle.id is the control id
        assert envelope.sender == "https://ehr.clinic.example/fhir"
        assert envelope.control_id == "bundle-42"
        assert envelope.format is FeedFormat.FHIR
        assert envelope.message_type == "Bundle"


def test_message_bundle_without_endpoint_uses_source_name_and_header_id():
    header = {**HEADER, "source": {"name": "Clinic EHR"}}
    [envelope] = split_messages(_message_bundle(header, bundle_id=None))
    assert envelope.sender == "Clinic EHR"
    assert envelope.control_id == "mh-1"


@pytest.mark.parametrize(
    "first", [{"resourceType": "Patient", "id": "p1"}, {}], ids=["patient-first", "empty-resource"]
)
def test_message_bundle_not_starting_with_message_header_is_unfileable(first):
    assert "MessageHeader" in _unfileable_reason(_message_bundle(first), sender_hint="ehr")


def test_message_bundle_with_no_entries_is_unfileable():
    raw = json.dumps({"resourceType": "Bundle", "type": "message", "id": "b", "entry": []}).encode()
    assert "MessageHeader" in _unfileable_reason(raw, sender_hint="ehr")


@pytest.mark.parametrize(
    "bundle",
    [
        {"resourceType": "Bundle", "type": "message", "entry": ["not-an-object"]},
        {"resourceType": "Bundle", "type": "message", "entry": {"resource": HEADER}},
        {"resourceType": "Bundle", "type": "message", "entry": [{"resource": {**HEADER, "source": "ehr"}}]},
    ],
    ids=["entry-item-is-string", "entry-is-object", "source-is-string"],
)
def test_message_bundle_of_the_wrong_shape_is_unfileable(bundle):
    _unfileable_reason(json.dumps(bundle).encode(), sender_hint="ehr")


def test_deeply_nested_json_is_unfileable():
    raw = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    _unfileable_reason(raw, sender_hint="ehr")


@pytest.mark.parametrize(
    "raw, named",
    [
        (b'{"resourceType": "Patient", "id": ', "not valid JSON"),
        (b"{not json at all", "not valid JSON"),
        (b'{"id": "x"}', "resourceType"),
        (b'{"resourceType": 7}', "resourceType"),
    ],
)
def test_broken_json_is_unfileable(raw, named):
    assert named in _unfileable_reason(raw, sender_hint="ehr")


# --- anything else ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \r\n\t ", b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n"],
    ids=["empty", "whitespace", "bom-only", "bom-newline"],
)
def test_empty_body_is_unfileable(raw):
    assert "empty" in _unfileable_reason(raw)


@pytest.mark.parametrize(
    "raw",
    [b"hello, this is not a clinical message", b"[1, 2, 3]", b"<xml/>", b"PID|1||12345\rOBR|1"],
    ids=["text", "json-array", "xml", "no-msh"],
)
def test_text_that_is_neither_hl7_nor_fhir_is_unfileable(raw):
    assert "neither HL7 v2" in _unfileable_reason(raw)


def test_segment_before_msh_with_msh_later_is_unfileable():
    assert "before any MSH" in _unfileable_reason(b"PID|1||12345\r" + ADT)


def test_free_text_line_inside_a_message_is_unfileable():
    assert "Line 2 is not an HL7 segment" in _unfileable_reason(ADT.replace(b"\rEVN", b"\r// a comment\rEVN"))


GARBAGE = {
    "random-bytes-200k": random.Random(7).randbytes(200_000),
    "printable-200k": "".join(random.Random(8).choices("abc XYZ|^~&\\019{}", k=200_000)).encode(),
    "msh-then-random-200k": b"MSH|" + random.Random(9).randbytes(200_000),
    "pipes-10k": b"|" * 10_000,
    "msh-pipes-10k": b"MSH|" + b"|" * 10_000,
    "msh-encoding-only": b"MSH|^",
    "newlines-200k": b"\r\n" * 100_000,
    "open-braces-200k": b"{" * 200_000,
}


@pytest.mark.parametrize("raw", GARBAGE.values(), ids=GARBAGE.keys())
def test_garbage_is_unfileable(raw):
    # GIVEN a large or hostile body, WHEN split THEN it is refused as unfileable (not a crash, not a
    # hang: the suite would stop here; the fuzz tests try many more shapes)
    with pytest.raises(Unfileable):
        split_messages(raw)


# --- identity fields: printable and bounded ----------------------------------------------------


def _msh10(control_id: bytes) -> bytes:
    return ADT.replace(b"|CTRL-1|", b"|" + control_id + b"|")


def test_oversized_msh10_is_unfileable_naming_the_field():
    # GIVEN a message whose MSH-10 is 3000 characters long
    raw = _msh10(b"C" * 3000)
    # WHEN split / THEN it is unfileable, naming MSH-10 (a key that long would fail in DynamoDB)
    assert "MSH-10" in _unfileable_reason(raw)


def test_msh10_of_199_characters_is_accepted_and_200_is_not():
    assert split_messages(_msh10(b"C" * 199))[0].control_id == "C" * 199
    assert "MSH-10" in _unfileable_reason(_msh10(b"C" * 200))


@pytest.mark.parametrize("control_id", [b"CTRL\x07-1", b"CTRL\x00-1", b"CTRL\x1b[31m"], ids=["bell", "nul", "escape"])
def test_msh10_with_a_control_character_is_unfileable(control_id):
    assert "MSH-10" in _unfileable_reason(_msh10(control_id))


def test_accented_msh10_is_accepted():
    assert split_messages(_msh10("CTRL-Müller-1".encode()))[0].control_id == "CTRL-Müller-1"


def test_oversized_sender_is_unfileable_naming_the_field():
    raw = ADT.replace(b"|EHR|CLINIC|", b"|" + b"E" * 300 + b"|CLINIC|")
    assert "MSH-3" in _unfileable_reason(raw)


def test_fhir_id_with_a_lone_surrogate_is_unfileable_naming_the_field():
    # GIVEN a FHIR resource whose id holds a lone surrogate escape (valid JSON, not valid text)
    raw = b'{"resourceType": "Observation", "id": "hb-\\ud800-1"}'
    assert json.loads(raw)["id"] == "hb-\ud800-1"
    # WHEN split / THEN it is unfileable, naming the resource id
    assert "resource id" in _unfileable_reason(raw, sender_hint="ehr")


def test_fhir_id_too_long_is_unfileable_naming_the_field():
    raw = _fhir({"resourceType": "Observation", "id": "x" * 300})
    assert "resource id" in _unfileable_reason(raw, sender_hint="ehr")


def test_message_bundle_id_with_a_lone_surrogate_is_unfileable():
    raw = _message_bundle(HEADER, bundle_id="b").replace(b'"id": "b"', b'"id": "b\\udc00"')
    assert "resource id" in _unfileable_reason(raw)


@pytest.mark.parametrize("hint", ["e" * 257, "ehr\n", "ehr\ud800"], ids=["too-long", "newline", "surrogate"])
def test_fhir_sender_that_is_too_long_or_not_printable_is_unfileable(hint):
    raw = _fhir({"resourceType": "Observation", "id": "hb-1"})
    assert "sender" in _unfileable_reason(raw, sender_hint=hint)


def test_message_bundle_endpoint_with_a_control_character_is_unfileable():
    header = {**HEADER, "source": {"endpoint": "https://ehr.example/\x07fhir"}}
    assert "sender" in _unfileable_reason(_message_bundle(header))


# --- read_messages: one verdict per message ----------------------------------------------------


BAD_A40 = ADT.replace(b"ADT^A08", b"ADT^A40").replace(b"CTRL-1", b"CTRL-2")  # a merge without MRG


def test_read_messages_gives_an_envelope_or_an_unfileable_per_message():
    # GIVEN a body with a good message and a bad one
    results = read_messages(ADT + BAD_A40)
    # THEN the good one is identified and the bad one described, neither spoiling the other
    good, bad = results
    assert isinstance(good, Envelope) and good.control_id == "CTRL-1"
    assert isinstance(bad, Unfileable)
    assert "MRG" in bad.reason
    assert bad.format is FeedFormat.HL7V2
    assert bad.message_type == "ADT^A40"
    assert bad.text == BAD_A40.rstrip(b"\r").decode()
    # AND split_messages, all or nothing, refuses the body for the first bad message
    with pytest.raises(Unfileable) as caught:
        split_messages(ADT + BAD_A40)
    assert caught.value.reason == bad.reason


def test_read_messages_of_good_messages_equals_split_messages():
    body = ADT + ADT.replace(b"CTRL-1", b"CTRL-2")
    assert read_messages(body) == split_messages(body)


def test_read_messages_reports_an_unknown_message_type():
    [result] = read_messages((HL7_DIR / "hapi_ERP_Z99_olis-Z-segments_v2.3.1.hl7").read_bytes())
    assert isinstance(result, Unfileable)
    assert (result.format, result.message_type) == (FeedFormat.HL7V2, "ERP^Z99")
    assert result.text.startswith("MSH|")


def test_read_messages_reports_a_garbled_message_type_as_unknown():
    [result] = read_messages(ADT.replace(b"|ADT^A08|", b"|Someone^Gloria|"))
    assert isinstance(result, Unfileable)
    assert result.format is FeedFormat.HL7V2 and result.message_type == ""


@pytest.mark.parametrize(
    "raw, format",
    [
        (b"", FeedFormat.UNKNOWN),
        (b"hello, this is not a clinical message", FeedFormat.UNKNOWN),
        (b"PID|1||12345\r" + ADT, FeedFormat.HL7V2),
        (b'{"resourceType": "Patient", "id": ', FeedFormat.FHIR),
        (b'{"resourceType": "Observation", "id": "hb-\\ud800"}', FeedFormat.FHIR),
    ],
    ids=["empty", "text", "segment-before-msh", "broken-json", "fhir-surrogate"],
)
def test_read_messages_raises_for_an_unusable_body_with_what_is_known_of_its_format(raw, format):
    with pytest.raises(Unfileable) as caught:
        read_messages(raw, sender_hint="ehr")
    assert caught.value.format is format


# -- processing id (MSH-11), test tags, and separators a sender chose ------------------------------

STANDARD = "\r".join(
    [
        "MSH|^~\\&|LAB|AMC|PORTAL|AMC|20240301120000||ORU^R01^ORU_R01|C-1|P|2.5.1",
        "PID|1||P-100^^^AMC-MRN||Doe^Jane||19800102|F",
        "OBR|1||F-100^LAB|2093-3^Cholesterol^LN",
        "OBX|1|ST|2093-3^Cholesterol^LN||A|B^C~D&E\\.br\\F",
    ]
)


def _envelope(text: str) -> Envelope:
    [envelope] = split_messages(text.encode())
    return envelope


@pytest.mark.parametrize(
    ("processing", "test_data"),
    [
        ("P", ""),
        ("P^T", ""),  # MSH-11.2 is the processing mode: production data all the same
        ("", ""),  # no processing id: production, as senders that leave it out mean it
        ("T", "MSH-11 (processing id) is T (training)"),
        ("D^A", "MSH-11 (processing id) is D (debugging)"),
    ],
)
def test_the_processing_id_says_whether_a_message_is_test_data(processing, test_data):
    assert _envelope(STANDARD.replace("|C-1|P|", f"|C-1|{processing}|")).test_data == test_data


def test_a_processing_id_hl7_does_not_define_is_refused_without_echoing_it():
    [refused] = read_messages(STANDARD.replace("|C-1|P|", "|C-1|Jane Doe|").encode())
    assert isinstance(refused, Unfileable)
    assert refused.reason == "MSH-11 (processing id) is not P, T or D."
    assert (refused.sender, refused.control_id) == ("LAB|AMC", "C-1")  # the sender can be told


HTEST = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}


@pytest.mark.parametrize(
    "document",
    [
        {"resourceType": "Patient", "id": "p1", "meta": {"tag": [HTEST]}},
        {"resourceType": "Patient", "id": "p1", "meta": {"security": [HTEST]}},
        {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [{"resource": {"resourceType": "Patient"}}, {"resource": {"meta": {"tag": [HTEST]}}}],
        },
    ],
)
def test_a_fhir_body_tagged_htest_is_test_data(document):
    [envelope] = split_messages(json.dumps(document).encode(), "ehr")
    assert envelope.test_data == "it is tagged HTEST (test health data)"


def test_other_fhir_tags_are_not_test_data():
    other = {"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "TREAT"}
    document = {"resourceType": "Patient", "id": "p1", "meta": {"tag": [other, "HTEST", {"code": "HTEST"}]}}
    [envelope] = split_messages(json.dumps(document).encode(), "ehr")
    assert envelope.test_data == ""


CUSTOM = str.maketrans({"|": "#", "^": "$", "~": "*", "\\": "%", "&": "@"})


def test_a_message_with_its_own_separators_reads_as_its_standard_twin():
    custom = STANDARD.translate(CUSTOM)
    assert custom.startswith("MSH#$*%@#LAB#AMC#")

    twin, standard = _envelope(custom), _envelope(STANDARD)

    assert (twin.sender, twin.control_id, twin.message_type, twin.text) == (
        standard.sender,
        standard.control_id,
        standard.message_type,
        standard.text,
    )


def test_standard_separators_in_the_data_of_a_custom_message_stay_data():
    from chalicelib.interop.hl7v2.fields import FieldReader

    # "#" separates fields, so "|", "^", "~", "&" and "\" are plain characters of OBX-5.
    custom = STANDARD.translate(CUSTOM).replace("#A#", "#a|b^c~d&e\\f %.br%g#")

    envelope = _envelope(custom)

    reader = FieldReader(envelope.parsed)
    obx = envelope.parsed.segment("OBX")
    assert reader.component(reader.field(obx, 5), 1) == "a|b^c~d&e\\f \ng"
    assert envelope.text.count("\r") == 3


def test_a_batch_may_use_its_own_field_separator():
    body = "BHS#$*%@#LAB#AMC\r" + STANDARD.translate(CUSTOM) + "\r" + STANDARD.replace("C-1", "C-2") + "\rBTS|2"
    envelopes = split_messages(body.encode())
    assert [e.control_id for e in envelopes] == ["C-1", "C-2"]


@pytest.mark.parametrize("separator", ["A", "1", " "])
def test_a_field_separator_that_is_not_punctuation_is_refused(separator):
    with pytest.raises(Unfileable):
        split_messages(STANDARD.replace("|", separator).encode())
