from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Role(enum.Enum):
    ADMIN = "admin"  # runs the organization's portal: staff accounts, settings
    STAFF = "staff"  # clinic staff: patients, invitations, messages, requests, results release
    PATIENT = "patient"

    @property
    def is_workforce(self) -> bool:
        return self is not Role.PATIENT


class AccountStatus(enum.Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"  # by staff (a patient) or an admin (staff): may be reinstated
    TERMINATED = "terminated"  # portal access ended: never signs in again


@dataclass(frozen=True)
class Organization:
    organization_id: str  # a stable slug, e.g. "albany-medical-center"
    name: str
    created_at: datetime
    mrn_authority: str = ""  # assigning authority of its medical record numbers
    release_policy: dict[str, Any] | None = None  # release.policy.ReleasePolicy.as_json(); None: release at once
    # IANA name of the zone its clocks keep (kernel.zones): feed times sent without an offset are
    # read in it. "" only on an organization being created without one: the directory answers
    # the deployment's default (settings.default_time_zone) for an organization that has none.
    time_zone: str = ""
    appointment_policy: dict[str, Any] | None = None  # appointments.policy.AppointmentPolicy.as_json(); None: defaults
    # access.sensitivity.SensitiveLists.as_json(): the codes of care never shown to a proxy; None: the defaults
    sensitive_codes: dict[str, Any] | None = None


@dataclass(frozen=True)
class Connection:
    """An organization whose records this account sees ("My Connections")."""

    connection_id: str
    organization_id: str
    patient_id: str
    status: str  # "active", or "pending" until the organization's record matches the holder
    added_at: str  # ISO time


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
    email_verified: bool = False
    pending_email: str = ""
    patient_id: str = ""
    terms_version: str = ""
    terms_accepted_at: datetime | None = None
    failed_sign_ins: int = 0
    failures_since: datetime | None = None
    locked_until: datetime | None = None
    totp_secret: bytes = b""  # KMS ciphertext
    totp_pending_secret: bytes = b""
    totp_last_step: int = 0
    email_code_enabled: bool = False
    recovery_code_hashes: frozenset[str] = frozenset()
    notification_preferences: dict[str, bool] = field(default_factory=dict)
    connections: tuple[Connection, ...] = ()
    # The account's sessions as "<selector>:<expires epoch>", written in the same transaction as
    # each session: ending them all reads this list consistently (an index could lag a session
    # opened a moment before), and any account change made meanwhile fails that transaction.
    sessions: frozenset[str] = frozenset()
    version: int | None = None

    @property
    def second_factors(self) -> list[str]:
        methods = []
        if self.totp_secret:
            methods.append("totp")
        if self.email_code_enabled and self.email_verified:
            methods.append("email")
        if methods and self.recovery_code_hashes:
            methods.append("recovery_code")
        return methods
