"""Authlib's grants and endpoints on the portal's stores: the code grant (a code used once; a second
use ends its authorization), the refresh grant (rotating: a refresh token is marked used as it is
read, and a second use ends its authorization),
introspection (confidential clients, their own tokens) and revocation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import InvalidRequestError, grants
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint

from chalicelib.apps.domain import LAUNCH_PATIENT
from chalicelib.apps.oauth.objects import CONFIDENTIAL_AUTH, PUBLIC_AUTH, Code, Grantee, RegisteredClient, Token
from chalicelib.apps.oauth.tokens import CODE_SECONDS, OAuthRecord, RecordKind, digest, owner_of

# Marks of a refresh token kept until it expires, and the reasons an authorization ends for a leak.
USED_MARK = "used"
REVOKED_MARK = "revoked"
CODE_REPLAYED = "code_replayed"
REFRESH_REUSED = "refresh_reused"

if TYPE_CHECKING:
    from chalicelib.apps.oauth.server import PortalAuthorizationServer


class CodeGrant(grants.AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*CONFIDENTIAL_AUTH, *PUBLIC_AUTH]
    server: PortalAuthorizationServer

    def validate_authorization_request(self) -> str:
        redirect_uri: str = super().validate_authorization_request()
        audience = self.request.payload.data.get("aud", "")
        if audience.rstrip("/") not in self.server.audiences:
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

    def query_authorization_code(self, code: str, client: RegisteredClient) -> Code | None:
        if not isinstance(code, str) or not 0 < len(code) <= 200:
            return None
        apps = self.server.ports.apps
        record = apps.record(RecordKind.CODE, digest(code))
        if record is None or not record.live(self.server.now) or record.get("client_id") != client.get_client_id():
            return None
        # The first use wins, atomically; a second one means the code leaked: end what it gave.
        if record.marked or not apps.mark_record(RecordKind.CODE, record.selector, "exchanged"):
            self.server.end_authorization(record, CODE_REPLAYED)
            return None
        return Code(record)

    def delete_authorization_code(self, authorization_code: Code) -> None:
        # Kept, marked exchanged, until it expires: a second use must be recognised as one.
        return None

    def authenticate_user(self, authorization_code: Code) -> Grantee | None:
        self.server.connect(authorization_code.record)
        return self.server.grantee(authorization_code.record)


class RefreshGrant(grants.RefreshTokenGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [*CONFIDENTIAL_AUTH, *PUBLIC_AUTH]
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: PortalAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> Token | None:
        # Marked used as it is read, atomically, and kept until it expires: of two uses of one
        # refresh token one at most succeeds, and the second is recognised as reuse (the token was
        # stolen, or the app's copy was): the authorization ends (OAuth 2.0 Security BCP 4.14.2).
        if not isinstance(refresh_token, str) or not 0 < len(refresh_token) <= 200:
            return None
        apps = self.server.ports.apps
        record = apps.record(RecordKind.REFRESH, digest(refresh_token))
        if record is None or not record.live(self.server.now) or record.marked == REVOKED_MARK:
            return None
        if record.marked or not apps.mark_record(RecordKind.REFRESH, record.selector, USED_MARK):
            self.server.end_authorization(record, REFRESH_REUSED)
            return None
        if self.server.grantee(record) is None:
            return None  # its authorization no longer stands: invalid_grant, as for a revoked token
        return Token(record, self.server.now, None)

    def authenticate_user(self, refresh_token: Token) -> Grantee | None:
        return self.server.grantee(refresh_token.record)

    def revoke_old_credential(self, refresh_token: Token) -> None:
        return None  # marked used already, when it was read


class Introspection(IntrospectionEndpoint):
    """RFC 7662, for confidential clients, about their own tokens only (a public client has no
    credential to introspect with; it learns a token's fate by using it)."""

    CLIENT_AUTH_METHODS = list(CONFIDENTIAL_AUTH)
    server: PortalAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.token(token_string, token_type_hint)

    def check_permission(self, token: Token, client: RegisteredClient, request: Any) -> bool:
        return bool(token.check_client(client))

    def introspect_token(self, token: Token) -> dict[str, Any]:
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

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.token(token_string, token_type_hint)

    def revoke_token(self, token: Token, request: Any) -> None:
        apps = self.server.ports.apps
        if token.record.kind is RecordKind.REFRESH:
            # Marked on its own key first (that holds at once); the rest found through the by-owner index.
            apps.mark_record(RecordKind.REFRESH, token.record.selector, REVOKED_MARK)
            self.server.revoke_issued(token.record.get("authorization_id"))
        else:
            apps.take_record(RecordKind.ACCESS, token.record.selector)  # by its own key: gone at once
