"""The authorization server's short-lived records (pending requests, codes, tokens) and how their
secrets are made and stored. Pure code.

Codes and tokens are opaque random strings (256 bits); only their SHA-256 is stored, as the
portal's sessions are, so a copy of the table hands out nothing. A plain hash suffices: the secret
is random, there is nothing to guess. Each record carries the few ids its kind needs
(``payload``), never PHI.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime


class RecordKind(enum.Enum):
    REQUEST = "oauth-request"  # an authorization request waiting for the patient's decision
    CODE = "oauth-code"  # an authorization code (single use)
    ACCESS = "app-token"  # an access token
    REFRESH = "app-refresh"  # a refresh token (rotates: each use ends it and issues the next)


# How long each lives, in seconds (an access token's is also the token answer's expires_in).
REQUEST_SECONDS = 10 * 60
CODE_SECONDS = 60
ACCESS_SECONDS = 3600
OFFLINE_REFRESH_SECONDS = 90 * 24 * 3600
# Without offline_access a refresh token lasts as long as a portal session may (the app is
# "online": it keeps access while the patient could have stayed signed in).
ONLINE_REFRESH_SECONDS = 12 * 3600


def new_secret() -> str:
    """A code or token to hand out once (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """What is stored for a code or token, and how one presented is looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def owner_of(authorization_id: str) -> str:
    """The by-owner key of an authorization's codes and tokens: a revoke deletes them all."""
    return f"app-authorization#{authorization_id}"


@dataclass(frozen=True)
class OAuthRecord:
    """One record of the identity table: ``selector`` is the request id or the secret's digest."""

    kind: RecordKind
    selector: str
    created_at: datetime
    expires_at: int  # epoch seconds
    payload: dict[str, str] = field(default_factory=dict)
    owner: str = ""
    marked: str = ""  # a code once exchanged: the authorization it was exchanged under

    def live(self, now: datetime) -> bool:
        # DynamoDB's TTL is only garbage collection: expiry is decided here, on every read.
        return now.timestamp() < self.expires_at

    def get(self, name: str) -> str:
        return self.payload.get(name, "")
