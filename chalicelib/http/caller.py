"""The caller of a request, as the request envelope's session check established it.

The envelope (http/envelope.py) checks the session of every route whose access rule needs one and
keeps the caller it found on the request; it clears that place first on every request, so a caller
is only ever the one its own check found (nothing the gateway or a client sent can stand in)."""

from __future__ import annotations

import dataclasses

from chalice.app import Request

from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin


def origin_of(request: Request) -> Origin:
    context = request.context or {}
    return Origin(
        source_ip=(context.get("identity") or {}).get("sourceIp") or "", correlation_id=context.get("requestId") or ""
    )


# Where the envelope keeps the checked caller: a key of the request's context that API Gateway
# never writes (its own "authorizer" key is left alone and never read).
_CHECKED_CALLER = "portal_checked_caller"


def forget_caller(request: Request) -> None:
    """Clear the caller (the envelope does it first on every request)."""
    if request.context is not None:
        request.context.pop(_CHECKED_CALLER, None)


def admit_caller(request: Request, caller: Caller) -> None:
    """Keep the caller the session check found, for the route and the services it calls."""
    if request.context is None:
        request.context = {}
    request.context[_CHECKED_CALLER] = caller


def caller_of(request: Request) -> Caller | None:
    checked = (request.context or {}).get(_CHECKED_CALLER)
    if not isinstance(checked, Caller):
        return None
    origin = origin_of(request)
    return dataclasses.replace(checked, source_ip=origin.source_ip, correlation_id=origin.correlation_id)


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
