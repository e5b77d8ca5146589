"""The FHIR API's declared contract: the search parameters (for the API document; the search
itself reads every value of each, search.parse_search) and the media of its answers.

The query model lets unknown parameters through on purpose: the search refuses them itself, as a
FHIR OperationOutcome naming them, which is the answer a FHIR client understands (the portal's
own error shape would not be)."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.kernel.contract import QueryModel

FHIR_JSON = "application/fhir+json"
_RESOURCE = {"type": "object", "description": "A FHIR R4 resource (US Core profiles)."}
_OUTCOME = {"type": "object", "description": "A FHIR OperationOutcome saying what was wrong."}

RESOURCE_TYPE = {"type": "string", "enum": list(RESOURCE_TYPES)}
RESOURCE_ID = {"type": "string", "pattern": "^[A-Za-z0-9.-]{1,64}$"}


def answers(*errors: int) -> tuple[dict[int, None], dict[int, tuple[str, dict[str, Any]]]]:
    """``responses`` and ``media`` of a FHIR route: a resource on 200, an OperationOutcome on
    each of ``errors``, all as application/fhir+json."""
    statuses = (200, *errors)
    media = {status: (FHIR_JSON, _RESOURCE if status == 200 else _OUTCOME) for status in statuses}
    return dict.fromkeys(statuses), media


def _parameter(description: str) -> Any:
    return Field(None, description=description)


class FhirSearchQuery(QueryModel):
    """The search parameters of every type (each type takes those FHIR defines for it)."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True, populate_by_name=True)

    id: str | None = Field(None, alias="_id", description="Resource ids, comma-separated.")
    count: str | None = Field(None, alias="_count", description="Page size: 1 to 100, 50 when not given.")
    cursor: str | None = Field(None, alias="_cursor", description="Where the next page starts (from a next link).")
    patient: str | None = _parameter("The token's patient (its id or Patient/<id>); anyone else finds nothing.")
    category: str | None = _parameter("A category token: code or system|code.")
    code: str | None = _parameter("A code token: code or system|code.")
    date: str | None = _parameter("A date with eq, ne, gt, lt, ge or le; repeat for a range.")
    status: str | None = _parameter("The resource's status.")
    type: str | None = _parameter("DocumentReference or Encounter type token.")
    clinical_status: str | None = Field(None, alias="clinical-status", description="Clinical status token.")
    intent: str | None = _parameter("MedicationRequest intent.")
