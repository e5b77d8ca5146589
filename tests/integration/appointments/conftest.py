"""Fixtures of the appointment request tests: the seeded demo organization (New York), Ana signed
in, its staff and admin, its care teams, and SIU bookings sent through the real feed handler."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib import wiring
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    ADMIN_PASSWORD,
    ADMIN_USER,
    call,
    enrolled,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.outbound.test_outbound_producer import on_queue
from tests.integration.records.test_health_summary import ANA_PID, hl7_segment
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

NEW_YORK = ZoneInfo("America/New_York")  # the demo organization's zone


@pytest.fixture
def admin(seeded) -> str:
    return sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)


@pytest.fixture
def team_id(seeded, ana) -> str:
    """Primary Care, one of the demo organization's teams open to patients."""
    patient_id, token = ana
    teams = call(seeded, "GET", f"/v1/patients/{patient_id}/care-teams", token=token).json_body["care_teams"]
    return next(t["team_id"] for t in teams if t["name"] == "Primary Care")


def post(api, path: str, body, token: str, key: str = ""):
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return api.http.post(path, headers=headers, body=json.dumps(body).encode())


def day(clock, days: int) -> str:
    """The organization's calendar day that many days from the clock's now."""
    return (clock.now() + timedelta(days=days)).astimezone(NEW_YORK).date().isoformat()


def ask(api, clock, patient_id: str, token: str, team: str, key: str = "", **body):
    payload = {
        "care_team_id": team,
        "reason": "Knee pain when climbing stairs",
        "mode": "in_person",
        "preferred": [{"date": day(clock, 7), "time_of_day": "morning"}],
        **body,
    }
    return post(api, f"/v1/patients/{patient_id}/appointment-requests", payload, token, key)


def asked(api, clock, patient_id: str, token: str, team: str, **body) -> dict:
    answer = ask(api, clock, patient_id, token, team, **body)
    assert answer.status_code == 201, answer.json_body
    return answer.json_body


def wall_clock(moment: datetime) -> str:
    """A moment as staff type it: the organization's wall clock to the minute."""
    return f"{moment.astimezone(NEW_YORK):%Y-%m-%dT%H:%M}"


def slot(clock, days: int = 10, **changes) -> dict:
    start = (clock.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return {
        "starts_at": wall_clock(start),
        "minutes": 30,
        "clinician": "Dr Rivera",
        "place": "Main clinic, room 4",
        "mode": "in_person",
        "note": "Please bring your knee brace.",
        **changes,
    }


def hl7_time(moment: datetime) -> str:
    return f"{moment.astimezone(NEW_YORK):%Y%m%d%H%M%S}"


def siu(
    event: str, control_id: str, start: datetime, placer: str = "", filler: str = "APT-1", pid: str = ANA_PID
) -> str:
    """An SIU booking as the scheduler sends it: SCH-1 the placer's id (the portal's request id
    when it books a request), SCH-2 the scheduler's own."""
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|||20261125080000||SIU^{event}|{control_id}|P|2.5.1",
            hl7_segment(
                "SCH",
                {
                    1: placer,
                    2: f"{filler}^AMC",
                    7: "^Knee follow-up",
                    9: "30",
                    10: "m",
                    11: f"^^30^{hl7_time(start)}^",
                    25: "Booked",
                },
            ),
            pid,
            hl7_segment("AIP", {1: "1", 3: "1234^Rivera^Ana^^^^MD"}),
        ]
    )


def appointments_on_queue() -> list[dict]:
    """The Appointments on the outbound queue now, as the integration engine reads them."""
    bodies = [json.loads(m["Body"]) for m in on_queue(wiring.container())]
    return [b for b in bodies if b["resourceType"] == "Appointment"]


def audited(patient_id: str) -> list[str]:
    events, _ = wiring.container().audit_log.for_patient(patient_id, 200)
    return [e.event_type for e in events]
