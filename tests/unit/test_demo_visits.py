"""The demo's near visits: always two days ahead (check-in open) and ten minutes ahead (a video
visit to join), read by the real HL7 reader as appointments in the organization's clock."""

from datetime import datetime, timezone

from chalicelib.appointments import domain
from chalicelib.interop.hl7v2 import read_hl7
from infra.local.demo_visits import demo_visit_messages


def test_the_demo_books_a_visit_two_days_ahead_and_a_video_visit_ten_minutes_ahead():
    now = datetime(2026, 12, 5, 15, 2, 30, tzinfo=timezone.utc)  # 10:02 in Albany
    checkin, video = (read_hl7(m).entries[0] for m in demo_visit_messages(now, "America/New_York"))
    assert domain.moment(checkin.content["starts_at"], "America/New_York") == datetime(
        2026, 12, 7, 15, 0, tzinfo=timezone.utc
    )
    assert domain.mode_of(video.content) == "video"
    assert domain.moment(video.content["starts_at"], "America/New_York") == datetime(
        2026, 12, 5, 15, 12, tzinfo=timezone.utc
    )
    assert video.content["minutes"] == 60
