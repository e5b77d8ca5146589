"""What the patient routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from pydantic import Field

from chalicelib.kernel.contract import ResponseModel


class PatientIdentifier(ResponseModel):
    authority: str = Field(description="Who assigned the value (an MRN's organization, a lab, an HIE).")
    value: str
    type: str = Field(description="HL7 identifier type code (MR, PI ...); may be empty.")


class PatientSummary(ResponseModel):
    """A patient as staff see them in lists: who they are, not their record."""

    patient_id: str
    organization_id: str
    identifiers: list[PatientIdentifier]
    family_name: str
    given_names: list[str]
    birth_date: str | None = Field(description="YYYY-MM-DD, or YYYY-MM / YYYY when only that is known.")
    sex: str | None
