"""A FHIR Patient read into PatientFacts, and each patient's share of the document.

A Patient is only usable with an identifier that names its assigning authority
(Identifier.system): without one a result could be filed on the wrong chart. Identifiers a claim
cannot hold (too long, odd characters) are counted, not kept, so the sender can be told. The
Patient's own id is kept too, under the FHIR id authority, because later resources refer to it as
"Patient/<id>".

Social security numbers, driver's licences and passports (patients.domain.is_sensitive, by type
code or system) are dropped here, before anything can store, show or log them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, cast

from chalicelib.errors import ValidationFailed
from chalicelib.interop.fhir.bundle import Entry
from chalicelib.interop.fhir.values import as_list, as_object, as_text, first_of
from chalicelib.patients.domain import IDENTIFIER_TYPE_CODES, SEXES, identifier, is_sensitive, universal_id
from chalicelib.records.domain import (
    FHIR_ID_AUTHORITY,
    ClinicalEntry,
    PatientFacts,
    ResultReport,
    SentIdentifier,
    Unreadable,
)


@dataclass
class PatientRecord:
    entry: Entry | None  # None: a patient only referred to (sent in an earlier message)
    facts: PatientFacts
    unusable_identifiers: int = 0
    results: list[ResultReport] = field(default_factory=list)
    entries: list[ClinicalEntry] = field(default_factory=list)
    referred_at: int = -1  # a patient only referred to: where it is first referred to
    # The resources read into it, by type: what staff are told was filed (never a value).
    resources: Counter[str] = field(default_factory=Counter)

    @property
    def where(self) -> str:
        """Which patient of the document this is, in words that hold no value of it."""
        if self.entry is not None:
            return self.entry.label
        if self.referred_at >= 0:
            return f"the patient sent earlier that Bundle.entry[{self.referred_at}] refers to"
        return "the patient sent earlier that the resource refers to"


def read_patient(entry: Entry) -> PatientRecord:
    """A validated Patient entry as the record its results and entries are filed under."""
    resource = entry.resource
    identifiers, unusable, with_system, sensitive = [], 0, 0, 0
    for item in map(as_object, as_list(resource.get("identifier"))):
        system, value = as_text(item.get("system")), as_text(item.get("value"))
        if not system or not value:
            continue  # no assigning authority: useless for matching
        with_system += 1
        type_code = as_text(as_object(first_of(as_object(item.get("type")).get("coding"))).get("code")).upper()
        if system.upper() in IDENTIFIER_TYPE_CODES:
            type_code = type_code or system.upper()  # a type code in the system's place ("SS")
        if is_sensitive(system, type_code):
            sensitive += 1  # never kept: not even counted among the unusable the sender is told of
            continue
        type_code = type_code if re.fullmatch(r"[A-Z]{1,5}", type_code) else "MR"
        try:
            identifier(system, value, type_code)
        except ValidationFailed:
            unusable += 1  # longer than 64 or characters an identifier claim cannot hold
            continue
        if system.upper() in IDENTIFIER_TYPE_CODES:
            with_system -= 1  # it names a kind of number, not who assigned it
            continue
        universal = universal_id(system)
        found = SentIdentifier(value.strip(), type_code, "" if universal else system.strip(), universal)
        if found not in identifiers:
            identifiers.append(found)
    if not identifiers:
        if with_system and sensitive == with_system:
            raise Unreadable(
                "Patient has no identifier the portal keeps: social security, driver's licence and "
                f"passport numbers are never kept or matched on{entry.where}."
            )
        if with_system:
            raise Unreadable(
                "Patient has no usable identifier: each identifier with a system has a system or "
                f"value longer than 64 characters or with characters other than letters, digits, "
                f"spaces and . _ : / -{entry.where}."
            )
        raise Unreadable(f"Patient has no identifier with a system (assigning authority){entry.where}.")
    resource_id = as_text(resource.get("id"))
    if re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", resource_id):
        # Later resources may refer to this patient as "Patient/<id>" (US Core, most servers).
        identifiers.append(SentIdentifier(resource_id, "RI", universal_id=FHIR_ID_AUTHORITY))
    name = _name(resource.get("name"))
    earlier = [
        as_text(n.get("family"))
        for n in map(as_object, as_list(resource.get("name")))
        if n.get("use") in ("old", "maiden") and as_text(n.get("family"))
    ]
    email = next(
        (
            as_text(t.get("value"))
            for t in map(as_object, as_list(resource.get("telecom")))
            if t.get("system") == "email" and as_text(t.get("value")) and t.get("use") != "old"
        ),
        "",
    )
    gender = as_text(resource.get("gender"))
    deceased, deceased_on = _death(resource)
    facts = PatientFacts(
        identifiers=tuple(identifiers),
        family_name=as_text(name.get("family")),
        previous_family_names=tuple(earlier),
        given_names=tuple(g.strip() for g in as_list(name.get("given")) if isinstance(g, str) and g.strip()),
        birth_date=as_text(resource.get("birthDate")),
        sex=gender if gender in SEXES else "",
        email=email,
        deceased=deceased,
        deceased_on=deceased_on,
        as_of=as_text(as_object(resource.get("meta")).get("lastUpdated")) if deceased is not None else "",
    )
    return PatientRecord(entry, facts, unusable)


def _death(resource: dict[str, Any]) -> tuple[bool | None, str]:
    """Patient.deceased[x] as (deceased, date): deceasedDateTime or deceasedBoolean true record the
    death, deceasedBoolean false corrects it; absent says nothing (a Patient sent without it is
    not taken as a correction: many senders never fill it)."""
    when = resource.get("deceasedDateTime")
    if isinstance(when, str) and when.strip():
        on = when.strip()[:10]
        return True, on if re.fullmatch(r"\d{4}-\d{2}-\d{2}", on) else ""
    flag = resource.get("deceasedBoolean")
    if isinstance(flag, bool):
        return flag, ""
    return None, ""


def _name(names: Any) -> dict[str, Any]:
    """The name to show: official, else usual, else the first one not marked old or maiden."""
    names = [n for n in map(as_object, as_list(names)) if n]
    for use in ("official", "usual"):
        found = next((n for n in names if n.get("use") == use), None)
        if found:
            return cast(dict[str, Any], found)  # one of as_object's dicts
    return next((n for n in names if n.get("use") not in ("old", "maiden")), names[0] if names else {})
