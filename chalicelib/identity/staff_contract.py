"""What the staff and admin identity routes take and give (staff_routes.py): invitations and
staff accounts. Field types are in contract.py."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.identity.contract import SecondFactorMethod, WorkforceRole
from chalicelib.kernel.contract import (
    Day,
    Email,
    PersonName,
    QueryModel,
    RecordId,
    RequestModel,
    ResponseModel,
    WholeNumber,
)
from chalicelib.notifications.contract import EmailDelivery
from chalicelib.patients.contract import AccountStatus

# -- staff: invitations ---------------------------------------------------------------------------


class InvitationRequest(RequestModel):
    """The patient by `patient_id` or by `mrn` (one of the two), and the address the code goes to."""

    patient_id: RecordId | None = None
    mrn: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        None, description="The patient's medical record number at the caller's organization."
    )
    email: Email


class ProxyInvitationRequest(RequestModel):
    """Someone with no record at the organization (a parent, a guardian, a health-care agent), to
    open an account from which they ask for proxy access. Enrollment asks back the birth date and
    family name given here."""

    email: Email
    given_name: PersonName
    family_name: PersonName
    birth_date: Day = Field(description="The invitee's own birth date (YYYY-MM-DD), not the patient's.")


class InvitationIssued(ResponseModel):
    invitation_id: str
    expires_at: datetime


class InvitationSummary(ResponseModel):
    invitation_id: str
    status: Literal["pending", "used", "revoked", "burned", "expired"] = Field(
        description="revoked: by staff, or replaced by a newer invitation; burned: five wrong answers."
    )
    email: str
    created_at: datetime | None
    expires_at: datetime
    failed_attempts: int = Field(description="Wrong birth date or family name answers so far.")
    email_delivery: EmailDelivery | None = Field(
        description="What became of the invitation's email; null for invitations sent before the portal kept it."
    )


class InvitationsQuery(QueryModel):
    patient_id: RecordId


class Invitations(ResponseModel):
    invitations: list[InvitationSummary]


# -- admin: staff accounts ------------------------------------------------------------------------


class StaffAccountRequest(RequestModel):
    """No user name: the colleague chooses it with the set-up link (POST /v1/account/setup), so no
    answer here can tell which names other accounts hold."""

    email: Email = Field(description="Where the link to choose a user name and password goes.")
    role: WorkforceRole


class StaffAccountCreated(ResponseModel):
    account_id: str
    username: None = Field(description="Always null: the colleague chooses it at set-up.")
    role: WorkforceRole
    status: AccountStatus


class StaffStatusChange(RequestModel):
    status: Literal["active", "suspended"]


class StaffStatusChanged(ResponseModel):
    account_id: str
    status: Literal["active", "suspended"]
    sessions_ended: int


class StaffUnlocked(ResponseModel):
    account_id: str
    locked: Literal[False]


class StaffSetupLinkSent(ResponseModel):
    account_id: str
    expires_at: datetime = Field(description="When the new link stops working; every earlier link already has.")


class StaffAccountsQuery(QueryModel):
    limit: WholeNumber = Field(50, ge=1, le=100, description="How many accounts at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


class StaffAccountSummary(ResponseModel):
    account_id: str
    username: str | None = Field(description="null until the colleague follows the set-up link and chooses it.")
    role: WorkforceRole
    status: AccountStatus
    email: str | None = Field(description="The work address the account's email goes to.")
    created_at: datetime
    second_factors: list[SecondFactorMethod] = Field(
        description="The second factors set up (empty: none yet, so the account must set one up at sign-in)."
    )
    locked: bool = Field(
        description="Locked out after failed sign-ins (it lifts by itself, or an admin unlocks it: POST .../unlock)."
    )


class StaffAccounts(ResponseModel):
    staff: list[StaffAccountSummary] = Field(description="The organization's staff and admin accounts, newest first.")
    next_cursor: str | None = Field(description="Send it back as `cursor` for the next page; null on the last page.")


# -- admin: the Terms of Use ----------------------------------------------------------------------
# (identity.terms checks what the models cannot say with their explanation: a label's characters,
# texts of only spaces; the models bound the sizes)


class TermsPublication(RequestModel):
    """A new version of the Terms of Use and the Informed Consent; every patient is asked to accept
    it at their next sign-in."""

    version: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description="A label no version has had: 1 to 32 letters, digits, `.`, `_` or `-` (e.g. `2027-01-15`)."
    )
    replaces: Annotated[str, StringConstraints(min_length=1, max_length=32)] = Field(
        description=(
            "The version the admin read as current (`current.version` of `GET /v1/admin/terms`): 409 if "
            "another version was published since."
        )
    )
    terms_of_use: Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
    consent: Annotated[str, StringConstraints(min_length=1, max_length=20_000)] = Field(
        description="The Informed Consent and User Agreement."
    )
    summary: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="What changed, in a few words, for the history."
    )


class PublishedTerms(ResponseModel):
    version: str
    terms_of_use: str
    consent: str
    summary: str | None = Field(description="What changed; null for the version shipped with the portal.")
    published_at: datetime | None = Field(description="null for the version shipped with the portal.")


class TermsHistoryEntry(ResponseModel):
    version: str
    summary: str | None
    published_at: datetime | None = Field(description="null for the version shipped with the portal.")
    current: bool = Field(description="The version patients accept now.")


class TermsPublisher(ResponseModel):
    organization_id: str | None = Field(
        description="The organization whose admins publish the terms; null: nobody publishes on this deployment."
    )
    organization_name: str | None = Field(description="Its name; null if it has none.")
    caller_may_publish: bool = Field(description="Whether the caller is one of its admins.")


class TermsVersions(ResponseModel):
    publisher: TermsPublisher
    current: PublishedTerms
    history: list[TermsHistoryEntry] = Field(
        description=(
            "Newest first (at most 100 published ones, then the versions shipped with the portal): the current "
            "one and those before it."
        )
    )
