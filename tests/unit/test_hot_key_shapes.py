"""The keys that every writer would otherwise share are spread over shards: the shard of an item
is fixed by something stable about it, always within range, and different items spread out.

GIVEN the key formats of the audit trail (shared actors), the feed messages' status index and
the unknown user's failed sign-ins, WHEN an item is keyed, THEN its key names one of 16 shards.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import datetime, timezone

from chalicelib.audit.domain import Action, Actor, AuditEvent, Outcome
from chalicelib.audit.trail import ANONYMOUS
from chalicelib.data.audit_log import actor_keys, audit_item, is_shared, subject_keys
from chalicelib.data.feed_messages import status_key
from chalicelib.feeds.service import FEED_INTAKE
from chalicelib.kernel.shards import SHARDS, every_shard, shard_of, sharded

AT = datetime(2026, 12, 5, 9, 0, tzinfo=timezone.utc)
ACCOUNT = Actor(account_id="0f" * 16, role="patient")


def event(actor: Actor, patient_id: str = "", event_id: str = "") -> AuditEvent:
    return AuditEvent(
        event_id=event_id or uuid.uuid4().hex,
        recorded_at=AT,
        actor=actor,
        action=Action.EXECUTE,
        event_type="session.sign_in",
        outcome=Outcome.FAILURE,
        patient_id=patient_id,
    )


def test_a_shard_is_fixed_by_its_input_and_within_range():
    assert shard_of("LAB|AMC|C-1") == shard_of("LAB|AMC|C-1")
    assert all(0 <= shard_of(f"message-{n}") < SHARDS for n in range(500))
    assert re.fullmatch(r"filed#\d\d", sharded("filed", "LAB|AMC|C-1"))
    assert every_shard("filed") == [f"filed#{n:02d}" for n in range(SHARDS)]


def test_a_thousand_items_reach_every_shard_and_none_takes_more_than_twice_its_share():
    counts = Counter(shard_of(uuid.uuid4().hex) for _ in range(1000))
    assert set(counts) == set(range(SHARDS))
    assert max(counts.values()) < 2 * 1000 / SHARDS


def test_unknown_users_failed_sign_ins_spread_over_the_anonymous_shards():
    items = [audit_item(event(ANONYMOUS)) for _ in range(64)]

    subjects = {item.subject_id for item in items}
    assert subjects <= set(every_shard("account#anonymous")) and len(subjects) > SHARDS // 2
    assert {item.actor_key for item in items} <= set(every_shard("anonymous"))
    # the actor itself is unchanged: the access log and the trail show "anonymous"
    assert {item.actor_id for item in items} == {"anonymous"}


def test_every_feed_message_audit_event_lands_on_a_shard_of_the_feed_actor():
    intake = audit_item(event(FEED_INTAKE, event_id="e1"))
    filed = audit_item(event(FEED_INTAKE, patient_id="patient-1", event_id="e1"))

    assert intake.subject_id == sharded("account#system:clinical-feed", "e1")
    assert intake.actor_key == filed.actor_key == sharded("system:clinical-feed", "e1")
    # an event about a patient stays under the patient, where their access log reads it
    assert filed.subject_id == "patient-1"


def test_an_accounts_own_events_stay_under_one_key():
    item = audit_item(event(ACCOUNT))

    assert (item.subject_id, item.actor_key) == (f"account#{ACCOUNT.account_id}", ACCOUNT.account_id)
    assert subject_keys(item.subject_id) == [item.subject_id]
    assert actor_keys(ACCOUNT.account_id) == [ACCOUNT.account_id]
    assert not is_shared(ACCOUNT.account_id)
    assert all(is_shared(a) for a in ("anonymous", "system", "system:clinical-feed", "operator:infra.admin"))


def test_feed_messages_of_one_status_spread_over_its_shards_and_keep_theirs():
    keys = [status_key(f"LAB|AMC|C-{n}", "filed") for n in range(64)]

    assert set(keys) <= set(every_shard("filed")) and len(set(keys)) > SHARDS // 2
    assert status_key("LAB|AMC|C-1", "filed") == status_key("LAB|AMC|C-1", "filed")
    # a message's shard follows it from status to status
    assert status_key("LAB|AMC|C-1", "quarantined")[-2:] == status_key("LAB|AMC|C-1", "filed")[-2:]
