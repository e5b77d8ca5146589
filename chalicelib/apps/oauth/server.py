"""Authlib's authorization server on the portal's requests and stores.

Authlib validates and answers the OAuth: the authorization request (client, exact redirect URI,
response type, scope), the code exchange and PKCE, client authentication (none for public
clients; client_secret_basic or client_secret_post for confidential ones), refresh, introspection
and revocation. The portal gives it what it leaves to its host: requests (``HttpCall``: no chalice
here, the routes translate), clients, codes and tokens, and the token's SMART extras (``patient``,
``need_patient_banner``, the id_token).

SMART's rules beyond OAuth, enforced here: PKCE with S256 from every client (plain is refused,
and a request without a challenge); ``aud`` names this FHIR server; a code is used once, and a
second use revokes everything issued under its authorization (RFC 6749 4.1.2); refresh tokens
rotate (each use ends the old one) and die with their authorization.
"""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Payload,
    TokenMixin,
    grants,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from chalicelib.apps.domain import (
    LAUNCH_PATIENT,
    OPENID,
    AppAuthorization,
    AppClient,
    AppStatus,
    ClientKind,
    InvalidScope,
    parse_scopes,
)
from chalicelib.apps.oauth.id_token import Signer, id_token
from chalicelib.apps.oauth.issuing import store_tokens, token_payload
from chalicelib.apps.oauth.stores import AppStore
from chalicelib.apps.oauth.tokens import (
    ACCESS_SECONDS,
    CODE_SECONDS,
    OAuthRecord,
    RecordKind,
    digest,
    new_secret,
    owner_of,
)
from chalicelib.audit.domain import Actor
from chalicelib.audit.service import AuditLog
from chalicelib.audit.trail import write_audit
from chalicelib.kernel.clock import Clock
from chalicelib.kernel.origin import Origin

FHIR_PATH = "/fhir/R4"
PUBLIC_AUTH = ("none",)
CONFIDENTIAL_AUTH = ("client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")


class OAuthPorts(Protocol):
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


@dataclass(frozen=True)
class HttpCall:
    """A request as the authorization server reads it: parameters as given (a name may repeat)."""

    method: str
    uri: str
    headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, list[str]] = field(default_factory=dict)
    form: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class OAuthAnswer:
    status: int
    body: Any
    headers: dict[str, str]

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")


class _Payload(OAuth2Payload):
    def __init__(self, values: Mapping[str, list[str]]):
        self._datalist: defaultdict[str, list[str]] = defaultdict(list, {k: list(v) for k, v in values.items()})
        self._data = {k: v[0] for k, v in values.items() if v}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list[str]]:
        return self._datalist


class _Headers(dict[str, str]):
    """Header names in any case (HTTP's rule; Authlib asks for "Authorization")."""

    def __init__(self, headers: Mapping[str, str]):
        super().__init__((str(k).lower(), str(v)) for k, v in headers.items())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


class PortalRequest(OAuth2Request):
    def __init__(self, call: HttpCall):
        super().__init__(method=call.method, uri=call.uri, headers=_Headers(call.headers))
        values = call.query if call.method == "GET" else call.form
        self.payload = _Payload(values)
        self._args = {k: v[0] for k, v in call.query.items() if v}
        self._form = {k: v[0] for k, v in call.form.items() if v}

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class RegisteredClient(ClientMixin):
    """An app as Authlib asks after it."""

    def __init__(self, app: AppClient):
        self.app = app
        self.client_id = app.client_id

    def get_client_id(self) -> str:
        return self.app.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # SMART apps name their redirect URI on every request; none is assumed

    def get_allowed_scope(self, scope: str) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.app.redirect_uris  # exact match, never a prefix

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.app.secret_hash) and hmac.compare_digest(self.app.secret_hash, digest(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        allowed = PUBLIC_AUTH if self.app.kind is ClientKind.PUBLIC else CONFIDENTIAL_AUTH
        return method in allowed

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in GRANT_TYPES


@dataclass(frozen=True)
class Grantee:
    """Whom tokens are issued for: the authorization, and who gave it (Authlib's "user")."""

    authorization: AppAuthorization
    caller_patient_id: str
    caller_organization_id: str
    fhir_user: str
    nonce: str = ""

    def payload(self, scope: str) -> dict[str, str]:
        values = token_payload(
            self.authorization,
            caller_patient_id=self.caller_patient_id,
            caller_organization_id=self.caller_organization_id,
            scope=scope,
        )
        values["fhir_user"] = self.fhir_user
        return values


class _Code(AuthorizationCodeMixin):
    def __init__(self, record: OAuthRecord):
        self.record = record
        self.code_challenge = record.get("code_challenge")
        self.code_challenge_method = record.get("code_challenge_method")

    def get_redirect_uri(self) -> str:
        return self.record.get("redirect_uri")

    def get_scope(self) -> str:
        return self.record.get("scope")

    def get_nonce(self) -> str:
        return self.record.get("nonce")

    def get_auth_time(self) -> int:
        return int(self.record.created_at.timestamp())


class _Token(TokenMixin):
    def __init__(self, record: OAuthRecord, now: datetime, authorization: AppAuthorization | None):
        self.record = record
        self.now = now
        self.authorization = authorization

    def check_client(self, client: RegisteredClient) -> bool:
        return self.record.get("client_id") == client.get_client_id()

    def get_scope(self) -> str:
        return self.record.get("scope")

    def get_expires_in(self) -> int:
        return max(0, self.record.expires_at - int(self.now.timestamp()))

    def is_expired(self) -> bool:
        return not self.record.live(self.now)

    def is_revoked(self) -> bool:
        return self.authorization is None or not self.authorization.active


class S256Only(CodeChallenge):
    """PKCE as SMART App Launch 2 requires it: S256, from every client (confidential ones too)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge': PKCE (S256) is required.")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("Unsupported 'code_challenge_method': only S256 is accepted.")
        super().validate_code_challenge(grant, redirect_uri)

    def validate_code_verifier(self, grant: Any, result: Any) -> None:
        if not grant.request.form.get("code_verifier"):
            raise InvalidRequestError("Missing 'code_verifier'.")
        super().validate_code_verifier(grant, result)


class PortalAuthorizationServer(AuthorizationServer):
    def __init__(self, ports: OAuthPorts, public_base_url: str, origin: Origin | None = None):
        super().__init__(scopes_supported=None)
        self.ports = ports
        self.origin = origin or Origin()
        self.issuer = fhir_base(public_base_url)
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
        if include_refresh_token and user.authorization.offline:
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
        """Whom a code or refresh token stands for, if their authorization is still active."""
        authorization = self.ports.apps.authorization(record.get("patient_id"), record.get("authorization_id"))
        if authorization is None or not authorization.active:
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

    def token(self, token_string: str, hint: str | None) -> _Token | None:
        if not isinstance(token_string, str) or not 0 < len(token_string) <= 200:
            return None
        kinds = [RecordKind.ACCESS, RecordKind.REFRESH]
        if hint == "refresh_token":
            kinds.reverse()
        for kind in kinds:
            record = self.ports.apps.record(kind, digest(token_string))
            if record is not None:
                authorization = self.ports.apps.authorization(record.get("patient_id"), record.get("authorization_id"))
                return _Token(record, self.now, authorization)
        return None


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*CONFIDENTIAL_AUTH, *PUBLIC_AUTH]
    server: PortalAuthorizationServer

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        audience = self.request.payload.data.get("aud", "")
        if audience.rstrip("/") != self.server.issuer:
            raise InvalidRequestError(
                "The 'aud' parameter must name this FHIR server.",
                redirect_uri=redirect_uri,
                state=self.request.payload.state,
            )
        return redirect_uri

    def save_authorization_code(self, code: str, request: Any) -> None:
        grantee: Grantee = request.user
        now = self.server.now
        payload = grantee.payload(request.scope or "")
        data = request.payload.data
        payload.update(
            redirect_uri=data.get("redirect_uri", ""),
            code_challenge=data.get("code_challenge", ""),
            code_challenge_method=data.get("code_challenge_method", ""),
            nonce=data.get("nonce", "")[:200],
        )
        self.server.ports.apps.put_record(
            OAuthRecord(
                RecordKind.CODE,
                digest(code),
                now,
                int(now.timestamp()) + CODE_SECONDS,
                payload,
                owner_of(grantee.authorization.authorization_id),
            )
        )

    def query_authorization_code(self, code: str, client: RegisteredClient) -> _Code | None:
        if not isinstance(code, str) or not 0 < len(code) <= 200:
            return None
        apps = self.server.ports.apps
        record = apps.record(RecordKind.CODE, digest(code))
        if record is None or not record.live(self.server.now) or record.get("client_id") != client.get_client_id():
            return None
        # The first use wins, atomically; a second one means the code leaked: end what it gave.
        if record.marked or not apps.mark_record(RecordKind.CODE, record.selector, "exchanged"):
            self.server.revoke_issued(record.get("authorization_id"))
            return None
        return _Code(record)

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        # Kept, marked exchanged, until it expires: a second use must be recognised as one.
        return None

    def authenticate_user(self, authorization_code: _Code) -> Grantee | None:
        return self.server.grantee(authorization_code.record)


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*CONFIDENTIAL_AUTH, *PUBLIC_AUTH]
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: PortalAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> _Token | None:
        # Taken (deleted) as it is read: of two uses of one refresh token, one at most succeeds.
        if not isinstance(refresh_token, str) or not 0 < len(refresh_token) <= 200:
            return None
        record = self.server.ports.apps.take_record(RecordKind.REFRESH, digest(refresh_token))
        if record is None or not record.live(self.server.now):
            return None
        return _Token(record, self.server.now, None)

    def authenticate_user(self, refresh_token: _Token) -> Grantee | None:
        return self.server.grantee(refresh_token.record)

    def revoke_old_credential(self, refresh_token: _Token) -> None:
        return None  # taken already, when it was read


class Introspection(IntrospectionEndpoint):
    """RFC 7662, for confidential clients, about their own tokens only (a public client has no
    credential to introspect with; it learns a token's fate by using it)."""

    CLIENT_AUTH_METHODS = list(CONFIDENTIAL_AUTH)
    server: PortalAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> _Token | None:
        return self.server.token(token_string, token_type_hint)

    def check_permission(self, token: _Token, client: RegisteredClient, request: Any) -> bool:
        return bool(token.check_client(client))

    def introspect_token(self, token: _Token) -> dict[str, Any]:
        record = token.record
        answer: dict[str, Any] = {
            "active": True,
            "scope": record.get("scope"),
            "client_id": record.get("client_id"),
            "token_type": "Bearer" if record.kind is RecordKind.ACCESS else "refresh_token",
            "exp": record.expires_at,
            "iat": int(record.created_at.timestamp()),
            "sub": record.get("account_id"),
            "iss": self.server.issuer,
        }
        if LAUNCH_PATIENT in record.get("scope").split():
            answer["patient"] = record.get("patient_id")
        return answer


class Revocation(RevocationEndpoint):
    """RFC 7009. Revoking a refresh token ends every token of its authorization (the app is
    signing out); revoking an access token ends that token. The patient's consent stays: only
    the patient (or an admin disabling the app) revokes it."""

    CLIENT_AUTH_METHODS = [*CONFIDENTIAL_AUTH, *PUBLIC_AUTH]
    server: PortalAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> _Token | None:
        return self.server.token(token_string, token_type_hint)

    def revoke_token(self, token: _Token, request: Any) -> None:
        if token.record.kind is RecordKind.REFRESH:
            self.server.revoke_issued(token.record.get("authorization_id"))
        else:
            self.server.ports.apps.take_record(RecordKind.ACCESS, token.record.selector)


def error_redirect(redirect_uri: str, error: str, state: str | None) -> str:
    params = [("error", error)]
    if state:
        params.append(("state", state))
    return str(add_params_to_uri(redirect_uri, params))
