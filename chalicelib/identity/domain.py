from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class RecordKind(enum.Enum):
    SESSION = "session"
    INVITATION = "invitation"
    CHALLENGE = "challenge"  # a sign-in waiting for its second factor
    LINK = "link"  # a one-time emailed link: password reset, email verification, account set-up
    THROTTLE = "throttle"


class LinkPurpose(enum.Enum):
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFICATION = "email_verification"
    ACCOUNT_SETUP = "account_setup"
    CONTACT_EMAIL = "contact_email"  # a patient record's new address, confirmed before use


class InvitationStatus(enum.Enum):
    PENDING = "pending"
    USED = "used"
    REVOKED = "revoked"  # by staff, or replaced by a resend
    BURNED = "burned"  # too many wrong answers


class Restriction(enum.Enum):
    """What a signed-in session must do before it may do anything else."""

    NONE = ""
    TERMS = "terms"  # accept the current Terms of Use
    SECOND_FACTOR_SETUP = "second_factor_setup"  # staff without a second factor in a deployed stage


@dataclass(frozen=True)
class IdentityRecord:
    """One record of the identity table (data/models.IdentityRecordModel says what each holds)."""

    kind: RecordKind
    selector: str
    expires_at: int  # epoch seconds
    secret_hash: str = ""
    owner: str = ""
    created_at: datetime | None = None
    account_id: str = ""
    patient_id: str = ""
    organization_id: str = ""
    role: str = ""
    purpose: str = ""
    status: str = ""
    email: str = ""
    restriction: str = ""
    attempts: int = 0
    code_hash: str = ""
    created_by: str = ""
    last_seen_at: datetime | None = None
    idle_expires_at: int = 0

    @property
    def key(self) -> str:
        return f"{self.kind.value}#{self.selector}"
