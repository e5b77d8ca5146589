"""Health apps for tests: an app registered and a token minted straight through the stores, with
no authorization flow (tests of the FHIR API start from a token, as an app does once connected).
Takes the container (``wiring.container()``) or anything with its ``apps`` and ``clock`` ports."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.apps.domain import (
    RESOURCE_TYPES,
    AppAuthorization,
    AppClient,
    AppStatus,
    AuthorizationStatus,
    ClientKind,
    Scopes,
)
from chalicelib.apps.oauth.issuing import store_tokens, token_payload
from chalicelib.apps.oauth.tokens import new_secret

TEST_CLIENT_ID = "test-health-app"


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    authorization: AppAuthorization
    refresh_token: str = ""


def register_app(
    ports,
    organization_id: str,
    *,
    client_id: str = TEST_CLIENT_ID,
    name: str = "Test Health App",
    redirect_uris: Iterable[str] = ("http://localhost:8765/callback",),
    kind: ClientKind = ClientKind.PUBLIC,
    secret_hash: str = "",
) -> AppClient:
    """The app, registered for the organization if it is not yet."""
    existing = ports.apps.client(client_id)
    if existing is not None:
        return existing
    client = AppClient(
        client_id=client_id,
        organization_id=organization_id,
        name=name,
        redirect_uris=tuple(redirect_uris),
        kind=kind,
        status=AppStatus.ACTIVE,
        created_at=_now(ports),
        description="An app for tests",
        secret_hash=secret_hash,
    )
    ports.apps.add_client(client)
    return ports.apps.client(client_id) or client


def issue(
    ports,
    patient_id: str,
    account_id: str,
    resource_types: Iterable[str] = RESOURCE_TYPES,
    *,
    organization_id: str = "",
    caller_patient_id: str | None = None,
    caller_organization_id: str = "",
    proxy_grant_id: str = "",
    client_id: str = TEST_CLIENT_ID,
    offline: bool = False,
    with_refresh: bool = False,
) -> IssuedToken:
    """An active authorization for ``patient_id`` given by ``account_id`` (the patient, or a proxy
    with ``proxy_grant_id``), and an access token under it (and a refresh token if asked)."""
    if not organization_id:
        patient = ports.patients.get(patient_id)
        organization_id = patient.organization_id if patient is not None else ""
    client = register_app(ports, organization_id, client_id=client_id)
    types = frozenset(resource_types)
    scope = Scopes(resource_types=types, launch_patient=True, offline=offline).text()
    authorization = AppAuthorization(
        authorization_id=uuid.uuid4().hex,
        client_id=client.client_id,
        organization_id=organization_id,
        patient_id=patient_id,
        account_id=account_id,
        resource_types=types,
        scope=scope,
        status=AuthorizationStatus.ACTIVE,
        created_at=_now(ports),
        offline=offline,
        proxy_grant_id=proxy_grant_id,
        app_name=client.name,
    )
    ports.apps.add_authorization(authorization)
    access_token = new_secret()
    refresh_token = new_secret() if with_refresh else ""
    payload = token_payload(
        authorization,
        caller_patient_id=patient_id if caller_patient_id is None else caller_patient_id,
        caller_organization_id=caller_organization_id or organization_id,
        scope=scope,
    )
    store_tokens(
        ports.apps, authorization, payload, _now(ports), access_token=access_token, refresh_token=refresh_token
    )
    return IssuedToken(
        access_token,
        ports.apps.authorization(patient_id, authorization.authorization_id) or authorization,
        refresh_token,
    )


def issue_token(
    ports, patient_id: str, account_id: str, resource_types: Iterable[str] = RESOURCE_TYPES, **options
) -> str:
    """An access token for ``patient_id``, authorized by ``account_id`` for ``resource_types``
    (every type by default); ``options`` as ``issue`` takes them."""
    return issue(ports, patient_id, account_id, resource_types, **options).access_token


def _now(ports) -> datetime:
    return ports.clock.now()
