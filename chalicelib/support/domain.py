"""Support requests and their rules (standard library only)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Topic(enum.Enum):
    SIGN_IN = "sign_in"
    ENROLLMENT = "enrollment"
    BILLING = "billing"
    TECHNICAL = "technical"
    OTHER = "other"


class Status(enum.Enum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ANSWERED = "answered"
    CLOSED = "closed"


@dataclass(frozen=True)
class Answer:
    answered_by: str  # the staff account
    answered_at: datetime
    text: str


@dataclass(frozen=True)
class SupportRequest:
    request_id: str
    organization_id: str
    topic: Topic
    description: str
    contact_name: str
    contact_email: str
    contact_phone: str
    account_id: str  # "" when sent signed out
    status: Status
    received_at: datetime
    updated_at: datetime
    answers: tuple[Answer, ...] = field(default_factory=tuple)
    version: int | None = None

    @property
    def reference(self) -> str:
        return reference_of(self.request_id)


def reference_of(request_id: str) -> str:
    """The number a person quotes on the phone: short, unambiguous (hex digits only), and enough
    to tell one organization's requests apart for years (32 bits)."""
    return "SR-" + request_id[:8].upper()
