"""Results (ORU: OBR with its OBX and NTE segments) and documents (MDM: TXA with its OBX) read
into ResultReports.

An ORU message may carry several reports, one per OBR; an OBX belongs to the OBR before it, an
NTE to the OBX (else the OBR) before it. A report is named across corrections by its filler order number, else the placer's,
else its test and time, so a resent result replaces the one it corrects. Without OBR-25 a report
is as final as its least final observation. An MDM document is named by its unique document
number (TXA-12), and its time is when it was authenticated, else edited, else originated, so
versions can be told apart.

An OBX with nothing to show (no value, no note) is dropped, and what category a report is, and
which of its lines are vital signs, is interop.categories' decision: vital signs leave the
results for the health summary.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chalicelib.access.sensitivity import SENSITIVITY_LABELS, most_restricted
from chalicelib.interop.categories import is_vital_sign, split, vital_sign_entries
from chalicelib.interop.hl7v2.fields import FieldReader, first_segment
from chalicelib.interop.hl7v2.observations import RESULT_STATUS, read_observation
from chalicelib.interop.hl7v2.values import coding, entity, iso_time, person
from chalicelib.records.domain import (
    Category,
    ClinicalEntry,
    Coding,
    ResultReport,
    ResultStatus,
    Unreadable,
)


def read_results(
    reader: FieldReader, segments: list[Any], sent_at: str = ""
) -> tuple[list[ResultReport], list[ClinicalEntry]]:
    """The reports of an ORU, and the vital-sign readings it carries (``sent_at``: MSH-7)."""
    reports: list[dict[str, Any]] = []
    ordering = ""
    order_confidentiality: tuple[str, tuple[str, ...]] = ("", ())
    last_obx: dict[str, Any] | None = None
    for segment in segments:
        name = str(segment[0])
        if name == "ORC":
            ordering = person(reader, reader.field(segment, 12))
            order_confidentiality = _confidentiality_code(reader, reader.field(segment, 28))
        elif name == "OBR":
            reports.append(_report_header(reader, segment, ordering))
            reports[-1]["confidentiality"] = order_confidentiality
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
    restricted = access_restrictions(reader, segments)
    results: list[ResultReport] = []
    vital_signs: list[ClinicalEntry] = []
    for header in reports:
        report = _restricted(_report(reader, header), header["confidentiality"], restricted)
        found = split(report, (header["section"],), sent_at)
        if found.report is not None:
            results.append(found.report)
        vital_signs.extend(found.vital_signs)
    return results, vital_signs


def read_vital_signs(
    reader: FieldReader, segments: list[Any], visit: str, admitted_at: str, sent_at: str
) -> list[ClinicalEntry]:
    """The vital signs an ADT message carries in its OBX segments (a height and weight taken at
    admission); its other OBX segments are not results and are not filed."""
    observations = [read_observation(reader, s, ()) for s in segments if str(s[0]) == "OBX"]
    entries: list[ClinicalEntry] = []
    for o in observations:
        if o.blank or o.value_type == "document" or not is_vital_sign(o.code):
            continue
        # With its time (OBX-14), a reading is named by the visit and that time: resent, it is
        # updated; a later one adds to the history. Without one, it is the visit's reading of
        # that code: the A08 updates that resend it with every change of the visit must not make
        # a new reading each time; it dates from the admission (PV1-44), else the message.
        name = f"ADT#{visit}@{o.observed_at}" if o.observed_at else f"ADT#{visit}"
        taken = ResultReport(source_id=name, code=Coding(), category=Category.OTHER, status=ResultStatus.FINAL)
        when = o.observed_at or admitted_at or sent_at
        entries.extend(vital_sign_entries(taken, (dataclasses.replace(o, observed_at=when),), sent_at))
    return entries


def _report_header(reader: FieldReader, obr: Any, ordering: str) -> dict[str, Any]:
    filler = reader.field(obr, 3)
    placer = reader.field(obr, 2)
    code = coding(reader, reader.field(obr, 4))
    # The filler order number names the report across corrections; else the placer's; else the
    # test and its time (a sender that numbers nothing can still correct a result it resends).
    source = entity(reader, filler) or entity(reader, placer) or f"{code.code or code.display}@{reader.field(obr, 7)}"
    return {
        "source_id": source,
        "code": code,
        "section": reader.component(reader.field(obr, 24), 1).upper(),
        "status": reader.component(reader.field(obr, 25), 1).upper(),
        "collected_at": iso_time(reader.field(obr, 7)),
        "reported_at": iso_time(reader.field(obr, 22)),
        "ordering": person(reader, reader.field(obr, 16)) or ordering,
        "observations": [],
        "notes": [],
    }


def _report(reader: FieldReader, header: dict[str, Any]) -> ResultReport:
    """The report with its lines; its category is decided by split()."""
    lines = tuple(read_observation(reader, obx["segment"], tuple(obx["notes"])) for obx in header["observations"])
    # (the status counts every line, as sent; a blank one is not shown)
    status = RESULT_STATUS.get(header["status"]) or _overall({o.status for o in lines})
    observations = tuple(o for o in lines if not o.blank)
    return ResultReport(
        source_id=header["source_id"][:200],
        code=header["code"],
        category=Category.OTHER,
        status=status,
        collected_at=header["collected_at"],
        reported_at=header["reported_at"],
        performing_lab=next((o.performer for o in observations if o.performer), ""),
        ordering_provider=header["ordering"],
        observations=observations,
        notes=tuple(header["notes"]),
    )


def _confidentiality_code(reader: FieldReader, text: str) -> tuple[str, tuple[str, ...]]:
    """ORC-28 (table 0177) and TXA-18 (table 0272): R or V restricts; a sensitivity code (HIV,
    PSY, ETH ...) in ORC-28 labels the order as sensitive care."""
    codes = [reader.component(rep, 1).strip().upper() for rep in reader.repetitions(text)]
    return most_restricted(*codes), tuple(c for c in codes if c in SENSITIVITY_LABELS)


def access_restrictions(reader: FieldReader, segments: list[Any]) -> tuple[str, tuple[str, ...]]:
    """What the message's ARV segments (access restrictions, v2.6 on) restrict: each one whose
    action (ARV-2) is not a deletion and whose value (ARV-3, table 0717) is not "NO" makes every
    item the message files restricted, labelled with that value when it names a kind of care. A
    restriction applies to the whole message: hiding too much from a proxy is the safe mistake."""
    restricted, labels = "", []
    for segment in segments:
        if str(segment[0]) != "ARV":
            continue
        if reader.component(reader.field(segment, 2), 1).strip().upper() == "D":
            continue
        for rep in reader.repetitions(reader.field(segment, 3)):
            value = reader.component(rep, 1).strip().upper()
            if value and value != "NO":
                restricted = "R"
                labels.append(value)
    return restricted, tuple(label for label in labels if label in SENSITIVITY_LABELS)


def _restricted(report: ResultReport, *flags: tuple[str, tuple[str, ...]]) -> ResultReport:
    """The report with the tightest of the sender's flags on it (its own and the message's)."""
    confidentiality = most_restricted(report.confidentiality, *(c for c, _ in flags))
    labels = tuple(dict.fromkeys([*report.security_labels, *(label for _, ls in flags for label in ls)]))
    if confidentiality == report.confidentiality and labels == report.security_labels:
        return report
    return dataclasses.replace(report, confidentiality=confidentiality, security_labels=labels)


def _overall(statuses: set[ResultStatus]) -> ResultStatus:
    """Without OBR-25, a report is as final as its least final observation."""
    if statuses and statuses == {ResultStatus.CANCELLED}:
        return ResultStatus.CANCELLED
    for status in (ResultStatus.PENDING, ResultStatus.PRELIMINARY, ResultStatus.CORRECTED):
        if status in statuses:
            return status
    return ResultStatus.FINAL


# MDM trigger events (HL7 table 0003) by what they do to a document: announce an original (T01,
# T02), change its status (T03, T04), add an addendum (T05, T06: a document of its own, TXA-13
# its parent), edit it (T07, T08: the same TXA-12), replace it (T09, T10: a new TXA-12 whose TXA-13
# is the document replaced), cancel it (T11). Odd numbers up to T09 announce without content.
_APPENDS = {"T05", "T06"}
_REPLACES = {"T07", "T08", "T09", "T10"}
_CANCEL = "T11"

# TXA-17 document completion status (table 0271): what the patient is shown it as. Dictated, in
# progress or incomplete is a draft, never shown; CA and OB are older versions' cancelled and
# obsolete, read as TXA-19 would be.
_COMPLETION = {
    "AU": ResultStatus.FINAL,
    "LA": ResultStatus.FINAL,
    "PA": ResultStatus.PRELIMINARY,
    "DO": ResultStatus.PRELIMINARY,
    "DI": ResultStatus.PENDING,
    "IP": ResultStatus.PENDING,
    "IN": ResultStatus.PENDING,
    "CA": ResultStatus.CANCELLED,
    "OB": ResultStatus.CANCELLED,
}
_DRAFT = {"DI", "IP", "IN"}
# TXA-19 document availability status (table 0273): AV available for patient care (or empty);
# CA deleted, OB obsolete (replaced), UN unavailable for patient care.
_AVAILABILITY = {"CA": "cancelled", "OB": "obsolete", "UN": "unavailable"}


def read_document(reader: FieldReader, segments: list[Any], event: str = "") -> ResultReport:
    """An MDM message as a report: TXA says what document, its OBX segments carry the text or the
    embedded file (the documents store is the next step; here it is read), the trigger ``event``
    (and TXA-13, TXA-17, TXA-19) how it relates to what the sender sent before."""
    txa = first_segment(segments, "TXA")
    observations = tuple(read_observation(reader, s, ()) for s in segments if str(s[0]) == "OBX")
    document_type = coding(reader, reader.field(txa, 2)) if txa is not None else Coding()
    unique = reader.field(txa, 12) if txa is not None else ""
    completion = reader.component(reader.field(txa, 17), 1).upper() if txa is not None else ""
    availability = reader.component(reader.field(txa, 19), 1).upper() if txa is not None else ""
    status = _COMPLETION.get(completion, ResultStatus.FINAL)
    source_id = (
        entity(reader, unique)
        or entity(reader, reader.field(txa, 14) if txa is not None else "")
        or f"document@{reader.field(txa, 4) if txa is not None else ''}"
    )[:200]
    parent = entity(reader, reader.field(txa, 13))[:200] if txa is not None else ""
    relation = ""
    if parent and parent != source_id:
        relation = "appends" if event in _APPENDS else "replaces" if event in _REPLACES else ""
    if event == _CANCEL or completion in ("CA", "OB") or availability == "CA":
        hidden, status = "cancelled", ResultStatus.CANCELLED
    else:
        hidden = _AVAILABILITY.get(availability) or ("draft" if completion in _DRAFT else "")
    report = ResultReport(
        source_id=source_id,
        code=document_type,
        category=Category.OTHER,
        status=status,
        collected_at=iso_time(reader.field(txa, 4)) if txa is not None else "",
        # TXA-22 is who authenticated it, with the time in its 15th component; else TXA-8 (edited)
        # or TXA-6 (originated): the time an older and a newer version are told apart by.
        reported_at=(
            iso_time(reader.component((reader.repetitions(reader.field(txa, 22)) or [""])[0], 15))
            or iso_time(reader.field(txa, 8))
            or iso_time(reader.field(txa, 6))
        )
        if txa is not None
        else "",
        ordering_provider=person(reader, reader.field(txa, 9)) if txa is not None else "",
        observations=observations,
        relation=relation,
        parent_id=parent if relation else "",
        hidden=hidden,
        has_content=bool(observations),
    )
    # TXA-18: the document's confidentiality status; an ARV segment restricts it as well.
    own = _confidentiality_code(reader, reader.field(txa, 18)) if txa is not None else ("", ())
    return _restricted(report, own, access_restrictions(reader, segments))
