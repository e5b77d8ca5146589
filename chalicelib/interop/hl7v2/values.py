"""HL7 v2 data types read as the portal shows them: TS/DTM times, CE/CWE codes, XCN persons,
EI entity identifiers.

A time is kept as precise as it was sent (ISO 8601, no invented seconds or zone); a code keeps its
code, text and coding system, and its alternate codings; a person is a name to show, or their id when the
sender gave no name.
"""

from __future__ import annotations

import dataclasses
import re

from chalicelib.interop.hl7v2.fields import FieldReader
from chalicelib.records.domain import Coding

# Where a CE/CWE's codings start: the identifier (1-3), the alternate (4-6) and CWE's second
# alternate (10-12); each is code, text, coding system.
_TRIPLETS = (1, 4, 10)
_TS = re.compile(r"(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\.\d{1,4})?([+-]\d{4})?")


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


def coding(reader: FieldReader, text: str) -> Coding:
    """A CE/CWE (first repetition): its first triplet with a code or text (CE.1-3, else the
    alternate CE.4-6, else CWE.10-12), shown; every other triplet with a code kept beside it as an
    alternate (a lab's local code first and its LOINC code second is one test, known by both)."""
    rep = (reader.repetitions(text) or [""])[0]
    triplets = [
        Coding(
            code=reader.component(rep, first)[:100],
            display=reader.component(rep, first + 1)[:500],
            system=reader.component(rep, first + 2)[:100],
        )
        for first in _TRIPLETS
    ]
    given = [t for t in triplets if t.code or t.display]
    if not given:
        return Coding()
    shown, others = given[0], [t for t in given[1:] if t.code]
    return dataclasses.replace(shown, alternates=tuple(others))


def person(reader: FieldReader, text: str) -> str:
    """An XCN as a name to show ("Sharon J Rawlings MD"), or its id when it has no name."""
    rep = (reader.repetitions(text) or [""])[0]
    family, given, middle = reader.component(rep, 2, 1), reader.component(rep, 3), reader.component(rep, 4)
    degree = reader.component(rep, 7) or reader.component(rep, 21)
    name = " ".join(part for part in (given, middle, family, degree) if part)
    return name or reader.component(rep, 1)


def entity(reader: FieldReader, text: str) -> str:
    """An EI (entity identifier): its id and namespace, or ""."""
    rep = (reader.repetitions(text) or [""])[0]
    value = reader.component(rep, 1)
    namespace = reader.component(rep, 2) or reader.component(rep, 3)
    return f"{value}^{namespace}" if value and namespace else value
