"""The session check behind every signed-in route, kept apart from sign-in so the authorizer
Lambda imports only this (no argon2, no TOTP): it runs before every signed-in request."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.identity import tokens
from chalicelib.identity.policy import IdentitySettings
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.kernel.caller import Caller


class SessionCheckPorts(IdentityRecordsPorts, Protocol):
    """The sessions (in the identity store) and their idle timeout."""

    @property
    def settings(self) -> IdentitySettings: ...


def authorize(ports: SessionCheckPorts, authorization: str, now: datetime) -> Caller | None:
    """A live session moves its idle deadline on and yields the caller; anything else yields
    None (and the gateway answers 401)."""
    scheme, _, token = (authorization or "").partition(" ")
    split = tokens.parse(token.strip()) if scheme.lower() == "bearer" else None
    if split is None:
        return None
    session = ports.identity_records.touch_session(
        split.selector, split.verifier_hash, now, ports.settings.identity.session_idle_seconds
    )
    if session is None:
        return None
    return Caller(
        account_id=session.account_id,
        role=session.role,
        organization_id=session.organization_id,
        patient_id=session.patient_id,
        session_id=session.selector,
        restriction=session.restriction,
    )
