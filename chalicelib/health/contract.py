"""What the health routes answer (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.kernel.contract import ResponseModel


class Liveness(ResponseModel):
    status: Literal["ok"]
    stage: str
    version: str


class DeepHealth(ResponseModel):
    status: Literal["ok", "degraded"]
    stage: str
    version: str
    checked_at: datetime = Field(description="When the services were last asked (answers are kept a few seconds).")
    services: dict[str, Literal["ok", "unavailable"]] = Field(description="One word per backing service.")
    unavailable: list[str] = Field(description="The services that did not answer, by name.")


class Index(ResponseModel):
    name: str
    version: str
    links: dict[str, str]
