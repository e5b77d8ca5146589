"""What the sensitive-code lists route takes and gives (see kernel/contract.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.access.sensitivity import MAX_CODE, MAX_CODES, MAX_DISPLAY, MAX_SYSTEM
from chalicelib.kernel.contract import RequestModel, ResponseModel

CategoryName = Literal["sexual_reproductive", "mental_health", "substance_use", "hiv", "genetic"]


class SensitiveCodeShown(ResponseModel):
    system: str = Field(
        description='The coding system, as items name it ("http://loinc.org"; "LN" matches it too). '
        "LOINC, SNOMED CT, ICD-10(-CM) and RxNorm are matched under any of their names; others as written."
    )
    code: str = Field(description="Matched exactly; an ICD-10 code by prefix (F1 covers F10-F19.99).")
    display: str = Field(description='A name for people ("" when none was given).')


class SensitiveCategoryShown(ResponseModel):
    category: CategoryName
    label: str = Field(description="The category in words.")
    codes: list[SensitiveCodeShown]


class SensitiveCodesShown(ResponseModel):
    categories: list[SensitiveCategoryShown] = Field(description="Every category, in a fixed order.")


class SensitiveCodeChange(RequestModel):
    system: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SYSTEM)]
    code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_CODE, pattern=r"^\S+$")]
    display: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DISPLAY)] = ""


class SensitiveCategoryChange(RequestModel):
    category: CategoryName
    label: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="Ignored: each category's label is the portal's."
    )
    codes: list[SensitiveCodeChange] = Field(max_length=MAX_CODES)


class SensitiveCodesChange(RequestModel):
    """Every list at once: a category left out is emptied. Each wrong field is named (400)."""

    categories: list[SensitiveCategoryChange] = Field(max_length=5)
