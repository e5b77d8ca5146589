"""The patient an HL7 v2 message is about (PID), and patient identifiers (CX) wherever they sit.

A message without a patient identifier cannot be filed, so it is Unreadable. An identifier
without an assigning authority (CX.4) is kept without one: whether the sender's configured default
authority applies or the message goes to quarantine is the filer's decision, never a guess made
here; so is which of the organization's authorities a namespace names.

Social security numbers, driver's licences and passports (patients.domain.is_sensitive) are dropped
here, before anything can store, show or log them: a PID-3 repetition of such a type or authority
is skipped, and PID-19 (SSN) and PID-20 (driver's licence) are never read.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.interop.hl7v2.fields import FieldReader
from chalicelib.interop.hl7v2.values import iso_time
from chalicelib.patients.domain import IDENTIFIER_TYPE_CODES, is_sensitive, universal_id
from chalicelib.records.domain import PatientFacts, SentIdentifier, Unreadable

_SEX = {"F": "female", "M": "male", "O": "other", "A": "other", "N": "other", "U": "unknown"}


def read_patient(reader: FieldReader, pid: Any) -> PatientFacts:
    """PID: the identifiers (PID-3), the name, the birth date and the sex."""
    if pid is None:
        raise Unreadable("The message has no PID segment.")
    identifiers = read_identifiers(reader, reader.field(pid, 3))
    if not identifiers:
        raise Unreadable(
            "PID-3 has no patient identifier the portal keeps (social security, driver's licence "
            "and passport numbers are never kept or matched on)."
        )
    names = reader.repetitions(reader.field(pid, 5)) or [""]
    # XPN.7 name type: the legal name (L) is the one shown; maiden (M) and birth (B) names are
    # earlier ones, kept only to tell a marriage from a mismatch (filing/matching.py).
    earlier = [n for n in names if reader.component(n, 7).upper() in ("M", "B")]
    name = next((n for n in names if reader.component(n, 7).upper() == "L"), None) or next(
        (n for n in names if n not in earlier), names[0]
    )
    given = tuple(part for part in (reader.component(name, 2), reader.component(name, 3)) if part)
    birth = iso_time(reader.field(pid, 7))[:10]
    deceased, deceased_on = _death(reader, pid)
    return PatientFacts(
        identifiers=identifiers,
        family_name=reader.component(name, 1, 1),
        previous_family_names=tuple(f for f in (reader.component(n, 1, 1) for n in earlier) if f),
        given_names=given,
        birth_date=birth if len(birth) == 10 else "",
        sex=_SEX.get(reader.component(reader.field(pid, 8), 1).upper(), ""),
        deceased=deceased,
        deceased_on=deceased_on,
    )


def _death(reader: FieldReader, pid: Any) -> tuple[bool | None, str]:
    """PID-29 (death date/time) and PID-30 (death indicator, Y/N) as (deceased, date).

    PID-30 Y, or a death date without an indicator, records the death; PID-30 N is a correction
    (alive), and so are the fields sent as HL7's explicit null ("") without a Y: the sender
    deleted what it held. Both fields empty or absent say nothing: most senders leave them out of
    every message, and that must not undo a death recorded earlier."""
    indicator = reader.component(reader.field(pid, 30), 1).upper()
    when = iso_time(reader.field(pid, 29))
    on = when[:10] if len(when) >= 10 else ""
    if indicator == "Y":
        return True, on
    if indicator == "N":
        return False, ""
    if when:
        return True, on
    if _explicit_null(pid, 29) or _explicit_null(pid, 30):
        return False, ""
    return None, ""


def _explicit_null(segment: Any, number: int) -> bool:
    # FieldReader.field shows the explicit null as nothing; here it means "delete the value".
    try:
        return str(segment[number]).strip() == '""'
    except (IndexError, KeyError):
        return False


def read_identifiers(reader: FieldReader, text: str) -> tuple[SentIdentifier, ...]:
    """A CX field (PID-3, MRG-1): each repetition that has a value and is not sensitive, with its
    assigning authority (CX.4) as written: the namespace id, and the universal id (CX.4.2) when
    its type (CX.4.3) or its form says it is one. Which authority that is for the organization is
    filing's decision (filing/matching.py)."""
    found = []
    for rep in reader.repetitions(text):
        value = reader.component(rep, 1)
        namespace = reader.component(rep, 4, 1).strip()
        universal = universal_id(reader.component(rep, 4, 2), reader.component(rep, 4, 3))
        kind = reader.component(rep, 5).strip().upper()
        if universal_id(namespace) and not universal:
            namespace, universal = "", universal_id(namespace)  # an OID or URI in the namespace's place
        if namespace.upper() in IDENTIFIER_TYPE_CODES and not universal:
            # "12345^^^MR": a type code where the authority goes names the kind of number, not
            # who assigned it (and "^^^SS" a social security number).
            kind, namespace = kind or namespace.upper(), ""
        kind = kind if re.fullmatch(r"[A-Z]{1,5}", kind) else "MR"
        # Sensitive by its type, or by either part of its authority (a namespace of a sender's own
        # choosing may come with the SSA's OID).
        sensitive = any(
            is_sensitive(part, kind) for part in (namespace, universal, reader.component(rep, 4, 2).strip())
        )
        if value and not sensitive:
            found.append(SentIdentifier(value=value[:64], type=kind, namespace=namespace, universal_id=universal))
    return tuple(found)
