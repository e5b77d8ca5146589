"""Reading the envelope of inbound messages: which sender, which control id, which type.

HL7 v2 is parsed with python-hl7 (fast and tolerant; hl7apy is 20x slower); FHIR with the
standard json module (full validation with fhir.resources belongs to filing, not intake).
Real feeds mix CR, LF and CRLF, carry byte-order marks, comments and batches, so the body is
normalised and split here before each message is identified.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import hl7
from hl7.exceptions import HL7Exception

from chalicelib.feeds.domain import Envelope, FeedFormat, Unfileable

_BOM = b"\xef\xbb\xbf"
_HEADER_SEGMENTS = ("FHS", "BHS", "BTS", "FTS")
# A header segment names the field separator its message (or batch) uses: MSH-1, BHS-1, FHS-1.
# HL7 lets a sender choose it; any punctuation will do ("|" is only the recommended one).
_HEADER_LINE = re.compile(r"^(MSH|BHS|FHS)([!-/:-@\[-`{-~])")
_STANDARD_ENCODING = "^~\\&"  # MSH-2: component, repetition, escape, subcomponent
# HL7 table 0103 (MSH-11.1, processing id): P production, T training, D debugging. A message
# without one is taken as production, as HL7 v2 senders that leave it out mean it.
_PROCESSING_IDS = {"P": "", "T": "training", "D": "debugging"}
# FHIR marks test data with "HTEST" (test health data) of v3-ActReason, in meta.tag or as a
# security label in meta.security: the system's URL, its older URL or its OID.
_FHIR_TEST_TAGS = {
    ("http://terminology.hl7.org/CodeSystem/v3-ActReason", "HTEST"),
    ("http://hl7.org/fhir/v3/ActReason", "HTEST"),  # the DSTU2/STU3 spelling of the same system
    ("urn:oid:2.16.840.1.113883.5.8", "HTEST"),  # the code system's OID
}
# MSH-9 parts and FHIR resource types as the standards spell them; anything else is not echoed
# into a stored reason, because a garbled field can hold anything, patient data included.
_HL7_CODE = re.compile(r"[A-Z0-9_]{1,7}")
_FHIR_TYPE = re.compile(r"[A-Z][A-Za-z]{1,63}")

# The message types the portal files, and the segments without which one cannot be filed.
# Anything else is quarantined at intake with the reason, rather than accepted and left unfiled.
REQUIRED_SEGMENTS: dict[str, tuple[str, ...]] = {
    "ADT": ("PID",),
    "ADT^A40": ("PID", "MRG"),
    "ORU": ("PID", "OBR"),
    "MDM": ("PID", "TXA"),
    "SIU": ("SCH",),
    "RDE": ("PID", "ORC", "RXE"),
}


def _is_identity(value: str, limit: int = 256) -> bool:
    """Sender and control id become the record's key: printable text (accents welcome), bounded.
    str.isprintable also refuses control characters and lone surrogates (which DynamoDB cannot
    store). HL7 gives MSH-10 199 characters; DynamoDB refuses keys over 2048 bytes, which would
    bounce the body to the dead-letter queue and hold back its sender's queue group instead of
    quarantining it."""
    return 0 < len(value) <= limit and value.isprintable()


def decode(raw: bytes) -> str:
    """UTF-8 when it is, else Latin-1 (HL7 v2 feeds declare 8859/1 in MSH-18 or nothing at all)."""
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("latin-1")


def read_messages(raw: bytes, sender_hint: str = "") -> list[Envelope | Unfileable]:
    """Every message in one queue body: an Envelope for each one identified, an Unfileable (with
    the message's ``text``) for each one that is not, so one bad message of a batch does not take
    the good ones down with it. Raises Unfileable when the body as a whole is unusable."""
    text = decode(raw).strip()
    if not text:
        raise Unfileable("The message body is empty.")
    if text.startswith("{"):
        try:
            return [_fhir_envelope(text, sender_hint)]
        except Unfileable as error:
            error.format = FeedFormat.FHIR
            raise
    if not (text.startswith(("MSH", "BHS", "FHS")) or re.search(r"[\r\n]MSH[!-/:-@\[-`{-~]", text)):
        raise Unfileable("The body is neither HL7 v2 (no MSH segment) nor FHIR JSON.")
    try:
        messages = _hl7_messages(text)
    except Unfileable as error:
        error.format = FeedFormat.HL7V2
        raise
    results: list[Envelope | Unfileable] = []
    for message in messages:
        try:
            results.append(_hl7_envelope(message))
        except Unfileable as error:
            error.format, error.text = FeedFormat.HL7V2, message
            results.append(error)
    return results


def msh_segments(raw: bytes) -> list[str]:
    """Every MSH segment of a body, as written: what can still be answered of a body refused as a
    whole (a batch with a line that is no segment, say)."""
    lines = re.split(r"\r\n|\r|\n", decode(raw))
    return [line for line in lines if re.match(r"MSH[!-/:-@\[-`{-~]", line)]


def split_messages(raw: bytes, sender_hint: str = "") -> list[Envelope]:
    """All messages in one queue body, each identified; Unfileable when any is not."""
    results = read_messages(raw, sender_hint)
    for result in results:
        if isinstance(result, Unfileable):
            raise result
    return results  # type: ignore[return-value]


def _hl7_messages(text: str) -> list[str]:
    """Split a body (one message, a BHS/FHS batch, or messages back to back) into messages."""
    messages: list[list[str]] = []
    separator = "|"  # until a header segment names its own
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not line.strip():
            continue  # blank lines between segments are common and harmless
        header = _HEADER_LINE.match(line)
        if header:
            separator = header.group(2)
        elif not (re.match(r"[A-Z][A-Z0-9]{2}", line) and line[3:4] in (separator, "")):
            raise Unfileable(f"Line {number} is not an HL7 segment (comments and free text are not accepted).")
        segment_id = line[:3]
        if segment_id in _HEADER_SEGMENTS:
            continue
        if segment_id == "MSH":
            messages.append([line])
        elif not messages:
            raise Unfileable(f"A {segment_id} segment comes before any MSH segment.")
        else:
            messages[-1].append(line)
    if not messages:
        raise Unfileable("The batch holds no MSH segment.")
    return ["\r".join(segments) for segments in messages]


def _separators_usable(text: str) -> bool:
    """The separators that split a message (field, MSH-1; component, repetition and subcomponent,
    MSH-2 characters 1, 2 and 4) must differ from each other: python-hl7 fails an internal
    assertion otherwise (found by tests/unit/test_feed_fuzz.py). The escape character may repeat
    one (real feeds do: "^~\\&"), and a short MSH-2 falls back to python-hl7's defaults."""
    if len(text) < 4:
        return False
    field = text[3]
    encoding = text[4:].split(field, 1)[0]
    splitting = [field] + [encoding[i] for i in (0, 1, 3) if i < len(encoding)]
    return len(set(splitting)) == len(splitting) and not any(ch.isalnum() or ch in "\r\n" for ch in splitting)


def _hl7_envelope(text: str) -> Envelope:
    if not _separators_usable(text):
        raise Unfileable("MSH-1 and MSH-2 (the separator characters) must be distinct punctuation.")
    header = text.split("\r", 1)[0]
    text = _with_standard_separators(text)
    try:
        message = hl7.parse(text)
        msh = message.segment("MSH")
        # Sending application | sending facility, as written (HD components and all).
        sender = f"{msh[3]}|{msh[4]}" if str(msh[4]) else str(msh[3])
        control_id = str(msh[10]).strip()
        message_type = str(msh[9]).strip()
        processing_id = str(msh[11]).split("^")[0].strip() if len(msh) > 11 else ""
    except (HL7Exception, IndexError, KeyError, ValueError, AssertionError):
        raise Unfileable("The MSH segment cannot be parsed.") from None
    if len(message) < 2:
        raise Unfileable("The message has only an MSH segment: segments must be separated by carriage returns.")
    if not control_id:
        raise Unfileable("MSH-10 (message control id) is empty.")
    if not _is_identity(control_id, 199):
        raise Unfileable("MSH-10 (message control id) is longer than 199 characters or not printable.")
    if not sender:
        raise Unfileable("MSH-3 and MSH-4 (sending application and facility) are empty.")
    if not _is_identity(sender):
        raise Unfileable("MSH-3 and MSH-4 (sending application and facility) are too long or not printable.")
    if not message_type:
        raise Unfileable("MSH-9 (message type) is empty.")
    code, _, rest = message_type.partition("^")
    trigger = rest.split("^")[0]
    if not (_HL7_CODE.fullmatch(code) and _HL7_CODE.fullmatch(trigger)):
        raise Unfileable("MSH-9 (message type) is not a message code and trigger event.")
    required = REQUIRED_SEGMENTS.get(f"{code}^{trigger}") or REQUIRED_SEGMENTS.get(code)
    present = {str(segment[0]) for segment in message}
    missing = [segment_id for segment_id in required or () if segment_id not in present]
    if required is None or missing:
        reason = (
            f"Message type {code}^{trigger} is not one the portal takes."
            if required is None
            else f"A {code}^{trigger} message needs segment(s) {', '.join(missing)}."
        )
        error = Unfileable(reason, message_type=f"{code}^{trigger}")
        error.sender, error.control_id = sender, control_id  # identified, so the sender can be told
        raise error
    if processing_id and processing_id not in _PROCESSING_IDS:
        error = Unfileable("MSH-11 (processing id) is not P, T or D.", message_type=f"{code}^{trigger}")
        error.sender, error.control_id = sender, control_id
        raise error
    kind = _PROCESSING_IDS.get(processing_id, "")
    test_data = f"MSH-11 (processing id) is {processing_id} ({kind})" if kind else ""
    return Envelope(
        FeedFormat.HL7V2,
        sender,
        control_id,
        f"{code}^{trigger}",
        text,
        parsed=message,
        test_data=test_data,
        header=header,
    )


def _with_standard_separators(text: str) -> str:
    """The message re-written with the standard separators (MSH-1 "|", MSH-2 "^~\\&") when the
    sender chose others, so the sender, the message type and every field read the same whatever
    the separators (and a feed source registered as "LAB^BMC" matches either way). Values that
    hold a standard separator as data are escaped (\\F\\, \\S\\, \\R\\, \\T\\, \\E\\); the sender's escape
    sequences keep their meaning under the standard escape character."""
    field = text[3]
    encoding = text[4:].split(field, 1)[0]
    if field == "|" and encoding[:4] in (_STANDARD_ENCODING, _STANDARD_ENCODING[:3], ""):
        return text  # as sent: its bytes are its identity (a resend is a duplicate)
    component, repetition, escape, subcomponent = (encoding[i] if i < len(encoding) else "" for i in range(4))
    segments = []
    for line in text.split("\r"):
        fields = line.split(field)
        kept, rest = (["MSH", _STANDARD_ENCODING], fields[2:]) if fields[0] == "MSH" else (fields[:1], fields[1:])
        segments.append(
            "|".join(
                kept
                + [
                    "~".join(
                        "^".join(
                            "&".join(_standard_value(value, escape) for value in _split(comp, subcomponent))
                            for comp in _split(rep, component)
                        )
                        for rep in _split(value, repetition)
                    )
                    for value in rest
                ]
            )
        )
    return "\r".join(segments)


def _split(text: str, separator: str) -> list[str]:
    return text.split(separator) if separator else [text]


def _standard_value(value: str, escape: str) -> str:
    """One value re-escaped for the standard separators: its own escape sequences (between two of
    the sender's escape characters) kept, under "\\"; any standard separator in its data escaped."""
    out = []
    parts = value.split(escape) if escape else [value]
    for index, part in enumerate(parts):
        inside = index % 2 == 1 and index < len(parts) - 1  # an escape sequence, closed
        if inside:
            out.append("\\" + part + "\\")
            continue
        if index % 2 == 1:
            out.append(_escape_data(escape))  # a lone escape character: data, as the sender wrote it
        out.append(_escape_data(part))
    return "".join(out)


def _escape_data(text: str) -> str:
    return (
        text.replace("\\", "\\E\\")
        .replace("|", "\\F\\")
        .replace("^", "\\S\\")
        .replace("~", "\\R\\")
        .replace("&", "\\T\\")
    )


def _fhir_envelope(text: str, sender_hint: str) -> Envelope:
    try:
        resource = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        raise Unfileable("The body starts like JSON but is not valid JSON.") from None
    if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
        raise Unfileable("The JSON body has no resourceType.")
    resource_type = resource["resourceType"]
    if not _FHIR_TYPE.fullmatch(resource_type):
        raise Unfileable("The resourceType is not a FHIR resource type.")
    sender, control_id = sender_hint, ""
    if resource_type == "Bundle" and resource.get("type") == "message":
        header = _object(_first(resource.get("entry"))).get("resource")
        if not isinstance(header, dict) or header.get("resourceType") != "MessageHeader":
            raise Unfileable("A message Bundle must start with a MessageHeader entry.")
        source = header.get("source")
        if not isinstance(source, dict):
            raise Unfileable("MessageHeader.source must be an object naming the sending endpoint.")
        sender = _text(source.get("endpoint")) or _text(source.get("name")) or sender_hint
        control_id = _text(resource.get("id")) or _text(header.get("id"))
    elif _text(resource.get("id")):
        version = _text(_object(resource.get("meta")).get("versionId"))
        # Without a versionId, an update of the same resource is a new message, not a reused id:
        # the hash of its content tells versions apart, while a resend of the same content stays a
        # duplicate however it is serialised (key order, spacing, a fresh meta.lastUpdated).
        version = version or "sha256:" + _content_hash(resource)[:32]
        control_id = f"{resource_type}/{_text(resource['id'])}/_history/{version}"
    if not sender:
        raise Unfileable("No sender: a FHIR body needs a MessageHeader source or the 'sender' message attribute.")
    if not control_id:
        # A transaction Bundle often has no id: its content is its identity, so a resend is a duplicate.
        control_id = "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    if not _is_identity(sender):
        raise Unfileable("The sender is longer than 256 characters or not printable.")
    if not _is_identity(control_id):
        raise Unfileable("The resource id is longer than 256 characters or not printable.")
    return Envelope(FeedFormat.FHIR, sender, control_id, resource_type, text, test_data=_fhir_test_data(resource))


def _fhir_test_data(resource: dict[str, Any]) -> str:
    """What marks a FHIR body as test data: an HTEST tag on the Bundle or resource, or on any
    resource a Bundle carries (one test entry makes the whole Bundle test data)."""
    entries = resource.get("entry") if resource.get("resourceType") == "Bundle" else None
    resources = [resource] + [
        _object(_object(entry).get("resource")) for entry in (entries if isinstance(entries, list) else [])
    ]
    for item in resources:
        meta = _object(item.get("meta"))
        for label in [*_list(meta.get("tag")), *_list(meta.get("security"))]:
            coding = _object(label)
            if (_text(coding.get("system")), _text(coding.get("code"))) in _FHIR_TEST_TAGS:
                return "it is tagged HTEST (test health data)"
    return ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _content_hash(resource: dict[str, Any]) -> str:
    meta = {k: v for k, v in _object(resource.get("meta")).items() if k not in ("lastUpdated", "source")}
    content = {**resource, "meta": meta} if meta else {k: v for k, v in resource.items() if k != "meta"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
