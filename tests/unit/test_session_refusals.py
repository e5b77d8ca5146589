"""Why the session check refused a token, as the audit trail records it."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.identity import tokens
from chalicelib.identity.domain import IdentityRecord, RecordKind
from chalicelib.identity.session_check import refusal_reason

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
EPOCH = int(NOW.timestamp())
TOKEN, SPLIT = tokens.new_token()


def session(**changes) -> IdentityRecord:
    fields = {
        "kind": RecordKind.SESSION,
        "selector": SPLIT.selector,
        "secret_hash": SPLIT.verifier_hash,
        "expires_at": EPOCH + 3600,
        "idle_expires_at": EPOCH + 600,
        "account_id": "acct-1",
    }
    fields.update(changes)
    return IdentityRecord(**fields)


def test_each_refusal_names_its_reason():
    assert refusal_reason(None, SPLIT, NOW) == "no_session"
    assert refusal_reason(session(secret_hash="0" * 64), SPLIT, NOW) == "wrong_secret"
    assert refusal_reason(session(expires_at=EPOCH), SPLIT, NOW) == "expired"
    assert refusal_reason(session(idle_expires_at=EPOCH - 1), SPLIT, NOW) == "idle_timeout"
