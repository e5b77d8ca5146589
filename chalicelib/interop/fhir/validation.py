"""FHIR validation with the fhir.resources R4B models, and its errors as reasons without values.

Every resource the portal files is validated before a value is read from it (R4B models: R4
proper would need pydantic 1). fhir.resources and pydantic are imported inside the functions,
never at the top of a module: they cost ~115 ms, and app.py imports the feed code, so only the
first FHIR message pays for them.

A failure becomes Unreadable with pydantic's element paths and the kind of problem: locations and
error types come from the model, never from the document, since a value is PHI.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.kernel.zones import is_local_time
from chalicelib.records.domain import Unreadable

_ELEMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_ERRORS_SHOWN = 3


def validate_resource(resource: dict[str, Any], label: str) -> None:
    """Raises Unreadable, naming ``label``, when the resource is not valid FHIR R4."""
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    model = get_fhir_model_class(resource["resourceType"])
    try:
        try:
            model.model_validate(resource)
        except ValidationError:
            # FHIR wants a time to carry its offset; many senders leave it out and mean their
            # own wall clock, which filing reads in the sender's organization's zone (filing/
            # zones.py). Such a resource is checked again as if its times had one; any other
            # problem still refuses it. (Only a refused resource pays for the second look.)
            lenient = _with_offsets(resource)
            if lenient is resource:
                raise
            model.model_validate(lenient)
    except ValidationError as error:
        raise Unreadable(f"{label} is not valid FHIR R4: {_problems(error)}.") from None
    except (KeyError, ValueError, TypeError, AttributeError, RecursionError):
        # fhir.resources raises KeyError for a contained resource of an unknown type, and a
        # document nested deeper than the interpreter's stack cannot be walked at all.
        raise Unreadable(f"{label} is not valid FHIR R4: its structure cannot be read.") from None


def _with_offsets(value: Any) -> Any:
    """A copy with "+00:00" after every time that has no offset (``value`` itself when none has)."""
    if isinstance(value, str):
        return value + "+00:00" if is_local_time(value) else value
    if isinstance(value, dict):
        items = {key: _with_offsets(item) for key, item in value.items()}
        return value if all(items[key] is value[key] for key in value) else items
    if isinstance(value, list):
        elements = [_with_offsets(item) for item in value]
        return value if all(new is old for new, old in zip(elements, value, strict=True)) else elements
    return value


def validate_shell(shell: dict[str, Any]) -> None:
    """A Bundle's own structure, its entries without their resources."""
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(shell)
    except ValidationError as error:
        raise Unreadable(f"Bundle is not valid FHIR R4: {_problems(error)}.") from None
    except (KeyError, ValueError, TypeError, AttributeError, RecursionError):
        raise Unreadable("Bundle is not valid FHIR R4: its structure cannot be read.") from None


def _problems(error: Any) -> str:
    """pydantic's errors as element paths and the kind of problem: locations and error types come
    from the model, never from the document (an unknown element's own name is left out too)."""
    errors = error.errors(include_url=False, include_context=False, include_input=False)
    described = []
    for item in errors[:_ERRORS_SHOWN]:
        kind = str(item.get("type", ""))
        location = list(item.get("loc", ()))
        if kind == "extra_forbidden" and location:
            location = location[:-1]  # the unknown key is the document's text
        path = ""
        for part in location:
            if isinstance(part, int):
                path += f"[{part}]"
            elif isinstance(part, str) and _ELEMENT_NAME.fullmatch(part) and part != "root":  # pydantic's own
                part = "resourceType" if part == "resource_type" else part
                path += f".{part}" if path else part
        path = path or "the resource"
        if kind == "extra_forbidden":
            described.append(f"{path} has an element that is not in FHIR R4")
        elif kind.endswith("missing"):
            described.append(f"{path} is required")
        elif kind.endswith("_type") or kind in ("json_invalid", "model_attributes_type"):
            described.append(f"{path} has the wrong type")
        else:
            described.append(f"{path} has the wrong format or value")
    if len(errors) > _ERRORS_SHOWN:
        described.append(f"and {len(errors) - _ERRORS_SHOWN} more")
    return "; ".join(described)
