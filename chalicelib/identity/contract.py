"""What the identity routes take and give (see kernel/contract.py).

The models check a request's shape: which fields, text, bounded. What the values mean stays in
the services: whether a user name is well formed, a password meets the policy, a code or link is
live, the answers match the patient's record. Their messages are the ones a person acts on.

Secrets a person types (passwords, codes, tokens) are never echoed by a refusal: the error names
the field only (kernel.contract.validation_failed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, RootModel, StringConstraints, field_validator
from pydantic.json_schema import SkipJsonSchema

from chalicelib.accounts import passwords
from chalicelib.audit.service import MAX_PAGE as HISTORY_MAX_PAGE
from chalicelib.kernel.contract import (
    Day,
    Email,
    PageQuery,
    PersonName,
    QueryModel,
    RecordId,
    RequestModel,
    ResponseModel,
    Secret,
    WholeNumber,
)
from chalicelib.patients.contract import AccountStatus, PatientSummary

# -- field types ----------------------------------------------------------------------------------

# Required text: present and not empty (an empty string is refused as a missing field was).
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=256)]
# Text that may be left out or empty; what it must hold is the service's to say.
OptionalText = Annotated[str, StringConstraints(max_length=256)]
# A password the account already has: no password is longer than the policy allows, so a longer
# one is refused before any hashing (a megabyte "password" must not cost argon2 time). A new
# password is a Secret instead: the policy's own message explains its length limit.
CurrentPassword = Annotated[str, StringConstraints(min_length=1, max_length=passwords.MAX_LENGTH)]
# A code from an authenticator app, an email or a recovery sheet (6 digits, or xxxx-xxxx-xxxx-xxxx).
SecondFactorCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]
# A version of the Terms of Use, as GET /v1/terms names it.
TermsVersion = Annotated[str, StringConstraints(min_length=1, max_length=32)]
# An organization's id, a slug such as "albany-medical-center".
OrganizationId = Annotated[str, StringConstraints(min_length=1, max_length=64)]

Role = Literal["patient", "staff", "admin"]
WorkforceRole = Literal["staff", "admin"]
Restriction = Literal["terms", "second_factor_setup"]
SecondFactorMethod = Literal["totp", "email", "recovery_code"]

_MUST = (
    "What this session must do before anything else: `terms` (accept the current Terms of Use) or "
    "`second_factor_setup` (staff: set up a second factor); null when nothing."
)

# -- the public routes ----------------------------------------------------------------------------


class TermsView(ResponseModel):
    version: str = Field(description="Send it back as `accepted_terms_version` to accept these terms.")
    terms_of_use: str
    consent: str = Field(description="The Informed Consent and User Agreement.")


class SignIn(RequestModel):
    username: RequiredText
    password: CurrentPassword


class OpenedSession(ResponseModel):
    """A signed-in session."""

    token: str = Field(description="The session token: send it as `Authorization: Bearer <token>`.")
    expires_at: datetime = Field(description="When the session ends, however active it is.")
    idle_timeout_s: int = Field(description="The session ends after this many seconds without a call.")
    must: Restriction | None = Field(description=_MUST)


class SecondFactorChallenge(ResponseModel):
    """The password was right; the sign-in finishes with a second factor (POST /v1/sessions/mfa)."""

    mfa_required: Literal[True]
    challenge_id: str = Field(description="Send it to /v1/sessions/mfa with the code.")
    methods: list[SecondFactorMethod] = Field(
        description="The codes the sign-in may be finished with (recovery_code: one of the account's recovery codes)."
    )
    expires_at: datetime


class SignInAnswer(RootModel):  # type: ignore[type-arg]  # (RootModel[...] would be built at import)
    """A session, or (for an account with a second factor) the challenge that leads to one."""

    model_config = {"defer_build": True}
    root: OpenedSession | SecondFactorChallenge


class SecondStep(RequestModel):
    challenge_id: Secret
    code: SecondFactorCode


class EmailCodeRequest(RequestModel):
    challenge_id: Secret


class EmailCodeSent(ResponseModel):
    sent: Literal[True]


class Enrollment(RequestModel):
    invitation_code: Secret
    date_of_birth: Day
    family_name: PersonName
    username: OptionalText = Field(
        description=(
            "3 to 64 characters: letters, digits, '.', '_', '@' or '-' (kept in lower case). The schema only "
            "bounds the size: the rules are checked with the other answers, and all broken ones are told at once."
        )
    )
    password: Secret = Field(
        description=(
            "8 to 128 characters, and the other password rules in docs/api.md, checked with the other answers "
            "(the schema only bounds the size)."
        )
    )
    email: Email
    accepted_terms_version: TermsVersion


class Enrolled(ResponseModel):
    account_id: str
    username: str
    email_verification_sent: bool = Field(
        description="True when the address differs from the invitation's: it is used once its link is followed."
    )


class UsernameReminder(RequestModel):
    email: Email


class PasswordResetRequest(RequestModel):
    """Either field names the account; a form may send both, one of them empty."""

    username: OptionalText | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None


class Accepted(ResponseModel):
    """Sent whether or not such an account exists: the answer tells nothing about accounts."""

    accepted: Literal[True]


class PasswordResetConfirmation(RequestModel):
    token: Secret = Field(description="The token of the emailed link.")
    new_password: Secret


class PasswordChanged(ResponseModel):
    password_changed: Literal[True]


class AccountSetup(RequestModel):
    token: Secret = Field(description="The token of the emailed set-up link.")
    username: OptionalText = Field(
        description=(
            "3 to 64 characters: letters, digits, '.', '_', '@' or '-' (kept in lower case). The schema only "
            "bounds the size: the rules are checked with the other answers, and all broken ones are told at once."
        )
    )
    password: Secret = Field(
        description=(
            "8 to 128 characters, and the other password rules of enrollment (the schema only bounds the size)."
        )
    )


class AccountSetUp(ResponseModel):
    username: str = Field(description="As it is kept (lower case): the name to sign in with.")


class EmailVerification(RequestModel):
    token: Secret = Field(description="The token of the emailed link.")


class EmailVerified(ResponseModel):
    email_verified: Literal[True]


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
    must: Restriction | None = Field(description=_MUST)


class ConnectionView(ResponseModel):
    """An organization whose records this account sees."""

    connection_id: str
    organization_id: str
    status: Literal["active", "pending"] = Field(
        description="pending until that organization's record carries the birth date and family name to match."
    )
    added_at: datetime


class NotificationPreferences(ResponseModel):
    email_new_results: bool
    email_messages: bool
    email_appointments: bool
    email_forms: bool


class Me(ResponseModel):
    account: AccountView
    patient: PatientSummary | None = Field(description="The patient's own record; null for staff.")
    acting_for: list[PatientSummary] = Field(description="Patients this account acts for (proxy access).")
    connections: list[ConnectionView]
    notification_preferences: NotificationPreferences


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
    organization_id: OrganizationId
    invitation_code: Secret = Field(description="The code of that organization's invitation.")


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


# -- staff: invitations ---------------------------------------------------------------------------


class InvitationRequest(RequestModel):
    """The patient by `patient_id` or by `mrn` (one of the two), and the address the code goes to."""

    patient_id: RecordId | None = None
    mrn: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        None, description="The patient's medical record number at the caller's organization."
    )
    email: Email


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
