"""A video visit's join window and where its link comes from (pure: no store, clock or network)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.appointments.policy import AppointmentPolicy
from chalicelib.appointments.video import is_video_visit, shown, window_of
from chalicelib.interop.fhir.entries import VIRTUAL_SERVICE
from chalicelib.interop.video_links import video_link
from tests.unit.test_records_entries import hl7_text, only_entry, sample

ZONE = "America/New_York"
START = datetime(2026, 12, 8, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York
LINK = "https://video.example.org/join/abc?pin=123&lang=en"


def visit(**content) -> dict:
    return {"status": "booked", "starts_at": START.isoformat(), "type": "Video visit", **content}


def test_the_window_opens_15_minutes_before_the_start_and_closes_at_the_end():
    window = window_of(visit(ends_at=(START + timedelta(minutes=20)).isoformat()), ZONE)
    assert window is not None
    assert window.opens_at == START - timedelta(minutes=15)
    assert window.closes_at == START + timedelta(minutes=20)
    assert window.state(window.opens_at - timedelta(seconds=1)) == "not_yet"
    assert window.state(window.opens_at) == "open"
    assert window.state(window.closes_at - timedelta(seconds=1)) == "open"
    assert window.state(window.closes_at) == "ended"


def test_without_an_end_the_window_closes_after_its_minutes_else_an_hour():
    assert window_of(visit(minutes=30), ZONE).closes_at == START + timedelta(minutes=30)
    assert window_of(visit(), ZONE).closes_at == START + timedelta(hours=1)
    # an end before the start is no end
    assert window_of(visit(ends_at=(START - timedelta(hours=1)).isoformat()), ZONE).closes_at == START + timedelta(
        hours=1
    )
    assert window_of({"status": "booked", "starts_at": "2026-12-08"}, ZONE) is None


def test_the_list_shows_the_window_in_the_organizations_offset_and_never_the_link():
    field = shown(visit(video_link=LINK), ZONE, START, AppointmentPolicy())
    assert field == {
        "opens_at": "2026-12-08T09:45:00-05:00",
        "closes_at": "2026-12-08T11:00:00-05:00",
        "state": "open",
        "has_link": True,
    }
    assert shown(visit(), ZONE, START, AppointmentPolicy())["has_link"] is False
    with_template = AppointmentPolicy(video_link_template="https://meet.example.org/{appointment_id}")
    assert shown(visit(), ZONE, START, with_template, "APT-1")["has_link"] is True
    # (a template with no scheduler's id to fill it with gives no link: the join would say so)
    assert shown(visit(), ZONE, START, with_template)["has_link"] is False


def test_only_a_video_visit_still_on_has_a_video_field():
    assert (
        shown(
            {"status": "booked", "starts_at": START.isoformat(), "type": "Office visit"},
            ZONE,
            START,
            AppointmentPolicy(),
        )
        is None
    )
    assert shown(visit(status="cancelled"), ZONE, START, AppointmentPolicy()) is None
    # a link sent for a visit whose words say nothing of video makes it one
    assert is_video_visit({"type": "Follow-up", "video_link": LINK})


@pytest.mark.parametrize(
    "text",
    [
        "http://video.example.org/join",  # not https
        "https://",  # no host
        "https://user:secret@video.example.org/",  # credentials in the link
        "https://video.example.org/join now",  # a space
        "javascript:alert(1)",
        "https://video.example.org/" + "a" * 2000,
        None,
        42,
    ],
)
def test_only_a_plain_https_link_is_a_join_link(text):
    assert video_link(text) == ""


def test_an_siu_sends_its_link_in_an_nte_of_type_video():
    message = hl7_text(
        "MSH|^~\\&|SCHED|AMC|PORTAL|AMC|20261201080000||SIU^S12|c-1|P|2.5.1",
        "SCH|APT-7|APT-7^AMC||||||^Video visit|30|m|^^30^20261208100000",
        "NTE|1||Bring your medication list|RE",
        "NTE|2||https://video.example.org/join/abc?pin=123\\T\\lang=en|VIDEO^Video visit link",
        "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F",
    )
    [appointment] = message.entries
    assert appointment.content["video_link"] == LINK


def test_an_siu_note_that_is_not_of_type_video_or_not_https_gives_no_link():
    message = hl7_text(
        "MSH|^~\\&|SCHED|AMC|PORTAL|AMC|20261201080000||SIU^S12|c-1|P|2.5.1",
        "SCH|APT-7|APT-7^AMC||||||^Video visit|30|m|^^30^20261208100000",
        "NTE|1||https://clinic.example.org/parking|RE",
        "NTE|2||call 555-0100 to join|VIDEO",
        "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F",
    )
    [appointment] = message.entries
    assert "video_link" not in appointment.content


@pytest.mark.parametrize(
    "extension",
    [
        {
            "url": VIRTUAL_SERVICE,
            "extension": [
                {"url": "channelType", "valueCoding": {"code": "zoom"}},
                {"url": "address", "valueUrl": LINK},
            ],
        },
        {"url": VIRTUAL_SERVICE, "extension": [{"url": "addressUrl", "valueUrl": LINK}]},
        {"url": VIRTUAL_SERVICE, "valueUrl": LINK},
    ],
)
def test_a_fhir_appointment_sends_its_link_in_the_virtual_service_extension(extension):
    resource = sample("r4spec_appointment-example.json")
    resource["extension"] = [{"url": "https://example.org/other", "valueString": "x"}, extension]
    _, appointment = only_entry(resource)
    assert appointment.content["video_link"] == LINK


def test_a_fhir_link_that_is_not_https_is_dropped():
    resource = sample("r4spec_appointment-example.json")
    resource["extension"] = [
        {"url": VIRTUAL_SERVICE, "extension": [{"url": "address", "valueUrl": "http://x.example.org/"}]}
    ]
    _, appointment = only_entry(resource)
    assert "video_link" not in appointment.content
