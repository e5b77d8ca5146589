"""What staff read about an email on a patient's page: its kind, state and their next step, from
the delivery record alone (pure: no store)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from chalicelib.notifications.deliveries import (
    DeliveryRecord,
    DeliveryState,
    FailureReason,
    newest,
    next_step,
    staff_view,
)
from chalicelib.notifications.domain import TEMPLATES

AT = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
WEB_STRINGS = Path(__file__).resolve().parents[2] / "web" / "src" / "locales" / "en.json"


def record(template: str, state: DeliveryState, asked_at: datetime | None = AT, **extra) -> DeliveryRecord:
    return DeliveryRecord(
        notification_id=extra.pop("notification_id", f"{template}-1"),
        template=template,
        state=state,
        updated_at=AT + timedelta(seconds=5),
        asked_at=asked_at,
        **extra,
    )


def test_a_failed_invitation_can_be_sent_again_and_names_its_invitation():
    view = staff_view(
        record("invitation", DeliveryState.FAILED, reason=FailureReason.DEAD_LETTER, notification_id="invitation-abc")
    )
    assert (view["next_step"], view["invitation_id"], view["reason"]) == ("send_again", "abc", "dead_letter")
    assert view["asked_at"] == "2026-11-20T10:00:00Z"


def test_a_failed_results_notice_is_still_seen_in_the_portal_and_a_failed_code_can_be_asked_for_again():
    assert next_step(record("something_waiting", DeliveryState.FAILED)) == "seen_in_portal"
    assert next_step(record("care_team_will_call", DeliveryState.FAILED)) == "seen_in_portal"
    assert next_step(record("sign_in_code", DeliveryState.FAILED)) == "patient_asks_again"
    assert next_step(record("password_reset", DeliveryState.FAILED)) == "patient_asks_again"
    assert next_step(record("password_changed", DeliveryState.FAILED)) == "none"


def test_an_email_that_was_sent_or_waits_has_no_next_step():
    assert next_step(record("invitation", DeliveryState.SENT)) is None
    assert next_step(record("invitation", DeliveryState.QUEUED)) is None
    assert staff_view(record("something_waiting", DeliveryState.QUEUED))["invitation_id"] is None


def test_emails_of_the_patient_and_their_account_are_merged_newest_first_and_cut_to_the_limit():
    older = record("invitation", DeliveryState.SENT, AT)
    newer = record("sign_in_code", DeliveryState.SENT, AT + timedelta(days=2))
    between = record("something_waiting", DeliveryState.FAILED, AT + timedelta(days=1))
    assert newest([older, newer, between], 2) == [newer, between]


def test_an_email_recorded_before_its_asking_time_was_kept_is_placed_by_its_last_change():
    unknown = record("invitation", DeliveryState.SENT, asked_at=None)
    assert staff_view(unknown)["asked_at"] == "2026-11-20T10:00:05Z"


def test_the_web_portal_names_every_email_the_portal_sends_in_words():
    kinds = json.loads(WEB_STRINGS.read_text())["emailKinds"]
    assert set(kinds) == {*TEMPLATES, "other"}
