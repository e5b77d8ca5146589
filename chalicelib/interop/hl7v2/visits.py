"""Visits (PV1 of an ADT message) and appointments (SIU: SCH, AIP, AIL) as ClinicalEntries.

A visit is kept by its visit number (PV1-19) with the number's assigning authority (CX.4), so the
admission, the transfers and the discharge of one stay update one entry, and two ADT systems that
number their visits alike keep them apart; the ADT event says what state it is left in, and a
cancelled admission, transfer or discharge reopens it. An appointment is kept by the scheduler's
id (SCH-2, the filler's) and found by the requester's too (SCH-1, the placer's), each with the
namespace that issued it, so a booking sent first with SCH-1 only stays one appointment when
SCH-2 comes. Its status comes from the SIU event, else the filler status (SCH-25), in the
patient's words. Both are true as of the message's time (MSH-7), so an older message never wins.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.hl7v2.fields import FieldReader, first_segment
from chalicelib.interop.hl7v2.values import iso_time, person
from chalicelib.interop.video_links import video_link
from chalicelib.patients.domain import universal_id
from chalicelib.records.domain import CANCELLED, ClinicalEntry, SentIdentifier, Unreadable

# Type codes of the ids an entry is kept by (filing/entry_ids.py): never "MR", so the feed
# source's default authority for bare record numbers is never given to them.
VISIT_NUMBER, FILLER_ID, PLACER_ID = "VN", "FILL", "PLAC"

_PATIENT_CLASS = {
    "I": "inpatient",
    "O": "outpatient",
    "E": "emergency",
    "P": "preadmit",
    "R": "recurring",
    "B": "obstetrics",
    "C": "commercial account",
    "N": "not applicable",
    "U": "unknown",
}
# The visit's state each ADT event leaves it in (A11/A13 cancel an admission/discharge).
_VISIT_STATUS = {
    "A01": "in-progress",
    "A02": "in-progress",
    "A03": "finished",
    "A04": "arrived",
    "A05": "planned",
    "A06": "in-progress",
    "A07": "in-progress",
    "A11": CANCELLED,
    "A13": "in-progress",
    "A14": "planned",
    "A27": CANCELLED,
    "A38": CANCELLED,
}
# NTE-4 comment types under which a scheduler sends a video visit's join link.
_VIDEO_COMMENT_TYPES = ("VIDEO", "TELEHEALTH")
# SIU events and SCH-25 filler statuses (HL7 table 0278) as the patient's words.
_APPOINTMENT_EVENT = {"S15": CANCELLED, "S26": "noshow"}
_FILLER_STATUS = {
    "BOOKED": "booked",
    "SCHEDULED": "booked",
    "CONFIRMED": "booked",
    "PENDING": "pending",
    "WAITLIST": "waitlist",
    "CANCELLED": CANCELLED,
    "DELETED": CANCELLED,
    "BLOCKED": "booked",
    "OVERBOOK": "booked",
    "NOSHOW": "noshow",
    "COMPLETE": "fulfilled",
    "DC": CANCELLED,
    "STARTED": "arrived",
    "ARRIVED": "arrived",
}


def visit_number(reader: FieldReader, pv1: Any) -> str:
    number = reader.component(reader.field(pv1, 19), 1)
    return f"visit@{number[:100]}" if number else ""


def visit_ids(reader: FieldReader, pv1: Any) -> tuple[SentIdentifier, ...]:
    """PV1-19 (CX) with its assigning authority (CX.4: namespace, universal id and its type)."""
    cx = reader.field(pv1, 19)
    authority = [reader.component(cx, 4, n) for n in (1, 2, 3)]
    found = _issued(reader.component(cx, 1), authority[0], authority[1], authority[2], VISIT_NUMBER)
    return (found,) if found else ()


def _issued(value: str, namespace: str, universal: str, universal_type: str, kind: str) -> SentIdentifier | None:
    """An id with who issued it, as patient identifiers are read (hl7v2/patients.py): an OID or
    URI in the namespace's place is a universal id."""
    value, namespace = value.strip()[:100], namespace.strip()[:64]
    if not value:
        return None
    universal = universal_id(universal, universal_type)
    if universal_id(namespace) and not universal:
        namespace, universal = "", universal_id(namespace)
    return SentIdentifier(value, kind, namespace, universal)


def appointment_ids(reader: FieldReader, sch: Any) -> tuple[SentIdentifier, ...]:
    """SCH-2 (the filler's, the scheduler's own id) then SCH-1 (the placer's), each an EI:
    id^namespace^universal id^its type."""
    found = []
    for number, kind in ((2, FILLER_ID), (1, PLACER_ID)):
        ei = reader.field(sch, number)
        value, namespace, universal, universal_type = (reader.component(ei, n) for n in (1, 2, 3, 4))
        issued = _issued(value, namespace, universal, universal_type, kind)
        if issued:
            found.append(issued)
    return tuple(found)


def _location(reader: FieldReader, pl: str) -> str:
    """A PL (point of care, room, bed, facility) as one line of text, each part once."""
    parts = [reader.component(pl, n, 1) for n in (1, 2, 3)]
    facility = reader.component(pl, 4, 1) or reader.component(pl, 9)
    return " ".join(dict.fromkeys(p for p in [*parts, facility] if p))[:200]


def read_visit(reader: FieldReader, pv1: Any, event: str, sent_at: str) -> ClinicalEntry | None:
    """An ADT message's visit (PV1), when it has a visit number (PV1-19) to keep it by."""
    if pv1 is None or not visit_number(reader, pv1):
        return None
    admitted, discharged = iso_time(reader.field(pv1, 44)), iso_time(reader.field(pv1, 45))
    status = _VISIT_STATUS.get(event, "finished" if discharged else "in-progress")
    content = {
        "status": status,
        "class": _PATIENT_CLASS.get(reader.component(reader.field(pv1, 2), 1).upper(), ""),
        "started_at": admitted,
        "ended_at": discharged,
        "locations": [loc for loc in (_location(reader, reader.field(pv1, 3)),) if loc],
        "clinicians": [p for p in (person(reader, reader.field(pv1, 7)),) if p],
    }
    return ClinicalEntry(
        kind="visit",
        source_id=visit_number(reader, pv1),
        content={k: v for k, v in content.items() if v},
        occurred_at=admitted,
        as_of=sent_at,
        reopens=event in ("A11", "A12", "A13"),
        ids=visit_ids(reader, pv1),
    )


def _video_link(reader: FieldReader, segments: list[Any]) -> str:
    """A video visit's join link: the comment (NTE-3) of the first NTE whose comment type (NTE-4,
    a CWE) is VIDEO or TELEHEALTH and whose text is an https address. Kept with the visit, never
    shown in its list: the portal hands it out only inside the visit's window."""
    for segment in segments:
        if str(segment[0]) != "NTE":
            continue
        comment_type = reader.component(reader.field(segment, 4), 1).upper()
        if comment_type in _VIDEO_COMMENT_TYPES:
            link = video_link(reader.text(segment, 3))
            if link:
                return link
    return ""


def read_appointment(reader: FieldReader, segments: list[Any], event: str, sent_at: str) -> ClinicalEntry:
    sch = first_segment(segments, "SCH")
    if sch is None:
        raise Unreadable("The SIU message has no SCH segment.")
    appointment_id = reader.component(reader.field(sch, 2), 1) or reader.component(reader.field(sch, 1), 1)
    if not appointment_id:
        raise Unreadable("SCH-1 and SCH-2 hold no appointment id.")
    timing = reader.field(sch, 11)
    filler = reader.component(reader.field(sch, 25), 1).upper().replace(" ", "")
    status = _APPOINTMENT_EVENT.get(event) or _FILLER_STATUS.get(filler, "booked")
    duration = reader.field(sch, 9)
    content: dict[str, Any]
    content = {
        "status": status,
        "starts_at": iso_time(reader.component(timing, 4)),
        "ends_at": iso_time(reader.component(timing, 5)),
        "minutes": int(duration)
        if duration.isdigit()
        and reader.component(reader.field(sch, 10), 1).lower() in ("m", "min", "minutes", "")
        and int(duration) < 10_000
        else None,
        "type": (reader.component(reader.field(sch, 8), 2) or reader.component(reader.field(sch, 8), 1))[:200],
        "description": (reader.component(reader.field(sch, 7), 2) or reader.component(reader.field(sch, 7), 1))[:500],
        "with": [p for p in (person(reader, reader.field(s, 3)) for s in segments if str(s[0]) == "AIP") if p][:20],
        "locations": [
            loc for loc in (_location(reader, reader.field(s, 3)) for s in segments if str(s[0]) == "AIL") if loc
        ][:20],
        "video_link": _video_link(reader, segments),
    }
    return ClinicalEntry(
        kind="appointment",
        source_id=f"appointment@{appointment_id[:100]}",
        content={k: v for k, v in content.items() if v not in (None, "", [])},
        occurred_at=content["starts_at"],
        withdrawn=event == "S17",
        as_of=sent_at,
        ids=appointment_ids(reader, sch),
    )
