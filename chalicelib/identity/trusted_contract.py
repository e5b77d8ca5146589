"""What the trusted-person routes take and give (proxy_invitation_routes.py): a patient invites
someone they trust to see their record, and that person takes the invitation up."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.kernel.contract import Day, Email, PersonName, RequestModel, ResponseModel, Secret

GrantAccess = Literal["full", "read_only"]
AreaName = Literal["results", "documents", "health_summary", "messages", "appointments", "medications"]
GrantStatus = Literal["invited", "awaiting_consent", "active", "ended", "revoked", "terminated", "declined"]
Relationship = Literal["parent", "guardian_of_minor", "guardian_of_adult", "health_care_agent", "trusted_person"]


class TrustedPersonInvitation(RequestModel):
    """Someone the patient trusts, to see (and, with full access, act on) the areas chosen of the
    patient's record until ``ends_at``. The patient's consent is this request."""

    name: PersonName = Field(description="How the patient's list names the person (their own words).")
    email: Email = Field(description="Where the one-time link goes.")
    relationship: Literal["trusted_person"]
    access: GrantAccess = Field(description="full: read and act (send messages, request visits); read_only: read.")
    areas: list[AreaName] = Field(
        min_length=1, max_length=6, description="What the person may see; never the access log nor this list."
    )
    ends_at: Day | None = Field(
        None,
        description=(
            "The last day of access (the organization's calendar): from tomorrow to one year ahead. "
            "Left out: one year from today."
        ),
    )


class InvitationRedemption(RequestModel):
    code: Secret = Field(description="The code from the invitation's link (`/proxy-invitation#code=...`).")


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
        description="Why it stopped: revoked, declined, end_date, deceased, or staff's words when they ended it."
    )
    request_id: str = Field(description="The request it answered; empty for one the patient gave.")
    given_by: Literal["staff", "patient"]
