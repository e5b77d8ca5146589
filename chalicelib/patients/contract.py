"""What the patient routes take and give (see kernel/contract.py): staff register a patient, find
one by medical record number, and see and change their portal access."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, StringConstraints

from chalicelib.kernel.contract import Day, Email, PersonName, RequestModel, ResponseModel, blank_is_absent
from chalicelib.notifications.contract import EmailDelivery

# patients.domain.SEXES, PortalStatus and identity.portal_access.PORTAL_ACTIONS (held together by
# tests/unit/test_records_contract.py)
Sex = Literal["female", "male", "other", "unknown"]
PortalStatus = Literal["not_invited", "invited", "active", "suspended", "terminated"]
AccountStatus = Literal["active", "suspended", "terminated"]
PortalAction = Literal["suspend", "reinstate", "terminate", "unlock", "reset_second_factor", "follow_merge"]

# An identifier's parts as patients.domain.identifier accepts them: what HL7 CX and FHIR Identifier
# values hold in practice, and nothing that could break a key or a log line.
IdentifierPart = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9 ._:/-]{1,64}$")]
IdentifierType = Annotated[str, StringConstraints(max_length=5, pattern=r"^[A-Z]{1,5}$")]


# -- requests -------------------------------------------------------------------------------------


class NewIdentifier(RequestModel):
    authority: IdentifierPart = Field(description="Who assigned the value: an MRN's organization, a lab, an HIE.")
    value: IdentifierPart
    type: IdentifierType = Field(
        "MR",
        description="HL7 identifier type code (table 0203): MR, PI, MC ... Social security (SS, SB), "
        "taxpayer (TAX), driver's licence (DL) and passport (PPN) numbers, by type or by an authority "
        "that issues only them, are refused: the portal never keeps them.",
    )


class PatientRegistration(RequestModel):
    """A patient the feeds have not (yet) sent. Give `mrn` (under the organization's own
    record number authority) or `identifiers`, or both."""

    mrn: IdentifierPart | None = Field(None, description="A medical record number of the organization's.")
    identifiers: Annotated[list[NewIdentifier], Field(max_length=10)] | None = None
    family_name: PersonName
    given_names: Annotated[list[PersonName], Field(max_length=5)] | None = None
    birth_date: Day = Field(description="A past date, YYYY-MM-DD.")
    sex: Sex = "unknown"
    email: Annotated[Email | None, BeforeValidator(blank_is_absent)] = Field(
        None, description="Where the invitation may later be sent."
    )


class SearchIdentifier(RequestModel):
    authority: IdentifierPart = Field(
        description="As staff see it among a patient's identifiers: the organization's (AMC-MRN), a universal id "
        "(urn:oid:..., a bare OID is read as one) or a sender's own (LAB.QUEST...:MRN)."
    )
    value: IdentifierPart


class PatientSearch(RequestModel):
    """One of: `mrn` (the organization's record number), `identifier` (any authority and value), or
    `family_name` with `birth_date` (a short list)."""

    mrn: IdentifierPart | None = Field(None, description="A medical record number of the organization's.")
    identifier: SearchIdentifier | None = None
    family_name: PersonName | None = Field(
        None, description="With birth_date: compared as names are written (case, accents, hyphens aside)."
    )
    birth_date: Day | None = Field(None, description="With family_name: YYYY-MM-DD.")


class PatientFound(ResponseModel):
    patient: PatientSummary
    portal_status: PortalStatus


class PatientMatches(ResponseModel):
    patients: list[PatientFound] = Field(
        description="None, one (by mrn or identifier), or up to 10 by name and birth date; `truncated` says when "
        "more matched."
    )
    truncated: bool = Field(description="More patients matched the name and birth date than are listed: narrow it.")


class ContactEmailChange(RequestModel):
    email: Email = Field(
        description="The patient's new address for invitations: kept as pending until its owner confirms it."
    )


class PortalAccessChange(RequestModel):
    action: PortalAction = Field(
        description="suspend, terminate and reset_second_factor end every session at once and tell the patient "
        "by email; follow_merge moves the account of a record merged into another to the surviving record."
    )
    reason: Annotated[str, StringConstraints(max_length=64, pattern=r"^[a-z0-9_]*$")] = Field(
        "", description="A short code for the audit trail, such as patient_request (no free text)."
    )


# -- responses ------------------------------------------------------------------------------------


class PatientIdentifier(ResponseModel):
    authority: str = Field(description="Who assigned the value (an MRN's organization, a lab, an HIE).")
    value: str
    type: str = Field(description="HL7 identifier type code (MR, PI ...); may be empty.")


class PatientSummary(ResponseModel):
    """A patient as staff see them in lists: who they are, not their record."""

    patient_id: str
    organization_id: str
    identifiers: list[PatientIdentifier]
    family_name: str
    given_names: list[str]
    birth_date: str | None = Field(description="YYYY-MM-DD, or YYYY-MM / YYYY when only that is known.")
    sex: Sex | None
    deceased: bool = Field(
        False,
        description="The EHR records the patient as deceased (HL7 PID-29/30, FHIR Patient.deceased[x]): "
        "no invitation, enrollment or sign-in.",
    )
    deceased_on: str | None = Field(None, description="YYYY-MM-DD: the date of death, when the sender gave it.")


class PatientRegistered(ResponseModel):
    patient_id: str
    portal_status: PortalStatus


class PortalAccount(ResponseModel):
    """The patient's portal account, as their organization's staff see it."""

    username: str
    status: AccountStatus
    locked: bool = Field(description="Locked out after failed sign-ins (staff may unlock it).")
    email_verified: bool
    second_factors: list[Literal["totp", "email", "recovery_code"]]
    closed_reason: Literal["deceased"] | None = Field(
        None,
        description="deceased: the clinical record says the patient died, so sign-in is refused whatever "
        "`status` says, until the record is corrected.",
    )


class PortalInvitation(ResponseModel):
    invitation_id: str
    status: Literal["pending", "used", "revoked", "burned", "expired"] = Field(
        description="burned: too many wrong answers; revoked: by staff, or replaced by a newer one."
    )
    email: str
    created_at: datetime | None
    expires_at: datetime
    failed_attempts: int
    email_delivery: EmailDelivery | None = Field(
        description="What became of the invitation's email; null for invitations sent before the portal kept it."
    )


class PatientPortal(ResponseModel):
    """What staff see when a patient calls about the portal. A deceased patient's account is
    closed for sign-in (account.closed_reason `deceased`)."""

    patient: PatientSummary
    portal_status: PortalStatus = Field(
        description="not_invited also once the latest invitation was revoked, burned or has expired (invite "
        "again); invited also while a patient enrolled elsewhere has added this record with its code and waits "
        "for the record's birth date and family name to arrive from the feed (then active)."
    )
    account: PortalAccount | None = Field(
        description="Null when the patient has none, or it belongs to another organization they enrolled with."
    )
    invitations: list[PortalInvitation] = Field(description="The latest 20.")
    merged_into: str | None = Field(
        None,
        description="The surviving record's patient_id when the clinical feed merged this record into another; "
        "while `account` is not null, follow_merge moves the account there.",
    )
    email: str | None = Field(
        None, description="The record's confirmed email address (where invitations go); null when it has none."
    )
    pending_email: str | None = Field(
        None,
        description="A new address staff entered, waiting for its owner to follow the emailed confirmation link; "
        "null when none waits.",
    )


class ContactEmailChanged(ResponseModel):
    patient_id: str
    email: str | None = Field(description="The address still in use until the new one is confirmed.")
    pending_email: str = Field(description="The new address; a confirmation link was emailed to it.")


class PortalAccessChanged(ResponseModel):
    portal_status: PortalStatus
    account_status: AccountStatus
    sessions_ended: int
    patient_id: str | None = Field(
        None, description="follow_merge only: the surviving record the account opens from now on."
    )
