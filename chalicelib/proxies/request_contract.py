"""What the proxy request routes take and give (see kernel/contract.py): the requester's request
with its documents and the signed form, and staff's review of it."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from chalicelib.kernel.contract import Day, PersonName, QueryModel, RecordId, RequestModel, ResponseModel, WholeNumber
from chalicelib.patients.contract import PatientSummary
from chalicelib.proxies.grant_contract import ProxyGrantView
from chalicelib.records.contract import NEXT_CURSOR

RelationshipName = Literal["parent", "guardian_of_minor", "guardian_of_adult", "health_care_agent", "trusted_person"]
AccessName = Literal["full", "read_only"]
# The areas a grant may cover (never the access log nor the list of the patient's proxies).
AreaName = Literal["results", "documents", "health_summary", "messages", "appointments", "medications"]
DocumentKindName = Literal["birth_certificate", "court_order", "letters_of_guardianship", "power_of_attorney", "other"]
RequestStatusName = Literal["draft", "submitted", "approved", "awaiting_consent", "denied", "withdrawn"]
GrantStatusName = Literal["invited", "awaiting_consent", "active", "ended", "revoked", "terminated", "declined"]
FileType = Literal["application/pdf", "image/png", "image/jpeg"]

_PHONE = re.compile(r"\+?[0-9 ()./-]{7,30}( ?(x|ext\.?) ?[0-9]{1,6})?")
_ORGANIZATION = r"^[a-z0-9][a-z0-9-]{0,63}$"
# A drawn signature: a PNG of at most 200 KB (the signed PDF's limit), base64.
MAX_SIGNATURE_BASE64 = 280_000


def _phone(value: str) -> str:
    if value and not _PHONE.fullmatch(value):
        raise ValueError("must be a phone number: digits, spaces, + ( ) - . and an optional extension")
    return value


def _file_name(value: str) -> str:
    if any(ord(c) < 32 or ord(c) == 127 for c in value) or "/" in value or "\\" in value:
        raise ValueError("must be a file name, without folders or control characters")
    return value


def _text(value: str) -> str:
    """Text staff and requesters read: no control, format or surrogate characters (they could hide
    or reorder what is shown); line breaks and tabs as typed."""
    for character in value:
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    return value


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), AfterValidator(_text)]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_text),
    AfterValidator(_required),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_phone)]
FileName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_file_name)
]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64, pattern=r"^[A-Za-z0-9._/-]*$")]


class RequestedPatient(RequestModel):
    given_name: PersonName
    family_name: PersonName
    birth_date: Day
    identifier: Identifier = Field("", description="The patient's record number at the organization, if known.")


class NewProxyRequest(RequestModel):
    organization_id: Annotated[str, StringConstraints(max_length=64, pattern=_ORGANIZATION)]
    patient: RequestedPatient
    relationship: RelationshipName = Field(
        description="parent or guardian_of_minor (a child under 12), guardian_of_adult (court-ordered) or "
        "health_care_agent (power of attorney). A trusted person is invited by the patient instead."
    )
    requester_name: PersonName = Field(description="The requester's full name, as they will type it to sign.")
    requester_phone: Phone = ""
    access: AccessName = "full"
    areas: list[AreaName] | None = Field(None, max_length=6, description="An adult's grant may cover fewer areas.")
    note: Note = ""


class NewProxyDocument(RequestModel):
    kind: DocumentKindName
    file_name: FileName
    content_type: FileType
    size: int = Field(ge=1, description="Bytes: at most 10 MB.")


class SignProxyRequest(RequestModel):
    typed_name: PersonName = Field(description="The requester's full name, as in requester_name.")
    signature_png: Annotated[str, StringConstraints(max_length=MAX_SIGNATURE_BASE64)] | None = Field(
        None, description="The drawn signature, a base64 PNG; may be left out (the typed name signs)."
    )
    agreed: bool = Field(description="The requester read the form and agrees: must be true.")
    form_version: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class ProxyRequestForm(ResponseModel):
    version: str
    title: str
    text: str


class ProxyDocument(ResponseModel):
    document_id: str
    kind: DocumentKindName
    file_name: str
    content_type: FileType
    size: int
    status: Literal["waiting", "ready", "refused"]
    problem: str | None = Field(description="Why a refused file was refused, in words.")


class UploadForm(ResponseModel):
    url: str = Field(description="POST the file here as multipart/form-data, after every field.")
    fields: dict[str, str]


class ProxyDocumentStarted(ResponseModel):
    document: ProxyDocument
    upload: UploadForm
    expires_at: str
    max_bytes: int


class RequestedPatientShown(ResponseModel):
    given_name: str
    family_name: str
    birth_date: str
    identifier: str | None


class ProxyRequest(ResponseModel):
    request_id: str
    status: RequestStatusName
    organization_id: str
    organization_name: str
    relationship: RelationshipName
    patient: RequestedPatientShown
    requester_name: str
    requester_phone: str | None
    access: AccessName
    areas: list[AreaName] | None
    note: str | None
    documents: list[ProxyDocument]
    signed_at: str | None
    submitted_at: str | None
    decided_at: str | None
    decision_reason: str | None = Field(
        description="Why it was denied: staff's words, or that the patient did not agree."
    )
    grant_id: str | None
    created_at: str


class ProxyRequestList(ResponseModel):
    requests: list[ProxyRequest]


class StaffProxyDocument(ProxyDocument):
    link_path: str | None = Field(description="GET it for a five-minute link to the file (ready files only).")


class Requester(ResponseModel):
    account_id: str
    username: str
    email_on_file: bool


class StaffProxyRequest(ProxyRequest):
    documents: list[StaffProxyDocument]  # type: ignore[assignment]
    requester: Requester
    matched_patient: PatientSummary | None
    patient_age: int | None = Field(description="Today, from the matched record's birth date (else the one given).")
    signed_form_link_path: str | None


class StaffProxyRequestPage(ResponseModel):
    requests: list[StaffProxyRequest]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class StaffProxyQueueQuery(QueryModel):
    queue: Literal["to_do", "done"] = Field(
        "to_do", description="to_do: submitted, oldest first; done: decided or withdrawn, newest first."
    )
    limit: Annotated[WholeNumber, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=1024)] = ""


class FileLink(ResponseModel):
    url: str
    expires_at: str


class MatchProxyRequest(RequestModel):
    patient_id: RecordId | None = None
    mrn: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None = None


class ApproveProxyRequest(RequestModel):
    access: AccessName
    areas: list[AreaName] | None = Field(None, max_length=6, description="An adult's grant only; a child's covers all.")
    ends_at: Day | None = Field(None, description="The last day of access (default: a year for an adult).")
    patient_can_consent: bool = Field(description="An adult who can decide: the grant waits for their consent.")


class DenyProxyRequest(RequestModel):
    reason: Reason


class ApprovedProxyRequest(ResponseModel):
    request: StaffProxyRequest
    grant: ProxyGrantView
