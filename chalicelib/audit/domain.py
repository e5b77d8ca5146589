"""AuditEvent, after FHIR R4 AuditEvent (action C/R/U/D/E, outcome, agent, entity)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Action(enum.Enum):
    CREATE = "C"
    READ = "R"
    UPDATE = "U"
    DELETE = "D"
    EXECUTE = "E"  # sign-in, sign-out, export, send ...


class Outcome(enum.Enum):
    SUCCESS = "success"
    DENIED = "denied"  # refused by an access rule
    FAILURE = "failure"  # attempted and failed (wrong password, dependency down)


@dataclass(frozen=True)
class Actor:
    """Who acted: the account that signed in. When a proxy acts for a patient, ``proxy_grant_id``
    names the grant it used, and the event's ``patient_id`` is the patient acted for. When a
    health app reads through the FHIR API (chalicelib/apps), ``app_authorization_id`` names the
    authorization its token came from (the account is the one that authorized the app)."""

    account_id: str
    role: str
    proxy_grant_id: str = ""
    app_authorization_id: str = ""


SYSTEM_ACTOR = Actor(account_id="system", role="system")


@dataclass(frozen=True)
class AuditEvent:
    event_id: str
    recorded_at: datetime
    actor: Actor
    action: Action
    event_type: str  # what happened, e.g. "record.read", "session.sign_in"
    outcome: Outcome
    patient_id: str = ""
    resource_type: str = ""  # FHIR resource type where one fits: Observation, DocumentReference ...
    resource_id: str = ""
    correlation_id: str = ""
    source_ip: str = ""
    reason: str = ""  # why a denial or failure happened, as a code (never a value)
