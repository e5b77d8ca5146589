"""What the support routes take and give."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from chalicelib.kernel.contract import (
    Email,
    PersonName,
    QueryModel,
    RequestModel,
    ResponseModel,
    WholeNumber,
    blank_is_absent,
)

TopicName = Literal["sign_in", "enrollment", "billing", "technical", "other"]
StatusName = Literal["new", "in_progress", "answered", "closed"]

MAX_DESCRIPTION = 4000
MAX_ANSWER = 4000


def _phone(value: str) -> str:
    """A phone number as people write it: digits with spaces, dots, dashes, brackets and a leading
    plus; 7 to 15 digits (E.164 allows 15)."""
    digits = [c for c in value if c.isdigit()]
    if not all(c.isdigit() or c in " ().-+" for c in value) or "+" in value[1:] or not 7 <= len(digits) <= 15:
        raise ValueError("must be a phone number: 7 to 15 digits")
    return value


def _text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValueError("may not hold control characters")
    return value.strip()


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_phone)]
Description = Annotated[
    str,
    StringConstraints(max_length=MAX_DESCRIPTION),
    AfterValidator(_text),
    Field(description=f"What the person needs, in their own words (at most {MAX_DESCRIPTION} characters)."),
]


class NewSupportRequest(RequestModel):
    """A request for help. At least one of ``email`` and ``phone``: how support reaches the person."""

    organization_id: Annotated[str | None, StringConstraints(min_length=1, max_length=64)] = Field(
        None,
        description="One of GET /v1/support-requests/organizations; a signed-in caller's own when omitted.",
    )
    topic: TopicName
    description: Description
    name: Annotated[PersonName | None, BeforeValidator(blank_is_absent)] = None
    email: Annotated[Email | None, BeforeValidator(blank_is_absent)] = None
    phone: Annotated[Phone | None, BeforeValidator(blank_is_absent)] = None


class SupportOrganization(ResponseModel):
    organization_id: str
    name: str


class SupportOrganizations(ResponseModel):
    organizations: list[SupportOrganization]


class SupportRequestReceived(ResponseModel):
    request_id: str
    reference: str = Field(description="The number the person quotes, e.g. SR-1A2B3C4D.")
    status: StatusName
    acknowledgement_emailed: bool = Field(
        description="Whether a confirmation is emailed to the address given (queued: it arrives within minutes)."
    )


class SupportAnswer(ResponseModel):
    answered_by: str
    answered_at: str
    text: str


class SupportRequestSummary(ResponseModel):
    request_id: str
    reference: str
    topic: TopicName
    status: StatusName
    received_at: str
    updated_at: str
    signed_in: bool = Field(description="Sent by a signed-in account.")


class SupportRequestDetail(SupportRequestSummary):
    description: str
    name: str
    email: str
    phone: str
    answers: list[SupportAnswer]


class SupportRequestPage(ResponseModel):
    requests: list[SupportRequestSummary]
    next_cursor: str | None = Field(description="null on the last page.")


class SupportQueueQuery(QueryModel):
    status: StatusName | None = None
    limit: Annotated[WholeNumber, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=1024)] = ""


class RecordAnswer(RequestModel):
    """How staff answered (by phone, by their own email): kept with the request; the request
    becomes answered."""

    text: Annotated[
        str,
        StringConstraints(max_length=MAX_ANSWER),
        AfterValidator(_text),
        Field(description=f"What was said or sent (at most {MAX_ANSWER} characters)."),
    ]


class ChangeStatus(RequestModel):
    status: StatusName
