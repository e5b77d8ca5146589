"""Appointment requests over real HTTP against the local stack: the demo patient asks Primary
Care for a visit (twice with one Idempotency-Key, as a double click does); demo.staff books it;
the booking comes back through the real feed as an SIU S12 whose SCH-1 is the request's id, which
closes the request, and the visit shows the request's id; she cancels that visit before the
cutoff; a visit inside the cutoff is refused with the office's phone; the outbound queue carries
her request as an Appointment "proposed" and her cancellation as an Appointment "cancelled", each
valid R4 as the integration engine receives them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chalicelib.outbound import fhir
from tests.e2e.conftest import RunningPortal, eventually
from tests.e2e.test_identity_journey import PASSWORD, Api, staff_token
from tests.e2e.test_refill_journey import OUTBOUND_QUEUE, dana_signs_in
from tests.e2e.test_release_journey import ADMIN_PASSWORD, ADMIN_USER

pytestmark = pytest.mark.e2e

NEW_YORK = ZoneInfo("America/New_York")  # the demo organization's zone
OFFICE_PHONE = "(518) 555-0100"


def siu_s12(control: str, placer: str, filler: str, start: datetime) -> str:
    """A booking as the demo scheduler (CADENCE) sends it, for Dana Rivera."""
    at = f"{start.astimezone(NEW_YORK):%Y%m%d%H%M00}"
    return "\r".join(
        [
            f"MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|20261201090000||SIU^S12^SIU_S12|{control}|P|2.5.1",
            f"SCH|{placer}|{filler}^CADENCE|||||FOLLOWUP^Follow-up visit|FU20^Follow-up 20 minutes|20|min|"
            f"^^20^{at}||||||||||||||Booked",
            "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
            "AIL|1||AMC-FM^^^AMC Family Medicine",
            "AIP|1||1234^Okoro^Grace^^^Dr^MD",
        ]
    )


def test_a_requested_visit_is_booked_through_the_feed_and_cancelled_before_the_cutoff(
    portal: RunningPortal, tmp_path: Path
):
    api = Api(portal)
    patient_id, _ = dana_signs_in(api)

    def dana() -> str:
        """A fresh session: the e2e stack ends one idle for six seconds, and the feed takes longer."""
        answer = api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def post(path: str, body: dict, token: str, key: str = ""):
        return api.http.post(
            f"{api.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key or str(uuid.uuid4())},
            timeout=30,
        )

    def feed(name: str, message: str) -> None:
        path = tmp_path / name
        path.write_text(message)
        sent = portal.feed(path)
        assert sent.returncode == 0 and "filed" in sent.stdout, sent.stdout + sent.stderr

    admin = api.call("POST", "/v1/sessions", {"username": ADMIN_USER, "password": ADMIN_PASSWORD}).json()["token"]
    policy = api.call("PUT", "/v1/admin/appointment-policy", {"office_phone": OFFICE_PHONE}, admin)
    assert policy.status_code == 200, policy.text
    try:
        # GIVEN Dana asks Primary Care for a visit, with a double click: one request
        token = dana()
        teams = api.call("GET", f"/v1/patients/{patient_id}/care-teams", token=token).json()["care_teams"]
        team_id = next(t["team_id"] for t in teams if t["name"] == "Primary Care")
        today = datetime.now(timezone.utc).astimezone(NEW_YORK).date()
        body = {
            "care_team_id": team_id,
            "reason": "My knee hurts on the stairs",
            "mode": "in_person",
            "preferred": [{"date": (today + timedelta(days=9)).isoformat(), "time_of_day": "morning"}],
        }
        key = str(uuid.uuid4())
        first = post(f"/v1/patients/{patient_id}/appointment-requests", body, token, key)
        again = post(f"/v1/patients/{patient_id}/appointment-requests", body, token, key)
        assert first.status_code == again.status_code == 201, first.text
        assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
        request_id = first.json()["request_id"]

        # WHEN demo.staff finds it to do and books it
        staff = staff_token(api)
        to_do = api.call("GET", "/v1/staff/appointment-requests?limit=100", token=staff).json()
        assert [r["request_id"] for r in to_do["appointment_requests"]].count(request_id) == 1
        start = (
            (datetime.now(timezone.utc) + timedelta(days=10))
            .astimezone(NEW_YORK)
            .replace(hour=9, minute=30, second=0, microsecond=0)
        )
        slot = {"starts_at": f"{start:%Y-%m-%dT%H:%M}", "minutes": 20, "clinician": "Dr Okoro", "mode": "in_person"}
        booked = post(f"/v1/staff/appointment-requests/{request_id}/book", slot, staff)
        assert booked.status_code == 200 and booked.json()["status"] == "booked", booked.text

        # AND the scheduler's booking comes back through the feed, SCH-1 naming the request
        filler = f"E2E-{uuid.uuid4().hex[:8]}"
        feed("booking.hl7", siu_s12(f"E2E-{filler}", request_id, filler, start))

        # THEN the request is closed and the visit shows which request it was
        token = dana()
        closed = eventually(
            lambda: (lambda r: r if r["status"] == "scheduled" else None)(
                api.call("GET", f"/v1/patients/{patient_id}/appointment-requests/{request_id}", token=token).json()
            ),
            seconds=30,
        )
        assert closed and closed["scheduled_appointment_id"]
        visits = api.call("GET", f"/v1/patients/{patient_id}/appointments?limit=50", token=token).json()
        [visit] = [a for a in visits["appointments"] if a["id"] == closed["scheduled_appointment_id"]]
        assert visit["request_id"] == request_id and visit["cancellation"]["can_cancel"] is True

        # AND she cancels it, well before the cutoff
        cancelled = post(f"/v1/patients/{patient_id}/appointments/{visit['id']}/cancel", {"reason": ""}, token)
        assert cancelled.status_code == 200, cancelled.text
        assert (cancelled.json()["status"], cancelled.json()["cancelled_by_patient"]) == ("cancelled", True)

        # AND a visit three hours away, inside the 24-hour cutoff, is refused with the office's phone
        soon = datetime.now(timezone.utc) + timedelta(hours=3)
        soon_filler = f"E2E-{uuid.uuid4().hex[:8]}"
        feed("soon.hl7", siu_s12(f"E2E-{soon_filler}", "", soon_filler, soon))
        token = dana()
        listed = api.call("GET", f"/v1/patients/{patient_id}/appointments?limit=50", token=token).json()
        [close_by] = [a for a in listed["appointments"] if a["cancellation"]["reason"] == "past_cutoff"]
        refused = post(f"/v1/patients/{patient_id}/appointments/{close_by['id']}/cancel", {"reason": ""}, token)
        assert refused.status_code == 409
        assert refused.json()["error"]["message"] == (
            f"It is too late to cancel online. Please call the office at {OFFICE_PHONE}."
        )

        # AND the outbound queue carries her request (proposed) and her cancellation, each valid R4
        sqs = portal.client("sqs")
        queue_url = sqs.get_queue_url(QueueName=OUTBOUND_QUEUE)["QueueUrl"]
        received: list[dict] = []

        def proposed_and_cancelled():
            for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
                received.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            mine = [
                r
                for r in received
                if r["resourceType"] == "Appointment"
                and r["identifier"][0]["value"] in (request_id, filler)
                and r["status"] in ("proposed", "cancelled")
            ]
            return mine if len(mine) == 2 else None

        proposed, cancellation = eventually(proposed_and_cancelled, seconds=30)
        for resource in (proposed, cancellation):
            assert fhir.validated(resource) == resource
        assert proposed["identifier"] == [{"system": fhir.APPOINTMENT_REQUEST_SYSTEM, "value": request_id}]
        assert proposed["participant"][0]["actor"]["identifier"] == {"system": "AMC-MRN", "value": "AMC-100001"}
        assert cancellation["identifier"] == [{"system": "CADENCE", "value": filler}]
        assert cancellation["status"] == "cancelled"
    finally:
        admin = api.call("POST", "/v1/sessions", {"username": ADMIN_USER, "password": ADMIN_PASSWORD}).json()["token"]
        api.call("PUT", "/v1/admin/appointment-policy", {}, admin)
