"""What the proxy grants' routes take and give (see kernel/contract.py): the patient's list of who
may act for them (with revoke, consent and renew), staff's list with end and renew, and the
proxy's own list of the records they may act for."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from chalicelib.kernel.contract import Day, RequestModel, ResponseModel

MAX_REASON = 500

Relationship = Literal["parent", "guardian_of_minor", "guardian_of_adult", "health_care_agent", "trusted_person"]
GrantAccess = Literal["full", "read_only"]
GrantStatus = Literal["invited", "awaiting_consent", "active", "ended", "revoked", "terminated", "declined"]
AreaName = Literal["results", "documents", "health_summary", "messages", "appointments", "medications"]


def _text(value: str) -> str:
    """Text others read: no control, format or surrogate characters (they could hide or reorder
    what is shown), and not blank."""
    for character in value:
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON), AfterValidator(_text)
]


class ProxyGrantView(ResponseModel):
    """One person's standing to act for one patient, as the patient, staff and the proxy see it."""

    grant_id: str
    patient_id: str
    proxy_name: str = Field(description="The proxy as they gave their name (the patient's list shows it).")
    patient_name: str = Field(description="The patient's given name, as the proxy's list shows it.")
    relationship: Relationship
    access: GrantAccess
    areas: list[AreaName] = Field(description="What the grant covers, by area.")
    status: GrantStatus
    starts_at: str
    ends_at: str | None = Field(description="When an adult's grant ends (renewable); null for a child's.")
    visible_until: str | None = Field(
        description="A child's grant: nothing recorded from this moment on (the 12th birthday) shows."
    )
    created_at: str
    consented_at: str | None
    ended_at: str | None = Field(description="When it was revoked, ended, terminated or declined.")
    end_reason: str = Field(
        description=(
            "Why it stopped: revoked, declined, end_date, deceased, merged (the copy a merged record keeps),"
            " or staff's words when they ended it"
            " (the proxy's own list says ended_by_clinic instead)."
        )
    )
    request_id: str = Field(description="The request it answered; empty for one the patient gave.")
    given_by: Literal["staff", "patient"]


class ProxyGrantList(ResponseModel):
    proxies: list[ProxyGrantView] = Field(description="Every status, newest first.")


class MyProxyGrants(ResponseModel):
    grants: list[ProxyGrantView] = Field(
        description="Every grant naming the caller as proxy, any status, newest first."
    )


class ConsentAnswer(RequestModel):
    """The patient's answer to a grant awaiting their consent."""

    agree: bool = Field(description="true: the grant takes effect now; false: it is declined.")


class StaffConsentAnswer(RequestModel):
    """The patient's answer to a grant awaiting their consent, as staff witnessed it."""

    agree: bool = Field(description="true: the grant takes effect now; false: it is declined.")
    how: Literal["in_person", "paper_form", "phone"] = Field(
        description="How the patient gave it: in person, on the paper form, or by phone."
    )


class StaffGrantEnd(RequestModel):
    reason: Reason = Field(description=f"Why staff end it (1 to {MAX_REASON} characters); the patient's list shows it.")


class StaffGrantRenewal(RequestModel):
    ends_at: Day | None = Field(
        None, description="The new last day (the organization's calendar); default one year more."
    )


class ProxyGrantBundle(BaseModel):
    """A FHIR R4 Bundle (type collection) of the grant's RelatedPerson and Consent, validated
    against FHIR's own models when built (proxies/fhir.py); its resources are FHIR's shapes,
    not this API's, so they are not spelled out here."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    resourceType: Literal["Bundle"]
    type: Literal["collection"]
    entry: list[dict[str, Any]]
