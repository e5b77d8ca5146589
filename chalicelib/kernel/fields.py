"""Checks of a request's JSON fields, shared by the services that take a body: only listed
fields are accepted (mass assignment is refused), required ones must be there, text is bounded."""

from __future__ import annotations

import unicodedata
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


# Unicode categories a person's name never needs: controls (NUL, CR/LF, terminal escapes), format
# characters (bidirectional overrides, zero-width ones) and lone surrogates, which cannot even be
# stored as UTF-8. Shown to staff and compared at enrollment, a name must look like what it is.
_REFUSED_IN_NAMES = {"Cc", "Cf", "Cs"}


def name_field(value: Any, field: str, max_length: int = 64) -> str:
    """A person's name: text, normalised (NFC), trimmed, at most ``max_length`` characters, with
    no control or formatting characters."""
    if not isinstance(value, str):
        raise ValidationFailed(f"{field} must be text.", [{"field": field}])
    name = unicodedata.normalize("NFC", value).strip()
    if not name or len(name) > max_length:
        raise ValidationFailed(f"{field} must be 1 to {max_length} characters.", [{"field": field}])
    if any(unicodedata.category(character) in _REFUSED_IN_NAMES for character in name):
        raise ValidationFailed(f"{field} may not hold control or formatting characters.", [{"field": field}])
    return name
