"""Checks of a request's JSON fields, shared by the services that take a body: only listed
fields are accepted (mass assignment is refused), required ones must be there, text is bounded."""

from __future__ import annotations

from typing import Any

from chalicelib.errors import ValidationFailed


def only_fields(body: Any, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON object with only listed fields; every required one present."""
    if not isinstance(body, dict):
        raise ValidationFailed("The request body must be a JSON object.")
    problems = [{"field": name, "issue": "not accepted"} for name in sorted(set(body) - set(allowed))]
    problems += [{"field": name, "issue": "required"} for name in required if body.get(name) in (None, "")]
    if problems:
        raise ValidationFailed("The request has missing or unexpected fields.", problems)
    return body


def text_field(body: dict[str, Any], name: str, max_length: int = 256) -> str:
    value = body.get(name, "")
    if not isinstance(value, str) or len(value) > max_length:
        raise ValidationFailed(f"{name} must be text of at most {max_length} characters.", [{"field": name}])
    return value
