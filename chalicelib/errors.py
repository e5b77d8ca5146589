"""Domain errors and their single mapping to HTTP.

Services raise these; nothing below the routes knows about HTTP. ``to_http`` is the only place
a domain error becomes a status code, and the route wrapper (chalicelib/http/routing.py) is the only
place that calls it. Messages are written for the caller and must never carry PHI values: say
which field was wrong, not what it contained.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class PortalError(Exception):
    """Base of every error a caller may be told about."""

    code = "error"

    def __init__(
        self,
        message: str,
        details: list[dict[str, Any]] | None = None,
        *,
        code: str = "",
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.details = details or []
        if code:
            self.code = code  # a more precise code than the class's, e.g. "terms_acceptance_required"
        self.headers = headers or {}


# One thing wrong with a request: the field (a.b.0 for a nested one) and what is wrong with it, in
# words (never the value that was sent).
Problem = tuple[str, str]

SOME_ANSWERS = "Some answers need another look."


class ValidationFailed(PortalError):
    """The request was understood but its content is wrong (bad field, missing field, bad format).

    Every detail that names a field says what is wrong with it (``issue``): in its own words, or
    else in the error's message, which is then about that field. So a client can always show a
    sentence next to each field named."""

    code = "validation_failed"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None, *, code: str = ""):
        worded = [
            {**detail, "issue": message} if detail.get("field") and not detail.get("issue") else detail
            for detail in details or []
        ]
        super().__init__(message, worded, code=code)

    @classmethod
    def of(cls, *problems: Problem, message: str = SOME_ANSWERS) -> ValidationFailed:
        """``ValidationFailed.of(("email", "not an email address"), ("birth_date", "in the future"))``."""
        return cls(message, [{"field": field, "issue": issue} for field, issue in problems])


class Problems:
    """Every problem of a request, answered at once: a service checks each independent field and
    raises one ValidationFailed naming them all, instead of stopping at the first (a person fixes
    a form in one go, not one field per try).

    ``gather`` runs a check that raises ValidationFailed and keeps its details, under ``prefix``
    for a nested place (``identifiers.0.``); ``add`` records one problem. ``raise_if_any`` raises:
    with the one problem's own sentence when there is one, with ``message`` when there are several."""

    def __init__(self) -> None:
        self.details: list[dict[str, Any]] = []
        self._messages: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.details)

    def add(self, field: str, issue: str, message: str = "") -> None:
        self.details.append({"field": field, "issue": issue})
        self._messages.append(message or issue)

    def gather(self, check: Callable[..., T], *args: Any, prefix: str = "", **kwargs: Any) -> T | None:
        try:
            return check(*args, **kwargs)
        except ValidationFailed as error:
            for detail in error.details or [{"issue": error.message}]:
                if prefix and detail.get("field"):
                    detail = {**detail, "field": prefix + detail["field"]}
                self.details.append(detail)
            self._messages.append(error.message)
            return None

    def raise_if_any(self, message: str = SOME_ANSWERS) -> None:
        if self.details:
            raise ValidationFailed(self._messages[0] if len(self._messages) == 1 else message, self.details)


class NotAuthenticated(PortalError):
    code = "not_authenticated"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None, *, code: str = ""):
        super().__init__(message, details, code=code, headers={"WWW-Authenticate": "Bearer"})  # RFC 9110: every 401


class Forbidden(PortalError):
    code = "forbidden"


class NotFound(PortalError):
    """Also the answer to a read outside the caller's patients: never reveal that it exists."""

    code = "not_found"


class Conflict(PortalError):
    code = "conflict"


class Unprocessable(PortalError):
    """A well-formed request that contradicts an earlier one (an Idempotency-Key reused for another body)."""

    code = "unprocessable"


class TooManyRequests(PortalError):
    code = "too_many_requests"

    def __init__(self, message: str, retry_after_seconds: int):
        super().__init__(
            message,
            [{"retry_after_seconds": retry_after_seconds}],
            headers={"Retry-After": str(max(1, retry_after_seconds))},
        )


class DependencyUnavailable(PortalError):
    """A backing service (DynamoDB, S3, SES ...) failed; the caller may retry later."""

    code = "service_unavailable"


_STATUS = {
    ValidationFailed: 400,
    NotAuthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    Unprocessable: 422,
    TooManyRequests: 429,
    DependencyUnavailable: 503,
}


def to_http(error: PortalError) -> tuple[int, dict[str, Any]]:
    """Status code and body ``{"error": {"code", "message", "details"}}`` for a domain error."""
    status = next((s for cls, s in _STATUS.items() if isinstance(error, cls)), None)
    if status is None:
        # An error class without a status is a programming mistake: the server's fault, and a 5xx
        # reveals nothing of it.
        return 500, error_body("internal_error", "Something went wrong on our side.")
    return status, error_body(error.code, error.message, error.details)


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}
