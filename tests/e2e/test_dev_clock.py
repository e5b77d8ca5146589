"""The local stack's clock over real HTTP: moving it moves the API's time and the timers' waits.

A stack of its own (not the shared one): moving a clock days ahead would shift the time of every
other journey that shares a stack with it.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import RunningPortal, eventually, running_portal
from tests.e2e.test_identity_journey import PASSWORD, Api, invitation_code, staff_token

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_portal(tmp_path_factory.mktemp("clock")) as running:
        yield running


def post(portal: RunningPortal, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        portal.api_url + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def clock_now(portal: RunningPortal) -> datetime:
    status, _, body = portal.get("/dev/clock")
    assert status == 200
    return datetime.fromisoformat(json.loads(body)["now"])


def test_a_timer_fires_when_the_clock_moves_past_it_and_not_before(stack):
    # GIVEN a dated-event timer two hours ahead on the stack's clock, delivering to a queue
    environment = json.loads(open(stack.state_path, encoding="utf-8").read())["environment"]
    sqs, sfn = stack.client("sqs"), stack.client("stepfunctions")
    queue_url = sqs.create_queue(QueueName="clock-test")["QueueUrl"]
    start = clock_now(stack)
    fire_at = (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sfn.start_execution(
        stateMachineArn=environment["PORTAL_DATED_EVENT_STATE_MACHINE_ARN"],
        name="clock-test",
        input=json.dumps({"fire_at": fire_at, "queue_url": queue_url, "message_body": '{"hello":"clock"}'}),
    )

    # THEN it waits while the clock stands before its moment
    assert sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages") is None

    # WHEN the clock moves an hour: still waiting; then past the moment: it fires
    status, moved = post(stack, "/dev/clock", {"advance_minutes": 60})
    assert status == 200 and datetime.fromisoformat(moved["now"]) >= start + timedelta(hours=1)
    assert sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages") is None
    status, moved = post(stack, "/dev/clock", {"set": (start + timedelta(hours=2, minutes=1)).isoformat()})
    assert status == 200

    def delivered():
        return sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages")

    messages = eventually(delivered, seconds=15)
    assert messages and json.loads(messages[0]["Body"]) == {"hello": "clock"}
    # AND the API reads the moved time too, which keeps running from there
    assert clock_now(stack) >= start + timedelta(hours=2, minutes=1)


def test_the_clock_only_moves_forward_and_refuses_a_bad_body(stack):
    now = clock_now(stack)
    status, body = post(stack, "/dev/clock", {"set": (now - timedelta(hours=1)).isoformat()})
    assert status == 400 and body["error"]["details"][0]["field"] == "set"
    status, body = post(stack, "/dev/clock", {"advance_minutes": 5, "set": now.isoformat()})
    assert status == 400
    status, body = post(stack, "/dev/clock", {"advance_minutes": -5})
    assert status == 400


# -- a video visit's reminder and join window, driven by the clock --------------------------------

REMINDER_SUBJECT = "You have an appointment coming up"
LINK = "https://video.example.org/join/e2e-visit"
NEW_YORK = ZoneInfo("America/New_York")  # the demo organization's zone: SIU times are its wall clock


def video_visit_siu(start: datetime) -> str:
    wall = f"{start.astimezone(NEW_YORK):%Y%m%d%H%M%S}"
    end = f"{(start + timedelta(minutes=20)).astimezone(NEW_YORK):%Y%m%d%H%M%S}"
    return "\r".join(
        [
            "MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|20261201080000||SIU^S12^SIU_S12|E2E-SCH-0001|P|2.5.1",
            f"SCH|APT-E2E-1^CADENCE|APT-E2E-1^CADENCE|||||FOLLOWUP^Follow-up visit|VIDEO^Video visit|20|min|^^20^{wall}^{end}"
            "||||||||||||||Booked",
            f"NTE|1||{LINK}|VIDEO",
            "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
            "AIP|1||1234^Okoro^Grace^^^Dr^MD",
        ]
    )


def enrolled_dana(api: Api) -> tuple[str, str]:
    """The demo patient (filed by the demo feed as the stack starts), invited and enrolled."""
    staff = staff_token(api)
    found = eventually(
        lambda: (lambda r: r if r.status_code == 200 and r.json()["patients"] else None)(
            api.call("POST", "/v1/staff/patients/search", {"mrn": "AMC-100001"}, staff)
        ),
        seconds=30,
    )
    patient_id = found.json()["patients"][0]["patient"]["patient_id"]
    invited = api.call("POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": DANA}, staff)
    assert invited.status_code == 201, invited.text
    enrolled = api.call(
        "POST",
        "/v1/enrollments",
        {
            "invitation_code": invitation_code(api, DANA),
            "date_of_birth": "1980-04-12",
            "family_name": "rivera",
            "username": "dana.rivera",
            "password": PASSWORD,
            "email": DANA,
            "accepted_terms_version": api.call("GET", "/v1/terms").json()["version"],
        },
    )
    assert enrolled.status_code == 201, enrolled.text
    return patient_id, signed_in(api)


DANA = "dana.rivera@example.org"


def signed_in(api: Api) -> str:
    """A new session (the e2e stack's sessions end after seconds idle, and a moved clock idles them)."""
    return api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD}).json()["token"]


def test_a_booked_video_visits_reminder_arrives_and_its_link_opens_only_in_its_window(stack):
    api = Api(stack)
    patient_id, token = enrolled_dana(api)

    # GIVEN a 20-minute video visit two days ahead, booked through the feed as SIU with its link
    start = clock_now(stack).replace(microsecond=0) + timedelta(days=2)
    sqs = stack.client("sqs")
    queue = sqs.get_queue_url(QueueName="patient-portal-clinical-inbound.fifo")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=video_visit_siu(start), MessageGroupId="e2e-scheduler")
    path = f"/v1/patients/{patient_id}/appointments"

    def the_visit():
        listed = api.call("GET", path, token=signed_in(api)).json()["appointments"]
        # (by its start: the demo seed books a video visit of its own, ten minutes after the stack started)
        return next(
            (a for a in listed if a["type"] == "Video visit" and datetime.fromisoformat(a["starts_at"]) == start), None
        )

    visit = eventually(the_visit, seconds=30)
    assert visit and visit["video"]["state"] == "not_yet" and LINK not in repr(visit)
    join = f"{path}/{visit['id']}/video-link"

    # THEN the link is refused before its window
    early = api.call("POST", join, token=signed_in(api))
    assert early.status_code == 409 and early.json()["error"]["details"][0]["issue"] == "not_open_yet"

    # WHEN the clock reaches 24 hours before the visit THEN the reminder is in the local mailbox,
    # saying nothing of the visit
    status, _ = post(stack, "/dev/clock", {"set": (start - timedelta(hours=24, seconds=-30)).isoformat()})
    assert status == 200
    # (the demo's own visit two days ahead may be reminded by the same move: the email names no
    # visit, so each that arrived is checked)
    reminders = eventually(lambda: api.emails_to(DANA, REMINDER_SUBJECT), seconds=30)
    for reminder in reminders:
        assert any(link.endswith("/appointments") for link in reminder["links"])
        for private in ("Okoro", "Video visit", "Follow-up", "Rivera", LINK):
            assert private not in reminder["text"]

    # WHEN the clock reaches 14 minutes before the start THEN the link is given
    post(stack, "/dev/clock", {"set": (start - timedelta(minutes=14)).isoformat()})
    given = api.call("POST", join, token=signed_in(api))
    assert given.status_code == 200, given.text
    assert given.json()["url"] == LINK

    # WHEN the visit is over THEN it is refused again
    post(stack, "/dev/clock", {"set": (start + timedelta(minutes=21)).isoformat()})
    late = api.call("POST", join, token=signed_in(api))
    assert late.status_code == 409 and late.json()["error"]["details"][0]["issue"] == "ended"
