"""The small parts every resource is made of: codes as sent made into FHIR codings, times as
FHIR wants them, "we do not know" said the FHIR way (data-absent-reason), references, and the
portal's identifier systems. Shared by the record's resources and the outbound events.

A stored item keeps a code as the sender gave it: ``{"code", "display", "system"}`` where the
system may be HL7 v2's name of it ("LN", "RXNORM") or a FHIR URI, and ``codings`` when the sender
gave more than one. FHIR wants every system as a URI, so the known names are spelled as their
URIs; a sender's local name (an HL7 coding system like "L" or "99LAB") has no URI, so its code
is written without a system (the code's text still says what it is).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from chalicelib.interop.writer.profiles import (
    CVX,
    DATA_ABSENT_EXTENSION,
    DATA_ABSENT_REASON,
    ICD10CM,
    LOINC,
    NDC,
    SNOMED,
    UCUM,
)
from chalicelib.kernel.terminology import RXNORM

# The portal's identifier systems. URNs rather than web addresses: they name, they do not resolve.
PATIENT_SYSTEM = "urn:patient-portal:patient"  # the portal's own id of a patient's record
ORGANIZATION_SYSTEM = "urn:patient-portal:organization"
PRACTITIONER_SYSTEM = "urn:patient-portal:practitioner"  # a clinician known only by name, by its hash
CARE_TEAM_SYSTEM = "urn:patient-portal:care-team"
ACCOUNT_SYSTEM = "urn:patient-portal:account"  # a staff member's portal account
ATTACHMENT_SYSTEM = "urn:patient-portal:attachment"
# An assigning authority named only locally ("AMC"), as a URI: a Patient.identifier needs a system.
AUTHORITY_PREFIX = "urn:patient-portal:authority:"

# Code systems as HL7 v2 (and some FHIR senders) name them, and their FHIR URIs.
_SYSTEM_NAMES = {
    "LN": LOINC,
    "LOINC": LOINC,
    "SCT": SNOMED,
    "SNOMED": SNOMED,
    "SNOMEDCT": SNOMED,
    "SNM": SNOMED,
    "RXNORM": RXNORM,
    "RXN": RXNORM,
    "CVX": CVX,
    "I10": ICD10CM,
    "I10C": ICD10CM,
    "ICD10CM": ICD10CM,
    "NDC": NDC,
    "UCUM": UCUM,
}
_URI = re.compile(r"(https?://\S+|urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+)")
_DATE_TIME = re.compile(
    r"(?P<date>\d{4}(-\d{2}(-\d{2})?)?)"
    r"(T(?P<hm>\d{2}:\d{2})(?P<seconds>:\d{2}(\.\d{1,9})?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?"
)


def system_uri(system: str) -> str:
    """A code system as FHIR names it: its URI, or "" for a sender's local name."""
    system = system.strip()
    if system.upper() in _SYSTEM_NAMES:
        return _SYSTEM_NAMES[system.upper()]
    if system.lower().startswith("urn:oid:") or _URI.fullmatch(system):
        return system
    return ""


def coding(code: str, display: str = "", system: str = "") -> dict[str, Any]:
    found: dict[str, Any] = {}
    uri = system_uri(system)
    if uri:
        found["system"] = uri
    if code.strip():
        found["code"] = code.strip()
    if display.strip():
        found["display"] = display.strip()
    return found


def concept(stored: Any, text: str = "") -> dict[str, Any] | None:
    """A stored code (``{"code", "display", "system", "codings"?}``) as a CodeableConcept, every
    coding the sender gave with a code; its text the display (or ``text``). None when it says nothing."""
    stored = stored if isinstance(stored, dict) else {}
    codings = stored.get("codings") or [stored]
    written = []
    for each in codings:
        if isinstance(each, dict) and str(each.get("code") or "").strip():
            written.append(coding(str(each["code"]), str(each.get("display") or ""), str(each.get("system") or "")))
    shown = str(stored.get("display") or "").strip() or text.strip() or str(stored.get("code") or "").strip()
    if not written and not shown:
        return None
    found: dict[str, Any] = {}
    if written:
        found["coding"] = [dict(t) for t in {tuple(c.items()): c for c in written}]
    if shown:
        found["text"] = shown
    return found


def text_concept(text: str) -> dict[str, Any]:
    return {"text": text}


def absent_concept(reason: str = "unknown") -> dict[str, Any]:
    """A CodeableConcept that says the value is not known (where a profile requires one)."""
    return {"coding": [{"system": DATA_ABSENT_REASON, "code": reason, "display": _ABSENT_DISPLAY.get(reason, reason)}]}


_ABSENT_DISPLAY = {"unknown": "Unknown", "unsupported": "Unsupported", "not-performed": "Not Performed"}


def absent(reason: str = "unknown") -> dict[str, Any]:
    """The element extension (``_element``) of a primitive a profile requires but the record lacks."""
    return {"extension": [{"url": DATA_ABSENT_EXTENSION, "valueCode": reason}]}


def date_time(text: Any) -> str:
    """An ISO time as FHIR's dateTime: a year, month or day as they are; a time with seconds
    (added when sent without) and its zone. A time without a zone (the filer gives every time
    one, so only a malformed one) keeps only its day. "" when it is no date at all."""
    match = _DATE_TIME.fullmatch(str(text or "").strip())
    if match is None or not _plausible(match["date"]):
        return ""
    if not match["hm"] or not match["zone"]:
        return match["date"]
    return f"{match['date']}T{match['hm']}{match['seconds'] or ':00'}{match['zone']}"


def instant_of(text: Any) -> str:
    """An ISO time as FHIR's instant (to the second, with its zone), "" when it is less precise."""
    written = date_time(text)
    return written if "T" in written else ""


def _plausible(day: str) -> bool:
    parts = [int(p) for p in day.split("-")]
    return 1 <= (parts[1] if len(parts) > 1 else 1) <= 12 and 1 <= (parts[2] if len(parts) > 2 else 1) <= 31


def instant(moment: datetime) -> str:
    """A moment (with its zone) as a FHIR instant in UTC, to the second."""
    if moment.tzinfo is None:
        raise ValueError("a moment written to FHIR carries its zone")
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def reference(resource_type: str, resource_id: str, display: str = "") -> dict[str, Any]:
    """A relative literal reference (``Patient/<id>``): resolved against the FHIR base, or
    against a Bundle entry's fullUrl of the same base."""
    found: dict[str, Any] = {"reference": f"{resource_type}/{resource_id}"}
    if display:
        found["display"] = display
    return found


def identified(resource_type: str, system: str, value: str) -> dict[str, Any]:
    """A logical reference: a thing named by an identifier the receiver knows it by."""
    return {"type": resource_type, "identifier": {"system": system, "value": value}}


def authority_system(authority: str) -> str:
    """An assigning authority as an Identifier.system: its URI, or the portal's URN of a local name."""
    uri = system_uri(authority)
    if uri and uri not in _SYSTEM_NAMES.values():
        return uri
    return AUTHORITY_PREFIX + re.sub(r"[^A-Za-z0-9._:/-]", "_", authority.strip())


@dataclass(frozen=True)
class PatientIdentifier:
    """The patient as the organization's clinical systems know them: MRN and its authority."""

    system: str
    value: str

    def reference(self) -> dict[str, Any]:
        return identified("Patient", self.system, self.value)


def texts(values: Any) -> list[str]:
    """The non-empty strings of a stored list (a sender's displays), as they are."""
    return [str(v).strip() for v in values or [] if isinstance(v, str | int | float) and str(v).strip()]


def notes(values: Any) -> list[dict[str, Any]]:
    return [{"text": text} for text in texts(values)]


def one_of(value: Any, allowed: Iterable[str], default: str = "") -> str:
    """A stored code when FHIR's value set has it, else ``default``."""
    text = str(value or "").strip().lower()
    return text if text in set(allowed) else default


def profiled(profile: str | None, *more: str) -> dict[str, Any]:
    """The meta of a resource claiming ``profile`` (and ``more``); {} when none."""
    profiles = [p for p in (profile, *more) if p]
    return {"meta": {"profile": profiles}} if profiles else {}
