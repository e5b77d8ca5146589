"""Route registration with a mandatory access rule.

Every route is declared through ``route(blueprint, path, access=...)``. The rule is stored on the
view so that the request envelope can refuse a route that has none (deny by default) and a test
can list every route of the app and fail on one without a rule.

The view wrapper is also where domain errors become HTTP: chalice turns any exception a view
raises into its own 500 body before middleware sees it, so the mapping has to happen here.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response
from chalice.app import ChaliceViewError

from chalicelib.errors import PortalError, ValidationFailed, error_body, to_http
from chalicelib.observability import log_exception

ACCESS_ATTRIBUTE = "__portal_access__"
RESTRICTED_ATTRIBUTE = "__portal_while_restricted__"


class Access(enum.Enum):
    PUBLIC = "public"  # no sign-in: health, index, sign-in, enrollment, recovery
    LOCAL_DEV = "local_dev"  # developer tools that answer 404 outside the local stage
    SIGNED_IN = "signed_in"  # any signed-in account: its own profile, sign-out
    PATIENT = "patient"  # patient accounts (their own records and those they act for)
    STAFF = "staff"  # staff and admins of an organization
    ADMIN = "admin"  # admins only

    @property
    def needs_session(self) -> bool:
        return self not in (Access.PUBLIC, Access.LOCAL_DEV)

    def admits(self, role: str) -> bool:
        allowed = {
            Access.SIGNED_IN: ("patient", "staff", "admin"),
            Access.PATIENT: ("patient",),
            Access.STAFF: ("staff", "admin"),
            Access.ADMIN: ("admin",),
        }
        return role in allowed.get(self, ())


def route(
    blueprint: Blueprint,
    path: str,
    *,
    access: Access,
    methods: tuple[str, ...] = ("GET",),
    while_restricted: tuple[str, ...] = (),
    **options: Any,
):
    """Declare a view. ``while_restricted`` names the session restrictions (identity.domain.
    Restriction values: "terms", "second_factor_setup") under which the route still answers:
    a session that must first accept the terms may read them and accept them, nothing else."""
    if access.needs_session:
        from chalicelib.identity.authorizer import session_authorizer

        options["authorizer"] = session_authorizer

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except PortalError as error:
                status, body = to_http(error)
                return Response(body=body, status_code=status, headers=dict(error.headers))
            except ChaliceViewError:
                raise  # chalice's own 4xx (bad JSON ...): the envelope reshapes it
            except RecursionError:
                # json.loads of a body nested thousands deep (chalice's json_body): the caller's fault
                status, body = to_http(ValidationFailed("The JSON body is nested too deeply."))
                return Response(body=body, status_code=status)
            except Exception as error:  # last-resort handler: log an id, reveal nothing
                error_id = log_exception(f"{path}", error)
                return internal_error(error_id)

        setattr(guarded, ACCESS_ATTRIBUTE, access)
        setattr(guarded, RESTRICTED_ATTRIBUTE, frozenset(while_restricted))
        blueprint.route(path, methods=list(methods), **options)(guarded)
        return guarded

    return register


def internal_error(error_id: str) -> Response:
    body = error_body(
        "internal_error",
        "Something went wrong on our side. Quote this id if you contact support.",
        [{"error_id": error_id}],
    )
    return Response(body=body, status_code=500)


def access_rule(view: Callable[..., Any]) -> Access | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)


def allowed_restrictions(view: Callable[..., Any]) -> frozenset[str]:
    return getattr(view, RESTRICTED_ATTRIBUTE, frozenset())
