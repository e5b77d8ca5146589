"""The portal's requests, clients, codes and tokens as Authlib asks after them (its mixins), and
PKCE as SMART requires it. No storage here: ``server`` and ``grants`` read and write the stores."""

from __future__ import annotations

import hmac
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from authlib.oauth2 import OAuth2Request
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeMixin,
    ClientMixin,
    InvalidRequestError,
    OAuth2Payload,
    TokenMixin,
)
from authlib.oauth2.rfc7636 import CodeChallenge

from chalicelib.apps.domain import AppAuthorization, AppClient, ClientKind
from chalicelib.apps.oauth.issuing import token_payload
from chalicelib.apps.oauth.tokens import OAuthRecord, digest

FHIR_PATH = "/fhir/R4"
PUBLIC_AUTH = ("none",)
CONFIDENTIAL_AUTH = ("client_secret_basic", "client_secret_post")
GRANT_TYPES = ("authorization_code", "refresh_token")


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


class Code(AuthorizationCodeMixin):
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


class Token(TokenMixin):
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
