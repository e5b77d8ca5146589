"""The rules of a SMART Health Link (apps/health_links/domain.py): its status, the passcode count
that locks it, what a viewer's name is kept as, and the payload a QR code carries."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

from chalicelib.apps.health_links.domain import (
    MAX_USES_KEPT,
    HealthLink,
    LinkStatus,
    LinkUse,
    UseOutcome,
    clean_recipient,
    payload,
    shlink,
    viewer_url,
)

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


def link(**changes) -> HealthLink:
    base = HealthLink(
        link_id="a" * 32,
        patient_id="b" * 32,
        organization_id="org",
        manifest_id="M" * 43,
        label="For Dr Rivera",
        created_at=NOW,
        expires_at=NOW + timedelta(days=30),
        created_by="acct",
        key_ciphertext=b"sealed",
        object_key="health-links/x.jwe",
    )
    return HealthLink(**{**base.__dict__, **changes})


def use(outcome: UseOutcome = UseOutcome.OPENED) -> LinkUse:
    return LinkUse(NOW, "Dr. Rivera", outcome)


def test_a_link_works_until_it_expires_and_revoked_or_locked_wins_over_expired():
    assert link().status(NOW) is LinkStatus.ACTIVE
    assert link().status(NOW + timedelta(days=30)) is LinkStatus.EXPIRED
    assert link(revoked_at=NOW).status(NOW + timedelta(days=31)) is LinkStatus.REVOKED
    assert link(locked_at=NOW).status(NOW) is LinkStatus.LOCKED


def test_the_tenth_wrong_passcode_locks_the_link_for_good():
    current = link(passcode_hash="hash")
    for left in range(9, 0, -1):
        current = current.wrong_passcode(use())
        assert (current.remaining_attempts, current.status(NOW)) == (left, LinkStatus.ACTIVE)
    current = current.wrong_passcode(use())
    assert current.status(NOW) is LinkStatus.LOCKED and current.remaining_attempts == 0
    assert current.uses[0].outcome is UseOutcome.LOCKED and current.uses[1].outcome is UseOutcome.WRONG_PASSCODE
    assert current.use_count == 0  # kept, but none of them opened it


def test_only_the_newest_uses_are_kept_on_the_link_but_all_are_counted():
    current = link()
    for _ in range(MAX_USES_KEPT + 5):
        current = current.used(use())
    assert len(current.uses) == MAX_USES_KEPT and current.use_count == MAX_USES_KEPT + 5


def test_only_openings_count_as_opened_a_wrong_passcode_is_listed_not_counted():
    current = link(passcode_hash="hash").used(use()).wrong_passcode(use()).used(use())
    assert current.use_count == 2
    assert [u.outcome for u in current.uses] == [UseOutcome.OPENED, UseOutcome.WRONG_PASSCODE, UseOutcome.OPENED]


def test_what_a_viewer_says_it_is_is_kept_as_one_trimmed_line():
    assert clean_recipient("  Dr.\n\tRivera\x00 ") == "Dr. Rivera"
    assert len(clean_recipient("x" * 500)) == 100


def test_the_payload_is_the_specs_and_the_viewer_url_keeps_it_in_the_fragment():
    data = payload("https://portal.example/shl/" + "M" * 43, "k" * 43, link(passcode_hash="hash"))
    text = shlink(data)
    decoded = json.loads(base64.urlsafe_b64decode(text.removeprefix("shlink:/") + "=="))

    assert decoded == {
        "url": "https://portal.example/shl/" + "M" * 43,
        "key": "k" * 43,
        "exp": int((NOW + timedelta(days=30)).timestamp()),
        "flag": "P",
        "label": "For Dr Rivera",
    }
    assert "=" not in text
    assert viewer_url("https://portal.example/", text) == "https://portal.example/shl#" + text
