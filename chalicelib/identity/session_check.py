"""The session check behind every signed-in route: the request envelope runs it in the API
function before the route (http/envelope.py, through app.py). Kept apart from sign-in so a
signed-in read's first request imports only this (no argon2, no TOTP).

A token that parses but opens nothing is audited ("session.refused"): a stolen token tried
after sign-out, or an old one replayed, shows on the trail. The event names the session's account
when the session is still on file, and the reason as a code; never the token."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import append_event
from chalicelib.audit.trail import ANONYMOUS, AuditPorts
from chalicelib.errors import DependencyUnavailable
from chalicelib.identity import tokens
from chalicelib.identity.domain import IdentityRecord, RecordKind
from chalicelib.identity.policy import IdentitySettings
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.kernel.caller import Caller


class SessionCheckPorts(IdentityRecordsPorts, AuditPorts, Protocol):
    """The sessions (in the identity store), their idle timeout, and the audit trail."""

    @property
    def settings(self) -> IdentitySettings: ...


def authorize(ports: SessionCheckPorts, authorization: str, now: datetime) -> Caller | None:
    """A live session moves its idle deadline on and yields the caller; anything else yields
    None (and the envelope answers 401)."""
    scheme, _, token = (authorization or "").partition(" ")
    split = tokens.parse(token.strip()) if scheme.lower() == "bearer" else None
    if split is None:
        return None
    session = ports.identity_records.touch_session(
        split.selector, split.verifier_hash, now, ports.settings.identity.session_idle_seconds
    )
    if session is None:
        _audit_refusal(ports, split, now)
        return None
    return Caller(
        account_id=session.account_id,
        role=session.role,
        organization_id=session.organization_id,
        patient_id=session.patient_id,
        session_id=session.selector,
        restriction=session.restriction,
    )


def refusal_reason(session: IdentityRecord | None, split: tokens.SplitToken, now: datetime) -> str:
    """Why a parsed token opened nothing, as a code. A session ended early (sign-out, a password
    change, a suspension) is deleted, so it reads as no_session, as a token never issued does."""
    epoch = int(now.timestamp())
    if session is None:
        return "no_session"
    if not tokens.same(session.secret_hash, split.verifier_hash):
        return "wrong_secret"
    if session.expires_at <= epoch:
        return "expired"
    if session.idle_expires_at and session.idle_expires_at <= epoch:
        return "idle_timeout"
    return "ended_meanwhile"  # (it changed between the check and this read)


def _audit_refusal(ports: SessionCheckPorts, split: tokens.SplitToken, now: datetime) -> None:
    from chalicelib.observability import count, log_exception

    count("SessionsRefused")
    try:
        session = ports.identity_records.get(RecordKind.SESSION, split.selector)
        reason = refusal_reason(session, split, now)
        actor = Actor(account_id=session.account_id, role=session.role) if session and session.account_id else ANONYMOUS
        append_event(
            ports.audit_log,
            recorded_at=now,
            actor=actor,
            action=Action.EXECUTE,
            event_type="session.refused",
            outcome=Outcome.DENIED,
            resource_type="Session",
            reason=reason,
        )
    except DependencyUnavailable as error:
        # The identity store or the audit trail is down: refused all the same (a 500 instead of
        # the 401 would only confuse the client), and the log says which.
        log_exception("session_refusal_audit", error)
