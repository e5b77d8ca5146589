"""What the check-in routes take and give (see kernel/contract.py): a patient's check-in for one
visit (details, questionnaire answers, completion) and staff's list of a day's visits with each
one's check-in. The forms, visit types and signing are in checkin/contract.py."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from chalicelib.checkin.contract import FormKind, SignedForm
from chalicelib.kernel.contract import Day, QueryModel, RequestModel, ResponseModel, blank_is_absent

MAX_ADDRESS = 300
MAX_PHONE = 40
MAX_EMAIL = 254
MAX_NOTE = 1000
MAX_ANSWERS = 200
MAX_ANSWER_TEXT = 4000


def _text(value: str) -> str:
    """Text staff read: no control, format or surrogate characters (they could hide or reorder
    what is shown); line breaks and tabs as typed."""
    for character in value:
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line")
    return value


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


CheckInState = Literal["not_open", "open", "completed", "closed"]
ItemType = Literal["string", "text", "boolean", "date", "integer", "choice", "display"]

Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ADDRESS), AfterValidator(_text)]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_PHONE, pattern=r"^[0-9+()\-. xXextEXT]*$"),
]
ContactEmail = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=MAX_EMAIL,
        pattern=r"^$|^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]{1,255}\.[^@\s\x00-\x1f]{2,63}$",
    ),
]
Line = Annotated[str, AfterValidator(_text), AfterValidator(_one_line)]
Payer = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_required)
]
MemberId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60), AfterValidator(_required)
]
GroupNumber = Annotated[str, StringConstraints(strip_whitespace=True, max_length=60)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE), AfterValidator(_text)]
LinkId = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")]
AnswerText = Annotated[str, StringConstraints(max_length=MAX_ANSWER_TEXT), AfterValidator(_text)]
AnswerNumber = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]


# -- what the patient sends -----------------------------------------------------------------------


class InsuranceChange(RequestModel):
    payer: Annotated[Payer, AfterValidator(_one_line), AfterValidator(_text)] = Field(
        description="The insurer (1 to 200 characters)."
    )
    member_id: Annotated[MemberId, AfterValidator(_one_line), AfterValidator(_text)] = Field(
        description="The member id on the card (1 to 60 characters)."
    )
    group_number: Annotated[GroupNumber, AfterValidator(_one_line), AfterValidator(_text)] = Field(
        "", description="The group number, when the card has one (0 to 60 characters)."
    )


class DetailsChanges(RequestModel):
    """What is no longer right. Staff read it and change the chart themselves; null or empty fields
    are left as they are."""

    address: Annotated[Address | None, BeforeValidator(blank_is_absent)] = Field(
        None, description=f"The new address (at most {MAX_ADDRESS} characters)."
    )
    phone: Annotated[Phone | None, BeforeValidator(blank_is_absent)] = Field(
        None, description=f"The new phone number (at most {MAX_PHONE} characters)."
    )
    email: Annotated[ContactEmail | None, BeforeValidator(blank_is_absent)] = Field(
        None, description=f"The new email address (at most {MAX_EMAIL} characters)."
    )
    insurance: InsuranceChange | None = Field(None, description="New insurance, as on the card.")
    note: Note = Field("", description=f"Anything else staff should know (at most {MAX_NOTE} characters).")


class ConfirmDetails(RequestModel):
    confirmed: Literal[True] = Field(description="Always true: the patient read their details.")
    changes: DetailsChanges | None = Field(
        None, description="null when all is right; else what should change (a request to staff, not a change)."
    )


class GivenAnswer(RequestModel):
    link_id: LinkId = Field(description="The item's link_id.")
    value: AnswerText | bool | AnswerNumber | None = Field(
        description="Text (string, text; a choice's code; a date as YYYY-MM-DD), true/false (boolean), a whole "
        "number (integer), or null for an optional item left unanswered."
    )


class GiveAnswers(RequestModel):
    answers: list[GivenAnswer] = Field(max_length=MAX_ANSWERS, description="One per item answered.")


# -- what the patient is shown --------------------------------------------------------------------


class Insurance(ResponseModel):
    payer: str
    member_id: str
    group_number: str


class RequestedChange(ResponseModel):
    address: str | None
    phone: str | None
    email: str | None
    insurance: Insurance | None
    note: str
    requested_at: str | None


class Details(ResponseModel):
    name: str
    birth_date: str = Field(description='YYYY-MM-DD ("" when the record has none).')
    address: str = Field(description='As the chart has it ("" when it has none).')
    phone: str
    email: str
    insurance: Insurance | None = Field(description="null when the record has none.")
    confirmed_at: str | None
    change_requested: bool = Field(description="The patient asked staff to change something.")
    requested_change: RequestedChange | None = Field(
        None, description="The latest change asked for (staff act on it in the clinical system)."
    )


class Option(ResponseModel):
    code: str
    display: str


class QuestionnaireItem(ResponseModel):
    link_id: str
    text: str
    type: ItemType
    required: bool
    options: list[Option] = Field(description="A choice item's options; empty for the others.")


class Questionnaire(ResponseModel):
    questionnaire_id: str
    title: str
    items: list[QuestionnaireItem]


class Answer(ResponseModel):
    link_id: str
    value: str | bool | int | None


class Steps(ResponseModel):
    details: bool
    questionnaire: bool = Field(description="true when there is none.")
    forms: bool = Field(description="All signed (true when none is asked).")


class StaffCheckInSummary(ResponseModel):
    state: CheckInState
    completed_at: str | None
    forms_signed: int
    forms_required: int
    answered: bool
    change_requested: bool


class VisitPatient(ResponseModel):
    patient_id: str
    name: str
    birth_date: str


class DayVisit(ResponseModel):
    appointment_id: str
    patient: VisitPatient
    starts_at: str
    type: str
    clinicians: list[str]
    status: str = Field(description="As the scheduling system sent it (cancelled ones stay listed).")
    check_in: StaffCheckInSummary


class DayVisits(ResponseModel):
    date: str = Field(description="YYYY-MM-DD on the organization's calendar.")
    time_zone: str
    visits: list[DayVisit] = Field(description="By start time.")


class DayQuery(QueryModel):
    date: Day | None = Field(None, description="YYYY-MM-DD on the organization's calendar; today when not given.")


class CheckInForm(ResponseModel):
    form_id: str
    title: str
    kind: FormKind
    version: int = Field(description="The current version: the one to read and sign.")
    sha256: str = Field(description="What signing sends back: the version the patient read.")
    body: str = Field(description="Plain text; paragraphs are split by blank lines.")
    signed: SignedForm | None = Field(description="The signature of this version for this visit, once signed.")


class CheckIn(ResponseModel):
    appointment_id: str
    state: CheckInState = Field(
        description="not_open (before opens_at), open, completed, or closed (the visit started, or will not happen)."
    )
    opens_at: str = Field(description='ISO 8601 with the organization\'s offset ("" when the visit has no start).')
    closes_at: str = Field(description="The visit's start.")
    completed_at: str | None
    details: Details
    questionnaire: Questionnaire | None = Field(description="null when the visit type asks none.")
    answers: list[Answer] | None = Field(description="null until answered.")
    answered_at: str | None
    forms: list[CheckInForm] = Field(description="The forms the visit type asks, in order.")
    steps: Steps
