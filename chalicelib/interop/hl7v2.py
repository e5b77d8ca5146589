"""HL7 v2 messages (python-hl7) read into the records domain: ADT (demographics, admissions,
discharges, A40 merges), ORU^R01 (results), MDM (documents) and SIU (appointments).

python-hl7 gives the segments; fields are read here from their text with the message's own
separators, because python-hl7 nests a field differently depending on whether it has
repetitions or components. Text is unescaped with the message's escape character, and FT line
breaks (``\\.br\\``) become newlines. Every way a real feed can be odd (explicit nulls, missing
fields, repeated OBX set ids, Z-segments) reads to empty values; only what makes a message
impossible to read (no patient identifier, a malformed embedded document) raises Unreadable, with
a reason that names the field, never its value. An identifier without an assigning authority
(CX.4) is kept with an empty authority: whether the sender's configured default authority applies
or the message goes to quarantine is the filer's decision, never a guess made here.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import hl7
import hl7.containers
import hl7.util
from hl7.exceptions import HL7Exception

from chalicelib.patients.domain import Identifier
from chalicelib.records.domain import (
    Category,
    ClinicalEntry,
    ClinicalMessage,
    Coding,
    EmbeddedDocument,
    Observation,
    PatientFacts,
    Quantity,
    ResultReport,
    ResultStatus,
    Unreadable,
)

_RESULT_STATUS = {
    "F": ResultStatus.FINAL, "C": ResultStatus.CORRECTED, "A": ResultStatus.PRELIMINARY,
    "P": ResultStatus.PRELIMINARY, "R": ResultStatus.PRELIMINARY, "S": ResultStatus.PENDING,
    "I": ResultStatus.PENDING, "O": ResultStatus.PENDING, "X": ResultStatus.CANCELLED,
    "D": ResultStatus.CANCELLED, "W": ResultStatus.CANCELLED, "N": ResultStatus.PENDING,
}
_PATHOLOGY_SECTIONS = {"SP", "CP", "AP", "PAT", "CY"}  # (SR serology, TX toxicology are lab: HL7 table 0074)
_IMAGING_SECTIONS = {"RAD", "CT", "MR", "US", "NMR", "NMS", "XRC", "RX", "IMG", "CUS", "VUS", "RUS", "OUS", "MAM"}
_SEX = {"F": "female", "M": "male", "O": "other", "A": "other", "N": "other", "U": "unknown"}
_NULL = '""'  # HL7's explicit null: "delete this value", shown as nothing
_TS = re.compile(r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?")
_SN_COMPARATOR = {"<", ">", "<=", ">=", "=", "<>"}

# python-hl7 logs the offending field's text when it meets a malformed escape: a feed's values
# are PHI and must never reach a log. This module unescapes on its own (below) and silences them.
hl7.util.logger.disabled = True
hl7.containers.logger.disabled = True


@dataclass(frozen=True)
class _Separators:
    repetition: str
    component: str
    subcomponent: str
    escape: str


class _Reader:
    def __init__(self, message: hl7.Message):
        self.message = message
        seps = message.separators  # "\r|~^&" (segment, field, repetition, component, subcomponent)
        self.seps = _Separators(seps[2], seps[3], seps[4] if len(seps) > 4 else "&", message.esc or "\\")

    def field(self, segment, number: int) -> str:
        try:
            text = str(segment[number])
        except (IndexError, KeyError):
            return ""
        return "" if text == _NULL else text

    def repetitions(self, text: str) -> list[str]:
        return [rep for rep in text.split(self.seps.repetition)] if text else []

    def component(self, text: str, number: int, sub: int = 1) -> str:
        """Component ``number`` (1-based) of one repetition, subcomponent ``sub``; unescaped."""
        components = text.split(self.seps.component)
        if number > len(components):
            return ""
        subcomponents = components[number - 1].split(self.seps.subcomponent)
        value = subcomponents[sub - 1] if sub <= len(subcomponents) else ""
        return "" if value == _NULL else self.unescape(value)

    def unescape(self, text: str) -> str:
        """HL7 escape sequences (v2.5 section 2.7): separators, line breaks, hex bytes; formatting
        and character-set switches dropped; anything malformed kept as written."""
        esc = self.seps.escape
        if esc not in text:
            return text.strip()
        out: list[str] = []
        position = 0
        while position < len(text):
            start = text.find(esc, position)
            end = text.find(esc, start + 1) if start >= 0 else -1
            if start < 0 or end < 0:
                out.append(text[position:])
                break
            out.append(text[position:start])
            out.append(self._escape(text[start + 1:end], text[start:end + 1]))
            position = end + 1
        return "".join(out).strip()

    def _escape(self, sequence: str, literal: str) -> str:
        simple = {"F": "|", "S": self.seps.component, "T": self.seps.subcomponent, "R": self.seps.repetition,
                  "E": self.seps.escape, ".br": "\n", ".sp": "\n", "H": "", "N": ""}
        if sequence in simple:
            return simple[sequence]
        if sequence.startswith("X") and re.fullmatch(r"X(?:[0-9A-Fa-f]{2})+", sequence):
            raw = bytes.fromhex(sequence[1:])
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                return raw.decode("latin-1")
        if sequence[:1] in ("Z", "C", "M") or sequence[:3] in (".in", ".ti", ".sk", ".ce", ".fi", ".nf"):
            return ""  # local escapes, character-set switches and formatting: no text of their own
        return literal  # not an escape sequence after all (a lone backslash in the data)

    def text(self, segment, number: int) -> str:
        """A whole field as text: repetitions on their own lines (TX/FT)."""
        return "\n".join(self.unescape(rep) for rep in self.repetitions(self.field(segment, number))).strip()


def read_hl7(text: str, parsed: Any = None) -> ClinicalMessage:
    """One message (segments separated by CR, as feeds.envelope hands them over); ``parsed``, when
    given, is python-hl7's parse of that text (the envelope's), not parsed again."""
    try:
        message = parsed if parsed is not None else hl7.parse(text)
        reader = _Reader(message)
        msh = message.segment("MSH")
        message_type = reader.field(msh, 9)
        code, event = reader.component(message_type, 1), reader.component(message_type, 2)
        return _read(reader, code, event)
    except Unreadable:
        raise
    except (HL7Exception, IndexError, KeyError, ValueError, TypeError, AssertionError) as error:
        raise Unreadable(f"The message cannot be read ({type(error).__name__}).") from None


def _read(reader: _Reader, code: str, event: str) -> ClinicalMessage:
    message = reader.message
    segments = list(message)
    sent_at = iso_time(reader.field(_first(segments, "MSH"), 7))  # MSH-7: an older message never wins
    patient = _patient(reader, _first(segments, "PID"))
    if code == "ADT":
        pv1 = _first(segments, "PV1")
        merged = ()
        if event in ("A40", "A39", "A34", "A18"):
            mrg = _first(segments, "MRG")
            merged = _identifiers(reader, reader.field(mrg, 1)) if mrg is not None else ()
            if not merged:
                raise Unreadable("MRG-1 has no prior patient identifier.")
        visit = _visit(reader, pv1, event, sent_at) if not merged else None
        return ClinicalMessage(
            kind="merge" if merged else "demographics", patient=patient, merged_from=merged, event=event,
            entries=(visit,) if visit else (),
            admitted_at=iso_time(reader.field(pv1, 44)) if pv1 is not None else "",
            discharged_at=iso_time(reader.field(pv1, 45)) if pv1 is not None else "")
    if code == "ORU":
        return ClinicalMessage(kind="results", patient=patient, results=tuple(_results(reader, segments)), event=event)
    if code == "MDM":
        document = _document(reader, segments)
        pv1 = _first(segments, "PV1")
        if pv1 is not None and _visit_number(reader, pv1):
            document = dataclasses.replace(document, visit_id=_visit_number(reader, pv1),
                                           discharged_at=iso_time(reader.field(pv1, 45)))
        return ClinicalMessage(kind="document", patient=patient, results=(document,), event=event)
    if code == "SIU":
        return ClinicalMessage(kind="appointment", patient=patient, event=event,
                               entries=(_appointment(reader, segments, event, sent_at),))
    raise Unreadable(f"Message type {code}^{event} is not one the portal files.")


# -- visits and appointments ----------------------------------------------------------------------

_PATIENT_CLASS = {"I": "inpatient", "O": "outpatient", "E": "emergency", "P": "preadmit", "R": "recurring",
                  "B": "obstetrics", "C": "commercial account", "N": "not applicable", "U": "unknown"}
# The visit's state each ADT event leaves it in (A11/A13 cancel an admission/discharge).
_VISIT_STATUS = {"A01": "in-progress", "A02": "in-progress", "A03": "finished", "A04": "arrived",
                 "A05": "planned", "A06": "in-progress", "A07": "in-progress", "A11": "cancelled",
                 "A13": "in-progress", "A14": "planned", "A27": "cancelled", "A38": "cancelled"}
# SIU events and SCH-25 filler statuses (HL7 table 0278) as the patient's words.
_APPOINTMENT_EVENT = {"S15": "cancelled", "S26": "noshow"}
_FILLER_STATUS = {"BOOKED": "booked", "SCHEDULED": "booked", "CONFIRMED": "booked", "PENDING": "pending",
                  "WAITLIST": "waitlist", "CANCELLED": "cancelled", "DELETED": "cancelled", "BLOCKED": "booked",
                  "OVERBOOK": "booked", "NOSHOW": "noshow", "COMPLETE": "fulfilled", "DC": "cancelled",
                  "STARTED": "arrived", "ARRIVED": "arrived"}


def _visit_number(reader: _Reader, pv1) -> str:
    number = reader.component(reader.field(pv1, 19), 1)
    return f"visit@{number[:100]}" if number else ""


def _location(reader: _Reader, pl: str) -> str:
    """A PL (point of care, room, bed, facility) as one line of text, each part once."""
    parts = [reader.component(pl, n, 1) for n in (1, 2, 3)]
    facility = reader.component(pl, 4, 1) or reader.component(pl, 9)
    return " ".join(dict.fromkeys(p for p in [*parts, facility] if p))[:200]


def _visit(reader: _Reader, pv1, event: str, sent_at: str) -> ClinicalEntry | None:
    """An ADT message's visit (PV1), when it has a visit number (PV1-19) to keep it by."""
    if pv1 is None or not _visit_number(reader, pv1):
        return None
    admitted, discharged = iso_time(reader.field(pv1, 44)), iso_time(reader.field(pv1, 45))
    status = _VISIT_STATUS.get(event, "finished" if discharged else "in-progress")
    content = {"status": status,
               "class": _PATIENT_CLASS.get(reader.component(reader.field(pv1, 2), 1).upper(), ""),
               "started_at": admitted, "ended_at": discharged, "locations": [loc for loc in (
                   _location(reader, reader.field(pv1, 3)),) if loc],
               "clinicians": [p for p in (_person(reader, reader.field(pv1, 7)),) if p]}
    return ClinicalEntry(kind="visit", source_id=_visit_number(reader, pv1),
                         content={k: v for k, v in content.items() if v}, occurred_at=admitted, as_of=sent_at,
                         reopens=event in ("A11", "A12", "A13"))


def _appointment(reader: _Reader, segments, event: str, sent_at: str) -> ClinicalEntry:
    sch = _first(segments, "SCH")
    if sch is None:
        raise Unreadable("The SIU message has no SCH segment.")
    appointment_id = reader.component(reader.field(sch, 2), 1) or reader.component(reader.field(sch, 1), 1)
    if not appointment_id:
        raise Unreadable("SCH-1 and SCH-2 hold no appointment id.")
    timing = reader.field(sch, 11)
    filler = reader.component(reader.field(sch, 25), 1).upper().replace(" ", "")
    status = _APPOINTMENT_EVENT.get(event) or _FILLER_STATUS.get(filler, "booked")
    duration = reader.field(sch, 9)
    content = {"status": status, "starts_at": iso_time(reader.component(timing, 4)),
               "ends_at": iso_time(reader.component(timing, 5)),
               "minutes": int(duration) if duration.isdigit() and reader.component(
                   reader.field(sch, 10), 1).lower() in ("m", "min", "minutes", "") and int(duration) < 10_000 else None,
               "type": (reader.component(reader.field(sch, 8), 2) or reader.component(reader.field(sch, 8), 1))[:200],
               "description": (reader.component(reader.field(sch, 7), 2) or reader.component(reader.field(sch, 7), 1))[:500],
               "with": [p for p in (_person(reader, reader.field(s, 3)) for s in segments if str(s[0]) == "AIP") if p][:20],
               "locations": [loc for loc in (_location(reader, reader.field(s, 3)) for s in segments
                                             if str(s[0]) == "AIL") if loc][:20]}
    return ClinicalEntry(kind="appointment", source_id=f"appointment@{appointment_id[:100]}",
                         content={k: v for k, v in content.items() if v not in (None, "", [])},
                         occurred_at=content["starts_at"], withdrawn=event == "S17", as_of=sent_at)


def _first(segments, name: str):
    return next((s for s in segments if str(s[0]) == name), None)


# -- patients -------------------------------------------------------------------------------------

def _identifiers(reader: _Reader, text: str) -> tuple[Identifier, ...]:
    found = []
    for rep in reader.repetitions(text):
        value = reader.component(rep, 1)
        # CX.4 assigning authority (HD): its namespace id, else its universal id (an OID ...).
        authority = reader.component(rep, 4, 1) or reader.component(rep, 4, 2)
        kind = reader.component(rep, 5) or "MR"
        if value:
            found.append(Identifier(authority=authority[:64], value=value[:64],
                                    type=kind if re.fullmatch(r"[A-Z]{1,5}", kind) else "MR"))
    return tuple(found)


def _patient(reader: _Reader, pid) -> PatientFacts:
    if pid is None:
        raise Unreadable("The message has no PID segment.")
    identifiers = _identifiers(reader, reader.field(pid, 3))
    if not identifiers:
        raise Unreadable("PID-3 has no patient identifier.")
    name = (reader.repetitions(reader.field(pid, 5)) or [""])[0]
    given = tuple(part for part in (reader.component(name, 2), reader.component(name, 3)) if part)
    birth = iso_time(reader.field(pid, 7))[:10]
    return PatientFacts(identifiers=identifiers, family_name=reader.component(name, 1, 1), given_names=given,
                        birth_date=birth if len(birth) == 10 else "",
                        sex=_SEX.get(reader.component(reader.field(pid, 8), 1).upper(), ""))


def iso_time(ts: str) -> str:
    """An HL7 TS/DTM as ISO 8601, as precise as sent ("" when it is not one)."""
    value = ts.split("^")[0].strip() if ts else ""
    match = _TS.fullmatch(value)
    if not match:
        return ""
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    text = year + (f"-{month}" if month else "") + (f"-{day}" if month and day else "")
    if day and hour:
        text += f"T{hour}:{minute or '00'}" + (f":{second}" if second else "") + (fraction or "" if second else "")
        if zone:
            text += f"{zone[:3]}:{zone[3:]}"
    return text


# -- results --------------------------------------------------------------------------------------

def _results(reader: _Reader, segments) -> list[ResultReport]:
    reports: list[dict] = []
    ordering = ""
    last_obx: dict | None = None
    for segment in segments:
        name = str(segment[0])
        if name == "ORC":
            ordering = _person(reader, reader.field(segment, 12))
        elif name == "OBR":
            reports.append(_report_header(reader, segment, ordering))
            last_obx = None
        elif name == "OBX" and reports:
            last_obx = {"segment": segment, "notes": []}
            reports[-1]["observations"].append(last_obx)
        elif name == "NTE" and reports:
            note = reader.text(segment, 3)
            if note:
                (last_obx["notes"] if last_obx is not None else reports[-1]["notes"]).append(note)
    if not reports:
        raise Unreadable("The ORU message has no OBR segment.")
    return [_report(reader, report) for report in reports]


def _report_header(reader: _Reader, obr, ordering: str) -> dict:
    filler = reader.field(obr, 3)
    placer = reader.field(obr, 2)
    code = _coding(reader, reader.field(obr, 4))
    # The filler order number names the report across corrections; else the placer's; else the
    # test and its time (a sender that numbers nothing can still correct a result it resends).
    source = (_entity(reader, filler) or _entity(reader, placer)
              or f"{code.code or code.display}@{reader.field(obr, 7)}")
    return {"source_id": source, "code": code, "section": reader.component(reader.field(obr, 24), 1).upper(),
            "status": reader.component(reader.field(obr, 25), 1).upper(),
            "collected_at": iso_time(reader.field(obr, 7)), "reported_at": iso_time(reader.field(obr, 22)),
            "ordering": _person(reader, reader.field(obr, 16)) or ordering, "observations": [], "notes": []}


def _entity(reader: _Reader, text: str) -> str:
    """An EI (entity identifier): its id and namespace, or ""."""
    rep = (reader.repetitions(text) or [""])[0]
    value = reader.component(rep, 1)
    namespace = reader.component(rep, 2) or reader.component(rep, 3)
    return f"{value}^{namespace}" if value and namespace else value


def _report(reader: _Reader, header: dict) -> ResultReport:
    observations = tuple(_observation(reader, obx["segment"], tuple(obx["notes"])) for obx in header["observations"])
    status = _RESULT_STATUS.get(header["status"]) or _overall({o.status for o in observations})
    return ResultReport(
        source_id=header["source_id"][:200], code=header["code"], category=_category(header["section"], observations),
        status=status, collected_at=header["collected_at"], reported_at=header["reported_at"],
        performing_lab=next((o.performer for o in observations if o.performer), ""),
        ordering_provider=header["ordering"], observations=observations, notes=tuple(header["notes"]))


def _overall(statuses: set[ResultStatus]) -> ResultStatus:
    """Without OBR-25, a report is as final as its least final observation."""
    if statuses and statuses == {ResultStatus.CANCELLED}:
        return ResultStatus.CANCELLED
    for status in (ResultStatus.PENDING, ResultStatus.PRELIMINARY, ResultStatus.CORRECTED):
        if status in statuses:
            return status
    return ResultStatus.FINAL


def _category(section: str, observations: tuple[Observation, ...]) -> Category:
    if section in _PATHOLOGY_SECTIONS:
        return Category.PATHOLOGY
    if section in _IMAGING_SECTIONS:
        return Category.IMAGING
    if section or any(o.code.is_loinc or o.value_type in ("numeric", "quantity") for o in observations):
        return Category.LAB
    return Category.OTHER


def _coding(reader: _Reader, text: str) -> Coding:
    rep = (reader.repetitions(text) or [""])[0]
    code, display, system = reader.component(rep, 1), reader.component(rep, 2), reader.component(rep, 3)
    if not code and not display:  # the alternate triplet (CE.4-6)
        code, display, system = reader.component(rep, 4), reader.component(rep, 5), reader.component(rep, 6)
    return Coding(code=code[:100], display=display[:500], system=system[:100])


def _person(reader: _Reader, text: str) -> str:
    """An XCN as a name to show ("Sharon J Rawlings MD"), or its id when it has no name."""
    rep = (reader.repetitions(text) or [""])[0]
    family, given, middle = reader.component(rep, 2, 1), reader.component(rep, 3), reader.component(rep, 4)
    degree = reader.component(rep, 7) or reader.component(rep, 21)
    name = " ".join(part for part in (given, middle, family, degree) if part)
    return name or reader.component(rep, 1)


def _observation(reader: _Reader, obx, notes: tuple[str, ...]) -> Observation:
    value_type = reader.component(reader.field(obx, 2), 1).upper()
    raw_value = reader.field(obx, 5)
    status = _RESULT_STATUS.get(reader.component(reader.field(obx, 11), 1).upper(), ResultStatus.FINAL)
    units_field = reader.field(obx, 6)
    common = dict(
        code=_coding(reader, reader.field(obx, 3)),
        # The units' text, else their original text (CWE.9), else their code ("mmol/L" is usually a code).
        units=reader.component(units_field, 2) or reader.component(units_field, 9) or reader.component(units_field, 1),
        reference_range=reader.text(obx, 7),
        flags=tuple(f for f in (reader.component(rep, 1) for rep in reader.repetitions(reader.field(obx, 8))) if f),
        status=status, observed_at=iso_time(reader.field(obx, 14)),
        performer=(reader.component(reader.field(obx, 23), 1) or reader.component(reader.field(obx, 15), 2)
                   or reader.component(reader.field(obx, 15), 1)),
        notes=notes)
    if not raw_value.strip():
        return Observation(value_type="none", **common)
    first = (reader.repetitions(raw_value) or [""])[0]
    if value_type == "NM":
        number = reader.unescape(first)
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", number):
            return Observation(value_type="numeric", number=number, **common)
        return Observation(value_type="text", text=number, **common)
    if value_type == "SN":
        quantity = Quantity(comparator=reader.component(first, 1) if reader.component(first, 1) in _SN_COMPARATOR
                            else "", number=reader.component(first, 2), separator=reader.component(first, 3),
                            second=reader.component(first, 4))
        return Observation(value_type="quantity", quantity=quantity, **common)
    if value_type in ("CE", "CWE", "CNE", "CF", "CD"):
        return Observation(value_type="coded", coded=_coding(reader, raw_value), **common)
    if value_type == "ED":
        return Observation(value_type="document", document=_embedded(reader, first), **common)
    if value_type == "RP":
        # A reference pointer: shown to the patient as a reference, never fetched by the server.
        return Observation(value_type="pointer", pointer=reader.component(first, 1)[:2000], **common)
    return Observation(value_type="text", text=reader.text(obx, 5), **common)


def _embedded(reader: _Reader, ed: str) -> EmbeddedDocument:
    """ED: source application ^ type of data ^ subtype ^ encoding ^ data."""
    kind, subtype, encoding = (reader.component(ed, 2).lower(), reader.component(ed, 3).lower(),
                               reader.component(ed, 4).upper())
    data_text = ed.split(reader.seps.component)[4] if len(ed.split(reader.seps.component)) > 4 else ""
    if encoding == "BASE64":
        try:
            data = base64.b64decode(re.sub(r"\s+", "", data_text), validate=True)
        except (binascii.Error, ValueError):
            raise Unreadable("OBX-5 holds an embedded document whose Base64 data is malformed.") from None
    elif encoding in ("A", ""):
        data = reader.unescape(data_text).encode()
    else:
        raise Unreadable("OBX-5 holds an embedded document in an encoding the portal does not take (Base64 or A).")
    content_type = _content_type(kind, subtype)
    return EmbeddedDocument(content_type=content_type, data=data)


_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,63}")


def _content_type(kind: str, subtype: str) -> str:
    for candidate in (subtype, f"{kind}/{subtype}" if kind in ("application", "image", "text", "audio", "video")
                      else ""):
        if _MEDIA_TYPE.fullmatch(candidate):  # a media type, or nothing that S3 could choke on
            return candidate
    return {"pdf": "application/pdf", "rtf": "application/rtf", "html": "text/html", "jpeg": "image/jpeg",
            "png": "image/png", "tiff": "image/tiff"}.get(subtype, "application/octet-stream")


# -- documents ------------------------------------------------------------------------------------

def _document(reader: _Reader, segments) -> ResultReport:
    """An MDM message as a report: TXA says what document, its OBX segments carry the text or the
    embedded file (the documents store is the next step; here it is read)."""
    txa = _first(segments, "TXA")
    observations = tuple(_observation(reader, s, ()) for s in segments if str(s[0]) == "OBX")
    document_type = _coding(reader, reader.field(txa, 2)) if txa is not None else Coding()
    unique = reader.field(txa, 12) if txa is not None else ""
    status = {"AU": ResultStatus.FINAL, "LA": ResultStatus.FINAL, "PA": ResultStatus.PRELIMINARY,
              "IP": ResultStatus.PENDING, "DO": ResultStatus.PRELIMINARY, "IN": ResultStatus.PENDING,
              "CA": ResultStatus.CANCELLED, "OB": ResultStatus.CANCELLED}.get(
        reader.component(reader.field(txa, 17), 1).upper() if txa is not None else "", ResultStatus.FINAL)
    return ResultReport(
        source_id=(_entity(reader, unique) or _entity(reader, reader.field(txa, 14) if txa is not None else "")
                   or f"document@{reader.field(txa, 4) if txa is not None else ''}")[:200],
        code=document_type, category=Category.OTHER, status=status,
        collected_at=iso_time(reader.field(txa, 4)) if txa is not None else "",
        # TXA-22 is who authenticated it, with the time in its 15th component; else TXA-8 (edited)
        # or TXA-6 (originated): the time an older and a newer version are told apart by.
        reported_at=(iso_time(reader.component((reader.repetitions(reader.field(txa, 22)) or [""])[0], 15))
                     or iso_time(reader.field(txa, 8))
                     or iso_time(reader.field(txa, 6))) if txa is not None else "",
        ordering_provider=_person(reader, reader.field(txa, 9)) if txa is not None else "",
        observations=observations)
