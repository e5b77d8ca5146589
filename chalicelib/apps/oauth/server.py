"""Authlib's authorization server on the portal's requests and stores.

Authlib validates and answers the OAuth: the authorization request (client, exact redirect URI,
response type, scope), the code exchange and PKCE, client authentication (none for public
clients; client_secret_basic or client_secret_post for confidential ones), refresh, introspection
and revocation. The portal gives it what it leaves to its host: requests (``HttpCall``: no chalice
here, the routes translate), clients, codes and tokens, and the token's SMART extras (``patient``,
``need_patient_banner``, the id_token).

SMART's rules beyond OAuth, enforced here: PKCE with S256 from every client (plain is refused,
and a request without a challenge); ``aud`` names this FHIR server; a code is used once, and a
second use revokes its authorization (RFC 6749 4.1.2); refresh tokens rotate (each use marks the
old one used; presenting it again revokes the authorization) and die with their authorization.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import InvalidScopeError

from chalicelib.apps.domain import (
    LAUNCH_PATIENT,
    OPENID,
    AppStatus,
    AuthorizationStatus,
    InvalidScope,
    parse_scopes,
)
from chalicelib.apps.oauth.grants import CodeGrant, Introspection, RefreshGrant, Revocation
from chalicelib.apps.oauth.id_token import Signer, id_token
from chalicelib.apps.oauth.issuing import store_tokens
from chalicelib.apps.oauth.objects import (
    FHIR_PATH,
    Grantee,
    OAuthAnswer,
    PortalRequest,
    RegisteredClient,
    S256Only,
    Token,
)
from chalicelib.apps.oauth.registry import revoke_authorization
from chalicelib.apps.oauth.standing import StandingPorts, stands
from chalicelib.apps.oauth.stores import AppStore
from chalicelib.apps.oauth.tokens import ACCESS_SECONDS, OAuthRecord, RecordKind, digest, new_secret, owner_of
from chalicelib.audit.domain import Actor
from chalicelib.audit.service import AuditLog
from chalicelib.audit.trail import write_audit
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import Clock
from chalicelib.kernel.origin import Origin


class OAuthPorts(StandingPorts, Protocol):
    @property
    def apps(self) -> AppStore: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def audit_log(self) -> AuditLog: ...

    @property
    def id_token_key(self) -> Signer: ...


def fhir_base(public_base_url: str) -> str:
    """The FHIR server's base URL, which is also the issuer of tokens and the ``aud`` apps send."""
    return public_base_url.rstrip("/") + FHIR_PATH


# The local stack answers under both loopback names (infra/local/hosts.py), so a developer's app
# may name the FHIR server either way; a deployed portal has one public name, and only it counts.
LOOPBACK_ALIASES = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}


def accepted_audiences(public_base_url: str) -> frozenset[str]:
    """The ``aud`` values that name this FHIR server: its base under each of the portal's own names."""
    base = fhir_base(public_base_url)
    parts = urlsplit(base)
    alias = LOOPBACK_ALIASES.get(parts.hostname or "")
    if alias is None or parts.scheme != "http":
        return frozenset({base})
    netloc = alias + (f":{parts.port}" if parts.port else "")
    return frozenset({base, parts._replace(netloc=netloc).geturl()})


class PortalAuthorizationServer(AuthorizationServer):
    def __init__(self, ports: OAuthPorts, public_base_url: str, origin: Origin | None = None):
        super().__init__(scopes_supported=None)
        self.ports = ports
        self.origin = origin or Origin()
        self.issuer = fhir_base(public_base_url)
        self.audiences = accepted_audiences(public_base_url)
        self.register_token_generator("default", self._generate_token)
        self.register_grant(CodeGrant, [S256Only(required=True)])
        self.register_grant(RefreshGrant)
        self.register_endpoint(Introspection)
        self.register_endpoint(Revocation)

    @property
    def now(self) -> datetime:
        return self.ports.clock.now()

    # What Authlib leaves to its host ------------------------------------------------------------

    def query_client(self, client_id: str) -> RegisteredClient | None:
        if not isinstance(client_id, str) or not 0 < len(client_id) <= 100:
            return None
        app = self.ports.apps.client(client_id)
        if app is None or app.status is not AppStatus.ACTIVE:
            return None
        return RegisteredClient(app)

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        return request if isinstance(request, OAuth2Request) else PortalRequest(request)

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError("No JSON endpoints.")

    def handle_response(self, status: int, body: Any, headers: Any) -> OAuthAnswer:
        return OAuthAnswer(status, body, dict(headers or []))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def validate_requested_scope(self, scope: str) -> None:
        try:
            parse_scopes(scope or "")
        except InvalidScope as error:
            raise InvalidScopeError(str(error)) from None

    def save_token(self, token: dict[str, Any], request: Any) -> None:
        grantee: Grantee = request.user
        store_tokens(
            self.ports.apps,
            grantee.authorization,
            grantee.payload(token.get("scope", "")),
            self.now,
            access_token=token["access_token"],
            refresh_token=token.get("refresh_token", ""),
            # A rotated online refresh token ends when the one it replaces would have.
            refresh_ends_by=getattr(getattr(request, "refresh_token", None), "record", None),
        )
        # Under the patient, as the app's: the access log shows when a connected app got access.
        authorization = grantee.authorization
        actor = Actor(
            account_id=authorization.account_id,
            role="patient",
            proxy_grant_id=authorization.proxy_grant_id,
            app_authorization_id=authorization.authorization_id,
        )
        write_audit(
            self.ports,
            self.origin,
            actor,
            "app.token",
            patient_id=authorization.patient_id,
            resource_type="Consent",
            resource_id=authorization.authorization_id,
            reason=str(getattr(request.payload, "grant_type", "") or "")[:30],
        )

    def _generate_token(
        self,
        grant_type: str,
        client: RegisteredClient,
        user: Grantee | None = None,
        scope: str | None = None,
        expires_in: int | None = None,
        include_refresh_token: bool = True,
    ) -> dict[str, Any]:
        assert user is not None
        granted = (scope or "").split()
        token: dict[str, Any] = {
            "access_token": new_secret(),
            "token_type": "Bearer",
            "expires_in": ACCESS_SECONDS,
            "scope": scope or "",
            "need_patient_banner": True,
        }
        if LAUNCH_PATIENT in granted:
            token["patient"] = user.authorization.patient_id
        if include_refresh_token and (user.authorization.offline or user.authorization.online):
            token["refresh_token"] = new_secret()
        if OPENID in granted:
            token["id_token"] = id_token(
                self.ports.id_token_key,
                issuer=self.issuer,
                client_id=client.get_client_id(),
                subject=user.authorization.account_id,
                fhir_user=user.fhir_user,
                now=self.now,
                nonce=user.nonce,
            )
        return token

    # Shared by the grants and endpoints ----------------------------------------------------------

    def grantee(self, record: OAuthRecord) -> Grantee | None:
        """Whom a code or refresh token stands for, if their authorization still stands (active, by an
        account in good standing, under a proxy grant still in force)."""
        authorization = self.ports.apps.authorization(record.get("patient_id"), record.get("authorization_id"))
        if authorization is None or not stands(self.ports, authorization, self.now):
            return None
        return Grantee(
            authorization=authorization,
            caller_patient_id=record.get("caller_patient_id"),
            caller_organization_id=record.get("caller_organization_id"),
            fhir_user=record.get("fhir_user"),
            nonce=record.get("nonce"),
        )

    def revoke_issued(self, authorization_id: str) -> None:
        self.ports.apps.delete_owned(owner_of(authorization_id))

    def connect(self, record: OAuthRecord) -> None:
        """The code's first exchange: its pending authorization becomes active, and replaces the
        app's earlier ones for the same patient by the same account (a relaunch does not pile up
        in Connected apps; the earlier tokens end, revoked with reason "replaced")."""
        apps = self.ports.apps
        authorization = apps.authorization(record.get("patient_id"), record.get("authorization_id"))
        if authorization is None or authorization.status is not AuthorizationStatus.PENDING:
            return
        if not apps.save_authorization(replace(authorization, status=AuthorizationStatus.ACTIVE)):
            return  # changed meanwhile (revoked): grantee() decides on what is stored
        relauncher = Caller(
            account_id=authorization.account_id,
            role="patient",
            organization_id=authorization.organization_id,
            patient_id="",
            session_id="",
            restriction="",
        )
        for earlier in apps.authorizations_of(authorization.patient_id):
            if (
                earlier.active
                and earlier.authorization_id != authorization.authorization_id
                and earlier.client_id == authorization.client_id
                and earlier.account_id == authorization.account_id
            ):
                revoke_authorization(
                    self.ports,
                    relauncher,
                    self.origin,
                    earlier.patient_id,
                    earlier.authorization_id,
                    self.now,
                    by="replaced",
                    actor_grant_id=authorization.proxy_grant_id,
                )

    def end_authorization(self, record: OAuthRecord, reason: str) -> None:
        """A code replayed or a refresh token reused: the credential leaked, so the authorization
        ends (audited ``app.revoke`` with ``reason``). Marking it revoked is what holds: bearer and
        refresh read it strongly on every use, whatever the eventually consistent by-owner index
        still lists; deleting its tokens is cleanup."""
        authorization = self.ports.apps.authorization(record.get("patient_id"), record.get("authorization_id"))
        if authorization is None:
            return
        system = Caller(
            account_id="system",
            role="system",
            organization_id=authorization.organization_id,
            patient_id="",
            session_id="",
            restriction="",
        )
        revoke_authorization(
            self.ports,
            system,
            self.origin,
            authorization.patient_id,
            authorization.authorization_id,
            self.now,
            by=reason,
        )

    def token(self, token_string: str, hint: str | None) -> Token | None:
        if not isinstance(token_string, str) or not 0 < len(token_string) <= 200:
            return None
        kinds = [RecordKind.ACCESS, RecordKind.REFRESH]
        if hint == "refresh_token":
            kinds.reverse()
        for kind in kinds:
            record = self.ports.apps.record(kind, digest(token_string))
            if record is not None and record.kind is RecordKind.REFRESH and record.marked:
                return Token(record, self.now, None)  # used or revoked already: not active
            if record is not None:
                authorization = self.ports.apps.authorization(record.get("patient_id"), record.get("authorization_id"))
                # Introspection answers active:false for a token whose authorization no longer stands.
                return Token(record, self.now, authorization if stands(self.ports, authorization, self.now) else None)
        return None
