"""The organization's zone, as every proxy rule reads it: its own when recorded, else the
deployment's default (never UTC by accident: a last day or a 12th birthday would move by hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.proxies.domain import minor_on
from chalicelib.proxies.zones import organization_zone


@dataclass
class _Organization:
    time_zone: str


class _Directory:
    def __init__(self, zones: dict[str, str]):
        self.zones = zones

    def organization(self, organization_id: str):
        return _Organization(self.zones[organization_id]) if organization_id in self.zones else None


@dataclass
class _Ports:
    directory: _Directory


def test_an_organization_without_a_zone_reads_the_default_one():
    ports = _Ports(_Directory({"chicago": "America/Chicago", "unset": ""}))
    assert organization_zone(ports, "chicago") == "America/Chicago"
    assert organization_zone(ports, "unset") == DEFAULT_TIME_ZONE != "UTC"
    assert organization_zone(ports, "unknown") == DEFAULT_TIME_ZONE


def test_a_minor_until_the_first_moment_of_the_18th_birthday_on_the_clinics_calendar():
    zone = "America/New_York"
    eve = datetime(2026, 3, 8, 23, 59, tzinfo=ZoneInfo(zone))
    assert minor_on("2008-03-09", zone, eve)
    assert not minor_on("2008-03-09", zone, datetime(2026, 3, 9, 0, 0, tzinfo=ZoneInfo(zone)))
    # (03:30 UTC on the 9th is still the 8th in New York)
    assert minor_on("2008-03-09", zone, datetime(2026, 3, 9, 3, 30, tzinfo=ZoneInfo("UTC")))
    # a birth date given only in part, or none, tells nothing
    assert not minor_on("2008-03", zone, eve) and not minor_on("", zone, eve)
