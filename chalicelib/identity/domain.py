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


class InvitationPurpose(enum.Enum):
    """What an invitation opens (kept in its ``purpose``)."""

    PATIENT = ""  # the account of a patient record of the organization (staff's ordinary invitation)
    PROXY_ACCOUNT = "proxy_account"  # an account with no record of its own, to ask for proxy access
    TRUSTED_PERSON = "trusted_person"  # a patient's grant to someone they trust, taken up with the code


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
    # A trusted person's invitation: the grant it names (the patient's record is ``patient_id``).
    grant_id: str = ""
    # An invitation to open an account with no record: the invitee as staff typed them, the
    # answers enrollment checks (removed once the invitation is used).
    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind.value}#{self.selector}"
