"""Domain errors and their single mapping to HTTP.

Services raise these; nothing below the routes knows about HTTP. ``to_http`` is the only place
a domain error becomes a status code, and the route wrapper (chalicelib/http/routing.py) is the only
place that calls it. Messages are written for the caller and must never carry PHI values: say
which field was wrong, not what it contained.
"""

from __future__ import annotations

from typing import Any


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


class ValidationFailed(PortalError):
    """The request was understood but its content is wrong (bad field, missing field, bad format)."""

    code = "validation_failed"


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
