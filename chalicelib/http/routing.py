"""Route registration with a mandatory access rule.

Every route is declared through ``route(blueprint, path, access=...)``. The rule is stored on the
view so that the request envelope can refuse a route that has none (deny by default), check the
session of one whose rule needs it, and a test can list every route of the app and fail on one
without a rule. No route names a gateway authorizer: the envelope's check is the only one.

The declaration also holds the route's contract (``RouteContract``): its body and query models,
which it parses before the view runs and hands to it as ``body=`` and ``query=``, and the model
of each response it gives, from which http/openapi.py writes the API's document.

The view wrapper is also where domain errors become HTTP: chalice turns any exception a view
raises into its own 500 body before middleware sees it, so the mapping has to happen here.
"""

from __future__ import annotations

import enum
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response
from chalice.app import ChaliceViewError
from pydantic import BaseModel, ValidationError

from chalicelib.errors import PortalError, ValidationFailed, error_body, to_http
from chalicelib.kernel.contract import MAX_DETAILS, MAX_FIELD_NAME, ErrorBody, parse_body, parse_query
from chalicelib.observability import log_exception, logger

ACCESS_ATTRIBUTE = "__portal_access__"
RESTRICTED_ATTRIBUTE = "__portal_while_restricted__"
CONTRACT_ATTRIBUTE = "__portal_contract__"


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


# A redirect's answer (media=): an empty body, the link in the Location header (http/openapi.py
# documents the header for every 3xx).
REDIRECT = (
    "text/plain",
    {"type": "string", "maxLength": 0, "description": "Empty: the Location header holds the link."},
)


@dataclass(frozen=True)
class RouteContract:
    """What a route takes and gives, declared once beside it.

    ``responses`` maps each success status to the model of its body (None: no body, as a 204);
    ``errors`` lists the error statuses the route's own logic answers (each with the one error
    shape). The statuses every route may give are added by ``error_statuses``.
    """

    access: Access
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: Mapping[int, type[BaseModel] | None] = field(default_factory=dict)
    errors: tuple[int, ...] = ()
    tag: str = ""
    summary: str = ""
    description: str = ""
    # A success answered in other media types than JSON (a page, a file): status -> {type: schema}
    media: Mapping[int, dict[str, dict[str, Any]]] = field(default_factory=dict)
    path_parameters: tuple[str, ...] = ()
    # JSON schemas of path parameters beyond what http/openapi.py knows of every id (a fixed list)
    path_schemas: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    # Honours the Idempotency-Key header (http/idempotency.py): a creating POST a double click
    # or a retry must not do twice.
    idempotent: bool = False
    # A form body (application/x-www-form-urlencoded), as OAuth's endpoints take: the model
    # documents it; the view gets the parameters as sent (``form=``: name -> values) and answers
    # a wrong one in its own protocol's error shape.
    form: type[BaseModel] | None = None

    def error_statuses(self) -> tuple[int, ...]:
        """Every error status the route can answer: its own, its access rule's, and those any
        route may give (a refused body, an outage, a fault)."""
        # 400: a body or query string the route refuses (a route without a query model refuses
        # any query string, one without a body model any body but none or {}); 415: a body that
        # is not sent as JSON.
        statuses = set(self.errors) | {400, 415, 500, 503}
        if self.idempotent:
            statuses |= {409, 422}
        if self.path_parameters:
            statuses.add(404)
        if self.access.needs_session:
            statuses |= {401, 403}
        if self.access is Access.LOCAL_DEV:
            statuses.add(404)
        return tuple(sorted(statuses))


# Whether answers are checked against their declared models (the local stack and the tests: see
# http.contract). Set once by app.py; a function so that it reads the settings at call time.
_response_checks: Callable[[], bool] = lambda: False  # noqa: E731


def check_responses_when(predicate: Callable[[], bool]) -> None:
    global _response_checks
    _response_checks = predicate


def route(
    blueprint: Blueprint,
    path: str,
    *,
    access: Access,
    methods: tuple[str, ...] = ("GET",),
    while_restricted: tuple[str, ...] = (),
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    responses: Mapping[int, type[BaseModel] | None],
    errors: tuple[int, ...] = (),
    media: Mapping[int, tuple[str, dict[str, Any]] | dict[str, dict[str, Any]]] | None = None,
    path_params: Mapping[str, dict[str, Any]] | None = None,
    idempotent: bool = False,
    form: type[BaseModel] | None = None,
    **options: Any,
):
    """Declare a view and its contract.

    ``body`` and ``query`` are parsed before the view runs and handed to it as the keyword
    arguments ``body`` and ``query``; ``responses`` maps each success status to its model (None:
    no body, as a 204), required so that no route is left out of the document; ``errors`` the
    error statuses of the route's own logic; ``media`` answers that are not JSON (a page, a
    redirect); ``path_params`` JSON schemas of path parameters the document should spell out (a
    fixed list of names, say); ``idempotent`` honours the Idempotency-Key header (http/idempotency.py).
    ``while_restricted``
    names the session restrictions ("terms", "second_factor_setup") under which the route still
    answers: a session that must first accept the terms may read them and accept them, nothing else.
    """
    if form is not None:
        options.setdefault("content_types", [FORM_CONTENT_TYPE])

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        doc = (view.__doc__ or "").strip()
        summary, _, description = doc.partition("\n")
        contract = RouteContract(
            access=access,
            body=body,
            query=query,
            responses=dict(responses),
            errors=errors,
            tag=_tag_of(blueprint),
            summary=summary.strip(),
            description=" ".join(description.split()),
            media={
                status: dict([answer]) if isinstance(answer, tuple) else dict(answer)
                for status, answer in (media or {}).items()
            },
            path_parameters=tuple(part[1:-1] for part in path.split("/") if part.startswith("{")),
            path_schemas=dict(path_params or {}),
            idempotent=idempotent,
            form=form,
        )

        route_name = f"{','.join(methods)} {path}"

        def answer(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            try:
                request = blueprint.current_request
                if contract.body is not None:
                    payload = request.json_body  # chalice checks the Content-Type and the JSON syntax
                    if payload is not None:
                        _refuse_deep_nesting(payload)
                        _refuse_repeated_keys(request.raw_body)
                    kwargs["body"] = parse_body(contract.body, payload)
                if contract.query is not None:
                    kwargs["query"] = parse_query(contract.query, request.query_params)
                elif request.query_params:
                    raise ValidationFailed(
                        "This route takes no query parameters.",
                        [
                            {"field": name[:MAX_FIELD_NAME], "issue": "not accepted"}
                            for name in sorted(request.query_params)[:MAX_DETAILS]
                        ],
                    )
                if contract.form is not None:
                    kwargs["form"] = form_of(request)
                elif contract.body is None and _has_body(request):
                    raise ValidationFailed(
                        "This route takes no request body.", [{"field": "body", "issue": "not accepted"}]
                    )
                return view(*args, **kwargs)
            except PortalError as error:
                status, payload = to_http(error)
                return Response(body=payload, status_code=status, headers=dict(error.headers))
            except ChaliceViewError:
                raise  # chalice's own 4xx (bad JSON ...): the envelope reshapes it
            except RecursionError:
                # json.loads of a body nested thousands deep (chalice's json_body): the caller's fault
                status, payload = to_http(ValidationFailed(_TOO_DEEP))
                return Response(body=payload, status_code=status)
            except Exception as error:  # last-resort handler: log an id, reveal nothing
                return internal_error(log_exception(path, error))

        def answer_once(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
            """``answer``, or the kept answer of an earlier call with the same Idempotency-Key."""
            from chalicelib.http import idempotency

            request = blueprint.current_request
            try:
                key = idempotency.key_of(request.headers)
                if key is None:
                    return answer(args, kwargs)
                from chalicelib.http.caller import caller_of

                caller = caller_of(request)
                return idempotency.answer_once(
                    caller_id=caller.account_id if caller else "",
                    # the route and its path's values: one key means one resource's one request
                    route_name="|".join([route_name, *(f"{k}={v}" for k, v in sorted(kwargs.items()))]),
                    key=key,
                    raw_body=request.raw_body,
                    run=lambda: answer(args, kwargs),
                )
            except PortalError as error:
                status, payload = to_http(error)
                return Response(body=payload, status_code=status, headers=dict(error.headers))

        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            result = answer_once(args, kwargs) if contract.idempotent else answer(args, kwargs)
            if _response_checks():
                try:
                    _check_response(contract, route_name, result)
                except ContractViolation as violation:
                    # The message names the route, the field and the kind of error, never a value.
                    logger.error("answer off its declared contract", extra={"violation": str(violation)})
                    return internal_error(log_exception(path, violation))
            return result

        setattr(guarded, ACCESS_ATTRIBUTE, access)
        setattr(guarded, RESTRICTED_ATTRIBUTE, frozenset(while_restricted))
        setattr(guarded, CONTRACT_ATTRIBUTE, contract)
        blueprint.route(path, methods=list(methods), **options)(guarded)
        _register_preflight(blueprint, path)
        return guarded

    return register


# Paths that already answer OPTIONS (one preflight view per path, whichever route declares it first).
_PREFLIGHT_PATHS: set[str] = set()


def _register_preflight(blueprint: Blueprint, path: str) -> None:
    """Every path answers OPTIONS (public), so a browser's CORS preflight reaches the request
    envelope (http/cors.py), which answers it; this view only runs if it did not."""
    if path in _PREFLIGHT_PATHS:
        return
    _PREFLIGHT_PATHS.add(path)

    def preflight(**_path_parameters: str) -> Response:
        return Response(body="", status_code=204)

    preflight.__name__ = f"preflight_{len(_PREFLIGHT_PATHS)}"
    setattr(preflight, ACCESS_ATTRIBUTE, Access.PUBLIC)
    blueprint.route(path, methods=["OPTIONS"])(preflight)


MAX_JSON_DEPTH = 64  # far deeper than any contract, far below where any Python's parser gives up
_TOO_DEEP = "The JSON body is nested too deeply."


def _refuse_deep_nesting(payload: Any) -> None:
    """A body nested deeper than ``MAX_JSON_DEPTH`` is refused, with the words a body nested
    deeper than the parser goes gets (its RecursionError): where that happens differs (3.11's
    json gives up at about 1,000, 3.13's much deeper), and the answer must not. Iterative."""
    stack = [(payload, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ValidationFailed(_TOO_DEEP)
            stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))


def _refuse_repeated_keys(raw: str | bytes) -> None:
    """A key given twice in one object ({"username": "a", "username": "b"}) is refused: JSON parsers
    disagree on which one wins, and a proxy or a log that read the first would not see what the
    portal acted on."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in items]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValidationFailed(
                "A field is given more than once.",
                [{"field": key[:MAX_FIELD_NAME], "issue": "given twice"} for key in repeated[:MAX_DETAILS]],
            )
        return dict(items)

    json.loads(raw, object_pairs_hook=pairs)


FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_BYTES = 16_384


def form_of(request: Any) -> dict[str, list[str]]:
    """A form body's parameters as sent (a name may repeat); nothing for another media type, or a
    body too long or not text."""
    from urllib.parse import parse_qs

    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    raw = request.raw_body or b""
    if media != FORM_CONTENT_TYPE or len(raw) > MAX_FORM_BYTES:
        return {}
    try:
        text = raw.decode("ascii") if isinstance(raw, bytes) else raw
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=50)
    except (UnicodeDecodeError, ValueError):
        return {}


def _has_body(request: Any) -> bool:
    """A body beyond what clients send by habit with a POST that needs none (nothing, or {})."""
    raw = (request.raw_body or b"").strip()
    return raw not in (b"", b"{}", b"null")


def _tag_of(blueprint: Blueprint) -> str:
    """The capability a blueprint belongs to: chalicelib.<capability>.routes -> <capability>."""
    parts = str(getattr(blueprint, "_import_name", "")).split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "chalicelib" else parts[-1]


class ContractViolation(Exception):
    """An answer that its route's declared contract does not allow: a bug of the server's."""


def _check_response(contract: RouteContract, route_name: str, answer: Any) -> None:
    """Raise ContractViolation when ``answer`` is not what the route declares for its status.
    Only the local stack and the tests run it (see http.contract)."""
    status, payload = (answer.status_code, answer.body) if isinstance(answer, Response) else (200, answer)
    if status in contract.media:
        return
    if status in contract.responses:  # a success, or an error status with its own body (503 of a check)
        model: type[BaseModel] | None = contract.responses[status]
    elif status >= 400:
        model = ErrorBody
        if status not in contract.error_statuses():
            raise ContractViolation(f"{route_name} answered {status}, which it does not declare")
    else:
        raise ContractViolation(f"{route_name} answered {status}, which it does not declare")
    if model is None:
        if payload not in (None, "", b""):
            raise ContractViolation(f"{route_name} answered {status} with a body it declares none for")
        return
    try:
        model.model_validate_json(json.dumps(payload, default=str), strict=True)
    except ValidationError as error:
        problems = [(".".join(map(str, p["loc"])), p["type"]) for p in error.errors(include_input=False)]
        raise ContractViolation(f"{route_name} answered {status} off its schema {model.__name__}: {problems}") from None


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


def contract_of(view: Callable[..., Any]) -> RouteContract | None:
    return getattr(view, CONTRACT_ATTRIBUTE, None)
