"""What the signed-in account's routes take and give (account_routes.py): the profile, terms,
email, password, preferences, sign-in history, connections and second factors. Field types and
the sign-in models are in contract.py."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from chalicelib.audit.service import MAX_PAGE as HISTORY_MAX_PAGE
from chalicelib.identity.contract import (
    MUST_DESCRIPTION,
    CurrentPassword,
    OrganizationId,
    Restriction,
    Role,
    SecondFactorCode,
    SecondFactorMethod,
    TermsVersion,
)
from chalicelib.kernel.contract import (
    Email,
    PageQuery,
    RequestModel,
    ResponseModel,
    Secret,
    WholeNumber,
)
from chalicelib.patients.contract import PatientSummary

# -- the signed-in account ------------------------------------------------------------------------


class TermsAcceptanceView(ResponseModel):
    accepted_version: str | None
    accepted_at: datetime | None
    current_version: str


class AccountView(ResponseModel):
    account_id: str
    username: str
    role: Role
    organization_id: str
    email: str | None = Field(description="The verified address notifications go to; null when none is.")
    email_verified: bool
    pending_email: str | None = Field(description="An address waiting for its emailed link to be followed.")
    second_factors: list[SecondFactorMethod]
    terms: TermsAcceptanceView
    must: Restriction | None = Field(description=MUST_DESCRIPTION)
    idle_timeout_s: int = Field(description="This session ends after this many seconds without a call.")


class ConnectionView(ResponseModel):
    """An organization whose records this account sees."""

    connection_id: str
    organization_id: str
    organization_name: str | None = Field(description="The organization's name; null if the directory has none.")
    patient_id: str | None = Field(
        description="The id of this organization's record of the patient, for the "
        "/v1/patients/{patient_id}/... routes; null while the connection is pending (no record is "
        "readable through it until then)."
    )
    status: Literal["active", "pending"] = Field(
        description="pending until that organization's record carries the birth date and family name to match; "
        "it turns active by itself when that organization's feed brings them and they match the account's own."
    )
    added_at: datetime


class NotificationPreferences(ResponseModel):
    email_new_results: bool
    email_messages: bool
    email_appointments: bool
    email_forms: bool


class ActingFor(ResponseModel):
    """A patient this account may act for now, under a proxy grant in force: what the "Viewing
    as" switcher offers. The record is then read with the usual /v1/patients/{patient_id}/...
    routes, each answering within the grant (its areas, its cutoff, never sensitive care)."""

    grant_id: str
    patient_id: str = Field(description="The record acted for, for the /v1/patients/{patient_id}/... routes.")
    organization_id: str
    organization_name: str | None = Field(description="The organization's name; null if the directory has none.")
    name: str = Field(description="The patient's given name, as the switcher shows it.")
    relationship: Literal["parent", "guardian_of_minor", "guardian_of_adult", "health_care_agent", "trusted_person"]
    proxy_name: str = Field(
        description="The account holder's own name as the grant holds it: what they type to sign a form for the "
        'patient, and how staff and the patient are shown what they do ("" when the grant has none).'
    )
    access: Literal["full", "read_only"] = Field(
        description="read_only: the record may be read, but nothing sent, requested, cancelled or signed (403)."
    )
    areas: list[Literal["results", "documents", "health_summary", "messages", "appointments", "medications"]] = Field(
        description="The parts of the record the grant covers; any other answers 404."
    )
    visible_until: datetime | None = Field(
        description="Only what is dated before this moment shows (a child's 12th birthday); null: no cutoff."
    )
    ends_at: datetime | None = Field(description="When the grant ends; null for a child's grant (see visible_until).")
    unread_messages: int = Field(description="Care-team messages of this record not read yet; 0 without messages.")


class Me(ResponseModel):
    account: AccountView
    patient: PatientSummary | None = Field(
        description="The patient's own record; null for staff, and for an account that only acts for others."
    )
    acting_for: list[ActingFor] = Field(
        description="The patients this account may act for now (proxy access), one per grant in force."
    )
    connections: list[ConnectionView]
    notification_preferences: NotificationPreferences
    unread_messages: int = Field(
        description="Care-team messages the signed-in patient has not read, across their conversations; 0 for staff."
    )


class TermsAcceptance(RequestModel):
    accepted_terms_version: TermsVersion


class TermsAccepted(ResponseModel):
    accepted_version: str
    accepted_at: datetime


class EmailChange(RequestModel):
    email: Email
    password: CurrentPassword = Field(description="The account's current password.")


class EmailChangeRequested(ResponseModel):
    pending_email: str
    email_verification_sent: Literal[True]


class PasswordChange(RequestModel):
    current_password: CurrentPassword
    new_password: Secret


class PasswordChangedHere(ResponseModel):
    other_sessions_ended: int = Field(description="Every other session of the account ends; this one stays.")


def _left_out_keeps_its_value(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class PreferencesChange(RequestModel):
    """Each preference given is set (true or false); one left out keeps its value."""

    # None only marks a preference left out (a default is not validated): a null that is sent is
    # refused, since a preference is on or off, and the document shows a boolean without a default.
    email_new_results: bool | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out_keeps_its_value)
    email_messages: bool | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out_keeps_its_value)
    email_appointments: bool | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out_keeps_its_value)
    email_forms: bool | SkipJsonSchema[None] = Field(None, json_schema_extra=_left_out_keeps_its_value)

    @field_validator("*", mode="before")
    @classmethod
    def _on_or_off(cls, value: object) -> object:
        if value is None:
            raise ValueError("true or false")
        return value


class PreferencesView(ResponseModel):
    notification_preferences: NotificationPreferences


class SignInHistoryQuery(PageQuery):
    limit: WholeNumber = Field(50, ge=1, le=HISTORY_MAX_PAGE, description="How many events at most.")


class SecurityEvent(ResponseModel):
    at: datetime
    event: str = Field(description="What happened, e.g. session.sign_in, account.locked, account.password_changed.")
    outcome: Literal["success", "denied", "failure"]
    reason: str | None = Field(description="A short code, e.g. wrong_password; null when none.")
    source_ip: str | None


class SignInHistory(ResponseModel):
    events: list[SecurityEvent]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last one.")


class Connections(ResponseModel):
    connections: list[ConnectionView]


class ConnectionRequest(RequestModel):
    invitation_code: Secret = Field(
        description="The code of the other organization's invitation (its email's link carries it): "
        "the invitation names the organization."
    )
    organization_id: OrganizationId | None = Field(
        default=None, description="Optional: when given, the code must be this organization's."
    )


# -- second factors -------------------------------------------------------------------------------


class TotpSetup(ResponseModel):
    secret: str = Field(description="The seed, base32, for typing into the authenticator app.")
    provisioning_uri: str = Field(description="The otpauth:// URI to show as a QR code.")
    digits: Literal[6]
    period: Literal[30]


class TotpConfirmation(RequestModel):
    code: SecondFactorCode = Field(description="A code the authenticator app shows now.")
    password: CurrentPassword


class PasswordConfirmation(RequestModel):
    password: CurrentPassword = Field(description="The account's current password.")


class RecoveryCodes(ResponseModel):
    recovery_codes: list[str] = Field(description="Shown once: each works once in place of a second-factor code.")


class TotpEnabled(ResponseModel):
    enabled: Literal[True]
    recovery_codes: list[str] = Field(description="Shown once: each works once in place of a second-factor code.")


class EmailCodesChange(RequestModel):
    enabled: bool
    password: CurrentPassword


class EmailCodesView(ResponseModel):
    enabled: bool
    recovery_codes: list[str] | None = Field(
        description="New recovery codes when turning on the first second factor (shown once); otherwise null."
    )
