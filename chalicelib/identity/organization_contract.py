"""What the admins' organization settings routes take and give (staff_routes.py)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.kernel.contract import EMAIL_PATTERN, RequestModel, ResponseModel

TimeZoneName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    Field(
        description=(
            'An IANA time zone name, e.g. "America/New_York": feed times sent without an offset are the '
            "organization's wall-clock times, read in this zone."
        ),
        examples=["America/New_York"],
    ),
]


SupportEmail = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=f"(^$)|({EMAIL_PATTERN})"),
    Field(
        description=(
            "Where the organization's support requests are announced (by reference number only); "
            '"" takes the organization off the contact form\'s list.'
        ),
        examples=["support@clinic.example"],
    ),
]


class OrganizationSettings(ResponseModel):
    organization_id: str
    name: str
    time_zone: TimeZoneName
    support_email: SupportEmail


class OrganizationSettingsChange(RequestModel):
    """The organization's time zone. It applies to messages filed from now on: what was filed
    before keeps the moments it was filed with."""

    time_zone: TimeZoneName
    support_email: SupportEmail | None = None  # absent: left as it is
