"""Check-in's records and rules, standard library only: what a patient's check-in for one visit
holds, the demographic change they asked staff to make, the visit as the organization's day list
keeps it, and the visit type's questionnaire read into the items the page asks and the answers
checked against them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from chalicelib.errors import Problems

# The item types the portal asks (a flat FHIR R4 Questionnaire); "display" is text shown, not asked.
ASKED_TYPES = ("string", "text", "boolean", "date", "integer", "choice")
MAX_STRING = 300  # a one-line answer ("string")
MAX_TEXT = 4000  # a free-text answer ("text")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

Value = str | bool | int | None


@dataclass(frozen=True)
class RequestedChange:
    """What the patient asked staff to change in their demographics (never written into the
    chart: staff check it and change the record in the clinical system)."""

    address: str | None = None
    phone: str | None = None
    email: str | None = None
    insurance: dict[str, str] | None = None  # {"payer", "member_id", "group_number"}
    note: str = ""
    requested_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "insurance": dict(self.insurance) if self.insurance else None,
            "note": self.note,
            "requested_at": self.requested_at.isoformat() if self.requested_at else None,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RequestedChange:
        at = value.get("requested_at")
        return cls(
            address=value.get("address"),
            phone=value.get("phone"),
            email=value.get("email"),
            insurance=dict(value["insurance"]) if value.get("insurance") else None,
            note=str(value.get("note") or ""),
            requested_at=datetime.fromisoformat(at) if at else None,
        )


@dataclass(frozen=True)
class CheckInRecord:
    """A patient's check-in for one visit (an appointment entry of their record)."""

    patient_id: str
    appointment_id: str
    organization_id: str
    confirmed_at: datetime | None = None
    change: RequestedChange | None = None  # the latest change the patient asked for
    changes_requested: int = 0  # how many: each is its own item on staff's worklist
    answers: tuple[tuple[str, Value], ...] | None = None  # (link_id, value) as answered
    answered_at: datetime | None = None
    answer_revision: int = 0  # each answering sends its own QuestionnaireResponse
    questionnaire_response: dict[str, Any] | None = None  # the FHIR resource as stored and sent
    completed_at: datetime | None = None
    version: int | None = None
    # What the check-in was done against (checkin/kept.py): the questionnaire answered, and the
    # forms (id, version) listed when it was completed. None: not yet (or done before they were kept).
    questionnaire: Questionnaire | None = None
    completed_forms: tuple[tuple[str, int], ...] | None = None


@dataclass(frozen=True)
class DayVisit:
    """A visit on the organization's list of a day (staff's check-in status), as the feed last
    filed it: enough to show the row without reading the patient or the entry."""

    organization_id: str
    day: str  # YYYY-MM-DD on the organization's calendar
    appointment_id: str
    patient_id: str
    patient_name: str
    birth_date: str
    starts_at: str  # ISO with the organization's offset
    type: str
    clinicians: tuple[str, ...]
    status: str


# -- the questionnaire ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    code: str
    display: str
    system: str = ""


@dataclass(frozen=True)
class Item:
    link_id: str
    text: str
    type: str
    required: bool
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class Questionnaire:
    questionnaire_id: str
    title: str
    canonical: str  # what the QuestionnaireResponse names it by
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def asked(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.type != "display")


def read_questionnaire(resource: dict[str, Any] | None, fallback_id: str) -> Questionnaire | None:
    """A visit type's Questionnaire (FHIR R4 JSON, checked when the admin saved it) as the items the
    page asks. None when there is none or it asks nothing. ``fallback_id`` names it when the
    resource carries neither an id nor a url (the visit type's id)."""
    if not isinstance(resource, dict):
        return None
    items = tuple(_item(raw) for raw in resource.get("item") or [] if isinstance(raw, dict) and raw.get("linkId"))
    items = tuple(item for item in items if item.type in ASKED_TYPES + ("display",))
    if not any(item.type != "display" for item in items):
        return None
    url = str(resource.get("url") or "")
    version = str(resource.get("version") or "")
    canonical = (
        f"{url}|{version}" if url and version else url or f"urn:patient-portal:questionnaire:{fallback_id or 'visit'}"
    )
    return Questionnaire(
        questionnaire_id=str(resource.get("id") or url or fallback_id),
        title=str(resource.get("title") or resource.get("name") or ""),
        canonical=canonical,
        items=items,
    )


def _item(raw: dict[str, Any]) -> Item:
    options = []
    for option in raw.get("answerOption") or []:
        coding = option.get("valueCoding") if isinstance(option, dict) else None
        if isinstance(coding, dict) and coding.get("code"):
            options.append(
                Option(
                    str(coding["code"]), str(coding.get("display") or coding["code"]), str(coding.get("system") or "")
                )
            )
        elif isinstance(option, dict) and isinstance(option.get("valueString"), str):
            options.append(Option(option["valueString"], option["valueString"]))
    return Item(
        link_id=str(raw["linkId"]),
        text=str(raw.get("text") or ""),
        type=str(raw.get("type") or ""),
        required=bool(raw.get("required")),
        options=tuple(options),
    )


def check_answers(
    questionnaire: Questionnaire,
    answers: list[tuple[str, Value]],
    unprintable: Callable[[str], str] | None = None,
) -> tuple[tuple[str, Value], ...]:
    """The answers kept (in the questionnaire's order, unanswered optional items left out), or one
    ValidationFailed naming every wrong one as ``answers.<link_id>``: an unknown or repeated item,
    a required item left empty, a value of the wrong type or not among the options, or text that
    ``unprintable`` (checkin.printable.problem: what keeps it off the signed PDF, "" if nothing)
    refuses: the answers are printed on every form signed after them, so an answer the PDF cannot
    print is refused here, where the patient can rewrite it, not at each signature."""
    problems = Problems()
    items = {item.link_id: item for item in questionnaire.asked}
    given: dict[str, Value] = {}
    for link_id, value in answers:
        where = f"answers.{link_id}"
        if link_id not in items:
            problems.add(where, "not a question", "An answer names a question this visit does not ask.")
        elif link_id in given:
            problems.add(where, "answered twice", "A question is answered twice.")
        else:
            given[link_id] = value
    for item in questionnaire.asked:
        value = given.get(item.link_id)
        if isinstance(value, str) and not value.strip():
            value = given[item.link_id] = None
        if value is None:
            if item.required:
                problems.add(
                    f"answers.{item.link_id}", "required", f"Answer this question: {item.text or item.link_id}"
                )
            continue
        issue = _wrong_value(item, value)
        if not issue and unprintable is not None and item.type in ("string", "text") and isinstance(value, str):
            issue = unprintable(value)
        if issue:
            problems.add(f"answers.{item.link_id}", issue, f"{item.text or item.link_id}: {issue}.")
    problems.raise_if_any("Some answers need another look.")
    return tuple(
        (item.link_id, _kept(given[item.link_id]))
        for item in questionnaire.asked
        if given.get(item.link_id) is not None
    )


def _kept(value: Value) -> Value:
    return value.strip() if isinstance(value, str) else value


def _wrong_value(item: Item, value: Value) -> str:
    """What is wrong with an answer of this item, in words; "" when nothing is."""
    if item.type in ("string", "text"):
        limit = MAX_STRING if item.type == "string" else MAX_TEXT
        if not isinstance(value, str):
            return "must be text"
        if len(value) > limit:
            return f"must be at most {limit} characters"
        if item.type == "string" and ("\n" in value or "\r" in value):
            return "must be one line"
        return ""
    if item.type == "boolean":
        return "" if isinstance(value, bool) else "must be yes or no"
    if item.type == "integer":
        return "" if isinstance(value, int) and not isinstance(value, bool) else "must be a whole number"
    if item.type == "date":
        if not isinstance(value, str) or not _DAY.fullmatch(value):
            return "must be a date written YYYY-MM-DD"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a date that exists"
        return ""
    if item.type == "choice":
        if not isinstance(value, str) or value not in {option.code for option in item.options}:
            return "must be one of the choices offered"
        return ""
    return "is not asked"
