"""What the feed routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.kernel.contract import QueryModel, RecordId, RequestModel, ResponseModel, WholeNumber
from chalicelib.patients.contract import PatientSummary, Sex

# As a patient identifier's authority: a namespace, an OID or a FHIR system URL.
Authority = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9 ._:/-]{1,64}$")]


class QuarantinePageQuery(QueryModel):
    limit: WholeNumber = Field(20, ge=1, le=50, description="How many messages at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


class QuarantinedMessage(ResponseModel):
    """A quarantined message's metadata: the body stays archived and is never shown."""

    id: str
    sender: str | None
    control_id: str | None
    message_type: str | None
    format: Literal["hl7v2", "fhir", "unknown"]
    reason: str = Field(description="Which field or rule refused it; never a value of the message.")
    received_at: datetime
    replayable: bool = Field(
        description="False for a message whose sender could not even be read, and for the part of a "
        "batch Bundle left out while the rest of it was filed (the sender sends that part again)."
    )


class QuarantinePage(ResponseModel):
    messages: list[QuarantinedMessage]
    next_cursor: str | None


class QuarantineOutcome(ResponseModel):
    id: str
    status: Literal["replayed", "dismissed"]


# As a sender writes an assigning authority: a namespace id, an OID, a FHIR system URI.
SentAuthority = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256, pattern=r"^[^\x00-\x1f|^~&\\]+$")
]


class AuthorityDeclaration(RequestModel):
    sent_as: SentAuthority = Field(
        description='The authority as the sender writes it: an HL7 CX.4 namespace id ("MRN"), an OID '
        "(CX.4.2; written with or without urn:oid:) or a FHIR Identifier.system."
    )
    authority: Authority = Field(description="The organization's authority it stands for, such as AMC-MRN.")


class DeclaredAuthority(ResponseModel):
    sent_as: str = Field(description="As the sender writes it; an OID as urn:oid:<oid>.")
    authority: str


# A code as the sender writes it, with its coding system: "<system>|<code>" (HL7 CWE.3 and CWE.1, or
# a FHIR Coding's system and code).
SentCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=300, pattern=r"^[^\x00-\x1f|]+\|[^\x00-\x1f]+$"),
]
CodeCategory = Literal["lab", "pathology", "imaging", "vital_signs", "other"]


class CategoryCode(RequestModel):
    code: SentCode = Field(
        description='"<system>|<code>", both as the sender writes them: an HL7 coding system ("L", "99LAB", "LN") '
        'or a FHIR system URI, then the code, e.g. "99LAB|SURGPATH".'
    )
    category: CodeCategory = Field(
        description="What a report with this order or observation code is: vital_signs moves its readings to the "
        "health summary's vital signs section."
    )


class CategoryCodeShown(ResponseModel):
    code: str = Field(description='"<system>|<code>" as the sender writes them.')
    category: CodeCategory


class FeedSourceChange(RequestModel):
    default_authority: Authority | None = Field(
        None,
        description="The assigning authority of the sender's bare identifiers (no CX.4; type MR); null for none. "
        "The sender's identifiers that name it are declared as it too.",
    )
    authorities: Annotated[list[AuthorityDeclaration], Field(max_length=50)] = Field(
        default_factory=list,
        description="Which of the organization's authorities the sender's own names stand for. A local name the "
        "sender uses and nobody declared stays the sender's own: another sender's \"MRN\" is another patient's. "
        "Universal ids (OIDs, URIs) need no declaration unless the organization knows them by another name.",
    )
    category_codes: Annotated[list[CategoryCode], Field(max_length=200)] = Field(
        default_factory=list,
        description="What the sender's own order and observation codes are. A report whose order code or any line's "
        "code is listed takes that category, above what its section or LOINC codes say; pathology wins if any of "
        "them is pathology (and waits as the release policy says pathology does).",
    )
    files_test_messages: bool = Field(
        False,
        description="File the sender's training (MSH-11 T), debugging (D) and HTEST-tagged messages "
        "instead of quarantining them. Refused in production, where they are never filed.",
    )


class FeedSource(ResponseModel):
    source_id: str = Field(description="The sender, base64url-encoded without padding: its name in paths.")
    sender: str
    default_authority: str | None
    authorities: list[DeclaredAuthority]
    category_codes: list[CategoryCodeShown]
    files_test_messages: bool = Field(description="Whether its test messages are filed (never in production).")


class FeedSources(ResponseModel):
    feed_sources: list[FeedSource]


# -- possible mismatches: messages held for staff ---------------------------------------------------


class SentIdentifierShown(ResponseModel):
    authority: str | None = Field(description="As the message writes it (an OID as urn:oid:<oid>); null for none.")
    value: str
    type: str


class MessagePatient(ResponseModel):
    """The patient as the held message describes them (read again from the archived original)."""

    family_name: str
    previous_family_names: list[str] = Field(description="Earlier family names the message records (maiden, birth).")
    given_names: list[str]
    birth_date: str | None
    sex: Sex | None
    identifiers: list[SentIdentifierShown]


class HeldMessage(ResponseModel):
    id: str = Field(description="The message's id in paths.")
    sender: str
    control_id: str
    message_type: str | None
    received_at: datetime
    differs: list[Literal["birth_date", "family_name"]] = Field(
        description="What the message says differently from the matched patient."
    )
    patient: PatientSummary = Field(description="The patient the message's identifiers name, as the portal holds them.")
    message_patient: MessagePatient | None = Field(
        description="The patient as the message describes them; null when the original can no longer be read."
    )


class HeldMessages(ResponseModel):
    mismatches: list[HeldMessage] = Field(description="Newest first; the 50 newest.")


class MismatchDecision(RequestModel):
    decision: Literal["same_patient", "another_patient", "not_filed"] = Field(
        description="same_patient: file it under the matched patient and take its demographics; another_patient: "
        "file its records under patient_id instead (no identifier or demographic moves); not_filed: dismiss it."
    )
    patient_id: RecordId | None = Field(None, description="another_patient only: the patient to file it under.")


class MismatchOutcome(ResponseModel):
    id: str
    status: Literal["refiled", "dismissed"]
