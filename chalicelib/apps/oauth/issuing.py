"""Tokens issued under an authorization: what is stored for an access token and a refresh token.

Both are owned by their authorization (a revoke deletes them in one Query) and carry what the
bearer check needs to build the app's caller without another read: the authorization, the
patient, and the authorizing account's own patient and organization.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.apps.domain import AppAuthorization
from chalicelib.apps.oauth.stores import AppStore
from chalicelib.apps.oauth.tokens import (
    ACCESS_SECONDS,
    OFFLINE_REFRESH_SECONDS,
    ONLINE_REFRESH_SECONDS,
    OAuthRecord,
    RecordKind,
    digest,
    owner_of,
)


def token_payload(
    authorization: AppAuthorization, *, caller_patient_id: str, caller_organization_id: str, scope: str
) -> dict[str, str]:
    return {
        "authorization_id": authorization.authorization_id,
        "patient_id": authorization.patient_id,
        "client_id": authorization.client_id,
        "account_id": authorization.account_id,
        "caller_patient_id": caller_patient_id,
        "caller_organization_id": caller_organization_id,
        "scope": scope,
    }


def refresh_expiry(authorization: AppAuthorization, epoch: int, replaced: OAuthRecord | None = None) -> int:
    """When a new refresh token expires: offline_access's in 90 days; online_access's in 12 hours,
    and never later than the one it replaces (rotating does not stretch an online session)."""
    if authorization.offline:
        return epoch + OFFLINE_REFRESH_SECONDS
    expires_at = epoch + ONLINE_REFRESH_SECONDS
    return min(expires_at, replaced.expires_at) if replaced is not None else expires_at


def store_tokens(
    apps: AppStore,
    authorization: AppAuthorization,
    payload: dict[str, str],
    now: datetime,
    *,
    access_token: str,
    refresh_token: str = "",
    refresh_ends_by: OAuthRecord | None = None,
) -> None:
    """Keep the hashes of a new access token (and refresh token) under their authorization."""
    owner = owner_of(authorization.authorization_id)
    epoch = int(now.timestamp())
    apps.put_record(OAuthRecord(RecordKind.ACCESS, digest(access_token), now, epoch + ACCESS_SECONDS, payload, owner))
    if refresh_token:
        apps.put_record(
            OAuthRecord(
                RecordKind.REFRESH,
                digest(refresh_token),
                now,
                refresh_expiry(authorization, epoch, refresh_ends_by),
                payload,
                owner,
            )
        )
