"""The API's contract types: request and response models, and turning a request into them.

Every route declares its body, its query parameters and each response it gives as pydantic
models (see ``http.routing.route``); the OpenAPI document is generated from those declarations
(``http.openapi``), so what the API accepts, what it answers and what it documents are one thing.

Request models refuse unknown fields (mass assignment), bound every string and list, and check
formats; a refusal is ``400 validation_failed`` with one ``details`` entry per field. Response
models forbid unknown fields too: on the local stack (and so in every test) each answer is
checked against its declared model, so a response that drifts from the document fails loudly
there instead of surprising a client in production (where the check is skipped: it costs time
and the tests have already made it).

Models are built lazily (``defer_build``): defining them costs almost nothing at import, which
is the Lambda cold start; a model builds its validator the first time it is used.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from chalicelib.errors import ValidationFailed

# -- bases ----------------------------------------------------------------------------------------


class RequestModel(BaseModel):
    """A request body or query string: unknown fields refused, values as given (no coercion of
    numbers into text or of text into booleans)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, strict=True)


class QueryModel(BaseModel):
    """Query parameters arrive as text; numbers in them are converted (``?limit=20``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ResponseModel(BaseModel):
    """A response body. Unknown fields are refused so that the checked answer and the document
    cannot drift apart."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


# -- field types ----------------------------------------------------------------------------------

# Ids the portal hands out: 32 hex digits (kernel.keys.RECORD_ID).
RecordId = Annotated[str, StringConstraints(min_length=32, max_length=32, pattern=r"^[0-9a-f]{32}$")]

# A secret a person types or pastes (a code, a token): bounded, never echoed in an error.
Secret = Annotated[str, StringConstraints(min_length=1, max_length=512)]

# An email address, checked for shape only: whether it is deliverable is learnt by sending to it.
# (The full RFC 5321 grammar accepts addresses no mail system delivers to; this is what staff and
# patients type.)
# The one grammar of an address in the portal (services that take one from elsewhere use it too).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f]{1,64}@[^@\s\x00-\x1f]{1,255}\.[^@\s\x00-\x1f]{2,63}$"
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=254, pattern=EMAIL_PATTERN)]

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_day(value: Any) -> Any:
    """Only YYYY-MM-DD: pydantic alone reads a number (0) or a midnight timestamp as a date, and a
    birth date of 1970-01-01 would be stored from a client's mistake."""
    if isinstance(value, date) or (isinstance(value, str) and _ISO_DAY.fullmatch(value)):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


# A calendar day, written YYYY-MM-DD (ISO 8601) and nothing else.
Day = Annotated[date, Field(strict=False), BeforeValidator(_written_as_a_day)]


def _whole_number(value: Any) -> Any:
    """Digits only in a query string: pydantic alone would take "+20", " 20", "2_0" or "20.0"."""
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise ValueError("must be a whole number")
    return value


# A count in a query string (?limit=20).
WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


def blank_is_absent(value: Any) -> Any:
    """An emptied field of a form ("" sent for an optional value) counts as not given."""
    return None if value == "" else value


# Unicode categories a person's name never needs: controls (NUL, CR/LF, terminal escapes), format
# characters (bidirectional overrides, zero-width ones) and lone surrogates, which cannot even be
# stored as UTF-8. Shown to staff and compared at enrollment, a name must look like what it is.
_REFUSED_IN_NAMES = {"Cc", "Cf", "Cs"}


def _person_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value).strip()
    if not name:
        raise ValueError("must not be blank")
    if any(unicodedata.category(character) in _REFUSED_IN_NAMES for character in name):
        raise ValueError("may not hold control or formatting characters")
    return name


# A person's name: trimmed, normalised (NFC), 1 to 64 characters, no control or format characters.
# (Trimmed before its length is checked: a pasted name with a trailing space is still a name.)
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(_person_name)]


# -- the error shape ------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    """One thing wrong with a request, or one fact about the error. ``field`` names a request
    field, never its value. (Unknown keys are refused, so that the answers checked on the local
    stack cannot start carrying something else unseen.)"""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    field: str | None = Field(None, description="The request field (a.b.0 for nested ones).")
    issue: str | None = Field(None, description="What is wrong with it, in words.")
    attempts_left: int | None = Field(None, description="Wrong answers left before the code stops working.")
    retry_after_seconds: int | None = Field(None, description="When to try again (also the Retry-After header).")
    error_id: str | None = Field(None, description="Quote it to support: it finds the logged fault.")
    request_id: str | None = Field(
        None, description="The open request this one would repeat (409 for a second request to move a visit)."
    )


class ErrorInfo(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    code: str = Field(description="A stable machine-readable code, e.g. validation_failed, not_found.")
    message: str = Field(description="A sentence for a person; never holds the values that were sent.")
    details: list[ErrorDetail]


class ErrorBody(BaseModel):
    """The single shape of every error the API answers."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    error: ErrorInfo


# -- a page of a list -----------------------------------------------------------------------------


class PageQuery(QueryModel):
    """``limit`` and ``after`` of a paged list (the cursor is the previous page's ``next_cursor``)."""

    limit: WholeNumber = Field(20, ge=1, le=50, description="How many items at most.")
    after: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


M = TypeVar("M", bound=BaseModel)

# -- parsing --------------------------------------------------------------------------------------

# pydantic's error types, in the words the API has always used for them (and, for a pattern, in
# words: pydantic would quote the regular expression).
_ISSUES = {"extra_forbidden": "not accepted", "missing": "required"}
_REWORDED = {"string_pattern_mismatch": "is not in the expected form"}
# A body with thousands of unknown keys must not buy an answer thousands of entries long, nor a
# key of megabytes an answer that repeats it.
MAX_DETAILS = 20
MAX_FIELD_NAME = 64


def validation_failed(error: ValidationError, location: str) -> ValidationFailed:
    """One ``details`` entry per wrong field (at most MAX_DETAILS); pydantic's message says what
    was expected, and the value that was sent is never repeated (it may be a password or a
    patient's name)."""
    details: list[dict[str, Any]] = []
    problems = error.errors(include_url=False, include_input=False, include_context=False)
    for problem in problems[:MAX_DETAILS]:
        field = ".".join(str(part) for part in problem["loc"]) or location
        if len(field) > MAX_FIELD_NAME:
            field = field[: MAX_FIELD_NAME - 1] + "…"
        issue = _ISSUES.get(problem["type"]) or _REWORDED.get(problem["type"]) or problem["msg"]
        details.append({"field": field, "issue": issue})
    if len(problems) > MAX_DETAILS:
        details.append({"issue": f"{len(problems) - MAX_DETAILS} more problems not listed"})
    only_shape = all(problem["type"] in _ISSUES for problem in problems)
    message = "The request has missing or unexpected fields." if only_shape else f"The {location} is not valid."
    return ValidationFailed(message, details)


def parse_body(model: type[M], raw: Any) -> M:
    """The JSON body as ``model``; a body that is not a JSON object is refused as such."""
    if not isinstance(raw, dict):
        raise ValidationFailed("The request body must be a JSON object.", [{"field": "body", "issue": "not an object"}])
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise validation_failed(error, "request body") from None


def parse_query(model: type[M], raw: Any) -> M:
    """Query parameters as ``model``. A name given twice counts once (the last value), as API
    Gateway's single-value parameters do."""
    try:
        return model.model_validate(dict(raw or {}))
    except ValidationError as error:
        raise validation_failed(error, "query string") from None
