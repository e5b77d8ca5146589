"""The Idempotency-Key header of the API's creating POSTs: a double click, or a retry after a lost
answer, never does the thing twice.

A route declares ``idempotent=True`` (http.routing.route). A client that sends
``Idempotency-Key: <8 to 128 characters, a UUID say>`` with such a POST gets, for every repeat of
that call, the first call's answer (status and body) with ``Idempotent-Replayed: true``, and
nothing is done again. The key is scoped to the caller (their account, or no one when signed out),
the route and the key itself (on a route anyone may call there is no caller: the key, a random
UUID, is what keeps two people apart); what is compared is a SHA-256 of the body, so the body is
never stored twice. Same key with a different body: 422, since the client has mixed up two requests;
a repeat while the first is still running: 409, retry in a moment.

Only successes are kept: a refused call (a bad field, a throttle) did nothing, so the same key may
be sent again with the corrected form and it runs. Answers are kept 24 hours.

Built on Powertools' idempotency utility (the queue consumers already use it, in the same table):
it writes the in-progress record with a condition, so two concurrent repeats cannot both run,
deletes the record when the call fails, and checks expiry on read (DynamoDB's TTL only collects
garbage). Its clock is the system's, not the container's: expiry is not driven by tests' clocks.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.errors import Conflict, DependencyUnavailable, Unprocessable, ValidationFailed

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MIN_LENGTH, MAX_LENGTH = 8, 128
KEPT_SECONDS = 24 * 3600
# The in-progress record's lifetime when a function dies mid-call (a Lambda timeout): the API's
# functions run at most 30 s, so a repeat after that runs again instead of waiting 24 hours.
IN_PROGRESS_SECONDS = 30
_KEY_PREFIX = "api"

# The OpenAPI parameter of every route that declares it (http/openapi.py).
PARAMETER: dict[str, Any] = {
    "name": HEADER,
    "in": "header",
    "required": False,
    "description": (
        "A fresh value (a UUID) per submission of a form, the same on its retries: a repeat answers the "
        "first call's answer with Idempotent-Replayed: true and does nothing again (kept 24 hours); the same "
        "key with another body is refused (422); a repeat while the first runs answers 409."
    ),
    "schema": {"type": "string", "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH, "pattern": "^[\\x21-\\x7e]+$"},
}


class KeyReused(Unprocessable):
    """The same Idempotency-Key was sent with another body (errors.to_http: 422)."""

    code = "idempotency_key_reused"


class _NotKept(Exception):
    """A call that answered an error: it did nothing, so its key is released (Powertools deletes
    the in-progress record when the function raises)."""

    def __init__(self, answer: dict[str, Any]):
        super().__init__("not kept")
        self.answer = answer


class _ThirtySeconds:
    """What Powertools reads of a Lambda context to date an in-progress record."""

    def get_remaining_time_in_millis(self) -> int:
        return IN_PROGRESS_SECONDS * 1000


def key_of(headers: Any) -> str | None:
    """The request's Idempotency-Key, checked for shape; None when it has none."""
    value = headers.get(HEADER.lower()) if headers is not None else None
    if value is None:
        return None
    value = value.strip()
    if not (MIN_LENGTH <= len(value) <= MAX_LENGTH) or not all("\x21" <= c <= "\x7e" for c in value):
        raise ValidationFailed(
            f"The {HEADER} header must be 8 to 128 visible characters, such as a UUID.",
            [{"field": HEADER, "issue": "must be 8 to 128 visible characters"}],
        )
    return value


# Where the kept answers live (the Powertools persistence layer over the idempotency table): set
# once by app.py, a function so that the table is reached only by a call that sends a key.
_store: Callable[[], Any] | None = None


def use_store(store: Callable[[], Any]) -> None:
    global _store
    _store = store


def answer_once(
    *, caller_id: str, route_name: str, key: str, raw_body: bytes | str | None, run: Callable[[], Any]
) -> Any:
    """``run()`` once per (caller, route, key); repeats answer what it answered."""
    from aws_lambda_powertools.utilities.idempotency import idempotent_function
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    raw = raw_body.encode() if isinstance(raw_body, str) else (raw_body or b"")
    message = {
        "key": f"{caller_id}|{route_name}|{key}",
        "body_sha256": hashlib.sha256(raw).hexdigest(),
    }

    def call(message: dict[str, Any]) -> dict[str, Any]:
        answer = _as_dict(run())
        if answer["status"] >= 400:
            raise _NotKept(answer)
        return answer

    if _store is None:
        raise RuntimeError("http.idempotency.use_store was never called")
    once = idempotent_function(
        call, data_keyword_argument="message", persistence_store=_store(), config=_config(), key_prefix=_KEY_PREFIX
    )
    try:
        kept = once(message=message)
    except _NotKept as refused:
        return _as_response(refused.answer)
    except IdempotencyValidationError:
        raise KeyReused(
            f"This {HEADER} was already used for a different request. Send a new key for a new request.",
            [{"field": HEADER, "issue": "already used for a different request"}],
        ) from None
    except IdempotencyAlreadyInProgressError:
        raise Conflict(
            "The first request with this Idempotency-Key is being processed: retry in a few seconds.",
            headers={"Retry-After": "2"},
        ) from None
    except IdempotencyPersistenceLayerError as error:
        raise DependencyUnavailable("The request could not be recorded: try again.") from error
    return _as_response(kept)


_lock = threading.Lock()
_config_cache: list[Any] = []


def _config() -> Any:
    with _lock:
        if not _config_cache:
            from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

            config = IdempotencyConfig(
                event_key_jmespath="key",
                payload_validation_jmespath="body_sha256",
                expires_after_seconds=KEPT_SECONDS,
                raise_on_no_idempotency_key=True,
                # (its hook is typed for any JSON answer; ours are dicts)
                response_hook=_mark_replayed,  # type: ignore[arg-type]
            )
            # (what Powertools reads of a Lambda context)
            config.register_lambda_context(_ThirtySeconds())  # type: ignore[arg-type]
            _config_cache.append(config)
        return _config_cache[0]


def _mark_replayed(answer: dict[str, Any], _record: Any) -> dict[str, Any]:
    return {**answer, "replayed": True}


def _as_dict(answer: Any) -> dict[str, Any]:
    if isinstance(answer, Response):
        headers = {k: v for k, v in (answer.headers or {}).items() if isinstance(v, str)}
        return {"status": answer.status_code, "body": answer.body, "headers": headers}
    return {"status": 200, "body": answer, "headers": {}}


def _as_response(answer: dict[str, Any]) -> Response:
    headers = dict(answer.get("headers") or {})
    if answer.get("replayed"):
        headers[REPLAYED_HEADER] = "true"
    return Response(body=answer["body"], status_code=answer["status"], headers=headers)
