"""The rules of secure messaging a patient or a care team notices: when a reply is due (three
business days in the organization's zone), what a new message does to a thread's status, read
state and clock, the fixed urgent notice, and which files pass the check (pure: no store)."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from chalicelib.messaging.attachments import _disposition, _sniffed
from chalicelib.messaging.domain import (
    SentMessage,
    Side,
    Status,
    Thread,
    after_message,
    is_overdue,
    reply_due_by,
    sending_moment,
    urgent_notice,
)

NEW_YORK = "America/New_York"


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(NEW_YORK))


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        # a Monday morning message is due Thursday morning
        (local(2026, 11, 23, 9, 30), local(2026, 11, 26, 9, 30)),
        # a Friday afternoon message is due Wednesday afternoon: the weekend does not count
        (local(2026, 11, 27, 15, 0), local(2026, 12, 2, 15, 0)),
        # a Saturday message counts from Monday midnight: due Thursday at midnight
        (local(2026, 11, 28, 11, 0), local(2026, 12, 3, 0, 0)),
        (local(2026, 11, 29, 23, 59), local(2026, 12, 3, 0, 0)),
        # Wednesday's is due Monday
        (local(2026, 11, 25, 17, 0), local(2026, 11, 30, 17, 0)),
    ],
)
def test_a_reply_is_due_three_business_days_later_in_the_organizations_zone(sent, due):
    assert reply_due_by(sent.astimezone(timezone.utc), NEW_YORK) == due


def test_the_clock_keeps_the_wall_clock_time_across_a_daylight_saving_change():
    # Friday 30 October 2026, 10:00 EDT; clocks go back on Sunday 1 November
    due = reply_due_by(local(2026, 10, 30, 10, 0).astimezone(timezone.utc), NEW_YORK)
    assert due.astimezone(ZoneInfo(NEW_YORK)).replace(tzinfo=None) == datetime(2026, 11, 4, 10, 0)
    assert due.utcoffset().total_seconds() == -5 * 3600  # EST by then


def test_a_weekday_in_one_zone_can_be_the_weekend_in_another():
    # Friday 23:00 in New York is Saturday 04:00 UTC: the clock follows the organization's zone
    sent = local(2026, 11, 27, 23, 0).astimezone(timezone.utc)
    assert reply_due_by(sent, NEW_YORK) == local(2026, 12, 2, 23, 0)
    assert reply_due_by(sent, "UTC") == datetime(2026, 12, 3, 0, 0, tzinfo=ZoneInfo("UTC"))


def test_overdue_from_the_due_moment_on():
    due = local(2026, 11, 26, 9, 30)
    assert not is_overdue(due, local(2026, 11, 26, 9, 29))
    assert is_overdue(due, due)
    assert not is_overdue(None, due)


def thread(**changes) -> Thread:
    at = local(2026, 11, 23, 9, 0)
    base = Thread(
        thread_id="t" * 32,
        patient_id="p" * 32,
        organization_id="org",
        team_id="team",
        team_name="Primary Care",
        subject="Dose",
        status=Status.OPEN,
        created_at=at,
        last_message_at=at,
        last_message_from=Side.PATIENT,
        message_count=0,
    )
    from dataclasses import replace

    return replace(base, **changes)


def test_a_patient_message_starts_the_clock_and_a_second_one_does_not_move_it():
    first = local(2026, 11, 23, 9, 0)
    once = after_message(thread(), Side.PATIENT, first, NEW_YORK)
    twice = after_message(once, Side.PATIENT, local(2026, 11, 24, 9, 0), NEW_YORK)
    assert once.waiting_since == twice.waiting_since == first
    assert twice.reply_due_by == local(2026, 11, 26, 9, 0)
    assert (twice.unread_by_team, twice.message_count) == (2, 2)


def test_a_care_team_reply_stops_the_clock_and_waits_on_the_patient_unless_told_otherwise():
    asked = after_message(thread(), Side.PATIENT, local(2026, 11, 23, 9, 0), NEW_YORK)
    answered = after_message(asked, Side.CARE_TEAM, local(2026, 11, 23, 10, 0), NEW_YORK)
    assert (answered.status, answered.waiting_since, answered.reply_due_by) == (Status.WAITING_ON_PATIENT, None, None)
    assert (answered.unread_by_team, answered.unread_by_patient) == (0, 1)
    kept_open = after_message(asked, Side.CARE_TEAM, local(2026, 11, 23, 10, 0), NEW_YORK, Status.OPEN)
    assert kept_open.status is Status.OPEN


def test_a_patient_answer_reopens_a_thread_that_waited_on_them():
    waiting = thread(status=Status.WAITING_ON_PATIENT, unread_by_patient=1)
    answered = after_message(waiting, Side.PATIENT, local(2026, 11, 24, 9, 0), NEW_YORK)
    assert answered.status is Status.OPEN and answered.unread_by_patient == 0


def test_a_side_has_read_its_own_messages_and_the_others_up_to_its_watermark():
    at = local(2026, 11, 23, 9, 0)
    later = local(2026, 11, 23, 10, 0)
    read_through_nine = thread(patient_read_through=at)
    mine = SentMessage("m1", "t", Side.PATIENT, "a", "Ana", "hi", later)
    theirs_then = SentMessage("m2", "t", Side.CARE_TEAM, "s", "staff", "hello", at)
    theirs_later = SentMessage("m3", "t", Side.CARE_TEAM, "s", "staff", "again", later)
    assert read_through_nine.read_by(Side.PATIENT, mine)
    assert read_through_nine.read_by(Side.PATIENT, theirs_then)
    assert not read_through_nine.read_by(Side.PATIENT, theirs_later)
    assert not read_through_nine.read_by(Side.CARE_TEAM, mine)


def test_the_urgent_notice_is_one_fixed_text_with_the_teams_number_when_it_has_one():
    assert urgent_notice("(518) 555-0100") == (
        "Your care team flagged this conversation as possibly urgent. Please call them now at (518) 555-0100, "
        "or call 911 in an emergency."
    )
    assert "911" in urgent_notice("") and "{phone}" not in urgent_notice("")


@pytest.mark.parametrize(
    ("first", "sniffed"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", ""),  # a Windows executable
        (b"\x7fELF\x02\x01\x01\x00", ""),  # a Linux one
        (b"PK\x03\x04\x14\x00\x06\x00", ""),  # a zip (a .docx)
        (b"GIF89a\x01\x00\x01\x00", ""),  # an image of a kind not taken
        (b"Dear doctor, my results", ""),
        (b"", ""),
    ],
)
def test_a_files_type_is_told_from_its_first_bytes(first, sniffed):
    assert _sniffed(first) == sniffed


def test_a_download_is_saved_under_its_name_whatever_characters_it_has():
    assert (
        _disposition("lab letter.pdf") == "attachment; filename=\"lab letter.pdf\"; filename*=UTF-8''lab%20letter.pdf"
    )
    header = _disposition('Résultat "final";.pdf')
    assert 'filename="R_sultat _final__.pdf"' in header and "R%C3%A9sultat%20%22final%22%3B.pdf" in header


def test_a_message_is_stamped_after_the_last_one_even_when_its_servers_clock_is_behind():
    last = datetime(2026, 12, 4, 15, 0, 0, tzinfo=timezone.utc)
    thread = Thread("t", "p", "o", "team", "Primary Care", "Hi", Status.OPEN, last, last, Side.PATIENT, 1)
    earlier, same, later = last.replace(second=0, minute=59, hour=14), last, last.replace(second=5)
    assert sending_moment(thread, earlier) > last
    assert sending_moment(thread, same) > last
    assert sending_moment(thread, later) == later
    # so the reply after it is unread by the side that wrote the message before
    answered = after_message(thread, Side.CARE_TEAM, sending_moment(thread, earlier), NEW_YORK)
    reply = SentMessage("m2", "t", Side.CARE_TEAM, "staff", "Primary Care", "Hi", answered.last_message_at)
    assert answered.read_by(Side.PATIENT, reply) is False


@pytest.mark.parametrize(
    "body",
    [
        "Thanks! \U0001f469\u200d\u2695\ufe0f see you Friday",  # the health-worker emoji is joined by U+200D
        "\u05e9\u05dc\u05d5\u05dd \u200f(ok)",  # Hebrew with a right-to-left mark
        "\u0645\u0631\u062d\u0628\u0627 \u061c 10mg",  # Arabic with its letter mark
        "Line one\n\tindented line two\r\n",
    ],
)
def test_a_message_typed_on_a_phone_with_emoji_or_a_right_to_left_language_is_taken(body):
    from chalicelib.messaging.contract import NewReply

    assert NewReply.model_validate({"body": body}).body == body


@pytest.mark.parametrize("hidden", ["\u202e", "\u2066", "\u2069", "\x07", "\x00", "\x1b"])
def test_characters_that_reorder_or_control_the_text_are_refused(hidden):
    from pydantic import ValidationError

    from chalicelib.messaging.contract import NewReply

    with pytest.raises(ValidationError):
        NewReply.model_validate({"body": f"take 1{hidden}0 pills"})
