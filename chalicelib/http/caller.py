"""The caller of a request, as the session authorizer put it in the request context."""

from __future__ import annotations

from chalice.app import Request

from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin


def origin_of(request: Request) -> Origin:
    context = request.context or {}
    return Origin(
        source_ip=(context.get("identity") or {}).get("sourceIp") or "", correlation_id=context.get("requestId") or ""
    )


def caller_of(request: Request) -> Caller | None:
    context = request.context or {}
    claims = context.get("authorizer") or {}
    if not claims.get("account_id") or not claims.get("session_id"):
        return None
    origin = origin_of(request)
    return Caller(
        account_id=claims["account_id"],
        role=claims.get("role", ""),
        organization_id=claims.get("organization_id", ""),
        patient_id=claims.get("patient_id", ""),
        session_id=claims["session_id"],
        restriction=claims.get("restriction", ""),
        source_ip=origin.source_ip,
        correlation_id=origin.correlation_id,
    )


def signed_in_caller(request: Request) -> Caller:
    """The caller of a signed-in route (the envelope has already refused a request without one)."""
    from chalicelib.errors import NotAuthenticated

    caller = caller_of(request)
    if caller is None:
        raise NotAuthenticated("Sign in first.")
    return caller


def signed_in(request: Request) -> tuple[Caller, Origin]:
    """The caller and origin of a signed-in route's request, the two things every service takes."""
    return signed_in_caller(request), origin_of(request)
