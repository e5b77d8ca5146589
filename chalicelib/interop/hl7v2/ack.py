"""HL7 v2 acknowledgements (ACK): the answer a sender's interface engine waits for.

Written by hand rather than with python-hl7's ``Message.create_ack``: that one stamps MSH-7 with
the wall clock (the portal's time comes from its clock port), writes no ERR segment, and would
answer with the separators of the parsed message, which intake rewrites to the standard ones when
a sender chose others. An ACK must come back in the sender's own separators (MSH-1, MSH-2), so it
is built from the sender's MSH segment as written, field by field.

An ACK carries no PHI: it copies only MSH-3 to MSH-6 (the two systems, swapped), the trigger
event of MSH-9, MSH-10 (into MSA-2), MSH-11 and MSH-12 of the original, each checked for shape
first (a garbled MSH can hold anything, segments of patient data included), and the reason the
portal gives, which names fields and rules, never values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

# HL7 table 0155, MSH-15 and MSH-16: when the sender wants an acknowledgement.
ACK_CONDITIONS = ("AL", "NE", "ER", "SU")  # always, never, error/reject only, successful only
_TRIGGER = re.compile(r"[A-Z0-9_]{1,7}")
_PROCESSING_ID = re.compile(r"[PTD]")
_VERSION = re.compile(r"2\.[0-9]{1,2}(\.[0-9]{1,2})?")
_FIELD_REFERENCE = re.compile(r"\b([A-Z][A-Z0-9]{2})-([0-9]{1,3})\b")
# A segment a reason names, most telling first: the one it needs, else one it speaks of.
_SEGMENT_REFERENCES = (
    re.compile(r"segment\(s\) ([A-Z][A-Z0-9]{2})\b"),
    re.compile(r"\b([A-Z][A-Z0-9]{2}) segment\b"),
)
# Segments a message carries once: the first is the one meant (ERL-2, segment sequence).
_SINGLE_SEGMENTS = {"MSH", "EVN", "PID", "PV1", "MRG", "SCH", "TXA"}
DEFAULT_VERSION = "2.5"  # when the original names none that can be read


@dataclass(frozen=True)
class Header:
    """What an acknowledgement needs of the original MSH segment, read with its own separators.
    Values are as written (escape sequences and all), so they go back unchanged."""

    field: str  # MSH-1
    encoding: str  # MSH-2: component, repetition, escape, subcomponent (some may be missing)
    sending_application: str = ""
    sending_facility: str = ""
    receiving_application: str = ""
    receiving_facility: str = ""
    message_code: str = ""  # MSH-9.1 (ADT, ORU, ACK ...)
    trigger: str = ""
    control_id: str = ""
    processing_id: str = ""
    version: str = ""
    accept_ack_type: str = ""  # MSH-15, "" when empty or not one of ACK_CONDITIONS
    application_ack_type: str = ""  # MSH-16, likewise

    @property
    def component(self) -> str:
        return self.encoding[0] if self.encoding else "^"

    @property
    def enhanced(self) -> bool:
        """Enhanced acknowledgement mode: MSH-15 or MSH-16 valued (both empty: original mode)."""
        return bool(self.accept_ack_type or self.application_ack_type)


def read_header(msh: str) -> Header | None:
    """The MSH segment as the sender wrote it; None when it is not one (then no ACK can address it)."""
    if not (len(msh) >= 4 and msh.startswith("MSH") and not msh[3].isalnum() and msh[3] not in "\r\n "):
        return None
    separator = msh[3]
    fields = msh.split(separator)  # fields[n - 1] is MSH-n, for n >= 2
    encoding = fields[1] if len(fields) > 1 else ""
    # Four characters, and a fifth since v2.7 (the truncation character).
    if any(ch.isalnum() or ch in "\r\n " for ch in encoding) or len(encoding) > 5:
        return None

    def field(number: int, limit: int) -> str:
        value = fields[number - 1] if len(fields) >= number else ""
        return value if len(value) <= limit and value.isprintable() else ""

    def first(number: int) -> str:
        return _components(field(number, 64), encoding)[0].strip()

    def condition(number: int) -> str:
        value = first(number)
        return value if value in ACK_CONDITIONS else ""

    message_type = _components(field(9, 64), encoding)
    code = message_type[0].strip()
    trigger = message_type[1].strip() if len(message_type) > 1 else ""
    return Header(
        field=separator,
        encoding=encoding,
        sending_application=field(3, 227),
        sending_facility=field(4, 227),
        receiving_application=field(5, 227),
        receiving_facility=field(6, 227),
        message_code=code if _TRIGGER.fullmatch(code) else "",
        trigger=trigger if _TRIGGER.fullmatch(trigger) else "",
        control_id=field(10, 199).strip(),
        processing_id=first(11) if _PROCESSING_ID.fullmatch(first(11)) else "",
        version=first(12) if _VERSION.fullmatch(first(12)) else "",
        accept_ack_type=condition(15),
        application_ack_type=condition(16),
    )


def _components(value: str, encoding: str) -> list[str]:
    return value.split(encoding[0]) if encoding else [value]


def is_acknowledgement(header: Header) -> bool:
    """An acknowledgement is never acknowledged (two systems would answer each other for ever)."""
    return header.message_code in ("ACK", "MCF")  # MCF: the v2.1 name of the same


def wanted(header: Header | None, commit: str, application: str) -> list[str]:
    """Which acknowledgement codes (HL7 table 0008) to send, in order.

    ``commit`` is CA (the message is safely recorded) or CR (refused before it was); ``application``
    is AA, AE or AR, or "" while the message waits to be filed. Original mode (MSH-15 and MSH-16
    both empty): one application ACK. Enhanced mode: a commit ACK as MSH-15 asks and an application
    ACK as MSH-16 asks, each on its own. One of them left empty beside the other counts as AL: a
    sender that says nothing of a kind of answer is not one that refused it, and a reject it never
    hears of is the failure acknowledgements exist to prevent."""
    if header is None or not header.enhanced:
        return [application] if application else []
    codes = []
    if _asked(header.accept_ack_type, commit == "CA"):
        codes.append(commit)
    if application and _asked(header.application_ack_type, application == "AA"):
        codes.append(application)
    return codes


def _asked(condition: str, success: bool) -> bool:
    return condition in ("AL", "") or (condition == "ER" and not success) or (condition == "SU" and success)


@dataclass(frozen=True)
class Problem:
    """Why a message was refused or not filed, as an ERR segment says it."""

    code: str  # HL7 table 0357
    name: str  # the code's meaning in table 0357
    message: str  # the portal's reason: it names fields and rules, never values
    segment: str = ""  # where, when the reason names it
    field: str = ""


# HL7 table 0357 (message error condition codes), picked by what the reason says.
_CODES = (
    ("already used by this sender", "205", "Duplicate key identifier"),
    # Its identifier names a patient its demographics contradict: held for staff, not filed yet.
    ("possible mismatch", "206", "Application record locked"),
    ("MSH-11", "202", "Unsupported processing id"),
    ("Test data", "202", "Unsupported processing id"),
    ("not one the portal takes", "200", "Unsupported message type"),
    ("MSH-9", "200", "Unsupported message type"),
    ("could not file this message", "207", "Application internal error"),
    ("cannot be parsed", "102", "Data type error"),
    ("needs segment", "100", "Segment sequence error"),
    ("segment", "100", "Segment sequence error"),
    ("is empty", "101", "Required field missing"),
    ("has no", "101", "Required field missing"),
    ("hold no", "101", "Required field missing"),
    ("malformed", "102", "Data type error"),
    ("not printable", "102", "Data type error"),
    ("longer than", "102", "Data type error"),
    ("cannot be read", "102", "Data type error"),
    # Who the message is from or about is not one the portal knows (an unregistered sender, a
    # patient not received before, identifiers that name different patients).
    ("not registered", "204", "Unknown key identifier"),
    ("patient", "204", "Unknown key identifier"),
)


_CODE_FIELDS = {"200": "9", "202": "11", "205": "10"}  # message type, processing id, control id


def problem(reason: str, refused: bool) -> Problem:
    """The ERR of a reason: its table 0357 code and the field or segment it names."""
    code, name = ("102", "Data type error") if refused else ("207", "Application internal error")
    for words, known_code, known_name in _CODES:
        if words in reason:
            code, name = known_code, known_name
            break
    reference = _FIELD_REFERENCE.search(reason)
    if reference:
        return Problem(code, name, reason, reference.group(1), reference.group(2))
    if code in _CODE_FIELDS:  # the field such a reason is about, though it does not name it
        return Problem(code, name, reason, "MSH", _CODE_FIELDS[code])
    for pattern in _SEGMENT_REFERENCES:
        mentioned = pattern.search(reason)
        if mentioned:
            return Problem(code, name, reason, mentioned.group(1))
    return Problem(code, name, reason)


def build_ack(header: Header, *, code: str, control_id: str, now: datetime, problem: Problem | None = None) -> str:
    """One ACK message, its segments separated by carriage returns, in the original's separators."""
    separator, component = header.field, header.component
    message_type = component.join(["ACK", header.trigger, "ACK"]) if header.trigger else "ACK"
    msh = [
        "MSH",
        header.encoding,
        header.receiving_application,  # MSH-3, 4: we answer as the system the sender addressed
        header.receiving_facility,
        header.sending_application,  # MSH-5, 6: to the system that sent it
        header.sending_facility,
        now.astimezone(timezone.utc).strftime("%Y%m%d%H%M%S+0000"),  # MSH-7
        "",  # MSH-8, security
        message_type,  # MSH-9
        control_id,  # MSH-10
        header.processing_id,  # MSH-11
        header.version or DEFAULT_VERSION,  # MSH-12
    ]
    msa = ["MSA", code, header.control_id]
    if problem is not None and header.version and _before_2_5(header.version):
        msa.append(_escaped(problem.message, header))  # MSA-3, the text older receivers show
    segments = [separator.join(msh), separator.join(msa)]
    if problem is not None:
        segments.append(_err(header, problem))
    return "\r".join(segments)


def _err(header: Header, problem: Problem) -> str:
    """ERR as HL7 v2.5 defines it: ERR-2 location, ERR-3 code (table 0357), ERR-4 severity, ERR-8
    the user message. A message of a version before 2.5 reads ERR-1 instead (segment, sequence,
    field and the code in one field): it is filled as well, for those receivers."""
    component = header.component
    subcomponent = header.encoding[3] if len(header.encoding) > 3 else "&"
    sequence = "1" if problem.segment in _SINGLE_SEGMENTS else ""
    location = component.join([problem.segment, sequence, problem.field]).rstrip(component) if problem.segment else ""
    text = _escaped(problem.name, header)
    code = component.join([problem.code, text, "HL70357"])
    fields = ["ERR", "", location, code, "E", "", "", "", _escaped(problem.message, header)]
    if header.version and _before_2_5(header.version):
        fields[1] = component.join(
            [problem.segment, sequence, problem.field, subcomponent.join([problem.code, text, "HL70357"])]
        )
    return header.field.join(fields)


def _before_2_5(version: str) -> bool:
    parts = version.split(".")
    return (int(parts[0]), int(parts[1])) < (2, 5)


def _escaped(text: str, header: Header) -> str:
    """Text as a field value in the original's separators: each separator in it escaped (\\F\\,
    \\S\\, \\R\\, \\E\\, \\T\\ with the sender's escape character), or, where the sender declared
    no escape character, replaced by a space."""
    letters = {header.field: "F"}
    for char, letter in zip(header.encoding, "SRET", strict=False):
        letters.setdefault(char, letter)  # an escape character that repeats a separator is that separator
    escape = header.encoding[2] if len(header.encoding) > 2 else ""
    out = []
    for char in text:
        if char in letters:
            out.append(f"{escape}{letters[char]}{escape}" if escape else " ")
        else:
            out.append(char)
    return "".join(out)
