"""What the identity routes take and give (see kernel/contract.py).

The models check a request's shape: which fields, text, bounded. What the values mean stays in
the services: whether a user name is well formed, a password meets the policy, a code or link is
live, the answers match the patient's record. Their messages are the ones a person acts on.

Secrets a person types (passwords, codes, tokens) are never echoed by a refusal: the error names
the field only (kernel.contract.validation_failed).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, RootModel, StringConstraints

from chalicelib.accounts import passwords
from chalicelib.kernel.contract import (
    Day,
    Email,
    PersonName,
    RequestModel,
    ResponseModel,
    Secret,
)

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

MUST_DESCRIPTION = (
    "What this session must do before anything else: `terms` (accept the current Terms of Use) or "
    "`second_factor_setup` (staff: set up a second factor); null when nothing."
)

# -- the public routes ----------------------------------------------------------------------------


class TermsView(ResponseModel):
    version: str = Field(description="Send it back as `accepted_terms_version` to accept these terms.")
    terms_of_use: str
    consent: str = Field(description="The Informed Consent and User Agreement.")
    summary: str | None = Field(
        description="What changed since the previous version, in the publishing admin's words; "
        "null for a version shipped with the portal."
    )


class SignIn(RequestModel):
    username: RequiredText
    password: CurrentPassword


class OpenedSession(ResponseModel):
    """A signed-in session."""

    token: str = Field(description="The session token: send it as `Authorization: Bearer <token>`.")
    expires_at: datetime = Field(description="When the session ends, however active it is.")
    idle_timeout_s: int = Field(description="The session ends after this many seconds without a call.")
    must: Restriction | None = Field(description=MUST_DESCRIPTION)


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


class ContactEmailConfirmation(RequestModel):
    token: Secret = Field(description="The token of the emailed link.")


class ContactEmailConfirmed(ResponseModel):
    email_confirmed: Literal[True]


class EmailVerified(ResponseModel):
    email_verified: Literal[True]
