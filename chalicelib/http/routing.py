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
from typing import Any, Callable

from chalice import Blueprint, Response
from chalice.app import ChaliceViewError

from chalicelib.errors import PortalError, error_body, to_http
from chalicelib.observability import log_exception

ACCESS_ATTRIBUTE = "__portal_access__"


class Access(enum.Enum):
    PUBLIC = "public"  # no sign-in: health, index
    LOCAL_DEV = "local_dev"  # developer tools that answer 404 outside the local stage


def route(blueprint: Blueprint, path: str, *, access: Access, methods: tuple[str, ...] = ("GET",), **options: Any):
    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return view(*args, **kwargs)
            except PortalError as error:
                status, body = to_http(error)
                return Response(body=body, status_code=status)
            except ChaliceViewError:
                raise  # chalice's own 4xx (bad JSON ...): the envelope reshapes it
            except Exception as error:  # last-resort handler: log an id, reveal nothing
                error_id = log_exception(f"{path}", error)
                return internal_error(error_id)

        setattr(guarded, ACCESS_ATTRIBUTE, access)
        blueprint.route(path, methods=list(methods), **options)(guarded)
        return guarded

    return register


def internal_error(error_id: str) -> Response:
    body = error_body("internal_error", "Something went wrong on our side. Quote this id if you contact support.",
                      [{"error_id": error_id}])
    return Response(body=body, status_code=500)


def access_rule(view: Callable[..., Any]) -> Access | None:
    return getattr(view, ACCESS_ATTRIBUTE, None)
