"""What the check-in routes take and give (see kernel/contract.py): the forms and visit types
admins keep, and the signing of a form.

A form's ``sha256`` is the lower-case hex SHA-256 of the UTF-8 of its title, two line breaks and its
body: what the patient reads is what is hashed, so a signature names exactly the text it agreed to.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, StringConstraints

from chalicelib.access.acting_contract import ActingPerson
from chalicelib.kernel.contract import RequestModel, ResponseModel

MAX_FORM_TITLE = 150
MAX_FORM_BODY = 20_000
MAX_VISIT_TYPE_NAME = 200
MAX_FORMS_PER_VISIT_TYPE = 10
MAX_TYPED_NAME = 200
# A drawn signature is at most 200 KB decoded (checkin.signed_form.MAX_SIGNATURE_BYTES); base64
# makes four characters of three bytes.
MAX_SIGNATURE_BASE64 = (200 * 1024 + 2) // 3 * 4

FormKind = Literal["consent_to_treat", "privacy_notice", "financial_policy", "other"]
FORM_ID_PATTERN = r"^[0-9a-f]{32}$"
# A visit type's id is a slug the admin chooses: readable in a URL and in the audit trail.
VISIT_TYPE_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


def _text(value: str) -> str:
    """Text patients read and sign: no control, format or surrogate characters (they could hide or
    reorder what is shown); line breaks and tabs as typed."""
    for character in value:
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line")
    return value


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


FormTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_FORM_TITLE),
    AfterValidator(_text),
    AfterValidator(_one_line),
    AfterValidator(_required),
]
# Not stripped: the body is hashed as the admin wrote it (trailing spaces aside, which the
# service trims on each line so that a stray space cannot make two identical-looking versions).
FormBody = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_FORM_BODY), AfterValidator(_text), AfterValidator(_required)
]
FormId = Annotated[str, StringConstraints(min_length=32, max_length=32, pattern=FORM_ID_PATTERN)]
VisitTypeName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_VISIT_TYPE_NAME),
    AfterValidator(_text),
    AfterValidator(_one_line),
    AfterValidator(_required),
]
TypedName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TYPED_NAME),
    AfterValidator(_text),
    AfterValidator(_one_line),
    AfterValidator(_required),
]
Sha256 = Annotated[str, StringConstraints(min_length=64, max_length=64, pattern=SHA256_PATTERN)]
SignaturePng = Annotated[
    str, StringConstraints(min_length=8, max_length=MAX_SIGNATURE_BASE64, pattern=r"^[A-Za-z0-9+/]+={0,2}$")
]


# -- forms ----------------------------------------------------------------------------------------


class FormVersion(ResponseModel):
    version: int
    sha256: str = Field(description="SHA-256 (hex) of the UTF-8 of the version's title + two line breaks + body.")
    created_at: str
    created_by: str = Field(description="The display name of the admin who wrote the version.")


class FormTemplate(ResponseModel):
    form_id: str
    title: str
    kind: FormKind
    version: int = Field(description="The current version: the one patients read and sign.")
    body: str = Field(description="Plain text; paragraphs are split by blank lines.")
    sha256: str = Field(description="SHA-256 (hex) of the UTF-8 of title + two line breaks + body.")
    active: bool = Field(description="An inactive form is no longer asked for at check-in.")
    updated_at: str
    versions: list[FormVersion] = Field(description="Every version, oldest first; never edited or deleted.")


class FormList(ResponseModel):
    forms: list[FormTemplate] = Field(description="By title.")


class NewForm(RequestModel):
    title: FormTitle = Field(description=f"1 to {MAX_FORM_TITLE} characters, one line.")
    kind: FormKind
    body: FormBody = Field(description=f"Plain text, 1 to {MAX_FORM_BODY} characters; paragraphs split by blank lines.")


class NewFormVersion(RequestModel):
    title: FormTitle = Field(description=f"1 to {MAX_FORM_TITLE} characters, one line.")
    body: FormBody = Field(description=f"Plain text, 1 to {MAX_FORM_BODY} characters.")


class FormActive(RequestModel):
    active: bool


# -- visit types ----------------------------------------------------------------------------------


class VisitType(ResponseModel):
    visit_type_id: str
    name: str = Field(
        description='Matched case-insensitively with the appointment\'s type as the scheduler sent it; "*" is any '
        "visit not otherwise listed."
    )
    form_ids: list[str] = Field(description="The forms asked for, in this order (inactive ones are skipped).")
    questionnaire: dict[str, Any] | None = Field(description="A FHIR R4 Questionnaire, or null for none.")
    updated_at: str


class VisitTypeList(ResponseModel):
    visit_types: list[VisitType] = Field(description='By name ("*" last).')


class VisitTypeChange(RequestModel):
    name: VisitTypeName = Field(description=f'1 to {MAX_VISIT_TYPE_NAME} characters; "*" for any visit not listed.')
    form_ids: list[FormId] = Field(max_length=MAX_FORMS_PER_VISIT_TYPE, description="0 to 10 of the forms' ids.")
    questionnaire: dict[str, Any] | None = Field(
        description="A FHIR R4 Questionnaire (flat items of type string, text, boolean, date, integer, choice or "
        "display), or null."
    )


# -- signing --------------------------------------------------------------------------------------


class SignForm(RequestModel):
    version: int = Field(ge=1, le=1_000_000, description="The version of the form the patient read.")
    sha256: Sha256 = Field(description="Its sha256, as the check-in gave it.")
    typed_name: TypedName = Field(description=f"The patient's full name as typed (1 to {MAX_TYPED_NAME} characters).")
    signature_png: SignaturePng | None = Field(
        None, description="The drawn signature: a base64 PNG of at most 200 KB decoded and 2000 x 1000 pixels, or null."
    )
    agree: Literal[True] = Field(description="Always true: the patient ticked that they agree.")


class SignedForm(ResponseModel):
    document_id: str
    form_id: str
    title: str
    version: int
    form_sha256: str = Field(description="The SHA-256 of the form version signed.")
    signed_at: str
    signed_name: str = Field(
        description="The full name as typed: the patient's, or the proxy's own when someone acting for them signed."
    )
    has_drawn_signature: bool
    signature: str = Field(
        description='Who signed, in words: "Signed by Emma Rivera", or "Signed by Luis Rivera (parent) for Emma Rivera".'
    )
    signed_by: ActingPerson | None = Field(
        None, description="Who signed, when someone acting for the patient under a proxy grant did; null otherwise."
    )
    pdf_sha256: str = Field(description="The SHA-256 (hex) of the stored PDF.")
    size_bytes: int
    appointment_id: str | None = Field(None, description="The visit it was signed for.")


class SignedFormDownload(SignedForm):
    download_url: str = Field(description="A presigned GET of the PDF, good for 5 minutes.")
