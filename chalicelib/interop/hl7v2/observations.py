"""One OBX segment read into an Observation, by its value type (OBX-2).

NM is a number kept as sent (text when it is not one), SN a structured number (comparator,
number, separator, second number), CE/CWE and the like a code, ED a document embedded in the
message (Base64 or text), RP a reference pointer kept as text and never fetched; anything else is
text, TX/FT repetitions on their own lines. An embedded document that cannot be decoded makes the
message Unreadable, with a reason that names OBX-5, never its content.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from chalicelib.interop.hl7v2.fields import FieldReader
from chalicelib.interop.hl7v2.values import coding, iso_time
from chalicelib.records.domain import EmbeddedDocument, Observation, Quantity, ResultStatus, Unreadable

# Result statuses (OBX-11, OBR-25) as the portal's.
RESULT_STATUS = {
    "F": ResultStatus.FINAL,
    "C": ResultStatus.CORRECTED,
    "A": ResultStatus.PRELIMINARY,
    "P": ResultStatus.PRELIMINARY,
    "R": ResultStatus.PRELIMINARY,
    "S": ResultStatus.PENDING,
    "I": ResultStatus.PENDING,
    "O": ResultStatus.PENDING,
    "X": ResultStatus.CANCELLED,
    "D": ResultStatus.CANCELLED,
    "W": ResultStatus.CANCELLED,
    "N": ResultStatus.PENDING,
}
_SN_COMPARATOR = {"<", ">", "<=", ">=", "=", "<>"}
_MEDIA_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,63}/[a-z0-9][a-z0-9.+-]{0,63}")


def read_observation(reader: FieldReader, obx: Any, notes: tuple[str, ...]) -> Observation:
    value_type = reader.component(reader.field(obx, 2), 1).upper()
    raw_value = reader.field(obx, 5)
    status = RESULT_STATUS.get(reader.component(reader.field(obx, 11), 1).upper(), ResultStatus.FINAL)
    units_field = reader.field(obx, 6)
    common: dict[str, Any] = dict(
        code=coding(reader, reader.field(obx, 3)),
        # The units' text, else their original text (CWE.9), else their code ("mmol/L" is usually a code).
        units=reader.component(units_field, 2) or reader.component(units_field, 9) or reader.component(units_field, 1),
        reference_range=reader.text(obx, 7),
        flags=tuple(f for f in (reader.component(rep, 1) for rep in reader.repetitions(reader.field(obx, 8))) if f),
        status=status,
        observed_at=iso_time(reader.field(obx, 14)),
        performer=(
            reader.component(reader.field(obx, 23), 1)
            or reader.component(reader.field(obx, 15), 2)
            or reader.component(reader.field(obx, 15), 1)
        ),
        notes=notes,
    )
    if not raw_value.strip():
        return Observation(value_type="none", **common)
    first = (reader.repetitions(raw_value) or [""])[0]
    if value_type == "NM":
        number = reader.unescape(first)
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", number):
            return Observation(value_type="numeric", number=number, **common)
        return Observation(value_type="text", text=number, **common)
    if value_type == "SN":
        quantity = Quantity(
            comparator=reader.component(first, 1) if reader.component(first, 1) in _SN_COMPARATOR else "",
            number=reader.component(first, 2),
            separator=reader.component(first, 3),
            second=reader.component(first, 4),
        )
        return Observation(value_type="quantity", quantity=quantity, **common)
    if value_type in ("CE", "CWE", "CNE", "CF", "CD"):
        return Observation(value_type="coded", coded=coding(reader, raw_value), **common)
    if value_type == "ED":
        return Observation(value_type="document", document=_embedded(reader, first), **common)
    if value_type == "RP":
        # A reference pointer: shown to the patient as a reference, never fetched by the server.
        return Observation(value_type="pointer", pointer=reader.component(first, 1)[:2000], **common)
    return Observation(value_type="text", text=reader.text(obx, 5), **common)


def _embedded(reader: FieldReader, ed: str) -> EmbeddedDocument:
    """ED: source application ^ type of data ^ subtype ^ encoding ^ data."""
    kind, subtype, encoding = (
        reader.component(ed, 2).lower(),
        reader.component(ed, 3).lower(),
        reader.component(ed, 4).upper(),
    )
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


def _content_type(kind: str, subtype: str) -> str:
    for candidate in (
        subtype,
        f"{kind}/{subtype}" if kind in ("application", "image", "text", "audio", "video") else "",
    ):
        if _MEDIA_TYPE.fullmatch(candidate):  # a media type, or nothing that S3 could choke on
            return candidate
    return {
        "pdf": "application/pdf",
        "rtf": "application/rtf",
        "html": "text/html",
        "jpeg": "image/jpeg",
        "png": "image/png",
        "tiff": "image/tiff",
    }.get(subtype, "application/octet-stream")
