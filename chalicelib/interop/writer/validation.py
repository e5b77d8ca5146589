"""``validate``: a resource (or Bundle) checked by fhir.resources' R4B models, for tests and the
few places where checking is cheap. fhir.resources is imported on first use (about 100 ms), so
importing the writer costs app.py nothing. It checks structure, types and cardinality, not US
Core's profiles (no Python validator of profiles exists that would run in a Lambda)."""

from __future__ import annotations

from typing import Any


class InvalidResource(ValueError):
    """A resource the writer made wrongly: a bug, never a user's mistake. Names the fields only."""


def validate(resource: dict[str, Any]) -> None:
    validated(resource)


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource as fhir.resources reads and writes it back (its elements in FHIR's order),
    or InvalidResource."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    try:
        model = get_fhir_model_class(str(resource.get("resourceType", ""))).model_validate(resource)
    except (KeyError, ValueError, ValidationError) as error:  # ValidationError is a ValueError
        raise InvalidResource(f"not a valid FHIR {resource.get('resourceType')}: {fields_of(error)}") from None
    return model.model_dump(mode="json", exclude_none=True, by_alias=True)


def fields_of(error: Exception) -> str:
    """Which fields failed, never their values (a value may be a patient's words)."""
    errors = getattr(error, "errors", None)
    if callable(errors):
        return ", ".join(sorted({".".join(str(p) for p in e["loc"]) for e in errors()})) or "invalid"
    return "unknown resource type"
