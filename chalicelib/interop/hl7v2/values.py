"""HL7 v2 data types read as the portal shows them: TS/DTM times, CE/CWE codes, XCN persons,
EI entity identifiers.

A time is kept as precise as it was sent (ISO 8601, no invented seconds or zone); a code keeps at
most its code, its text and its coding system; a person is a name to show, or their id when the
sender gave no name.
"""

from __future__ import annotations

import re

from chalicelib.interop.hl7v2.fields import FieldReader
from chalicelib.records.domain import Coding

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
    """A CE/CWE (first repetition): code, text and coding system, else its alternate triplet."""
    rep = (reader.repetitions(text) or [""])[0]
    code, display, system = reader.component(rep, 1), reader.component(rep, 2), reader.component(rep, 3)
    if not code and not display:  # the alternate triplet (CE.4-6)
        code, display, system = reader.component(rep, 4), reader.component(rep, 5), reader.component(rep, 6)
    return Coding(code=code[:100], display=display[:500], system=system[:100])


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
