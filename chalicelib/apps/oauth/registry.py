"""The apps an organization's admins register, change, give a new secret, and disable.

A redirect URI is matched exactly, so it is checked as written: https, or plain http only to the
developer's own machine (localhost, 127.0.0.1, [::1]), with no fragment. A confidential app's
secret is shown once and stored as a SHA-256 (it is random: nothing to guess). Disabling an app
revokes every authorization it holds (and with them, their tokens); its tokens are refused from
the moment it is disabled, since the bearer check reads the app on every call.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

from chalicelib.apps.domain import AppClient, AppStatus, AuthorizationStatus, ClientKind
from chalicelib.apps.oauth.stores import AppStore
from chalicelib.apps.oauth.tokens import digest, owner_of
from chalicelib.audit.domain import Actor
from chalicelib.audit.trail import AuditPorts, audit_event, caller_actor
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
NO_SUCH_APP = "No such app."


class RegistryPorts(AuditPorts, Protocol):
    @property
    def apps(self) -> AppStore: ...


def check_redirect_uri(value: str) -> str:
    parts = urlsplit(value)
    if parts.fragment or "#" in value:
        raise ValueError("must not have a fragment")
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return value
    raise ValueError("must be https (or http://localhost or http://127.0.0.1 for development)")


def check_page_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return value
    raise ValueError("must be an https address")


@dataclass(frozen=True)
class AppFields:
    name: str
    description: str
    redirect_uris: tuple[str, ...]
    logo_url: str
    privacy_policy_url: str
    kind: ClientKind


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, digest(secret)


def registered(ports: RegistryPorts, caller: Caller) -> list[AppClient]:
    return ports.apps.clients_of(caller.organization_id)


def _own(ports: RegistryPorts, caller: Caller, client_id: str) -> AppClient:
    app = ports.apps.client(client_id)
    if app is None or app.organization_id != caller.organization_id:
        raise NotFound(NO_SUCH_APP)  # another organization's app is not there, for this admin
    return app


def register(ports: RegistryPorts, caller: Caller, origin: Origin, fields: AppFields) -> tuple[AppClient, str]:
    """A new app of the admin's organization, and its secret (confidential apps; "" otherwise)."""
    secret, secret_hash = _new_secret() if fields.kind is ClientKind.CONFIDENTIAL else ("", "")
    app = AppClient(
        client_id=uuid.uuid4().hex,
        organization_id=caller.organization_id,
        name=fields.name,
        redirect_uris=fields.redirect_uris,
        kind=fields.kind,
        status=AppStatus.ACTIVE,
        created_at=ports.clock.now(),
        logo_url=fields.logo_url,
        privacy_policy_url=fields.privacy_policy_url,
        description=fields.description,
        secret_hash=secret_hash,
    )
    event = audit_event(ports, origin, caller_actor(caller), "app.register", resource_id=app.client_id)
    ports.apps.add_client(app, event)
    return ports.apps.client(app.client_id) or app, secret


def change(ports: RegistryPorts, caller: Caller, origin: Origin, client_id: str, fields: AppFields) -> AppClient:
    """New name, words, addresses; the kind stays what it was registered as (a secret's holder
    does not become a public app, nor the reverse)."""
    app = _own(ports, caller, client_id)
    if fields.kind is not app.kind:
        raise ValidationFailed("An app's kind cannot change.", [{"field": "kind", "issue": "must stay as registered"}])
    changed = replace(
        app,
        name=fields.name,
        description=fields.description,
        redirect_uris=fields.redirect_uris,
        logo_url=fields.logo_url,
        privacy_policy_url=fields.privacy_policy_url,
    )
    event = audit_event(ports, origin, caller_actor(caller), "app.change", resource_id=client_id)
    return ports.apps.save_client(changed, event)


def new_secret(ports: RegistryPorts, caller: Caller, origin: Origin, client_id: str) -> tuple[AppClient, str]:
    app = _own(ports, caller, client_id)
    if app.kind is not ClientKind.CONFIDENTIAL:
        raise Conflict("A public app has no secret.")
    secret, secret_hash = _new_secret()
    event = audit_event(ports, origin, caller_actor(caller), "app.secret", resource_id=client_id)
    return ports.apps.save_client(replace(app, secret_hash=secret_hash), event), secret


def disable(ports: RegistryPorts, caller: Caller, origin: Origin, client_id: str) -> AppClient:
    app = _own(ports, caller, client_id)
    now = ports.clock.now()
    event = audit_event(ports, origin, caller_actor(caller), "app.disable", resource_id=client_id)
    saved = ports.apps.save_client(replace(app, status=AppStatus.DISABLED), event)
    for patient_id, authorization_id in ports.apps.authorizations_of_client(client_id):
        revoke_authorization(ports, caller, origin, patient_id, authorization_id, now, by="admin")
    return saved


def revoke_authorization(
    ports: RegistryPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    authorization_id: str,
    now: datetime,
    *,
    by: str,
    actor_grant_id: str = "",
) -> bool:
    """End one authorization and every token issued under it (audited ``app.revoke`` under the
    patient). False when it was revoked already. The authorization is marked first: from then on
    no token of it passes the bearer check, even before the tokens are deleted."""
    for _ in range(3):  # a concurrent touch or change: read again and retry
        authorization = ports.apps.authorization(patient_id, authorization_id)
        if authorization is None:
            return False
        if authorization.status is not AuthorizationStatus.REVOKED:
            revoked = replace(authorization, status=AuthorizationStatus.REVOKED, revoked_at=now, revoked_by=by)
            actor = Actor(account_id=caller.account_id, role=caller.role, proxy_grant_id=actor_grant_id)
            event = audit_event(
                ports,
                origin,
                actor,
                "app.revoke",
                patient_id=patient_id,
                resource_type="Consent",
                resource_id=authorization_id,
                reason=by,
            )
            if not ports.apps.save_authorization(revoked, event):
                continue
        ports.apps.delete_owned(owner_of(authorization_id))
        return authorization.status is not AuthorizationStatus.REVOKED
    raise Conflict("This app's access changed a moment ago. Try again.")
