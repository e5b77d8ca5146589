"""The bearer check of the FHIR API: which app calls, for whom, under which consent.

Every call reads the token (identity table) and the authorization it came from (records table,
strongly), so a token revoked, an authorization revoked or an app disabled a moment ago is refused
on the very next call; there is no cache. So is the standing of the account that authorized it
(``standing``): a suspended account, or a proxy whose grant ended, stops its apps at once. The app's caller is the account that authorized it
(the patient, or the proxy who acted for them), marked with the authorization, so every read the
FHIR API audits shows in the patient's access log as the app's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from chalicelib.apps.domain import AppAuthorization, AppClient, AppStatus, InvalidScope, parse_scopes
from chalicelib.apps.oauth.standing import StandingPorts, stands
from chalicelib.apps.oauth.stores import AppStore
from chalicelib.apps.oauth.tokens import RecordKind, digest
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import Clock

# last_used_at is written at most this often (a busy app would otherwise write on every read).
TOUCH_EVERY = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


class InvalidToken(Exception):
    """The FHIR API answers 401 with ``WWW-Authenticate: Bearer error="invalid_token"``."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BearerPorts(StandingPorts, Protocol):
    @property
    def apps(self) -> AppStore: ...

    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True)
class AppAccess:
    caller: Caller
    authorization: AppAuthorization
    client: AppClient
    # What this token may read: the types its scope grants (an app may narrow its scope on
    # refresh) that the authorization still allows. Decide with ``allows``, never the authorization's.
    resource_types: frozenset[str] = frozenset()

    def allows(self, resource_type: str) -> bool:
        return self.authorization.active and resource_type in self.resource_types


def granted_types(scope: str) -> frozenset[str]:
    """The resource types a token's scope string grants (as ``Scopes.text`` wrote it)."""
    try:
        return parse_scopes(scope).resource_types
    except InvalidScope:
        return frozenset()


def presented_token(request: Any) -> str:
    """The token of an ``Authorization: Bearer <token>`` header ("" when there is none)."""
    header = str((getattr(request, "headers", None) or {}).get("authorization") or "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    token = token.strip()
    return token if 0 < len(token) <= MAX_TOKEN_LENGTH else ""


def app_access(ports: BearerPorts, request: Any) -> AppAccess:
    """The app calling with this request's bearer token, or InvalidToken."""
    token = presented_token(request)
    if not token:
        raise InvalidToken("Send an access token: Authorization: Bearer <token>.")
    now = ports.clock.now()
    record = ports.apps.record(RecordKind.ACCESS, digest(token))
    if record is None or not record.live(now):
        raise InvalidToken("The access token is unknown, expired or revoked.")
    authorization = ports.apps.authorization(record.get("patient_id"), record.get("authorization_id"))
    if authorization is None or not stands(ports, authorization, now):
        raise InvalidToken("The app's access to this record was revoked.")
    client = ports.apps.client(authorization.client_id)
    if client is None or client.status is not AppStatus.ACTIVE:
        raise InvalidToken("The app was withdrawn by the organization.")
    if authorization.last_used_at is None or now - authorization.last_used_at >= TOUCH_EVERY:
        ports.apps.touch_authorization(authorization, now)
    context = getattr(request, "context", None) or {}
    caller = Caller(
        account_id=authorization.account_id,
        role="patient",
        organization_id=record.get("caller_organization_id") or authorization.organization_id,
        patient_id=record.get("caller_patient_id"),
        session_id=f"app:{authorization.authorization_id}",
        restriction="",
        source_ip=str((context.get("identity") or {}).get("sourceIp") or ""),
        correlation_id=str(context.get("requestId") or ""),
        app_authorization_id=authorization.authorization_id,
    )
    types = granted_types(record.get("scope")) & authorization.resource_types
    return AppAccess(caller=caller, authorization=authorization, client=client, resource_types=types)
