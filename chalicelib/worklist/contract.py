"""What the worklist routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from chalicelib.kernel.contract import RequestModel, ResponseModel
from chalicelib.patients.contract import PatientSummary

CallOutcome = Literal["reached", "left_message", "no_answer", "done", "other"]


class CloseItem(RequestModel):
    outcome: CallOutcome


class WorklistItem(ResponseModel):
    item_id: str
    task: str
    created_at: datetime
    patient: PatientSummary | None
    result_id: str
    result_version: int


class Worklist(ResponseModel):
    items: list[WorklistItem]


class ClosedItem(ResponseModel):
    item_id: str
    status: Literal["done"]
    outcome: CallOutcome
