from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.Enum):
    ADMIN = "admin"  # runs the organization's portal: staff accounts, settings
    STAFF = "staff"  # clinic staff: messages, requests, results release
    PATIENT = "patient"


class AccountStatus(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


@dataclass(frozen=True)
class Organization:
    organization_id: str  # a stable slug, e.g. "albany-medical-center"
    name: str
    created_at: datetime


@dataclass(frozen=True)
class Account:
    account_id: str
    username: str  # stored folded to lower case
    organization_id: str
    role: Role
    password_hash: str
    status: AccountStatus
    email: str
    created_at: datetime
