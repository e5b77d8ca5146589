"""FHIR searches over written resources: which parameters each type takes, how each matches, and
the opaque cursor of a search's next page. Pure code: no I/O.

The API is strict (FHIR's ``handling=strict``): a parameter it does not know for the type is
refused with a 400 OperationOutcome naming it, rather than silently ignored, since an app that
believes it filtered by a parameter the server dropped would show the patient the wrong things.
The searches are those US Core makes mandatory (patient, category, code, date, clinical-status,
type, status, intent) plus ``_id``; every search runs within the one patient of the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

DEFAULT_COUNT = 50
MAX_COUNT = 100
CURSOR = "_cursor"  # the next link's parameter: where the next page starts, opaque to the app

# Parameters every type takes (``_format`` only as JSON: the API writes nothing else).
_COMMON = frozenset({"_id", "_count", CURSOR, "_format"})
_JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})

# The search parameters of each type beyond the common ones, and the element each date parameter
# reads (FHIR's search parameter definitions, as US Core requires them).
PARAMETERS: dict[str, frozenset[str]] = {
    "Patient": frozenset(),
    "Observation": frozenset({"patient", "subject", "category", "code", "date", "status"}),
    "DiagnosticReport": frozenset({"patient", "subject", "category", "code", "date", "status"}),
    "DocumentReference": frozenset({"patient", "subject", "category", "type", "date", "status"}),
    "AllergyIntolerance": frozenset({"patient", "clinical-status"}),
    "Condition": frozenset({"patient", "subject", "category", "clinical-status", "code"}),
    "Immunization": frozenset({"patient", "date", "status"}),
    "MedicationRequest": frozenset({"patient", "subject", "status", "intent", "authoredon"}),
    "Encounter": frozenset({"patient", "subject", "date", "type", "status"}),
    "Appointment": frozenset({"patient", "date", "status"}),
    "Practitioner": frozenset(),
    "Organization": frozenset(),
    "Provenance": frozenset({"patient", "target"}),
}
_DATE_ELEMENTS = {
    "Observation": ("effectiveDateTime", "effectivePeriod", "effectiveInstant", "issued"),
    "DiagnosticReport": ("effectiveDateTime", "effectivePeriod", "issued"),
    "DocumentReference": ("date",),
    "Immunization": ("occurrenceDateTime",),
    "Encounter": ("period",),
    "Appointment": ("start",),
}
# The coded elements each token parameter reads (a CodeableConcept, a list of them, or a code).
_TOKEN_ELEMENTS = {
    "category": ("category",),
    "code": ("code",),
    "type": ("type",),
    "clinical-status": ("clinicalStatus",),
    "status": ("status",),
    "intent": ("intent",),
}
# Parameters served but not named in the CapabilityStatement: aliases and the frame's own.
_UNADVERTISED = frozenset({"subject", "target"})
_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")


def advertised_searches() -> dict[str, tuple[str, ...]]:
    """The parameters each type's search takes, as the CapabilityStatement names them."""
    return {t: ("_id", *sorted(names - _UNADVERTISED)) for t, names in PARAMETERS.items()}


class SearchRefused(ValueError):
    """A search the API cannot run as asked: the 400 OperationOutcome's diagnostics."""


@dataclass(frozen=True)
class Search:
    """A type's search as asked: each parameter's values (a parameter repeated is AND, a comma
    inside one value is OR, as FHIR says), the page size and where the page starts."""

    resource_type: str
    parameters: tuple[tuple[str, tuple[str, ...]], ...]  # (name, values), sorted
    count: int = DEFAULT_COUNT
    offset: int = 0

    def values(self, name: str) -> tuple[str, ...]:
        return next((values for n, values in self.parameters if n == name), ())

    @property
    def digest(self) -> str:
        """What a cursor is bound to: the type and the parameters, not the page."""
        text = json.dumps([self.resource_type, self.parameters, self.count])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def query_string(self, offset: int | None = None) -> str:
        """The search's parameters as a link carries them (the next page's with ``offset``)."""
        from urllib.parse import urlencode

        pairs = [(name, value) for name, values in self.parameters for value in values]
        pairs.append(("_count", str(self.count)))
        if offset:
            pairs.append((CURSOR, encode_cursor(self, offset)))
        return urlencode(pairs)


def parse_search(resource_type: str, raw: Mapping[str, Iterable[str]]) -> Search:
    """The search of ``resource_type`` by the query string's parameters (each with all its values)."""
    known = PARAMETERS[resource_type] | _COMMON
    unknown = sorted(name for name in raw if name not in known)
    if unknown:
        named = ", ".join(name[:40] for name in unknown[:5])
        raise SearchRefused(f"{resource_type} cannot be searched by {named}: this server supports {_listed(known)}.")
    values = {name: tuple(str(v) for v in raw[name]) for name in raw}
    for name in values:
        if any(v == "" for v in values[name]):
            raise SearchRefused(f"The search parameter {name} has no value.")
    formats = values.pop("_format", ())
    if any(f not in _JSON_FORMATS for f in formats):
        raise SearchRefused("This server answers in JSON only (_format=json).")
    count = _count(values.pop("_count", ()))
    cursors = values.pop(CURSOR, ())
    for name, given in values.items():
        if name in ("date", "authoredon"):
            for value in given:
                for alternative in value.split(","):
                    _date_range(alternative)  # refused now, not while matching
    search = Search(resource_type, tuple(sorted(values.items())), count)
    if cursors:
        if len(cursors) > 1:
            raise SearchRefused("Give _cursor once.")
        search = Search(search.resource_type, search.parameters, count, decode_cursor(search, cursors[0]))
    return search


def _listed(names: Iterable[str]) -> str:
    return ", ".join(sorted(n for n in names if n != CURSOR))


def _count(given: tuple[str, ...]) -> int:
    if not given:
        return DEFAULT_COUNT
    if len(given) > 1 or not given[0].isdigit():
        raise SearchRefused(f"_count is a whole number from 1 to {MAX_COUNT}.")
    # FHIR lets a server give fewer than asked: above the maximum, the maximum.
    return max(1, min(int(given[0]), MAX_COUNT))


def encode_cursor(search: Search, offset: int) -> str:
    text = json.dumps({"o": offset, "q": search.digest}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(search: Search, cursor: str) -> int:
    """The offset a cursor of this very search carries; SearchRefused for any other cursor."""
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        data = None
    if (
        not isinstance(data, dict)
        or data.get("q") != search.digest
        or not isinstance(data.get("o"), int)
        or data["o"] < 0
    ):
        raise SearchRefused("The _cursor is not one of this search's next links: start the search again.")
    return int(data["o"])


# -- matching -------------------------------------------------------------------------------------


def matches(search: Search, resource: dict[str, Any], patient_reference: str) -> bool:
    """Whether a resource of the search's type meets every parameter."""
    for name, values in search.parameters:
        if not all(_meets(name, value, resource, search.resource_type, patient_reference) for value in values):
            return False
    return True


def _meets(name: str, value: str, resource: dict[str, Any], resource_type: str, patient_reference: str) -> bool:
    alternatives = value.split(",")
    if name == "_id":
        return str(resource.get("id")) in alternatives
    if name in ("patient", "subject"):
        return any(_same_patient(v, patient_reference) for v in alternatives)
    if name == "target":
        targets = {str(t.get("reference") or "") for t in resource.get("target") or []}
        return any(v in targets for v in alternatives)
    if name in ("date", "authoredon"):
        elements = ("authoredOn",) if name == "authoredon" else _DATE_ELEMENTS.get(resource_type, ())
        moments = [_resource_range(resource.get(e)) for e in elements if resource.get(e)]
        known = [m for m in moments if m is not None]
        return bool(known) and any(_date_meets(v, known[0]) for v in alternatives)
    codes = _codes(resource, _TOKEN_ELEMENTS.get(name, ()))
    return any(_token_meets(v, codes) for v in alternatives)


def _same_patient(value: str, patient_reference: str) -> bool:
    """``patient=<id>``, ``Patient/<id>`` or the full URL of ``Patient/<id>``."""
    patient_id = patient_reference.rpartition("/")[2]
    return value == patient_id or value == patient_reference or value.endswith("/" + patient_reference)


def _codes(resource: dict[str, Any], elements: tuple[str, ...]) -> list[tuple[str, str]]:
    """(system, code) of every coding of the elements (a plain code has no system)."""
    found: list[tuple[str, str]] = []
    for element in elements:
        value = resource.get(element)
        for concept in value if isinstance(value, list) else [value]:
            if isinstance(concept, str):
                found.append(("", concept))
            elif isinstance(concept, dict):
                for coding in concept.get("coding") or []:
                    found.append((str(coding.get("system") or ""), str(coding.get("code") or "")))
    return found


def _token_meets(value: str, codes: list[tuple[str, str]]) -> bool:
    """``code``, ``system|code``, ``|code`` (no system) or ``system|`` (any code of it)."""
    if "|" not in value:
        return any(code == value for _, code in codes)
    system, _, code = value.partition("|")
    return any((system == s or (not system and not s)) and (not code or code == c) for s, c in codes)


Range = tuple[datetime, datetime]  # [from, to): a date's whole day, a month's whole month ...


def _date_range(text: str) -> tuple[str, Range]:
    """A date parameter as its prefix and the span its precision covers; SearchRefused if unreadable."""
    prefix, rest = (text[:2], text[2:]) if text[:2] in _PREFIXES else ("eq", text)
    # A "+" of a time zone sent unencoded arrives as a space: read it as the "+" it was.
    span = _span(rest.replace(" ", "+"))
    if span is None:
        raise SearchRefused("A date is YYYY, YYYY-MM, YYYY-MM-DD or a date and time, with eq, ne, gt, lt, ge or le.")
    return prefix, span


def _span(text: str) -> Range | None:
    try:
        if len(text) == 4 and text.isdigit():
            start = datetime(int(text), 1, 1, tzinfo=timezone.utc)
            return start, start.replace(year=start.year + 1)
        if len(text) == 7:
            start = datetime.combine(date.fromisoformat(text + "-01"), time(), timezone.utc)
            following = (
                start.replace(year=start.year + 1, month=1)
                if start.month == 12
                else start.replace(month=start.month + 1)
            )
            return start, following
        if len(text) == 10:
            start = datetime.combine(date.fromisoformat(text), time(), timezone.utc)
            return start, start + timedelta(days=1)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moment = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    return moment, moment + timedelta(seconds=1)


def _resource_range(value: Any) -> Range | None:
    """The span of a resource's date element (a dateTime, or a Period's start to end)."""
    if isinstance(value, dict):
        start = _span(str(value.get("start") or "")) if value.get("start") else None
        end = _span(str(value.get("end") or "")) if value.get("end") else None
        if start is None:
            return end
        return start[0], (end or start)[1]
    return _span(str(value)) if value else None


def _date_meets(value: str, found: Range) -> bool:
    prefix, (low, high) = _date_range(value)
    start, end = found
    return {
        "eq": low <= start and end <= high,
        "ne": not (low <= start and end <= high),
        "gt": end > high,
        "sa": start >= high,
        "lt": start < low,
        "eb": end <= low,
        "ge": end > low,
        "le": start < high,
    }[prefix]
